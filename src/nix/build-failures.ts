// How a failed build is told: the last lines (all with -v) of each failed derivation's log, the
// remote builder it was running on, and Nix's own error when no derivation failed (an evaluation
// error, a setting Nix refused, no machine for the system).
import path from "node:path";
import type { Logger } from "../util/logger.js";
import { hashToHex } from "../util/hash.js";
import { nixReason } from "./process.js";

const LOG_TAIL_LINES = 50;

/** What a build run tells about its failures (the driver's BuildOutcome has these). */
export interface BuildFailures {
  failed: string[];
  warnings: string[];
  error?: { nixMessage: string; message: string };
  logOf(drvPath: string): string[];
  /** The remote builder a derivation was sent to. */
  machineOf(drvPath: string): string | undefined;
}

/**
 * The last lines (all with -v) of each failed derivation's log; when no derivation failed (an
 * evaluation error, a setting Nix refused), Nix's own error.
 */
export function reportFailedBuilds(outcome: BuildFailures, logger: Logger): void {
  // Nix's reason in one line (its whole trace with -v). One that names a manifest field never
  // comes here: the driver throws it as a manifest error.
  if (outcome.failed.length === 0 && outcome.error) {
    const text = logger.level === "verbose" ? outcome.error.nixMessage.trim() : nixReason(outcome.error.nixMessage);
    logger.error(`nix could not build: ${text || outcome.error.message}${noMachineFor(outcome.warnings)}`);
    const mismatch = pinnedDataMismatch(outcome.error.nixMessage);
    if (mismatch) logger.error(mismatch);
  }
  for (const drvPath of outcome.failed) {
    const log = outcome.logOf(drvPath);
    const shown = logger.level === "verbose" ? log : log.slice(-LOG_TAIL_LINES);
    logger.error(`${drvPath} failed; ${shown.length < log.length ? `last ${shown.length} of ${log.length}` : "all"} log lines:`);
    for (const line of shown) logger.info(`  > ${line}`);
    const said = [...log, outcome.error?.nixMessage ?? ""].join("\n");
    const missing = missingDownload(said) ?? pinnedDataMismatch(said);
    if (missing) logger.error(missing);
    // A remote build's end may be the builder's (it went away, or could not copy): name it
    // with what Nix said about this derivation.
    const machine = outcome.machineOf(drvPath);
    if (machine) {
      const said = (outcome.error?.nixMessage ?? "")
        .split("\n")
        .filter((l) => l.includes(path.basename(drvPath)) || / on '[a-z-]+:\/\//.test(l));
      logger.error(
        `${drvPath} was building on the remote builder ${machine}${said.length ? `: ${said.map((l) => l.replace(/^error: /, "").trim()).join("; ")}` : ""}`,
      );
    }
  }
}

/**
 * Nix's "Failed to find a machine for remote build!" warning, as one line: the system and
 * features a derivation needed that no builder (and not this machine, with -j 0) offers.
 */
function noMachineFor(warnings: string[]): string {
  const warning = warnings.find((w) => /Failed to find a machine for remote build/.test(w));
  const needed = warning && /required \(system, features\): \(([^,]*), ?([^)]*)\)/.exec(warning);
  if (!needed) return "";
  const features = needed[2]!.trim() ? ` with the features ${needed[2]!.trim()}` : "";
  return `\nno remote builder takes ${needed[1]} builds${features}: add a builder that does (its machines line names the system and features), or build here (drop -j 0)`;
}

/** A download the server says is not there (HTTP 404): for an npm tarball, what that means. */
/** A `data` file (nix/lib/per-system.nix names its fetch nixkit-data-NAME) whose bytes are not the pinned ones, from Nix's error. */
export function pinnedDataMismatch(text: string): string | undefined {
  const name = /hash mismatch in fixed-output derivation '[^']*-nixkit-data-([A-Za-z][A-Za-z0-9_]*)\.drv'/.exec(text)?.[1];
  const got = hashToHex(/got:\s*(\S+)/.exec(text)?.[1] ?? "");
  if (!name || !got) return undefined;
  return `nixkit.yaml data.${name}: the file downloaded has sha256 ${got}, not the one given (its URL serves other bytes now); if it is the file you want, set sha256: ${got}`;
}

export function missingDownload(text: string): string | undefined {
  const url = /unable to download '([^']+)': HTTP error 404/.exec(text)?.[1];
  if (!url) return undefined;
  const tarball = /\.tgz$/.test(url);
  return tarball
    ? `${url} is not served (HTTP 404): the registry no longer has that version (unpublished), or the lockfile's URL is not where npm's configuration looks; run \`npm install\` to update package-lock.json`
    : `${url} is not served (HTTP 404): the file is gone from there; update the URL (and its hash) that names it`;
}
