// nixkit's state is never committed: .gitignore gets `.nixkit/cache/` and the `result*` out-links
// (entries already there are left as they are, and nothing else changes). What nixkit generates
// must reach Nix, which sees only what git does: when the project's ignore rules match it (a `lib/`
// line matches .nixkit/lib too; `.*` matches .nixkit), a negation for it is appended. A
// .gitignore that is a link is the user's: nixkit never replaces it with a file, and says what to
// add instead.
import { existsSync, lstatSync } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../state/atomic.js";
import { FLAKE_FILE, LIB_DIR, LOCK_FILE, MANIFEST_FILE, STATE_DIR } from "../state/layout.js";
import { ignoredByGit, registerWithGit } from "../util/git.js";
import { readTextInside } from "../util/bounded-read.js";
import { UserError } from "../util/errors.js";

const IGNORED = [`${STATE_DIR}/`, "result*"];
const GENERATED = [".nixkit/", `${LIB_DIR}/`, FLAKE_FILE, LOCK_FILE, MANIFEST_FILE];

/** The .gitignore lines that keep git (and so Nix) seeing the generated files, for those its rules ignore. */
export const generatedNegations = (projectDir: string): string[] => ignoredByGit(projectDir, GENERATED).map((p) => `!/${p}`);

/** Returns the negations it added (the generated files git ignored until now). */
export async function ignoreGeneratedState(projectDir: string): Promise<string[]> {
  const file = path.join(projectDir, ".gitignore");
  const current = readTextInside(projectDir, file, "config") ?? "";
  const present = new Set(current.split("\n").map((l) => l.trim()));
  const negations = generatedNegations(projectDir);
  const missing = [...IGNORED, ...negations].filter((entry) => !present.has(entry));
  if (missing.length === 0) return [];
  if (lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink())
    throw new UserError(
      `.gitignore is a link, which nixkit does not replace: add ${missing.map((m) => `\`${m}\``).join(", ")} to the file it points at`,
    );
  const separator = current === "" || current.endsWith("\n") ? "" : "\n";
  const created = !existsSync(file);
  await writeFileAtomic(file, `${current}${separator}${missing.join("\n")}\n`);
  // A .gitignore nixkit made is registered like the files it generates: a fresh repository is
  // not told to add what nixkit just wrote.
  if (created) registerWithGit(projectDir, [".gitignore"]);
  return negations;
}
