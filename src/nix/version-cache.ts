// `nix --version`, remembered per nix binary (its real path, size and mtime): every command
// needs the version for its feature gates, and a process per command for it is waste.
import { createHash } from "node:crypto";
import { readEntries, writeEntry } from "../state/stamp.js";
import { userCachePaths } from "../state/layout.js";
import { binaryFingerprint } from "./binary.js";
import { EnvError } from "../util/errors.js";
import { featuresOf, isSupported, MIN_NIX, parseNixVersion, type NixFeatures, type NixVersion } from "./version.js";

// Each entry is the version text with a hash tying it to the binary: an edited entry is asked again.
const entryFor = (key: string, output: string) => ({ output, check: createHash("sha256").update(`${key}\0${output}`).digest("hex") });
type Entry = ReturnType<typeof entryFor>;

export async function cachedNixVersion(binary: string, ask: () => Promise<string>): Promise<NixVersion | undefined> {
  const file = userCachePaths().nixVersions;
  const key = binaryFingerprint(binary);
  const entry = key ? (readEntries(file)[key] as Entry | undefined) : undefined;
  if (key && entry && typeof entry === "object" && entry.check === entryFor(key, String(entry.output)).check)
    return parseNixVersion(entry.output);
  const output = (await ask()).trim();
  const version = parseNixVersion(output);
  // Only a speed-up: a read-only or full cache directory must not fail the command.
  if (key && version) writeEntry(file, key, entryFor(key, output), 16);
  return version;
}

/** The version and feature gates of `binary`; exit 3 when Nix is missing, unreadable or too old. */
export async function detectVersion(
  binary: string,
  runVersion: () => Promise<{ stdout: string; stderr: string; exitCode: number }>,
): Promise<{ version: NixVersion; features: NixFeatures }> {
  const version = await cachedNixVersion(binary, async () => {
    const result = await runVersion();
    if (result.exitCode !== 0)
      throw new EnvError(`could not read the Nix version from \`nix --version\`: ${result.stdout}${result.stderr}`);
    return result.stdout;
  });
  if (!version) throw new EnvError("could not read the Nix version from `nix --version`");
  if (!isSupported(version)) {
    throw new EnvError(`Nix ${version.major}.${version.minor} is too old; nixkit needs Nix ${MIN_NIX.major}.${MIN_NIX.minor} or newer`);
  }
  return { version, features: featuresOf(version) };
}
