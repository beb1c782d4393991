// Prints the dev environment: as JSON, as shell code for direnv, or as NAME=value lines.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Invocation } from "../cli.js";
import { baseEnv, bashPath } from "../shell/launch.js";
import { shellQuote } from "../shell/rc.js";
import { UserError } from "../util/errors.js";
import type { CommandContext } from "./context.js";
import { ensureRc } from "./dev-env.js";
import { prepareProject } from "./project.js";

export async function run(ctx: CommandContext, inv: Invocation): Promise<void> {
  if (ctx.logger.json && inv.options.direnv) throw new UserError("choose one of --json and --direnv");
  const loaded = await prepareProject(ctx);
  const rcFile = await ensureRc(ctx, loaded, Boolean(inv.options.staleOk));
  if (inv.options.direnv) {
    process.stdout.write(`export NIXKIT_PROJECT=${shellQuote(ctx.projectDir)}\n${readFileSync(rcFile, "utf8")}`);
    return;
  }
  const env = environmentAfter(rcFile, ctx.projectDir, ctx.workDir);
  if (ctx.logger.json) return ctx.logger.data(env);
  for (const [name, value] of Object.entries(env)) if (process.env[name] !== value) ctx.logger.result(`${name}=${value}`);
}

/** The exported environment a command started by `nixkit run` sees (the hook's output goes to stderr). */
function environmentAfter(rcFile: string, projectDir: string, workDir: string): Record<string, string> {
  const options = { rcFile, projectDir, workDir, pure: false };
  const dump = execFileSync(bashPath(process.env), ["--norc", "--noprofile", "-c", 'source "$0" >&2 && env -0', rcFile], {
    cwd: workDir,
    env: baseEnv(options),
    stdio: ["ignore", "pipe", "inherit"],
  });
  const env: Record<string, string> = {};
  for (const entry of dump.toString("utf8").split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0 && entry.slice(0, eq) !== "_" && entry.slice(0, eq) !== "SHLVL") env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return Object.fromEntries(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : 1)));
}
