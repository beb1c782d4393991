// One download to a file, streamed: hashed while it is written (memory stays bounded whatever the
// size), with a connect timeout (no response headers in time), an idle timeout (no bytes for a
// while) and a word to the user when a host stays silent for a few seconds.
import { createHash } from "node:crypto";
import { createWriteStream, promises as fs } from "node:fs";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream } from "node:stream/web";

export interface DownloadTimeouts {
  /** Until the response headers arrive. */
  connectMs: number;
  /** Between two chunks of the body. */
  idleMs: number;
  /** Silence after which `onSilence` is told, once. */
  warnAfterMs: number;
}

export const DOWNLOAD_TIMEOUTS: DownloadTimeouts = { connectMs: 15_000, idleMs: 30_000, warnAfterMs: 5_000 };

/**
 * Downloads `url` into `file` and checks it against `sri` (ALGORITHM-BASE64; null: the caller
 * checks what it makes of the file); throws naming why it failed (HTTP status, timeout,
 * mismatch). The file is removed when it fails.
 */
export async function downloadChecked(
  url: string,
  file: string,
  sri: string | null,
  options: {
    signal?: AbortSignal;
    timeouts?: DownloadTimeouts;
    onSilence?: (host: string, seconds: number) => void;
    /** Sent with the request (a registry's credentials): never logged. */
    authorization?: string;
  },
): Promise<void> {
  const timeouts = options.timeouts ?? DOWNLOAD_TIMEOUTS;
  const host = new URL(url).host;
  const stalled = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stalled.signal]) : stalled.signal;
  let warned = false;
  let deadline: NodeJS.Timeout | undefined;
  let warning: NodeJS.Timeout | undefined;
  const arm = (ms: number, why: string) => {
    clearTimeout(deadline);
    clearTimeout(warning);
    deadline = setTimeout(() => stalled.abort(new Error(why)), ms);
    if (!warned)
      warning = setTimeout(() => {
        warned = true;
        options.onSilence?.(host, timeouts.warnAfterMs / 1000);
      }, timeouts.warnAfterMs);
  };
  const [algorithm, expected] = sri ? [sri.slice(0, sri.indexOf("-")), sri.slice(sri.indexOf("-") + 1)] : ["sha512", null];
  const hash = createHash(algorithm);
  try {
    arm(timeouts.connectMs, `${host} sent no response within ${timeouts.connectMs / 1000} s`);
    const response = await fetch(url, { signal, ...(options.authorization ? { headers: { authorization: options.authorization } } : {}) });
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
    const idle = `${host} sent nothing for ${timeouts.idleMs / 1000} s`;
    arm(timeouts.idleMs, idle);
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        arm(timeouts.idleMs, idle);
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(response.body as ReadableStream), hashing, createWriteStream(file, { flags: "wx" }), { signal });
    if (expected !== null && hash.digest("base64") !== expected) throw new Error(`its bytes do not match ${sri}`);
  } catch (error) {
    await fs.rm(file, { force: true });
    if (stalled.signal.aborted && !options.signal?.aborted) throw stalled.signal.reason as Error;
    throw error;
  } finally {
    clearTimeout(deadline);
    clearTimeout(warning);
  }
}
