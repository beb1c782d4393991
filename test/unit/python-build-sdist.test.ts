// nix/lib/python-build-sdist.py's check of what an sdist unpacks (it runs in the sandbox; here it
// runs on the host's python3): links that stay inside the tree are fine (idna's tools/ links to
// ../idna/…), paths and links that leave it are refused by name before anything is written.
import { execa } from "execa";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { repoRoot } from "../helpers.js";

const script = path.join(repoRoot, "nix/lib/python-build-sdist.py");

/** An sdist of pkg-1.0 with these extra members: [name, symlink target or null for a file]. */
async function sdist(members: [string, string | null][]): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nixkit-sdist-"));
  const file = path.join(dir, "pkg-1.0.tar.gz");
  const make = `
import io, sys, tarfile, json
members = json.loads(sys.argv[2])
with tarfile.open(sys.argv[1], "w:gz") as archive:
    def add(name, data=b"", link=None):
        info = tarfile.TarInfo(name)
        if link is not None:
            info.type, info.linkname = tarfile.SYMTYPE, link
        else:
            info.size = len(data)
        archive.addfile(info, io.BytesIO(data) if link is None else None)
    add("pkg-1.0/setup.py", b"from setuptools import setup\\nsetup(name='pkg', version='1.0', py_modules=[])\\n")
    for name, link in members:
        add(name, b"x = 1\\n", link)
`;
  await execa("python3", ["-c", make, file, JSON.stringify(members)]);
  return file;
}

async function build(members: [string, string | null][]): Promise<string> {
  const out = mkdtempSync(path.join(os.tmpdir(), "nixkit-sdist-out-"));
  const run = await execa("python3", [script, await sdist(members), out, "pkg 1.0"], {
    reject: false,
    env: { TMPDIR: mkdtempSync(path.join(os.tmpdir(), "nixkit-sdist-tmp-")) },
  });
  return run.stderr;
}

test("a link into the tree's other directories is unpacked; paths and links out of it are refused", async () => {
  expect(
    await build([
      ["pkg-1.0/pkg/x.py", null],
      ["pkg-1.0/tools/x.py", "../pkg/x.py"],
    ]),
  ).not.toContain("outside its tree");
  for (const evil of [
    [["pkg-1.0/evil", "../../etc/passwd"]],
    [["pkg-1.0/abs", "/etc/passwd"]],
    [["../escape.py", null]],
    [["pkg-1.0/a/../../escape.py", null]],
  ] as [string, string | null][][])
    expect(await build(evil)).toContain("outside its tree");
});
