// `nixkit init`: a starter nixkit.yaml from a template, and nixkit's state kept out of git.
import { existsSync, promises as fs, readdirSync, readFileSync, type Dirent } from "node:fs";
import path from "node:path";
import { ignoreGeneratedState } from "../generate/gitignore.js";
import { writeFileAtomic } from "../state/atomic.js";
import { MANIFEST_FILE } from "../state/layout.js";
import { assetPath } from "../util/assets.js";
import { UserError } from "../util/errors.js";

export function templateNames(): string[] {
  return readdirSync(assetPath("templates")).filter((t) => existsSync(assetPath("templates", t, MANIFEST_FILE)));
}

/** Writes `projectDir`/nixkit.yaml from `template`, never over an existing one without `force`; returns the project name. */
export async function writeStarterManifest(projectDir: string, template: string, force: boolean): Promise<string> {
  const templates = templateNames();
  if (!templates.includes(template)) throw new UserError(`no template named "${template}" (templates: ${templates.join(", ")})`);
  const target = path.join(projectDir, MANIFEST_FILE);
  if (existsSync(target) && !force)
    throw new UserError(`${target} already exists; nixkit will not overwrite it (pass --force to replace it)`);
  const name = projectName(projectDir);
  const text = readFileSync(assetPath("templates", template, MANIFEST_FILE), "utf8").replaceAll("{{name}}", name);
  // A template that does not validate is a bug in nixkit, not the user's problem.
  (await import("../manifest/parse.js")).parseManifest(text);
  await writeFileAtomic(target, text);
  await ignoreGeneratedState(projectDir);
  return name;
}

/**
 * Writes the template's starter files (templates/NAME/files) that are not there yet; a file the
 * project has is never replaced. The lockfile comes only with the package.json it belongs to.
 * Returns the files written, relative to the project.
 */
export async function writeStarterFiles(projectDir: string, template: string, name: string): Promise<string[]> {
  const root = assetPath("templates", template, "files");
  if (!existsSync(root)) return [];
  const files = (readdirSync(root, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
  const hadPackageJson = existsSync(path.join(projectDir, "package.json"));
  const written: string[] = [];
  for (const rel of files) {
    const target = path.join(projectDir, rel);
    if (existsSync(target) || (rel === "package-lock.json" && hadPackageJson)) continue;
    await fs.mkdir(path.dirname(target), { recursive: true });
    await writeFileAtomic(target, readFileSync(path.join(root, rel), "utf8").replaceAll("{{name}}", name));
    written.push(rel);
  }
  return written;
}

export function projectName(dir: string): string {
  const name = path
    .basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-+$/, "");
  return name || "project";
}
