// `nix --version`, remembered per nix binary (its real path, size and mtime): every command
// needs the version for its feature gates, and a process per command for it is waste.
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { writeFileIfChanged } from "../util/atomic.js";
import { parseNixVersion, type NixVersion } from "./version.js";
import { userCachePath } from "../util/user-cache.js";

const cacheFile = () => userCachePath("nix-versions.json");

function fingerprint(binary: string): string | undefined {
  const candidates = binary.includes("/")
    ? [binary]
    : (process.env.PATH ?? "")
        .split(":")
        .filter(Boolean)
        .map((d) => path.join(d, binary));
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    const real = realpathSync(candidate);
    const stat = statSync(real);
    return `${real}:${stat.size}:${stat.mtimeMs}`;
  }
  return undefined;
}

export async function cachedNixVersion(binary: string, ask: () => Promise<string>): Promise<NixVersion | undefined> {
  const key = fingerprint(binary);
  let known: Record<string, string> = {};
  try {
    known = JSON.parse(readFileSync(cacheFile(), "utf8")) as Record<string, string>;
  } catch {
    // no cache yet
  }
  if (key && known[key]) return parseNixVersion(known[key]!);
  const output = await ask();
  const version = parseNixVersion(output);
  if (key && version) await writeFileIfChanged(cacheFile(), JSON.stringify({ ...known, [key]: output.trim() }) + "\n");
  return version;
}
