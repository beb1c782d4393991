import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Invocation } from "../cli.js";
import { MANIFEST_FILE, parseManifest } from "../manifest/load.js";
import { assetPath } from "../util/assets.js";
import { readFileIfExists, writeFileAtomic } from "../util/atomic.js";
import { UserError } from "../util/errors.js";
import type { CommandContext } from "./context.js";

const IGNORED = [".nixkit/cache/", "result*"];

export async function run(ctx: CommandContext, inv: Invocation): Promise<void> {
  const template = String(inv.options.template);
  const templates = readdirSync(assetPath("templates")).filter((t) => existsSync(assetPath("templates", t, MANIFEST_FILE)));
  if (!templates.includes(template)) {
    throw new UserError(`no template named "${template}" (templates: ${templates.join(", ")})`);
  }
  // init makes a new project here, never in a parent that already has one.
  const projectDir = ctx.workDir;
  const target = path.join(projectDir, MANIFEST_FILE);
  if (existsSync(target) && !inv.options.force) {
    throw new UserError(`${target} already exists; nixkit will not overwrite it (pass --force to replace it)`);
  }
  const text = readFileSync(assetPath("templates", template, MANIFEST_FILE), "utf8").replaceAll("{{name}}", projectName(projectDir));
  parseManifest(text); // a template that does not validate is a bug in nixkit, not the user's problem
  await writeFileAtomic(target, text);
  await ignoreGeneratedState(projectDir);
  ctx.logger.result(`wrote ${MANIFEST_FILE} from the ${template} template; next: nixkit generate`);
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

async function ignoreGeneratedState(projectDir: string): Promise<void> {
  const file = path.join(projectDir, ".gitignore");
  const current = (await readFileIfExists(file)) ?? "";
  const present = new Set(current.split("\n").map((l) => l.trim()));
  const missing = IGNORED.filter((entry) => !present.has(entry));
  if (missing.length === 0) return;
  const separator = current === "" || current.endsWith("\n") ? "" : "\n";
  await writeFileAtomic(file, `${current}${separator}${missing.join("\n")}\n`);
}
