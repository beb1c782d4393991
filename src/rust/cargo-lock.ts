// Reads a Cargo.lock (cargo's formats 2, 3 and 4: a checksum on every registry package) into the
// crates Nix fetches by that checksum, as nixpkgs' importCargoLock does. What has no checksum to
// fetch by (a git dependency, an old format's [metadata] table) is refused at its line with the fix.
import { UserError } from "../util/errors.js";
import { redactUrls } from "../util/redact.js";
import { arrayHeaderLines, isTable, parseToml, text } from "../util/toml.js";

export interface Crate {
  name: string;
  version: string;
  /** Cargo's source id, e.g. `registry+URL` or `sparse+URL`. */
  source: string;
  /** sha256 of the .crate file, hex. */
  checksum: string;
}

export interface CargoLock {
  /** The crates fetched from registries (workspace members and path dependencies have no source). */
  crates: Crate[];
  /** The registries they come from, by source id, sorted. */
  sources: string[];
}

/** `shown`: the lockfile's path as messages name it. */
export function readCargoLock(lockText: string, shown: string): CargoLock {
  const lock = parseToml(lockText, shown, "restore it from version control, or let cargo write it again (`cargo generate-lockfile`)");
  const version = lock.version;
  if (version !== undefined && (typeof version !== "number" || version < 3 || version > 4))
    throw new UserError(
      `${shown}:1:1: Cargo.lock version ${String(version)} is not one nixkit reads (2, 3 and 4); ${
        typeof version === "number" && version > 4
          ? "upgrade nixkit, or write it with an older cargo"
          : "let cargo rewrite it (`cargo update --workspace`)"
      }`,
    );
  if (isTable(lock.metadata) && Object.keys(lock.metadata).some((key) => key.startsWith("checksum ")))
    throw new UserError(
      `${shown}:1:1: Cargo.lock is in cargo's first format (checksums in [metadata]), which nixkit does not read; run \`cargo update --workspace\` with cargo 1.53 or later to rewrite it in a current format (the locked versions stay)`,
    );
  const headers = arrayHeaderLines(lockText, "package");
  const problems: string[] = [];
  const crates: Crate[] = [];
  const packages = Array.isArray(lock.package) ? lock.package : [];
  packages.forEach((entry, i) => {
    if (!isTable(entry)) return;
    const name = text(entry.name) ?? "?";
    const version = text(entry.version) ?? "?";
    const source = text(entry.source);
    const at = `${shown}:${headers[i] ?? 1}:1`;
    if (source === undefined) return; // a workspace member or path dependency: part of the source
    if (source.startsWith("git+"))
      problems.push(
        `${at}: ${name} ${version} comes from git (${redactUrls(source.replace(/#.*$/, ""))}), which has no checksum Nix could fetch it by; depend on a published version, or vendor it into the workspace as a path dependency`,
      );
    else if (!/^(registry|sparse)\+/.test(source))
      problems.push(`${at}: ${name} ${version} comes from ${redactUrls(source)}, a source nixkit does not fetch (registries only)`);
    else if (!/^[0-9a-f]{64}$/.test(text(entry.checksum) ?? ""))
      problems.push(
        `${at}: ${name} ${version} has no checksum; let cargo write it again (\`cargo generate-lockfile\`, or \`cargo update -p ${name}\`)`,
      );
    else crates.push({ name, version, source, checksum: text(entry.checksum)! });
  });
  if (problems.length > 0) throw new UserError(problems.join("\n"));
  return { crates, sources: [...new Set(crates.map((c) => c.source))].sort() };
}
