// A `node` field that names no lockfile gets package-lock.json (the schema's default); when the
// project has none but is locked by pnpm or yarn (pnpm-lock.yaml or yarn.lock beside it), that
// lockfile is meant. Decided on every load (the manifest cache holds the manifest as written):
// adding or removing a lockfile changes it without a change to nixkit.yaml.
import { existsSync } from "node:fs";
import path from "node:path";
import type { Manifest } from "./schema.js";

const DEFAULT = "package-lock.json";
const OTHERS = ["pnpm-lock.yaml", "yarn.lock"];

export function withDetectedLockfiles(manifest: Manifest, text: string, projectDir: string): Manifest {
  // Named somewhere in nixkit.yaml: nothing defaulted is replaced.
  if (text.includes(DEFAULT)) return manifest;
  const sections = [manifest.shell, ...Object.values(manifest.builds), ...Object.values(manifest.tests)];
  if (!sections.some((s) => s.node?.lockfile === DEFAULT) || existsSync(path.join(projectDir, DEFAULT))) return manifest;
  const found = OTHERS.filter((name) => existsSync(path.join(projectDir, name)));
  if (found.length !== 1) return manifest;
  const detect = <T extends { node?: { lockfile: string } }>(spec: T): T =>
    spec.node?.lockfile === DEFAULT ? { ...spec, node: { ...spec.node, lockfile: found[0]! } } : spec;
  const each = <T extends { node?: { lockfile: string } }>(specs: Record<string, T>) =>
    Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, detect(spec)]));
  return { ...manifest, shell: detect(manifest.shell), builds: each(manifest.builds), tests: each(manifest.tests) };
}
