// Turns `nix print-dev-env --json` into the bash script that gives what `nix develop` gives:
// the derivation's variables and functions, the caller's PATH appended, outputs redirected to
// ./outputs, and the shellHook run once at the end. Mirrors Nix's makeRcScript (src/nix/develop.cc).
import { shellQuote } from "../util/shell-quote.js";
import { existsSync } from "node:fs";
import { sha256 } from "../util/hash.js";
import { RC_BASH_PREFIX, RC_END_PREFIX, RC_ROOT_PREFIX } from "./rc-markers.js";

export interface DevEnvJson {
  bashFunctions?: Record<string, string>;
  variables: Record<string, { type: "exported" | "var" | "array" | "associative" | "unknown"; value: unknown }>;
}

// Variables `nix develop` never sets from the build environment (develop.cc ignoreVars), plus
// bash's own dynamic or read-only variables, which cannot or should not be assigned.
export const IGNORED_VARIABLES = new Set([
  "BASHOPTS",
  "HOME",
  "NIX_BUILD_TOP",
  "NIX_ENFORCE_PURITY",
  "NIX_LOG_FD",
  "NIX_REMOTE",
  "PPID",
  "SHELLOPTS",
  "SSL_CERT_FILE",
  "TEMP",
  "TEMPDIR",
  "TERM",
  "TMP",
  "TMPDIR",
  "TZ",
  "UID",
  "BASH",
  "BASHPID",
  "BASH_ARGC",
  "BASH_ARGV",
  "BASH_ARGV0",
  "BASH_COMMAND",
  "BASH_LINENO",
  "BASH_SOURCE",
  "BASH_SUBSHELL",
  "BASH_VERSINFO",
  "BASH_VERSION",
  "EPOCHREALTIME",
  "EPOCHSECONDS",
  "EUID",
  "FUNCNAME",
  "GROUPS",
  "HISTCMD",
  "LINENO",
  "OLDPWD",
  "PIPESTATUS",
  "PWD",
  "RANDOM",
  "SECONDS",
  "SHLVL",
  "SRANDOM",
  "_",
]);

// The caller's values of these are appended after the environment's own (develop.cc savedVars).
const SAVED_VARIABLES = ["PATH", "XDG_DATA_DIRS"];

const OUTPUTS_DIR = "__nixkit_outputs";

const validName = /^[A-Za-z_][A-Za-z0-9_]*$/;

function environmentBash(env: DevEnvJson): string {
  for (const dir of String(env.variables.PATH?.value ?? "").split(":")) {
    if (dir && existsSync(`${dir}/bash`)) return `${dir}/bash`;
  }
  return "";
}

export function renderRc(env: DevEnvJson, gcRoot?: string): string {
  const lines: string[] = [
    `${RC_ROOT_PREFIX}${gcRoot ?? ""}`,
    `${RC_BASH_PREFIX}${environmentBash(env)}`,
    "# Written by nixkit from `nix print-dev-env --json`; sourced by nixkit run/shell/env.",
  ];
  for (const name of SAVED_VARIABLES) lines.push(`__nixkit_saved_${name}="\${${name}-}"`);
  lines.push(`${OUTPUTS_DIR}="$PWD/outputs"`, "unset shellHook");

  const outputs = outputPaths(env);
  for (const [name, variable] of Object.entries(env.variables).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (IGNORED_VARIABLES.has(name) || !validName.test(name)) continue;
    const { type, value } = variable;
    if (type === "exported") lines.push(`export ${name}=${quoteWithOutputs(String(value), outputs)}`);
    else if (type === "var") lines.push(`${name}=${quoteWithOutputs(String(value), outputs)}`);
    else if (type === "array" && Array.isArray(value))
      lines.push(`declare -a ${name}=(${value.map((v) => quoteWithOutputs(String(v), outputs)).join(" ")})`);
    else if (type === "associative" && value && typeof value === "object") {
      const pairs = Object.entries(value as Record<string, string>).map(
        ([k, v]) => `[${shellQuote(k)}]=${quoteWithOutputs(String(v), outputs)}`,
      );
      lines.push(`declare -A ${name}=(${pairs.join(" ")})`);
    }
  }
  for (const [name, body] of Object.entries(env.bashFunctions ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (validName.test(name)) lines.push(`${name} () \n{ ${body}\n}`);
  }
  for (const name of SAVED_VARIABLES) {
    lines.push(`if [ -n "$__nixkit_saved_${name}" ]; then ${name}="\${${name}:+$${name}:}$__nixkit_saved_${name}"; fi`);
    lines.push(`unset __nixkit_saved_${name}`);
  }
  if (gcRoot) lines.push(`export NIX_GCROOT=${shellQuote(gcRoot)}`);
  lines.push(`unset ${OUTPUTS_DIR}`, 'eval "${shellHook:-}"', "");
  const body = lines.join("\n");
  return `${body}${rcTrailer(Buffer.from(body))}`;
}

/** The last line: the length and hash of what comes before it, so a damaged script is recognised. */
export const rcTrailer = (body: Uint8Array): string => `${RC_END_PREFIX}${body.length} ${sha256(body)}\n`;

/** Output name -> store path, for the outputs listed in `$outputs`. */
function outputPaths(env: DevEnvJson): [string, string][] {
  const names = String(env.variables.outputs?.value ?? "out")
    .split(/\s+/)
    .filter(Boolean);
  return names.map((name): [string, string] => [name, String(env.variables[name]?.value ?? "")]).filter(([, p]) => p.startsWith("/"));
}

// `nix develop` points $out (and any value naming an output) at ./outputs/<name> in the caller's
// directory, so a `make install` in the shell does not try to write the store.
function quoteWithOutputs(value: string, outputs: [string, string][]): string {
  let parts: string[] = [shellQuote(value)];
  for (const [name, storePath] of outputs) {
    if (!value.includes(storePath)) continue;
    parts = value.split(storePath).map(shellQuote);
    return parts.join(`"$${OUTPUTS_DIR}/${name}"`);
  }
  return parts[0]!;
}
