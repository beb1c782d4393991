// Nix's remote builders, as the `builders` setting and machines files spell them: one machine
// per line (or separated by `;`), fields URI SYSTEMS SSH-KEY MAX-JOBS SPEED FEATURES MANDATORY
// HOST-KEY, `-` for a default. Every line is checked here before Nix sees it: Nix reads any file a
// line names with a leading `@` (and prints its first line when that is no machine), and opens a
// local store at a line that is a path, so only ssh:// and ssh-ng:// machines pass. Messages name
// the line and the field, never the text.
import path from "node:path";
import type { NixDriver } from "./driver.js";
import { readTextInside } from "../util/bounded-read.js";
import { UserError } from "../util/errors.js";

/** How long a builder may take to open its store (ssh connection and handshake included). */
export const BUILDER_TIMEOUT_MS = 10_000;

export interface Machine {
  /** The machine's line, normalised (fields separated by one space). */
  line: string;
  /** ssh-ng://user@host or ssh://user@host. */
  uri: string;
  systems: string[];
  sshKey?: string;
  /** The host's public key, base64 (as ssh-keyscan's line, base64-encoded). */
  hostKey?: string;
  features: string[];
}

const FIELDS = ["URI", "systems", "ssh key", "max jobs", "speed factor", "supported features", "mandatory features", "host key"];
const list = (item: RegExp) => new RegExp(`^(-|${item.source}(,${item.source})*)$`);
const fieldRules: [RegExp, string][] = [
  [
    /^ssh(-ng)?:\/\/([A-Za-z0-9._-]+@)?([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$/,
    "is not an ssh:// or ssh-ng:// address (ssh-ng://USER@HOST[:PORT], no path, no query: the key and host key are fields of their own)",
  ],
  [list(/[a-z0-9_]+-[a-z0-9_]+/), 'is not a comma-separated list of systems like "x86_64-linux" (or -)'],
  [/^(-|\/[^\s;]*)$/, "is not an absolute path to the ssh key (or -)"],
  [/^(-|\d{1,6})$/, "is not a whole number (or -)"],
  [/^(-|\d{1,6}(\.\d{1,6})?)$/, "is not a number (or -)"],
  [list(/[A-Za-z0-9_.+-]+/), "is not a comma-separated list of feature names (or -)"],
  [list(/[A-Za-z0-9_.+-]+/), "is not a comma-separated list of feature names (or -)"],
  [/^(-|[A-Za-z0-9+/]+={0,2})$/, "is not the host's public key in base64 (or -)"],
];

const value = (text: string | undefined) => (text === undefined || text === "-" ? undefined : text);

/** The machine a line names, or why it is not one (without quoting the line). */
export function parseMachineLine(text: string): Machine | { error: string } {
  // Control characters (a newline, ;, #) would end the line or start another where Nix reads it.
  if (/[\0-\x08\n-\x1f\x7f;#]/.test(text))
    return { error: "the line holds a newline, a control character, ; or #: write one machine per entry" };
  const fields = text.trim().split(/[ \t]+/);
  if (fields[0]?.startsWith("@"))
    return { error: "the line names a machines file (@FILE): list its machines instead (or pass --builders @FILE)" };
  if (fields.length > FIELDS.length)
    return { error: `the line has ${fields.length} fields; a machine has at most ${FIELDS.length} (${FIELDS.join(", ")})` };
  for (const [i, field] of fields.entries()) {
    const [rule, message] = fieldRules[i]!;
    if (!rule.test(field)) return { error: `field ${i + 1} (${FIELDS[i]}) ${message}` };
  }
  const [uri, systems, sshKey, , , features, , hostKey] = fields;
  return {
    line: fields.join(" "),
    uri: uri!,
    systems: value(systems)?.split(",") ?? [],
    sshKey: value(sshKey),
    hostKey: value(hostKey),
    features: value(features)?.split(",") ?? [],
  };
}

const lines = (text: string) =>
  text
    .split(/\n/)
    .map((line, i) => ({ number: i + 1, text: line.replace(/#.*/, "").trim() }))
    .filter((line) => line.text !== "");

/**
 * The machines of --builders: lines separated by `;` or newlines, or "@FILE", a machines file
 * (read by nixkit, capped, never passed to Nix). A bad line is a usage error naming its place.
 */
export function parseBuildersOption(spec: string): Machine[] {
  if (spec.startsWith("@")) {
    const file = path.resolve(spec.slice(1));
    const text = readTextInside(null, file, "config", spec.slice(1));
    if (text === undefined) throw new UserError(`--builders @${spec.slice(1)}: there is no such file; give a machines file that exists`);
    return lines(text).map(({ number, text }) => machineOrThrow(text, `--builders: ${spec.slice(1)}:${number}`));
  }
  return spec
    .split(";")
    .flatMap((part) => lines(part).map((line) => line.text))
    .map((text, i) => machineOrThrow(text, `--builders: machine ${i + 1}`));
}

function machineOrThrow(text: string, where: string): Machine {
  const machine = parseMachineLine(text);
  if ("error" in machine) throw new UserError(`${where}: ${machine.error}`);
  return machine;
}

/** The machine as a store URL Nix can open on its own (with its key and host key). */
export function machineStoreUrl(machine: Machine): string {
  const params = new URLSearchParams();
  if (machine.sshKey) params.set("ssh-key", machine.sshKey);
  if (machine.hostKey) params.set("base64-ssh-public-host-key", machine.hostKey);
  const query = params.toString();
  return query ? `${machine.uri}?${query}` : machine.uri;
}

/** ci.builders as machines (the manifest's rules already refused bad lines). */
export function manifestMachines(lines: string[]): Machine[] {
  return lines.map((line, i) => {
    const machine = parseMachineLine(line);
    if ("error" in machine) throw new UserError(`nixkit.yaml ci.builders[${i}]: ${machine.error}`);
    return machine;
  });
}

/** Each machine with why its store cannot be opened (ssh, keys, Nix there), or undefined when it answers. */
export async function machineProblems(driver: NixDriver, machines: Machine[]): Promise<{ machine: Machine; problem?: string }[]> {
  const problems = await Promise.all(machines.map((m) => driver.storeProblem(machineStoreUrl(m), BUILDER_TIMEOUT_MS)));
  return machines.map((machine, i) => ({ machine, problem: problems[i] }));
}
