// nixkit's state is never committed: .gitignore gets `.nixkit/cache/` and the `result*` out-links
// (entries already there are left as they are, and nothing else changes). A .gitignore that is a
// link is the user's: nixkit never replaces it with a file, and says what to add instead.
import { lstatSync } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../state/atomic.js";
import { STATE_DIR } from "../state/layout.js";
import { readTextInside } from "../util/bounded-read.js";
import { UserError } from "../util/errors.js";

const IGNORED = [`${STATE_DIR}/`, "result*"];

export async function ignoreGeneratedState(projectDir: string): Promise<void> {
  const file = path.join(projectDir, ".gitignore");
  const current = readTextInside(projectDir, file, "config") ?? "";
  const present = new Set(current.split("\n").map((l) => l.trim()));
  const missing = IGNORED.filter((entry) => !present.has(entry));
  if (missing.length === 0) return;
  if (lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink())
    throw new UserError(
      `.gitignore is a link, which nixkit does not replace: add ${missing.map((m) => `\`${m}\``).join(" and ")} to the file it points at`,
    );
  const separator = current === "" || current.endsWith("\n") ? "" : "\n";
  await writeFileAtomic(file, `${current}${separator}${missing.join("\n")}\n`);
}
