// The shell, builds and tests that carry a language field (`node`, `python`, `go`), each with the
// path of that field, as the lockfile readers report problems at it.
import type { Manifest } from "./schema.js";

type Language = "node" | "python" | "go";
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
