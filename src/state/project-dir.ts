// Which project a command acts on: -C DIR when given, otherwise the nearest directory at or
// above the current one that holds nixkit.yaml (like git finds .git), otherwise the current one.
import { existsSync } from "node:fs";
import path from "node:path";
import { MANIFEST_FILE } from "./layout.js";

export function findProjectDir(directory: string | undefined, cwd = process.cwd()): string {
  if (directory !== undefined) return path.resolve(cwd, directory);
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, MANIFEST_FILE))) return dir;
    if (path.dirname(dir) === dir) return cwd;
  }
}
