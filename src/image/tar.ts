// A deterministic tar writer (ustar, with PAX records only where ustar cannot say it): every
// header field is fixed except name, mode, size, type and link target, so the same tree gives
// the same bytes on every machine (containers.md checklist 6-13).

export type TarEntry =
  | { type: "dir"; path: string; mode: number }
  | { type: "file"; path: string; mode: number; size: number; content: () => AsyncIterable<Uint8Array> | Iterable<Uint8Array> }
  | { type: "symlink"; path: string; target: string };

export interface TarOptions {
  /** Seconds since the epoch for every entry; 1 (like the Nix store) unless SOURCE_DATE_EPOCH says otherwise. */
  mtime: number;
  /** Called with the number of file-content bytes read, for the "no-op reads nothing" figure. */
  onContent?: (bytes: number) => void;
}

const BLOCK = 512;
const encoder = new TextEncoder();

/** The tar stream of `entries`, in the order given (the caller sorts them). */
export async function* tarStream(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>, options: TarOptions): AsyncGenerator<Uint8Array> {
  for await (const entry of entries) {
    const name = entry.type === "dir" ? `${entry.path}/` : entry.path;
    const linkname = entry.type === "symlink" ? entry.target : "";
    const size = entry.type === "file" ? entry.size : 0;
    const pax = paxRecords(name, linkname);
    if (pax) {
      yield header({ name: "PaxHeader", mode: 0o644, size: pax.length, typeflag: "x", linkname: "", mtime: options.mtime });
      yield pax;
      yield padding(pax.length);
    }
    const mode = entry.type === "symlink" ? 0o777 : entry.mode & 0o7777;
    const typeflag = entry.type === "dir" ? "5" : entry.type === "symlink" ? "2" : "0";
    yield header({
      name: pax ? truncate(name) : name,
      mode,
      size,
      typeflag,
      linkname: pax ? truncate(linkname) : linkname,
      mtime: options.mtime,
    });
    if (entry.type === "file") {
      let written = 0;
      for await (const chunk of entry.content()) {
        written += chunk.length;
        yield chunk;
      }
      if (written !== entry.size)
        throw new Error(`tar: ${entry.path} changed while it was read (${written} bytes, expected ${entry.size})`);
      options.onContent?.(written);
      yield padding(size);
    }
  }
  yield new Uint8Array(BLOCK * 2);
}

interface Header {
  name: string;
  mode: number;
  size: number;
  typeflag: string;
  linkname: string;
  mtime: number;
}

function header(h: Header): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const put = (offset: number, length: number, value: string) => block.set(encoder.encode(value).subarray(0, length), offset);
  const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, "0") + "\0";
  put(0, 100, h.name);
  put(100, 8, octal(h.mode, 8));
  put(108, 8, octal(0, 8)); // uid
  put(116, 8, octal(0, 8)); // gid
  put(124, 12, octal(h.size, 12));
  put(136, 12, octal(h.mtime, 12));
  put(148, 8, "        "); // checksum placeholder: spaces while summing
  put(156, 1, h.typeflag);
  put(157, 100, h.linkname);
  put(257, 6, "ustar\0");
  put(263, 2, "00");
  put(329, 8, octal(0, 8)); // devmajor
  put(337, 8, octal(0, 8)); // devminor
  const sum = block.reduce((a, b) => a + b, 0);
  put(148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return block;
}

// ustar holds ASCII names up to 100 bytes; anything else goes in a PAX record, always with the
// same keys in the same order (path, then linkpath).
function paxRecords(name: string, linkname: string): Uint8Array | undefined {
  const needs = (value: string) => value.length > 0 && (encoder.encode(value).length > 100 || /[^\x20-\x7e]/.test(value));
  const records = [needs(name) ? record("path", name) : "", needs(linkname) ? record("linkpath", linkname) : ""].join("");
  return records ? encoder.encode(records) : undefined;
}

// A PAX record is "<length> <key>=<value>\n" where <length> counts itself.
function record(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = encoder.encode(body).length;
  let length = bodyLength + String(bodyLength).length;
  if (String(length).length !== String(bodyLength).length) length = bodyLength + String(length).length;
  return `${length}${body}`;
}

const truncate = (value: string): string => {
  const bytes = encoder.encode(value);
  return bytes.length <= 100 && !/[^\x20-\x7e]/.test(value) ? value : value.replace(/[^\x20-\x7e]/g, "_").slice(0, 100);
};

const padding = (size: number): Uint8Array => new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);
