// Which signing key a push uses, and how it reaches Nix. The key may be given as a file
// (--key-file, or NIXKIT_CACHE_SECRET_KEY naming one) or as the key itself in
// NIXKIT_CACHE_SECRET_KEY (what CI secrets hold). Nix takes keys from files only (its stdin is
// a socket when Node starts it, which Nix cannot open as /dev/stdin), so key material goes into
// a file of its own, mode 0600, in a 0700 directory under nixkit's cache named after this
// process: removed afterwards, and swept by the next push when a kill -9 left it. It never
// appears in any message.
import { existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { sweepLeftovers, tempPathFor } from "../state/atomic.js";
import { userCachePaths, userConfigPaths } from "../state/layout.js";
import { EnvError } from "../util/errors.js";

export const SECRET_KEY_VARIABLE = "NIXKIT_CACHE_SECRET_KEY";

// A Nix secret key: NAME:base64 of the 64-byte ed25519 secret.
const SECRET_KEY = /^[^\s:]+:[A-Za-z0-9+/]{86}==$/;
export const isSecretKey = (text: string): boolean => SECRET_KEY.test(text.trim());

export interface KeyRequest {
  /** --key-file, when given. */
  keyFile?: string;
  /** The project's name: `nixkit cache keygen`'s key is named after it. */
  projectName: string;
  /** The cache checks signatures (cache.publicKeys lists keys): pushing unsigned is then an error. */
  required: boolean;
  env?: NodeJS.ProcessEnv;
}

/** A key as Nix takes it: a file, and (when nixkit wrote that file from key material) the key itself. */
export interface SigningKey {
  file: string;
  secret?: string;
}

/** Runs `use` with the key to sign with, or undefined to push unsigned (when that is allowed). */
export async function withSigningKey<T>(
  request: KeyRequest,
  warn: (message: string) => void,
  use: (key: SigningKey | undefined) => Promise<T>,
): Promise<T> {
  const env = request.env ?? process.env;
  const fromEnv = env[SECRET_KEY_VARIABLE];
  await sweepLeftovers(userCachePaths(env).signingKeys);
  if (request.keyFile !== undefined) {
    if (!existsSync(request.keyFile))
      throw new EnvError(`the signing key ${request.keyFile} (--key-file) does not exist (run nixkit cache keygen, or name another file)`);
    return use({ file: request.keyFile });
  }
  if (fromEnv) {
    if (isSecretKey(fromEnv)) return withKeyMaterial(fromEnv.trim(), userCachePaths(env).signingKeys, use);
    if (!existsSync(fromEnv)) {
      throw new EnvError(
        `${SECRET_KEY_VARIABLE} holds neither a signing key nor the path of a file that exists (set it to the key itself, or to its file)`,
      );
    }
    return use({ file: fromEnv });
  }
  const keygenFile = userConfigPaths(env).secretKey(request.projectName);
  if (existsSync(keygenFile)) return use({ file: keygenFile });
  if (request.required) {
    throw new EnvError(
      `the cache checks signatures (cache.publicKeys), but there is no signing key: run \`nixkit cache keygen\`, or set ${SECRET_KEY_VARIABLE} to the key or its file`,
    );
  }
  warn(`no signing key (${keygenFile} or ${SECRET_KEY_VARIABLE}): pushing unsigned paths, which caches that require signatures refuse`);
  return use(undefined);
}

async function withKeyMaterial<T>(secret: string, root: string, use: (key: SigningKey) => Promise<T>): Promise<T> {
  await fs.mkdir(root, { recursive: true, mode: 0o700 });
  await fs.chmod(root, 0o700);
  const dir = tempPathFor(path.join(root, "key"));
  await fs.mkdir(dir, { mode: 0o700 });
  try {
    const file = path.join(dir, "cache.sec");
    await fs.writeFile(file, secret, { mode: 0o600 });
    return await use({ file, secret });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
