// The npm registry the user's npm would download from (`npm config get registry`, which reads
// the project's .npmrc, the user's and the global one, and npm_config_* variables). Read at run
// time, never written into nixkit: a lockfile without `resolved` fields (npm's
// omit-lockfile-registry-resolved) leaves the registry to the npm configuration.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { readInside } from "../util/bounded-read.js";
import { EnvError } from "../util/errors.js";
import { redactUrls } from "../util/redact.js";

// Asked once per directory in a run: `doctor` plans the generated files twice.
const answers = new Map<string, string>();

/** `projectDir` bounds the .npmrc files npm would read from the project (regular files inside it, capped). */
export function npmRegistry(npmProjectDir: string, projectDir: string): string {
  const known = answers.get(npmProjectDir);
  if (known) return known;
  for (let dir = npmProjectDir; ; dir = path.dirname(dir)) {
    readInside(projectDir, path.join(dir, ".npmrc"), "config");
    if (path.relative(projectDir, dir) === "" || dir === path.dirname(dir)) break;
  }
  let registry: string;
  try {
    registry = execFileSync("npm", ["config", "get", "registry"], {
      cwd: npmProjectDir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, npm_config_update_notifier: "false" },
    }).trim();
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: string };
    const said = redactUrls((stderr ?? "").trim())
      .split("\n")
      .filter(Boolean)
      .slice(0, 3)
      .join(" / ");
    const fix = code === "ENOENT" ? "install npm" : "fix npm's configuration (npm says why above: an .npmrc, npm_config_* variables)";
    throw new EnvError(
      `package-lock.json has packages without a "resolved" URL, and \`npm config get registry\` failed${code === "ENOENT" ? " (npm is not on PATH)" : said ? `: ${said}` : ""}; ${fix}, or run \`npm install\` with omit-lockfile-registry-resolved=false so the lockfile records URLs`,
    );
  }
  if (!/^https?:\/\/[^\s]+$/.test(registry))
    throw new EnvError(
      `npm's registry setting is not an http(s) URL (${redactUrls(registry)}); set registry= in .npmrc to the registry's https URL`,
    );
  answers.set(npmProjectDir, registry.replace(/\/+$/, ""));
  return answers.get(npmProjectDir)!;
}
