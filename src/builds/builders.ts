// The remote builders of a run: --builders, else the manifest's ci.builders, checked line by line
// and handed to Nix as a machines file nixkit writes (Nix never reads a file the user named).
// Each is asked for its store first, with a timeout: one that does not answer stops the run
// (exit 3) naming it, unless --fallback-local, which builds without it (here, or on the others).
import type { BuildSettings, NixDriver } from "../nix/driver.js";
import { machineProblems, manifestMachines, parseBuildersOption, type Machine } from "../nix/machines.js";
import { writeFileIfChanged } from "../state/atomic.js";
import { projectPaths } from "../state/layout.js";
import { EnvError, UserError } from "../util/errors.js";
import type { Logger } from "../util/logger.js";

export interface BuilderChoice {
  /** A builders string, or "@FILE"; absent: ci.builders. */
  builders?: string;
  fallbackLocal: boolean;
  /** -j as given ("0": build nothing here). */
  jobs: string;
}

/** The checked machines as a machines file (written only when it changes), passed as "@FILE". */
async function machinesFile(projectDir: string, machines: Machine[]): Promise<string> {
  const file = projectPaths(projectDir).machines;
  await writeFileIfChanged(file, machines.map((m) => m.line).join("\n") + "\n");
  return `@${file}`;
}

/** The builders that answer and the -j to build with, for the run's driver (probed with `driver`). */
export async function chooseBuilders(
  driver: NixDriver,
  logger: Logger,
  projectDir: string,
  manifestBuilders: string[],
  choice: BuilderChoice,
): Promise<Pick<BuildSettings, "builders" | "maxJobs">> {
  const machines = choice.builders !== undefined ? parseBuildersOption(choice.builders) : manifestMachines(manifestBuilders);
  if (machines.length === 0) {
    if (choice.jobs === "0")
      throw new UserError("-j 0 builds nothing here, so it needs remote builders: pass --builders or set ci.builders");
    return { maxJobs: choice.jobs };
  }
  const file = await machinesFile(projectDir, machines);
  const checked = await machineProblems(driver, machines);
  const down = checked.flatMap(({ machine, problem }) => (problem ? [`${machine.uri} (${problem})`] : []));
  if (down.length === 0) return { builders: file, maxJobs: choice.jobs };
  const which = down.length === 1 ? `the remote builder ${down[0]} cannot` : `the remote builders ${down.join(", ")} cannot`;
  if (!choice.fallbackLocal) {
    throw new EnvError(`${which} be reached; check it with \`nixkit doctor\`, or pass --fallback-local to build without it`);
  }
  const up = checked.filter((c) => !c.problem).map((c) => c.machine);
  logger.warn(`${which} be reached; building ${up.length > 0 ? "on the others and " : ""}here instead (--fallback-local)`);
  // Checked lines: no ; or @ inside, so the list is exactly these machines.
  return { builders: up.length > 0 ? up.map((m) => m.line).join(";") : undefined, maxJobs: choice.jobs === "0" ? "auto" : choice.jobs };
}
