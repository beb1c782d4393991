// Nix's remote builders, as the `builders` setting and machines files spell them: one machine
// per line (or separated by `;`), fields URI SYSTEMS SSH-KEY MAX-JOBS SPEED FEATURES MANDATORY
// HOST-KEY, `-` for a default. Used to name a builder and to reach it as a store.
import { readFileSync } from "node:fs";

/** How long a builder may take to open its store (ssh connection and handshake included). */
export const BUILDER_TIMEOUT_MS = 10_000;

export interface Machine {
  /** The machine's line, as written. */
  line: string;
  /** ssh-ng://user@host or ssh://user@host. */
  uri: string;
  systems: string[];
  sshKey?: string;
  /** The host's public key, base64 (as ssh-keyscan's line, base64-encoded). */
  hostKey?: string;
  features: string[];
}

const field = (value: string | undefined) => (value === undefined || value === "-" || value === "" ? undefined : value);

/** The machines a builders spec names: a list, or "@FILE" for a machines file. */
export function parseMachines(spec: string): Machine[] {
  const text = spec.startsWith("@") ? readFileSync(spec.slice(1), "utf8") : spec;
  return text
    .split(/[\n;]/)
    .map((line) => line.replace(/#.*/, "").trim())
    .filter(Boolean)
    .map((line) => {
      const [uri, systems, sshKey, , , features, , hostKey] = line.split(/\s+/);
      return {
        line,
        uri: uri!,
        systems: field(systems)?.split(",") ?? [],
        sshKey: field(sshKey),
        hostKey: field(hostKey),
        features: field(features)?.split(",") ?? [],
      };
    });
}

/** The machine as a store URL Nix can open on its own (with its key and host key). */
export function machineStoreUrl(machine: Machine): string {
  const params = new URLSearchParams();
  if (machine.sshKey) params.set("ssh-key", machine.sshKey);
  if (machine.hostKey) params.set("base64-ssh-public-host-key", machine.hostKey);
  const query = params.toString();
  return query ? `${machine.uri}${machine.uri.includes("?") ? "&" : "?"}${query}` : machine.uri;
}
