// In a git repository Nix copies only the files git knows into a flake's source, so a file a
// build's or test's `src` matches but git does not track is silently missing in the sandbox.
// This finds those files, to warn before the build fails with "No such file or directory".
import picomatch from "picomatch";
import type { Manifest } from "../manifest/schema.js";
import { writtenReports } from "../state/reports.js";
import { untrackedFiles } from "../util/git.js";
import { CREDENTIAL_FILE } from "./credential-files.js";

// What nix/lib/source.nix always leaves out, and also leaves out when `src` is absent.
const NEVER = /^(\.git|\.hg|\.svn|\.direnv|\.nixkit)(\/|$)|^result(-[^/]*)?$/;
const GENERATED = new Set(["flake.nix", "flake.lock", "nixkit.yaml"]);

type Source = Manifest["builds"][string]["src"];

function matcher(src: Source): (file: string) => boolean {
  if (!src) return (file) => !GENERATED.has(file) && !CREDENTIAL_FILE.test(file);
  const include = src.include.filter((p) => !p.startsWith("!")).map((p) => p.replace(/^\.\//, ""));
  const exclude = [...src.exclude, ...src.include.filter((p) => p.startsWith("!")).map((p) => p.slice(1))].map((p) =>
    p.replace(/^\.\//, ""),
  );
  const included = picomatch(include, { dot: true });
  const excluded = exclude.length ? picomatch(exclude, { dot: true }) : () => false;
  const named = new Set(include);
  return (file) => included(file) && !excluded(file) && (!CREDENTIAL_FILE.test(file) || named.has(file));
}

/** Untracked files each named build or test (and the builds they need) would miss, with who needs them. */
export function untrackedSources(projectDir: string, manifest: Manifest, kind: "builds" | "tests", names: string[]): Map<string, string[]> {
  const reports = writtenReports(projectDir);
  const files = untrackedFiles(projectDir).filter((f) => !NEVER.test(f) && !reports.has(f));
  const missed = new Map<string, string[]>();
  if (files.length === 0) return missed;
  const fields = new Map<string, Source>();
  const addBuild = (name: string) => {
    if (fields.has(`builds.${name}`) || !manifest.builds[name]) return;
    fields.set(`builds.${name}`, manifest.builds[name]!.src);
    manifest.builds[name]!.needs.forEach(addBuild);
  };
  for (const name of names) {
    if (kind === "builds") addBuild(name);
    else {
      fields.set(`tests.${name}`, manifest.tests[name]!.src);
      manifest.tests[name]!.needs.forEach(addBuild);
    }
  }
  for (const [field, src] of fields) {
    const matches = matcher(src);
    for (const file of files.filter(matches)) missed.set(file, [...(missed.get(file) ?? []), field]);
  }
  return missed;
}

/** One warning line per file. */
export const untrackedWarnings = (missed: Map<string, string[]>): string[] =>
  [...missed].map(
    ([file, fields]) =>
      `${file} is matched by ${fields.join(", ")} but git does not track it, so Nix leaves it out of the sandbox (git add ${file})`,
  );
