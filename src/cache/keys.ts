// Signing keys: made by `nix key`, the secret kept outside the project (never in the flake, an
// image or a log) with mode 0600; only the public key is printed.
import { existsSync, promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { NixDriver } from "../nix/driver.js";
import { COMMON_ARGS } from "../nix/args.js";
import { writeFileAtomic } from "../util/atomic.js";
import { UserError, WorkFailed } from "../util/errors.js";

export const keysDir = (env = process.env): string =>
  path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config"), "nixkit", "keys");
export const secretKeyFile = (name: string, env = process.env): string => path.join(keysDir(env), `${name}.sec`);

export async function generateKey(driver: NixDriver, name: string, force: boolean): Promise<{ publicKey: string; secretFile: string }> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new UserError(`key name "${name}" may use letters, digits, ".", "_" and "-" only`);
  const secretFile = secretKeyFile(name);
  if (existsSync(secretFile) && !force)
    throw new UserError(`${secretFile} exists; nixkit will not replace a signing key (pass --force to make a new one)`);
  const secret = await driver.capture([...COMMON_ARGS, "key", "generate-secret", "--key-name", name]);
  if (secret.exitCode !== 0) throw new WorkFailed(`nix key generate-secret failed: ${secret.stderr.trim()}`);
  const publicKey = await driver.capture([...COMMON_ARGS, "key", "convert-secret-to-public"], undefined, secret.stdout);
  if (publicKey.exitCode !== 0) throw new WorkFailed(`nix key convert-secret-to-public failed: ${publicKey.stderr.trim()}`);
  await fs.mkdir(keysDir(), { recursive: true, mode: 0o700 });
  await writeFileAtomic(secretFile, secret.stdout.trim(), 0o600);
  await writeFileAtomic(`${secretFile.replace(/\.sec$/, ".pub")}`, publicKey.stdout.trim() + "\n", 0o644);
  return { publicKey: publicKey.stdout.trim(), secretFile };
}
