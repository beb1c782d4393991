// A private registry, for real: a scope whose packages come from a registry of the team's own
// (`@corp:registry=` in .npmrc) that wants a token (`//HOST/:_authToken=${CORP_TOKEN}`), served
// here on 127.0.0.1. nixkit reads both from npm's configuration at run time: the scope's registry
// goes into flake.nix (a URL, nothing secret), the token only into the Authorization header of
// its own downloads; without the token, the refusal says which line npm reads it from.
import { execa } from "execa";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { nix, nixkit, repoRoot, tempDir } from "../helpers.js";
import { deleteDownloads, offlinePkgs, outOf } from "./project.js";

const TOKEN = `s3cret-${process.pid}-${Date.now()}`;
const RUN_ID = `${process.pid}-${Date.now()}`;
let server: http.Server;
let port = 0;
let tarball: Buffer;
let packageDir = "";
const seen: (string | undefined)[] = [];

beforeAll(async () => {
  // @corp/greet 1.0.0, its bytes this run's own (so no earlier run left it in the store).
  packageDir = mkdtempSync(path.join(os.tmpdir(), "nixkit-corp-pkg-"));
  const work = path.join(packageDir, "package");
  mkdirSync(work, { recursive: true });
  writeFileSync(path.join(work, "package.json"), JSON.stringify({ name: "@corp/greet", version: "1.0.0", main: "index.js" }));
  writeFileSync(path.join(work, "index.js"), `// ${RUN_ID}\nmodule.exports = (name) => "hello " + name;\n`);
  await execa("tar", ["-czf", "greet.tgz", "package"], { cwd: path.dirname(work) });
  tarball = readFileSync(path.join(path.dirname(work), "greet.tgz"));
  server = http.createServer((request, response) => {
    seen.push(request.headers.authorization);
    if (request.headers.authorization !== `Bearer ${TOKEN}`) return response.writeHead(401).end();
    if (decodeURIComponent(request.url ?? "") !== "/@corp/greet/-/greet-1.0.0.tgz") return response.writeHead(404).end();
    response.writeHead(200, { "content-type": "application/octet-stream" }).end(tarball);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  rmSync(packageDir, { recursive: true, force: true });
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

function corpProject(): string {
  const dir = tempDir("nixkit-corp-");
  const pnpm = JSON.parse(readFileSync(path.join(repoRoot, "test/fixtures/pnpm-workspace/package.json"), "utf8")).packageManager;
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: `corp-app-${RUN_ID}`, private: true, packageManager: pnpm, dependencies: { "@corp/greet": "1.0.0" } }),
  );
  writeFileSync(path.join(dir, ".npmrc"), `@corp:registry=http://127.0.0.1:${port}/\n//127.0.0.1:${port}/:_authToken=\${CORP_TOKEN}\n`);
  const integrity = `sha512-${createHash("sha512").update(tarball).digest("base64")}`;
  // What `pnpm install` writes for it.
  writeFileSync(
    path.join(dir, "pnpm-lock.yaml"),
    `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      '@corp/greet':
        specifier: 1.0.0
        version: 1.0.0

packages:

  '@corp/greet@1.0.0':
    resolution: {integrity: ${integrity}}

snapshots:

  '@corp/greet@1.0.0': {}
`,
  );
  writeFileSync(
    path.join(dir, "nixkit.yaml"),
    `version: 1
name: corp
systems: [x86_64-linux]
inputs:
  nixpkgs: ${JSON.stringify(offlinePkgs())}
builds:
  app:
    node: {}
    script: |
      mkdir -p $out
      node -p "require('@corp/greet')('nix')" > $out/greeting
`,
  );
  return dir;
}

/** The same dependency locked by npm: package-lock.json records the private registry's URL. */
function npmCorpProject(): string {
  const dir = corpProject();
  rmSync(path.join(dir, "pnpm-lock.yaml"));
  const integrity = `sha512-${createHash("sha512").update(tarball).digest("base64")}`;
  writeFileSync(
    path.join(dir, "package-lock.json"),
    JSON.stringify({
      name: `corp-app-${RUN_ID}`,
      lockfileVersion: 3,
      requires: true,
      packages: {
        "": { name: `corp-app-${RUN_ID}`, dependencies: { "@corp/greet": "1.0.0" } },
        "node_modules/@corp/greet": {
          version: "1.0.0",
          resolved: `http://127.0.0.1:${port}/@corp/greet/-/greet-1.0.0.tgz`,
          integrity,
        },
      },
    }),
  );
  return dir;
}

/** The same dependency locked by yarn 4, its registry and token in .yarnrc.yml (yarn reads no .npmrc). */
function yarnCorpProject(): string {
  const dir = corpProject();
  rmSync(path.join(dir, "pnpm-lock.yaml"));
  rmSync(path.join(dir, ".npmrc"));
  const name = `corp-app-${RUN_ID}`;
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name, private: true, packageManager: "yarn@4.18.1", dependencies: { "@corp/greet": "1.0.0" } }),
  );
  writeFileSync(
    path.join(dir, ".yarnrc.yml"),
    `nodeLinker: node-modules\nunsafeHttpWhitelist:\n  - 127.0.0.1\nnpmScopes:\n  corp:\n    npmRegistryServer: "http://127.0.0.1:${port}"\n    npmAuthToken: "\${CORP_TOKEN}"\n`,
  );
  // yarn's checksum is of the zip it makes of the tarball (nixkit's converter makes the same bytes).
  const zip = (
    createRequire(import.meta.url)(path.join(repoRoot, "nix/lib/yarn-zip.cjs")) as { tarballToZip: (t: Buffer, n: string) => Buffer }
  ).tarballToZip(tarball, "@corp/greet");
  writeFileSync(
    path.join(dir, "yarn.lock"),
    `# This file is generated by running "yarn install" inside your project.
# Manual changes might be lost - proceed with caution!

__metadata:
  version: 10
  cacheKey: 10c0

"@corp/greet@npm:1.0.0":
  version: 1.0.0
  resolution: "@corp/greet@npm:1.0.0"
  checksum: 10c0/${createHash("sha512").update(zip).digest("hex")}
  languageName: node
  linkType: hard

"${name}@workspace:.":
  version: 0.0.0-use.local
  resolution: "${name}@workspace:."
  dependencies:
    "@corp/greet": "npm:1.0.0"
  languageName: unknown
  linkType: soft
`,
  );
  return dir;
}

