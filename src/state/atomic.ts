// Every write nixkit makes is atomic: a temp file (or directory) beside the target, filled, then
// renamed over it; a failed fill removes the temp. Temps carry the writer's pid, so whatever a
// killed writer left is recognised: the next write of the same file removes its dead temps, and
// sweepLeftovers a whole directory's. The one home of temp-then-rename.
import { accessSync, constants, existsSync, mkdirSync, promises as fs, readdirSync, readlinkSync } from "node:fs";
import path from "node:path";
import { lockAbandoned, pidAlive, withLock } from "./lock.js";

export interface FileWrite {
  path: string;
  content: string | Uint8Array;
  mode?: number;
}

// .<target name>.<pid>.<random>.tmp (a temp) or .old (a directory being replaced).
const LEFTOVER = /^\.(.+)\.(\d+)\.[0-9a-z]+\.(tmp|old)$/;

export const tempPathFor = (target: string, kind: "tmp" | "old" = "tmp"): string =>
  path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.${kind}`);

/** Whether `name` is a temp or an aside-copy some nixkit writer made (alive or not). */
export const isLeftoverName = (name: string): boolean => LEFTOVER.test(name);

/** Names in `dir` that a killed writer left (their pid no longer runs). */
export function deadLeftovers(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((name) => {
    const match = name.match(LEFTOVER);
    return match !== null && !pidAlive(Number(match[2]));
  });
}

/**
 * Removes what killed writers left in `dir`: temps and aside-copies whose pid no longer runs.
 * A target that a kill left missing while its old copy was set aside gets the old copy back.
 */
export async function sweepLeftovers(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (/^\..+\.lock$/.test(name)) {
      if (await lockAbandoned(path.join(dir, name))) await fs.rm(path.join(dir, name), { force: true });
      continue;
    }
    const match = name.match(LEFTOVER);
    if (!match || pidAlive(Number(match[2]))) continue;
    const leftover = path.join(dir, name);
    const target = path.join(dir, match[1]!);
    if (match[3] === "old" && !(await exists(target))) await fs.rename(leftover, target).catch(() => undefined);
    else await fs.rm(leftover, { recursive: true, force: true });
  }
}

const exists = (file: string) =>
  fs.lstat(file).then(
    () => true,
    () => false,
  );

/**
 * `mkdir -p`, failing with the real cause: a recursive mkdir on a read-only file system reports
 * ENOENT; the first existing ancestor says EROFS or EACCES.
 */
export function makeDirs(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    let ancestor = path.dirname(dir);
    while (!existsSync(ancestor) && path.dirname(ancestor) !== ancestor) ancestor = path.dirname(ancestor);
    try {
      accessSync(ancestor, constants.W_OK);
    } catch (cause) {
      throw Object.assign(cause as Error, { path: dir, syscall: "mkdir" });
    }
    throw error;
  }
}

async function writeTemp(target: string, content: string | Uint8Array, mode = 0o644): Promise<string> {
  makeDirs(path.dirname(target));
  await sweepLeftovers(path.dirname(target));
  const temp = tempPathFor(target);
  const handle = await fs.open(temp, "wx", mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
    await handle.chmod(mode);
  } catch (error) {
    // A full disk: leave nothing half-written behind.
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  return temp;
}

/** Removes the temps of `target` that killed writers left (their pid no longer runs). */
async function sweepDeadTempsOf(target: string): Promise<void> {
  const dir = path.dirname(target);
  for (const name of deadLeftovers(dir)) {
    const match = name.match(LEFTOVER)!;
    if (match[1] === path.basename(target) && match[3] === "tmp") await fs.rm(path.join(dir, name), { force: true });
  }
}

export async function writeFileAtomic(target: string, content: string | Uint8Array, mode?: number): Promise<void> {
  await sweepDeadTempsOf(target);
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
 * whether `use` renamed it into place, failed, or neither. The target's directory must exist
 * (or be created by the caller): nixkit never makes a user's missing directory.
 */
export async function withTempPath<T>(target: string, use: (temp: string) => Promise<T>): Promise<T> {
  await sweepLeftovers(path.dirname(target));
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
 * is set aside, the new one renamed in, then the old one removed. A kill in between leaves the
 * old one aside, and the next write (or sweep) puts it back: a reader finds the old tree or the
 * new one. Writers of one target take turns (a lock beside it). With `replace: false`, an
 * existing `target` is left alone and the rename fails instead.
 */
export function writeDirAtomic(
  target: string,
  fill: (temp: string) => Promise<void>,
  options: { replace: boolean; mode: number; signal?: AbortSignal } = { replace: true, mode: 0o755 },
): Promise<void> {
  return withLock(
    target,
    () =>
      withTempPath(target, async (temp) => {
        await fs.mkdir(temp, { mode: options.mode });
        await fill(temp);
        await fs.chmod(temp, options.mode);
        if (!options.replace) return fs.rename(temp, target);
        const old = tempPathFor(target, "old");
        const hadOld = await fs.rename(target, old).then(
          () => true,
          () => false,
        );
        await fs.rename(temp, target);
        if (hadOld) await fs.rm(old, { recursive: true, force: true });
      }),
    { signal: options.signal },
  );
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
  // A killed writer's temp goes even when there is nothing to write.
  await sweepDeadTempsOf(target);
  if ((await readFileIfExists(target)) === content) return false;
  await writeFileAtomic(target, content);
  return true;
}
