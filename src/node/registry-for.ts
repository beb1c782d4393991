// The Node facts the generated flake needs beyond the manifest: every lockfile a build, test or
// the shell names is checked, and when one leaves download URLs to npm's configuration, the
// registry that configuration names.
import path from "node:path";
import type { Manifest } from "../manifest/schema.js";
import { checkLockfile } from "./lockfile.js";
import { npmRegistry } from "./npm-config.js";

export interface NodeContext {
  npmRegistry: string | null;
}

export function nodeContext(manifest: Manifest, projectDir: string): NodeContext {
  const lockfiles = new Map<string, string>();
  if (manifest.shell.node) lockfiles.set(manifest.shell.node.lockfile, "shell.node.lockfile");
  for (const kind of ["builds", "tests"] as const)
    for (const [name, spec] of Object.entries(manifest[kind]))
      if (spec.node && !lockfiles.has(spec.node.lockfile)) lockfiles.set(spec.node.lockfile, `${kind}.${name}.node.lockfile`);
  let registryDir: string | undefined;
  for (const [lockfile, field] of lockfiles)
    if (checkLockfile(projectDir, lockfile, field).needsRegistry) registryDir ??= path.dirname(path.join(projectDir, lockfile));
  return { npmRegistry: registryDir ? npmRegistry(registryDir) : null };
}