describe("node: a scope from a private registry that wants a token", () => {
  test("without the token the refusal names the .npmrc line; with it the package installs, and the token is nowhere", async () => {
    const dir = corpProject();
    const refused = await nixkit(["build"], { cwd: dir });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain(`127.0.0.1:${port} refused corp-greet-1.0.0.tgz (HTTP 401)`);
    expect(refused.stderr).toContain(`//127.0.0.1:${port}/:_authToken=\${TOKEN}`);

    const built = await nixkit(["build"], { cwd: dir, env: { CORP_TOKEN: TOKEN } });
    expect(built.exitCode, built.stderr).toBe(0);
    expect(readFileSync(path.join(outOf(built.stdout, "app")!, "greeting"), "utf8")).toBe("hello nix\n");
    expect(seen).toContain(`Bearer ${TOKEN}`);
    // The scope's registry is in flake.nix; the token is not, nor in any output or the install.
    const flake = readFileSync(path.join(dir, "flake.nix"), "utf8");
    expect(flake).toContain(`"@corp" = "http://127.0.0.1:${port}";`);
    for (const text of [flake, refused.stdout, refused.stderr, built.stdout, built.stderr]) expect(text).not.toContain(TOKEN);
    const installs = await nix(["eval", "--json", ".#legacyPackages.x86_64-linux.nixkit.npmInstalls"], dir);
    const paths = [outOf(built.stdout, "app")!, ...(JSON.parse(installs.stdout) as { install: string }[]).map((i) => i.install)];
    const grep = await execa("grep", ["-rl", TOKEN, ...paths], { reject: false });
    expect(grep.exitCode, grep.stdout).toBe(1);
  });

  test("npm's lockfile: its private URLs are fetched with the token .npmrc names for their host", async () => {
    const dir = npmCorpProject();
    // The first test left the tarball in the store, unreferenced: this one downloads it again.
    await deleteDownloads(dir);
    seen.length = 0;
    const built = await nixkit(["build"], { cwd: dir, env: { CORP_TOKEN: TOKEN } });
    expect(built.exitCode, built.stderr).toBe(0);
    expect(readFileSync(path.join(outOf(built.stdout, "app")!, "greeting"), "utf8")).toBe("hello nix\n");
    expect(built.stdout + built.stderr).not.toContain(TOKEN);
    expect(seen).toEqual([`Bearer ${TOKEN}`]);
  });

  test("yarn 4: the scope's npmRegistryServer and npmAuthToken from .yarnrc.yml", async () => {
    const dir = yarnCorpProject();
    await deleteDownloads(dir);
    seen.length = 0;
    const built = await nixkit(["build"], { cwd: dir, env: { CORP_TOKEN: TOKEN } });
    expect(built.exitCode, built.stderr).toBe(0);
    expect(readFileSync(path.join(outOf(built.stdout, "app")!, "greeting"), "utf8")).toBe("hello nix\n");
    expect(seen).toEqual([`Bearer ${TOKEN}`]);
    const flake = readFileSync(path.join(dir, "flake.nix"), "utf8");
    expect(flake).toContain(`"@corp" = "http://127.0.0.1:${port}";`);
    for (const text of [flake, built.stdout, built.stderr]) expect(text).not.toContain(TOKEN);
  });
});
