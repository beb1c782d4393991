// Every write nixkit makes is atomic: a temp file (or directory) beside the target, filled,
// then renamed over it; a failed fill removes the temp. The one home of temp-then-rename.
import { promises as fs, readlinkSync } from "node:fs";
import path from "node:path";

export interface FileWrite {
  path: string;
  content: string | Uint8Array;
  mode?: number;
}

// Unique enough with the pid; opened with O_EXCL, so a clash fails instead of sharing a file.
export const tempPathFor = (target: string): string =>
  path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);

async function writeTemp(target: string, content: string | Uint8Array, mode = 0o644): Promise<string> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  const handle = await fs.open(temp, "wx", mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.chmod(temp, mode);
  return temp;
}

export async function writeFileAtomic(target: string, content: string | Uint8Array, mode?: number): Promise<void> {
  const temp = await writeTemp(target, content, mode);
  try {
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/**
 * Writes a set of files so that a failure before the renames leaves every target untouched:
 * all temp files are written first, then renamed in one quick pass.
 */
export async function writeFilesAtomic(writes: FileWrite[]): Promise<void> {
  const temps: string[] = [];
  try {
    for (const write of writes) temps.push(await writeTemp(write.path, write.content, write.mode));
  } catch (error) {
    await Promise.all(temps.map((t) => fs.rm(t, { force: true })));
    throw error;
  }
  for (const [i, write] of writes.entries()) await fs.rename(temps[i]!, write.path);
}

/**
 * Gives `use` a fresh temp path beside `target` and removes whatever is left there afterwards,
 * whether `use` renamed it into place, failed, or neither.
 */
export async function withTempPath<T>(target: string, use: (temp: string) => Promise<T>): Promise<T> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  try {
    return await use(temp);
  } finally {
    await fs.rm(temp, { recursive: true, force: true });
  }
}

/** Fills a temp file beside `target` (a stream, say), then renames it over `target`. */
export function writeStreamAtomic(target: string, fill: (temp: string) => Promise<void>): Promise<void> {
  return withTempPath(target, async (temp) => {
    await fill(temp);
    await fs.rename(temp, target);
  });
}

/**
 * Fills a temp directory beside `target`, then puts it in place of `target`: the old directory
 * is moved aside, the new one renamed in, then the old one removed, so a reader sees the old
 * tree or the new one, never half of one. With `replace: false`, an existing `target` is
 * left alone and the rename fails instead.
 */
export function writeDirAtomic(
  target: string,
  fill: (temp: string) => Promise<void>,
  options = { replace: true, mode: 0o755 },
): Promise<void> {
  return withTempPath(target, async (temp) => {
    await fs.mkdir(temp, { mode: options.mode });
    await fill(temp);
    await fs.chmod(temp, options.mode);
    if (!options.replace) return fs.rename(temp, target);
    const old = tempPathFor(target);
    const hadOld = await fs.rename(target, old).then(
      () => true,
      () => false,
    );
    await fs.rename(temp, target);
    if (hadOld) await fs.rm(old, { recursive: true, force: true });
  });
}

export function readLinkIfExists(link: string): string | undefined {
  try {
    return readlinkSync(link);
  } catch {
    return undefined;
  }
}

export async function readFileIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Writes only when the content differs. Files under a path: flake are part of its source, and
 * rewriting them (even unchanged) would make Nix re-copy and re-evaluate the flake.
 */
export async function writeFileIfChanged(target: string, content: string): Promise<boolean> {
  if ((await readFileIfExists(target)) === content) return false;
  await writeFileAtomic(target, content);
  return true;
}
