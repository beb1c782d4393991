// nixkit init and generate: the project's manifest and the files generated from it.
import { lockedFields } from "../manifest/language-fields.js";
import path from "node:path";
import { applyPlan } from "../generate/apply.js";
import { describeDrift, findDrift } from "../generate/freshness.js";
import { writeFreshStamp } from "../generate/fresh-stamp.js";
import { generatePlan, readPlanInputs } from "../generate/plan.js";
import { loadManifest } from "../manifest/load.js";
import { writeStarterFiles, writeStarterManifest } from "../scaffold/init.js";
import type { Session } from "../workflows/session.js";
import { MANIFEST_FILE } from "../state/layout.js";
import { WorkFailed } from "../util/errors.js";

export interface InitOptions {
  template: string;
  force: boolean;
}

export async function init(session: Session, options: InitOptions): Promise<void> {
  // init makes a new project here, never in a parent that already has one.
  const name = await writeStarterManifest(session.workDir, options.template, options.force);
  const directory = path.basename(session.workDir);
  if (name !== directory)
    session.logger.info(
      `named the project "${name}" after the directory "${directory}" (names use a-z, 0-9, - and _; change name: in ${MANIFEST_FILE})`,
    );
  const starters = await writeStarterFiles(session.workDir, options.template, name);
  if (starters.length > 0) session.logger.info(`wrote the template's starter files: ${starters.join(", ")}`);
  session.logger.result(`wrote ${MANIFEST_FILE} from the ${options.template} template; next: nixkit generate`);
}

export interface GenerateOptions {
  check: boolean;
  force: boolean;
}

export async function generate(session: Session, options: GenerateOptions): Promise<void> {
  const { logger, projectDir } = session;
  const { manifest, text } = await loadManifest(projectDir);
  const plan = generatePlan(manifest, text, await readPlanInputs(manifest, text, projectDir));
  if (options.check) {
    const drifts = await findDrift(projectDir, plan);
    if (logger.json) logger.data({ fresh: drifts.length === 0, drift: drifts });
    if (drifts.length === 0) return logger.result("generated files are up to date");
    for (const drift of drifts) logger.info(`  ${describeDrift(drift)}`);
    throw new WorkFailed(`${drifts.length} generated file(s) are stale; run \`nixkit generate\``);
  }
  const drifts = await applyPlan(projectDir, plan, options.force, logger.warn);
  // Without node fields the plan needs nothing but the manifest: the next no-op can be told from a stamp.
  if (lockedFields(manifest).length === 0) writeFreshStamp(projectDir);
  if (logger.json) logger.data({ written: drifts.map((d) => d.path) });
  if (drifts.length === 0) return logger.result("generated files are up to date");
  for (const drift of drifts) logger.info(`  ${describeDrift(drift)}`);
  logger.result(`wrote ${drifts.length} file(s)`);
}
