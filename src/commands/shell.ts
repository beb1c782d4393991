// nixkit shell, run, env and direnv: the dev environment, from the cache when it is fresh.
import { prefetchDependencies, prepareProject } from "../project.js";
import type { Session } from "../session.js";
import { direnvScript, writeEnvrc } from "../shell/direnv.js";
import { ensureRc } from "../shell/ensure-env.js";
import { environmentAfter, interactiveShell, runInEnv } from "../shell/launch.js";
import { UserError } from "../util/errors.js";
import { shellQuote } from "../util/shell-quote.js";

export interface EnvOptions {
  pure: boolean;
  staleOk: boolean;
}

async function environment(session: Session, staleOk: boolean) {
  const loaded = await prepareProject(session);
  await prefetchDependencies(session, loaded);
  const { projectDir, nixpkgsOverride, logger } = session;
  const rcFile = await ensureRc({ projectDir, nixpkgsOverride, driver: session.nix(), logger, loaded, staleOk });
  return { loaded, rcFile };
}

export async function shell(session: Session, options: EnvOptions): Promise<void> {
  const { loaded, rcFile } = await environment(session, options.staleOk);
  const launch = { rcFile, projectDir: session.projectDir, workDir: session.workDir, pure: options.pure };
  process.exitCode = await interactiveShell(launch, loaded.manifest.name);
}

export async function run(session: Session, options: EnvOptions & { command: string[] }): Promise<void> {
  const { rcFile } = await environment(session, options.staleOk);
  const launch = { rcFile, projectDir: session.projectDir, workDir: session.workDir, pure: options.pure };
  process.exitCode = await runInEnv(launch, options.command);
}

export async function env(session: Session, options: { direnv: boolean; staleOk: boolean }): Promise<void> {
  const { logger } = session;
  if (logger.json && options.direnv) throw new UserError("choose one of --json and --direnv");
  const { rcFile } = await environment(session, options.staleOk);
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
