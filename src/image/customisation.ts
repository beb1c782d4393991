// The customisation layer: the image root (the contents' symlink farm), /etc/passwd and
// /etc/group for the user, /tmp with mode 1777; written by the same tar writer (checklist 15).
import { existsSync, readdirSync, realpathSync } from "node:fs";
import { WorkFailed } from "../util/errors.js";
import path from "node:path";
import { ancestorDirs, sortEntries, treeEntries, utf8Name } from "./entries.js";
import type { TarEntry } from "./tar.js";
import { passwdFiles, type ImageUser } from "./users.js";

export const CA_BUNDLE = "etc/ssl/certs/ca-bundle.crt";
const STORE_DIR = "/nix/store/";

export function customisationEntries(root: string, user: ImageUser): TarEntry[] {
  const entries = new Map<string, TarEntry>();
  for (const name of readdirSync(root, { encoding: "buffer" }).map((n) => utf8Name(root, n)))
    for (const entry of treeEntries(path.join(root, name), name)) entries.set(entry.path, entry);

  // Files are added under etc/: a symlink to some package's etc/ becomes a real directory of
  // links to its children, so the package's files stay visible.
  expandSymlinkedDir(entries, root, "etc");
  const { passwd, group } = passwdFiles(user);
  for (const [file, text] of [
    ["etc/passwd", passwd],
    ["etc/group", group],
  ] as const) {
    const bytes = Buffer.from(text);
    entries.set(file, { type: "file", path: file, mode: 0o444, size: bytes.length, content: () => [bytes] });
  }
  entries.set("tmp", { type: "dir", path: "tmp", mode: 0o1777 });
  for (const dir of ancestorDirs([...entries.keys()], 0o555)) if (!entries.has(dir.path)) entries.set(dir.path, dir);
  return sortEntries([...entries.values()]);
}

function expandSymlinkedDir(entries: Map<string, TarEntry>, root: string, dir: string): void {
  const current = entries.get(dir);
  if (current?.type !== "symlink") {
    if (!current) entries.set(dir, { type: "dir", path: dir, mode: 0o555 });
    return;
  }
  // Followed to its end, the link must stay in the store: a build output's `etc -> /etc` would
  // otherwise put this machine's /etc into the image.
  const target = realpathSync(path.join(root, dir));
  if (!target.startsWith(STORE_DIR)) {
    throw new WorkFailed(
      `image: the image root's ${dir}/ is a link that leads out of the Nix store (to ${target}); an image must not depend on the host, so fix the build that links ${dir} there`,
    );
  }
  entries.set(dir, { type: "dir", path: dir, mode: 0o555 });
  for (const name of readdirSync(target, { encoding: "buffer" }).map((n) => utf8Name(target, n))) {
    entries.set(`${dir}/${name}`, { type: "symlink", path: `${dir}/${name}`, target: path.join(target, name) });
  }
}

/** Whether the image root has a CA bundle at nixpkgs' path (then SSL_CERT_FILE points at it). */
export const hasCaBundle = (root: string): boolean => existsSync(path.join(root, CA_BUNDLE));
