// nixkit's state is never committed: .gitignore gets `.nixkit/cache/` and the `result*` out-links
// (entries already there are left as they are, and nothing else changes).
import path from "node:path";
import { readFileIfExists, writeFileAtomic } from "../state/atomic.js";
import { STATE_DIR } from "../state/layout.js";

const IGNORED = [`${STATE_DIR}/`, "result*"];

export async function ignoreGeneratedState(projectDir: string): Promise<void> {
  const file = path.join(projectDir, ".gitignore");
  const current = (await readFileIfExists(file)) ?? "";
  const present = new Set(current.split("\n").map((l) => l.trim()));
  const missing = IGNORED.filter((entry) => !present.has(entry));
  if (missing.length === 0) return;
  const separator = current === "" || current.endsWith("\n") ? "" : "\n";
  await writeFileAtomic(file, `${current}${separator}${missing.join("\n")}\n`);
}
