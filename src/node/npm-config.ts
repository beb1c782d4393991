// The npm registry the user's npm would download from (`npm config get registry`, which reads
// the project's .npmrc, the user's and the global one, and npm_config_* variables). Read at run
// time, never written into nixkit: a lockfile without `resolved` fields (npm's
// omit-lockfile-registry-resolved) leaves the registry to the npm configuration.
import { execFileSync } from "node:child_process";
import { EnvError } from "../util/errors.js";

// Asked once per directory in a run: `doctor` plans the generated files twice.
const answers = new Map<string, string>();

export function npmRegistry(npmProjectDir: string): string {
  const known = answers.get(npmProjectDir);
  if (known) return known;
  let registry: string;
  try {
    registry = execFileSync("npm", ["config", "get", "registry"], {
      cwd: npmProjectDir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, npm_config_update_notifier: "false" },
    }).trim();
  } catch (error) {
    throw new EnvError(
      `package-lock.json has packages without a "resolved" URL, and \`npm config get registry\` failed (${(error as Error).message.split("\n")[0]}): install npm, or run \`npm install\` with omit-lockfile-registry-resolved=false so the lockfile records URLs`,
    );
  }
  if (!/^https?:\/\//.test(registry)) throw new EnvError(`npm's registry setting is not an http(s) URL: ${registry}`);
  answers.set(npmProjectDir, registry.replace(/\/+$/, ""));
  return answers.get(npmProjectDir)!;
}
