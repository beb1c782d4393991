// Every write is atomic: a temp file beside the target, fsynced, then renamed over it.
import { promises as fs, readlinkSync } from "node:fs";
import path from "node:path";

export interface FileWrite {
  path: string;
  content: string | Uint8Array;
  mode?: number;
}

// Unique enough with the pid; opened with O_EXCL, so a clash fails instead of sharing a file.
const tempPathFor = (target: string) =>
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
