// nixkit shell, run, env and direnv: the dev environment, from the cache when it is fresh.
import type { Session } from "../workflows/session.js";
import { direnvScript, writeEnvrc } from "../shell/direnv.js";
import { environmentAfter, interactiveShell, runInEnv } from "../shell/launch.js";
import { UserError } from "../util/errors.js";
import { shellQuote } from "../util/shell-quote.js";
import { devEnvironment } from "../workflows/environment.js";

export interface EnvOptions {
  pure: boolean;
  staleOk: boolean;
}

/** The shell's exit code. */
export async function shell(session: Session, options: EnvOptions): Promise<number> {
  const { project, rcFile } = await devEnvironment(session, options.staleOk);
  const launch = { rcFile, projectDir: project.dir, workDir: project.workDir, pure: options.pure };
  return interactiveShell(launch, project.loaded.manifest.name);
}

/** The command's exit code. */
export async function run(session: Session, options: EnvOptions & { command: string[] }): Promise<number> {
  const { project, rcFile } = await devEnvironment(session, options.staleOk);
  return runInEnv({ rcFile, projectDir: project.dir, workDir: project.workDir, pure: options.pure }, options.command);
}

export async function env(session: Session, options: { direnv: boolean; staleOk: boolean }): Promise<void> {
  const { logger } = session;
  if (logger.json && options.direnv) throw new UserError("choose one of --json and --direnv");
  const { rcFile } = await devEnvironment(session, options.staleOk);
  if (options.direnv) return void process.stdout.write(direnvScript(session.projectDir, rcFile));
  const variables = environmentAfter({ rcFile, projectDir: session.projectDir, workDir: session.workDir, pure: false });
  if (logger.json) return logger.data(variables);
  // Quoted where the value needs it, so `eval "$(nixkit env)"` or a .env reader gets it back as it is.
  for (const [name, value] of Object.entries(variables)) if (process.env[name] !== value) logger.result(`${name}=${envValue(value)}`);
}

export async function direnv(session: Session, options: { force: boolean }): Promise<void> {
  await writeEnvrc(session.projectDir, options.force);
  if (session.nixpkgsOverride)
    session.logger.info("the .envrc reads NIXKIT_NIXPKGS when direnv loads it; export it there for --nixpkgs to apply");
  session.logger.result(`wrote .envrc; run \`direnv allow\` to use it`);
}

const envValue = (value: string) => (/^[A-Za-z0-9_./:,@%+=-]*$/.test(value) ? value : shellQuote(value));
