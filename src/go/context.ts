// The Go facts the generated flake needs beyond the manifest: for each module a `go` field names,
// the proxy and every module go.sum lists with the sha256 of its files (src/go/modules.ts).
import { existsSync } from "node:fs";
import path from "node:path";
import { languageFields, moduleDirOf } from "../manifest/language-fields.js";
import type { Manifest } from "../manifest/schema.js";
import { projectPaths } from "../state/layout.js";
import { readTextInside } from "../util/bounded-read.js";
import { FieldError } from "../util/errors.js";
import { goModuleLines, goProxy, recordedModules, type GoModuleLine } from "./modules.js";

export interface GoContext {
  /** Each Go module (the directory of its go.mod, relative to the project): its proxy and modules. */
  goModules?: Record<string, { proxy: string; modules: GoModuleLine[] }>;
}

export async function goContext(manifest: Manifest, projectDir: string, manifestText = ""): Promise<GoContext> {
  const fields = languageFields(manifest, "go");
  if (fields.length === 0) return {};
  const problems: string[] = [];
  const dirs = new Map<string, string>();
  for (const { field, spec: go } of fields) {
    const dir = moduleDirOf(go);
    if (dir.startsWith("..") || path.isAbsolute(dir)) problems.push(`nixkit.yaml ${field}.module: ${go.module} is outside the project`);
    else if (!existsSync(path.join(projectDir, dir, "go.mod")))
      problems.push(
        `nixkit.yaml ${field}.module: ${path.posix.join(dir, "go.mod")} does not exist; run \`go mod init\` there, or name the directory that has go.mod`,
      );
    else dirs.set(dir, field);
  }
  if (problems.length > 0) throw new FieldError(problems.join("\n"), manifestText);
  const known = recordedModules(readTextInside(projectDir, projectPaths(projectDir).flake, "generated") ?? "");
  const goModules: NonNullable<GoContext["goModules"]> = {};
  for (const dir of [...dirs.keys()].sort()) {
    const moduleDir = path.join(projectDir, dir);
    const proxy = goProxy(moduleDir);
    const goSum = path.join(moduleDir, "go.sum");
    goModules[dir] = { proxy, modules: existsSync(goSum) ? await goModuleLines(moduleDir, goSum, proxy, known) : [] };
  }
  return { goModules };
}
