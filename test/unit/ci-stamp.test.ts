// The check stage knows the CI files fresh from a stamp only while the files' bytes, the pipeline's
// inputs and this nixkit build are those the full comparison saw.
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { ciFilesFreshByStamp, writeCiStamp } from "../../src/ci/fresh-stamp.js";
import { ciFiles } from "../../src/ci/generate.js";
import { parseManifest } from "../../src/manifest/parse.js";
import { tempDir } from "../helpers.js";

const manifestText = (branch: string) =>
  `version: 1\nname: demo\ninputs: { nixpkgs: "path:/x" }\nci:\n  providers: [github, gitlab]\n  branch: ${branch}\nbuilds:\n  app:\n    script: mkdir $out\n`;

test("a stamp holds for the bytes and inputs it saw, and for nothing else", () => {
  const dir = tempDir();
  const { manifest } = parseManifest(manifestText("main"));
  for (const file of ciFiles(manifest)) {
    mkdirSync(path.dirname(path.join(dir, file.path)), { recursive: true });
    writeFileSync(path.join(dir, file.path), file.content);
  }
  expect(ciFilesFreshByStamp(dir, manifest)).toBe(false);
  writeCiStamp(dir, manifest);
  expect(ciFilesFreshByStamp(dir, manifest)).toBe(true);
  expect(ciFilesFreshByStamp(dir, parseManifest(manifestText("trunk")).manifest)).toBe(false);
  appendFileSync(path.join(dir, ".gitlab-ci.yml"), "# edited\n");
  expect(ciFilesFreshByStamp(dir, manifest)).toBe(false);
});
