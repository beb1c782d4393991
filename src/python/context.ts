// The Python facts the generated flake needs beyond the manifest: every lockfile a `python` field
// names, read into what the Nix library installs (nix/lib/python-lock.nix).
import path from "node:path";
import { languageFields } from "../manifest/language-fields.js";
import type { Manifest } from "../manifest/schema.js";
import { readTextInside } from "../util/bounded-read.js";
import { FieldError } from "../util/errors.js";
import type { PythonLock } from "./lock.js";
import { readPoetryLock } from "./poetry-lock.js";
import { readRequirementsLock } from "./requirements.js";
import { readUvLock } from "./uv-lock.js";

export interface PythonContext {
  /** Each lockfile, by its path relative to the project. */
  pythonLocks?: Record<string, PythonLock>;
}

type PythonSpec = NonNullable<Manifest["shell"]["python"]>;

/** Every `python` field of the manifest (the shell's, then builds' and tests'), with its field path. */
function pythonFields(manifest: Manifest): { field: string; python: PythonSpec }[] {
  return languageFields(manifest, "python").map(({ field, spec }) => ({ field, python: spec }));
}

/** The `python` fields that name a lockfile. */
export const pythonLockFields = (manifest: Manifest): { field: string; python: PythonSpec & { lockfile: string } }[] =>
  pythonFields(manifest).filter((f): f is { field: string; python: PythonSpec & { lockfile: string } } => f.python.lockfile !== undefined);

const isUvLock = (lockfile: string) => path.posix.basename(lockfile) === "uv.lock";
const isPoetryLock = (lockfile: string) => path.posix.basename(lockfile) === "poetry.lock";

export async function pythonContext(manifest: Manifest, projectDir: string, manifestText = ""): Promise<PythonContext> {
  const fields = pythonLockFields(manifest);
  if (fields.length === 0) return {};
  const problems: string[] = [];
  const locks: Record<string, PythonLock> = {};
  for (const { field, python } of fields) {
    const lockfile = python.lockfile.replace(/^\.\//, "");
    const name = path.posix.basename(lockfile);
    if (!isUvLock(lockfile) && !isPoetryLock(lockfile) && !name.endsWith(".txt")) {
      problems.push(
        `nixkit.yaml ${field}.lockfile: ${lockfile} is not a lockfile nixkit reads (uv.lock, poetry.lock, or a requirements .txt file with --hash on every line)`,
      );
      continue;
    }
    if (python.groups && name.endsWith(".txt")) {
      problems.push(
        `nixkit.yaml ${field}.groups: ${lockfile} is a flat requirements file without dependency groups; remove groups (or name a file per group)`,
      );
      continue;
    }
    if (!locks[lockfile]) {
      const file = path.join(projectDir, lockfile);
      if (isUvLock(lockfile)) {
        const text = readTextInside(projectDir, file, "lockfile", lockfile);
        if (text === undefined) {
          problems.push(
            `nixkit.yaml ${field}.lockfile: ${lockfile} does not exist; run \`uv lock\` in ${path.posix.dirname(lockfile)} to create it`,
          );
          continue;
        }
        locks[lockfile] = readUvLock(text, lockfile, manifest.systems);
      } else if (isPoetryLock(lockfile)) locks[lockfile] = await readPoetryLock(projectDir, lockfile, manifest.systems);
      else locks[lockfile] = await readRequirementsLock(projectDir, lockfile, manifest.systems);
    }
    const groups = (locks[lockfile] as { groups?: Record<string, unknown> }).groups ?? {};
    for (const group of python.groups ?? [])
      if (!(group in groups))
        problems.push(
          `nixkit.yaml ${field}.groups: ${lockfile} has no dependency group "${group}" (it has ${Object.keys(groups).join(", ") || "none"}); ${
            isPoetryLock(lockfile)
              ? "add it to pyproject.toml ([tool.poetry.group.NAME.dependencies]) and run `poetry lock`"
              : "add it to pyproject.toml's [dependency-groups] and run `uv lock`"
          }`,
        );
  }
  if (problems.length > 0) throw new FieldError(problems.join("\n"), manifestText);
  return { pythonLocks: locks };
}
