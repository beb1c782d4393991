// The shell, builds and tests that carry a language field (`node`, `python`, `go`, `rust`), each with the
// path of that field, as the lockfile readers report problems at it.
import path from "node:path";
import type { Manifest } from "./schema.js";

type Language = "node" | "python" | "go" | "rust";
type Spec<L extends Language> = NonNullable<Manifest["shell"][L]>;

export function languageFields<L extends Language>(manifest: Manifest, language: L): { field: string; spec: Spec<L> }[] {
  const sections = [
    ["shell", manifest.shell] as const,
    ...(["builds", "tests"] as const).flatMap((kind) =>
      Object.entries(manifest[kind]).map(([name, spec]) => [`${kind}.${name}`, spec] as const),
    ),
  ];
  return sections.flatMap(([field, section]) => {
    const spec = section[language] as Spec<L> | undefined;
    return spec ? [{ field: `${field}.${language}`, spec }] : [];
  });
}

/** A `go` field's module directory, relative to the project ("." at the top). */
export const moduleDirOf = (spec: Spec<"go">): string => path.posix.normalize(spec.module.replace(/\/+$/, ""));

/** A `rust` field's workspace directory (of Cargo.lock), relative to the project ("." at the top). */
export const workspaceDirOf = (spec: Spec<"rust">): string => path.posix.normalize(spec.workspace.replace(/\/+$/, ""));

/**
 * Each language field that installs from a lockfile (npm's, pnpm's, yarn's; a Python lock; a
 * go.sum; a Cargo.lock), with that lockfile: what the generated flake reads beyond the manifest, and what the
 * fetch ahead is keyed on.
 */
export function lockedFields(manifest: Manifest): { spec: object; lockfile: string }[] {
  return [
    ...languageFields(manifest, "node").map(({ spec }) => ({ spec, lockfile: spec.lockfile })),
    ...languageFields(manifest, "python").flatMap(({ spec }) => (spec.lockfile ? [{ spec, lockfile: spec.lockfile }] : [])),
    ...languageFields(manifest, "go").map(({ spec }) => ({ spec, lockfile: path.posix.join(moduleDirOf(spec), "go.sum") })),
    ...languageFields(manifest, "rust").map(({ spec }) => ({ spec, lockfile: path.posix.join(workspaceDirOf(spec), "Cargo.lock") })),
  ];
}
