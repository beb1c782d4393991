// Every file nixkit reads out of a project (or out of a test's reports) is read through here:
// only a regular file that really lies inside that directory, and only up to a size cap. A
// cloned repository may hold a symlink to /dev/zero, a FIFO, or a link to ~/.ssh/id_ed25519;
// nixkit names the file and refuses, and never shows what the file holds.
// Node builtins only: the warm shell path reads the manifest through this module.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from "node:fs";
import path from "node:path";
import { UserError } from "./errors.js";

const MiB = 1024 * 1024;

// The warm shell path reads a dozen files of one project: its real path is asked once.
const realRoots = new Map<string, string>();
const realRootOf = (root: string): string => {
  let real = realRoots.get(root);
  if (real === undefined) realRoots.set(root, (real = realpathSync(root)));
  return real;
};

/** Size caps, by what the file is. Real files are far below them (a 2,000-package lockfile: ~1.5 MiB). */
export const READ_LIMITS = {
  // parse.ts refuses manifests over 1 MiB with their size at 1:1; this only bounds the read.
  manifest: 16 * MiB,
  lockfile: 256 * MiB,
  packageJson: 16 * MiB,
  config: 1 * MiB,
  report: 64 * MiB,
  generated: 16 * MiB,
} as const;

export type ReadLimit = keyof typeof READ_LIMITS;

const sizeText = (bytes: number) => (bytes >= MiB ? `${Math.round(bytes / MiB)} MiB` : `${Math.round(bytes / 1024)} KiB`);

/**
 * The bytes of `file` (a path inside `root`; null: anywhere, for a file the user named on the
 * command line), or undefined when it does not exist. `shown` names the file in errors (default:
 * its path relative to root).
 */
export function readInside(
  root: string | null,
  file: string,
  limit: ReadLimit,
  shown = (root && path.relative(root, file)) || file,
): Buffer | undefined {
  let real: string;
  try {
    real = realpathSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    if (code === "ELOOP") throw new UserError(`${shown}: a symlink loop; replace it with a regular file`);
    throw error;
  }
  const realRoot = root === null ? null : realRootOf(root);
  if (realRoot !== null && real !== realRoot && !real.startsWith(realRoot + path.sep)) {
    throw new UserError(
      `${shown}: a symlink to ${real}, outside ${limit === "report" ? "the test's reports" : "the project"}; nixkit reads only files inside it (replace the link with the file)`,
    );
  }
  // O_NONBLOCK: opening a FIFO must not wait for a writer; the type is checked right after.
  const fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UserError(`${shown}: not a regular file (${fileKind(stat)}); replace it with a regular file`);
    const cap = READ_LIMITS[limit];
    if (stat.size > cap)
      throw new UserError(`${shown}: ${sizeText(stat.size)}, more than the ${sizeText(cap)} nixkit reads from such a file`);
    // Read at most cap + 1 bytes even if the file grows while it is read.
    const buffer = Buffer.allocUnsafe(Math.min(cap + 1, stat.size + 1));
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length === buffer.length) {
        if (length > cap) throw new UserError(`${shown}: more than the ${sizeText(cap)} nixkit reads from such a file`);
        break;
      }
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** As readInside, as UTF-8 text. */
export function readTextInside(root: string | null, file: string, limit: ReadLimit, shown?: string): string | undefined {
  return readInside(root, file, limit, shown)?.toString("utf8");
}

function fileKind(stat: import("node:fs").Stats): string {
  if (stat.isDirectory()) return "a directory";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isSocket()) return "a socket";
  return "not a file";
}
