// The Node facts the generated flake needs beyond the manifest: every lockfile a build, test or
// the shell names is checked, and when one leaves download URLs to npm's configuration, the
// registry that configuration names.
import path from "node:path";
import type { Manifest } from "../manifest/schema.js";
import { FieldError } from "../util/errors.js";
import { checkLockfile } from "./lockfile.js";
import { npmRegistry } from "./npm-config.js";
import { npmInstallSettings } from "./npm-settings.js";

export interface NodeContext {
  npmRegistry: string | null;
  /** Each lockfile's install settings from its project's .npmrc (src/node/npm-settings.ts), when it has any. */
  npmSettings?: Record<string, Record<string, string>>;
}

type NodeSpec = NonNullable<Manifest["shell"]["node"]>;

/** Every `node` field of the manifest (the shell's, then builds' and tests'), with its field path. */
export function nodeFields(manifest: Manifest): { field: string; node: NodeSpec }[] {
  const sections = [
    ["shell", manifest.shell] as const,
    ...(["builds", "tests"] as const).flatMap((kind) =>
      Object.entries(manifest[kind]).map(([name, spec]) => [`${kind}.${name}`, spec] as const),
    ),
  ];
  return sections.flatMap(([field, spec]) => (spec.node ? [{ field: `${field}.node`, node: spec.node }] : []));
}

/** `manifestText` places a problem with a field (a lockfile that is missing, or not npm's) at its line. */
export function nodeContext(manifest: Manifest, projectDir: string, manifestText = ""): NodeContext {
  const lockfiles = new Map<string, string[]>();
  for (const { field, node } of nodeFields(manifest))
    lockfiles.set(node.lockfile, [...(lockfiles.get(node.lockfile) ?? []), `${field}.lockfile`]);
  let registryDir: string | undefined;
  const unusable: string[] = [];
  for (const [lockfile, fields] of lockfiles) {
    const checked = checkLockfile(projectDir, lockfile);
    if ("unusable" in checked) unusable.push(...fields.map((field) => `nixkit.yaml ${field}: ${checked.unusable}`));
    else if (checked.needsRegistry) registryDir ??= path.dirname(path.join(projectDir, lockfile));
  }
  if (unusable.length > 0) throw new FieldError(unusable.join("\n"), manifestText);
  const npmSettings: Record<string, Record<string, string>> = {};
  for (const lockfile of lockfiles.keys()) {
    const settings = npmInstallSettings(projectDir, path.dirname(path.join(projectDir, lockfile)));
    if (Object.keys(settings).length > 0) npmSettings[lockfile.replace(/^\.\//, "")] = settings;
  }
  return {
    npmRegistry: registryDir ? npmRegistry(registryDir, projectDir) : null,
    ...(Object.keys(npmSettings).length > 0 ? { npmSettings } : {}),
  };
}
