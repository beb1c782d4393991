// Signing keys: made by `nix key`, the secret kept outside the project (never in the flake, an
// image or a log) with mode 0600; only the public key is printed.
import { existsSync, promises as fs, readFileSync } from "node:fs";
import type { NixDriver } from "../nix/driver.js";
import { writeFileAtomic } from "../state/atomic.js";
import { userConfigPaths } from "../state/layout.js";
import { UserError } from "../util/errors.js";

/** A new key pair, or (without `force`) the one there already: `existing` says which. */
export async function generateKey(
  driver: NixDriver,
  name: string,
  force: boolean,
): Promise<{ publicKey: string; secretFile: string; existing: boolean }> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new UserError(`key name "${name}" may use letters, digits, ".", "_" and "-" only`);
  const paths = userConfigPaths();
  const secretFile = paths.secretKey(name);
  if (existsSync(secretFile) && !force) {
    const publicKey = existsSync(paths.publicKey(name))
      ? readFileSync(paths.publicKey(name), "utf8").trim()
      : await driver.publicKeyOf({ file: secretFile });
    return { publicKey, secretFile, existing: true };
  }
  const { secretKey, publicKey } = await driver.generateKey(name);
  await fs.mkdir(paths.keys, { recursive: true, mode: 0o700 });
  await writeFileAtomic(secretFile, secretKey, 0o600);
  await writeFileAtomic(paths.publicKey(name), publicKey + "\n", 0o644);
  return { publicKey, secretFile, existing: false };
}
