// Hostile and unlucky input (issue 19): builder specs never read or echo a file, project files
// are read only when they are regular files inside the project and small enough, lockfile fields
// are checked before Nix sees them, and URLs are shown without credentials.
import fc from "fast-check";
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { manifestMachines } from "../../src/nix/machines.js";
import { refuseCopiedCredentials } from "../../src/sources/credential-files.js";
import { sshCommand } from "../../src/doctor/checks.js";
import { loadManifest } from "../../src/manifest/load.js";
import { parseManifest } from "../../src/manifest/parse.js";
import { parseBuildersOption, parseMachineLine } from "../../src/nix/machines.js";
import { sshReason } from "../../src/nix/process.js";
import { checkLockfile, strongestIntegrity } from "../../src/node/lockfile.js";
import { npmRegistry } from "../../src/node/npm-config.js";
import { junitFiles, type TestResult } from "../../src/test-runner/results.js";
import { readInside } from "../../src/util/bounded-read.js";
import { UserError } from "../../src/util/errors.js";
import { redactUrls } from "../../src/util/redact.js";
import { tempDir, writeTree } from "../helpers.js";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n";
const manifest = (builders: string) =>
  `version: 1\nname: demo\ninputs:\n  nixpkgs: github:NixOS/nixpkgs/nixos-26.05\nci:\n  builders: [${builders}]\n`;
const thrown = (run: () => unknown): Error => {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
};

describe("builder specs", () => {
  test("a machines line with every field passes, normalised", () => {
    const machine = parseMachineLine(
      "ssh-ng://root@10.0.0.2:2222   x86_64-linux,aarch64-linux /root/.ssh/id 8 1.5 big-parallel,kvm - c3NoLWVkMjU1MTkgQUFBQQ==",
    );
    expect(machine).toMatchObject({
      line: "ssh-ng://root@10.0.0.2:2222 x86_64-linux,aarch64-linux /root/.ssh/id 8 1.5 big-parallel,kvm - c3NoLWVkMjU1MTkgQUFBQQ==",
      uri: "ssh-ng://root@10.0.0.2:2222",
      systems: ["x86_64-linux", "aarch64-linux"],
      sshKey: "/root/.ssh/id",
    });
  });

  test.each([
    ["@/etc/shadow", /machines file \(@FILE\)/],
    ["/etc/shadow", /field 1 \(URI\) is not an ssh/],
    ["@/etc/shadow/nix x86_64-linux", /machines file/],
    ["local x86_64-linux", /field 1 \(URI\)/],
    ["file:///tmp/store x86_64-linux", /field 1 \(URI\)/],
    ["ssh://h?remote-program=/bin/sh x86_64-linux", /no query/],
    ["ssh://h x86_64-linux;@/etc/shadow", /; or #/],
    ["ssh://h x86_64-linux\n@/root/.ssh/id_ed25519", /newline/],
    ["ssh://h x86_64-linux -----BEGIN", /field 3 \(ssh key\)/],
    ["ssh://h x86_64-linux - many", /field 4 \(max jobs\)/],
    ["ssh://h x86_64-linux - 1 1 - - not*base64", /field 8 \(host key\)/],
    ["ssh://h x86_64-linux - 1 1 - - - extra", /9 fields/],
  ])("%j is refused without quoting it", (line, reason) => {
    const result = parseMachineLine(line);
    expect(result).toHaveProperty("error");
    const error = (result as { error: string }).error;
    expect(error).toMatch(reason);
    expect(error).not.toContain("shadow");
    expect(error).not.toContain("BEGIN");
  });

  test("ci.builders entries are manifest errors at their line and column", () => {
    const error = thrown(() => parseManifest(manifest(`"ssh-ng://ok x86_64-linux", "@/etc/shadow", "/var/lib/x x86_64-linux"`)));
    expect(error.message).toMatch(/^nixkit\.yaml:6:42 ci\.builders\[1\]: the line names a machines file/m);
    expect(error.message).toMatch(/^nixkit\.yaml:6:58 ci\.builders\[2\]: field 1 \(URI\)/m);
    expect(error.message).not.toContain("shadow");
  });

  test("--builders @FILE reads the file itself, names FILE:LINE on a bad line, and never shows its content", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "id_ed25519"), KEY);
    const error = thrown(() => parseBuildersOption(`@${path.join(dir, "id_ed25519")}`));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/id_ed25519:1: field 1 \(URI\)/);
    expect(error.message).not.toMatch(/BEGIN|b3BlbnNz/);
    writeFileSync(path.join(dir, "machines"), "# builders\nssh-ng://a x86_64-linux # big one\n\nssh://b aarch64-linux - 2\n");
    expect(parseBuildersOption(`@${path.join(dir, "machines")}`).map((m) => m.line)).toEqual([
      "ssh-ng://a x86_64-linux",
      "ssh://b aarch64-linux - 2",
    ]);
  });

  test("--builders @missing is a usage error; a list splits on ; and newlines", () => {
    const error = thrown(() => parseBuildersOption("@/nonexistent/machines"));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/no such file/);
    expect(parseBuildersOption("ssh://a x86_64-linux; ssh://b x86_64-linux\nssh://c x86_64-linux").map((m) => m.uri)).toEqual([
      "ssh://a",
      "ssh://b",
      "ssh://c",
    ]);
    expect(parseBuildersOption("")).toEqual([]);
  });

  test("property: any line that passes is one remote ssh machine as Nix reads it", () => {
    const piece = fc.oneof(
      fc.constantFrom(
        "ssh://",
        "ssh-ng://",
        "@",
        "/",
        ";",
        "#",
        "\n",
        " ",
        "\t",
        "-",
        ",",
        "x86_64-linux",
        "root@",
        "h",
        "8",
        "=",
        "?",
        "\0",
      ),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join("");
        const machine = parseMachineLine(text);
        if ("error" in machine) return;
        expect(machine.line).not.toMatch(/[;#\n\0]/);
        expect(machine.line.split(" ").length).toBeLessThanOrEqual(8);
        expect(machine.uri).toMatch(/^ssh(-ng)?:\/\/[^/?\s]+$/);
        expect(manifestMachines([text])[0]!.line).toBe(machine.line);
      }),
      { seed: 19, numRuns: 2000 },
    );
  });

  test("doctor's ssh command is shell-quoted; ssh's own reason is found in Nix's stderr", () => {
    const quoted = parseMachineLine("ssh-ng://root@[::1]:2222 x86_64-linux /keys/it's$key 2");
    expect(sshCommand(quoted as never)).toBe("ssh -i '/keys/it'\\''s$key' -p 2222 'root@[::1]' nix-store --version");
    const plain = parseMachineLine("ssh://builder x86_64-linux");
    expect(sshCommand(plain as never)).toBe("ssh builder nix-store --version");
    const stderr = [
      "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@",
      "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @",
      "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@",
      "Host key verification failed.",
      "error: cannot connect to 'root@builder'",
    ].join("\n");
    expect(sshReason(stderr)).toBe("WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!");
    expect(sshReason("ssh: connect to host 10.0.0.9 port 22: Connection refused\nerror: failed to start SSH connection")).toBe(
      "connect to host 10.0.0.9 port 22: Connection refused",
    );
  });
});

describe("files read from a project", () => {
  test("a link to /dev/zero, a FIFO, a directory, a huge file and a link out of the project are refused, named, unread", () => {
    const dir = tempDir();
    const outside = tempDir();
    writeFileSync(path.join(outside, "secret"), "TOPSECRET");
    symlinkSync("/dev/zero", path.join(dir, "zero.json"));
    symlinkSync(path.join(outside, "secret"), path.join(dir, "out.json"));
    execFileSync("mkfifo", [path.join(dir, "fifo.json")]);
    mkdirSync(path.join(dir, "dir.json"));
    writeFileSync(path.join(dir, "huge.json"), "");
    truncateSync(path.join(dir, "huge.json"), 300 * 1024 * 1024);
    const refusal = (name: string) => thrown(() => readInside(dir, path.join(dir, name), "lockfile"));
    expect(refusal("zero.json").message).toMatch(/^zero\.json: a symlink to \/dev\/zero, outside the project/);
    expect(refusal("out.json").message).toMatch(/^out\.json: a symlink to .*secret, outside the project/);
    expect(refusal("fifo.json").message).toMatch(/^fifo\.json: not a regular file \(a FIFO\)/);
    expect(refusal("dir.json").message).toMatch(/^dir\.json: not a regular file \(a directory\)/);
    expect(refusal("huge.json").message).toMatch(/^huge\.json: 300 MiB, more than the 256 MiB/);
    for (const name of ["zero.json", "out.json"]) expect(refusal(name).message).not.toContain("TOPSECRET");
    // A link that stays inside the project is read; a missing file is undefined.
    symlinkSync("fifo.json", path.join(dir, "to-fifo"));
    writeFileSync(path.join(dir, "real.json"), "{}");
    symlinkSync("real.json", path.join(dir, "inside.json"));
    expect(readInside(dir, path.join(dir, "inside.json"), "lockfile")!.toString()).toBe("{}");
    expect(readInside(dir, path.join(dir, "absent.json"), "lockfile")).toBeUndefined();
    expect(refusal("to-fifo").message).toMatch(/not a regular file/);
  });

  test("nixkit.yaml linked to /dev/zero is refused before anything reads it", async () => {
    const dir = tempDir();
    symlinkSync("/dev/zero", path.join(dir, "nixkit.yaml"));
    await expect(loadManifest(dir)).rejects.toThrow(/nixkit\.yaml: a symlink to \/dev\/zero, outside the project/);
  });

  test("a lockfile linked out of the project is refused; a lockfile that is not JSON is named without its content", () => {
    const dir = tempDir();
    const outside = tempDir();
    writeFileSync(path.join(outside, "passwd"), "root:x:0:0:root:/root:/bin/bash\n");
    symlinkSync(path.join(outside, "passwd"), path.join(dir, "package-lock.json"));
    const out = thrown(() => checkLockfile(dir, "package-lock.json"));
    expect(out.message).toMatch(/package-lock\.json: a symlink to .*passwd, outside the project/);
    expect(out.message).not.toContain("root:x");
    const inside = tempDir();
    writeFileSync(path.join(inside, "package-lock.json"), "root:x:0:0:root:/root:/bin/bash\n");
    const notJson = thrown(() => checkLockfile(inside, "package-lock.json"));
    expect(notJson.message).toMatch(/package-lock\.json(:1:1)?: not valid JSON/);
    expect(notJson.message).not.toContain("root:x");
  });

  test("a workspace member's package.json linked to /dev/zero is refused", () => {
    const dir = tempDir();
    writeTree(dir, {
      "package.json": "{}",
      "package-lock.json": JSON.stringify({ lockfileVersion: 3, packages: { "": {}, "packages/a": { name: "a", version: "1.0.0" } } }),
    });
    mkdirSync(path.join(dir, "packages/a"), { recursive: true });
    symlinkSync("/dev/zero", path.join(dir, "packages/a/package.json"));
    expect(() => checkLockfile(dir, "package-lock.json")).toThrow(/packages\/a\/package\.json: a symlink to \/dev\/zero/);
  });

  test("JUnit reports that are links out of the reports, devices or FIFOs are left out with a warning; link loops are not followed", () => {
    const out = tempDir();
    const reports = path.join(out, "reports");
    mkdirSync(reports);
    writeFileSync(path.join(reports, "good.xml"), '<testsuite name="a" tests="1"><testcase name="x"/></testsuite>');
    symlinkSync("/dev/zero", path.join(reports, "zero.xml"));
    execFileSync("mkfifo", [path.join(reports, "fifo.xml")]);
    symlinkSync(".", path.join(reports, "loop"));
    symlinkSync("/", path.join(reports, "root"));
    const result: TestResult = {
      name: "unit",
      status: "pass",
      cached: false,
      outPath: out,
      reportsDir: reports,
      reports: ["fifo.xml", "good.xml", "loop", "root", "zero.xml"],
    };
    const warnings: string[] = [];
    const files = junitFiles(result, (m) => warnings.push(m));
    expect(files.map((f) => path.basename(f.file))).toEqual(["good.xml"]);
    expect(warnings.join("\n")).toMatch(/fifo\.xml: not a regular file \(a FIFO\)/);
    expect(warnings.join("\n")).toMatch(/zero\.xml: a symlink to \/dev\/zero, outside the test's reports/);
  });
});

describe("lockfile fields Nix would choke on", () => {
  const sha512 = "sha512-sGkPx+VjMtmA6MX27oA4FBFELFCZZ4S4XqeGOXCv68tT+jb3vk/RyaKWP0PTKyWtmLSM0b+adUTEvbs1PEaH2w==";
  const sha1 = "sha1-2aGp1F8W0fS5ZVqQeH8/ayd9bL0=";
  const lockWith = (entry: object) => {
    const dir = tempDir();
    writeTree(dir, {
      "package.json": "{}",
      "package-lock.json": JSON.stringify(
        { lockfileVersion: 3, packages: { "": {}, "node_modules/ms": { version: "2.1.2", ...entry } } },
        null,
        2,
      ),
    });
    return () => checkLockfile(dir, "package-lock.json");
  };

  test("the strongest of several hashes is used; md5, unknown and malformed hashes are refused", () => {
    expect(strongestIntegrity(`${sha1} ${sha512}`)).toEqual({ hash: sha512 });
    expect(strongestIntegrity(`sha1-2aGp1F8W0fS5ZVqQeH8/ayd9bL0=?foo`)).toEqual({ hash: sha1 });
    expect(strongestIntegrity("md5-XrY7u+Ae7tCTyyK7j1rNww==")).toHaveProperty("error", expect.stringMatching(/no sha512, sha256 or sha1/));
    expect(strongestIntegrity("sha512-short")).toHaveProperty("error", expect.stringMatching(/sha512 "integrity" hash is malformed/));
    expect(strongestIntegrity("garbage")).toHaveProperty("error");
    expect(lockWith({ integrity: "md5-XrY7u+Ae7tCTyyK7j1rNww==" })).toThrow(/package-lock\.json:\d+:\d+: ms: "integrity" has no sha512/);
    expect(lockWith({ integrity: "sha512-AAAA" })).toThrow(/:\d+:\d+: ms: its sha512 "integrity" hash is malformed/);
    expect(lockWith({ integrity: `${sha1} ${sha512}` })()).toEqual({ needsRegistry: true });
  });

  test("credentials in a resolved URL are refused at the line, without the password", () => {
    const error = thrown(lockWith({ resolved: "https://me:hunter2@registry.example/ms/-/ms-2.1.2.tgz", integrity: sha512 }));
    expect(error.message).toMatch(/package-lock\.json:5:5: ms's "resolved" URL carries credentials \(https:\/\/\*\*\*@registry/);
    expect(error.message).toMatch(/\.npmrc/);
    expect(error.message).not.toContain("hunter2");
  });

  test("a resolved URL that is no http(s) URL, a version with a path or quote, and a non-object entry are refused at the line", () => {
    expect(lockWith({ resolved: "ftp://x/ms.tgz", integrity: sha512 })).toThrow(/:5:5: ms's "resolved" is not an http\(s\) URL/);
    expect(lockWith({ version: "1.0.0/../../x", integrity: sha512 })).toThrow(/:5:5: "ms" at version "1\.0\.0\/\.\.\/\.\.\/x" is not/);
    const dir = tempDir();
    writeFileSync(path.join(dir, "package-lock.json"), JSON.stringify({ lockfileVersion: 3, packages: { "": {}, "node_modules/x": "y" } }));
    expect(() => checkLockfile(dir, "package-lock.json")).toThrow(/the entry "node_modules\/x" is not an object/);
  });
});

test("URLs are shown without credentials or secret query values, wherever they are in a line", () => {
  expect(redactUrls("error: unable to download 'https://me:tok@cache.example/nar/x.nar': HTTP 401")).toBe(
    "error: unable to download 'https://***@cache.example/nar/x.nar': HTTP 401",
  );
  expect(redactUrls("GET https://r.example/a.tgz?token=abc123&v=2 and s3://bucket?X-Amz-Signature=deadbeef")).toBe(
    "GET https://r.example/a.tgz?token=***&v=2 and s3://bucket?X-Amz-Signature=***",
  );
  expect(redactUrls("https://registry.example/@scope/a/-/a-1.0.0.tgz")).toBe("https://registry.example/@scope/a/-/a-1.0.0.tgz");
});

describe("credential files Nix would copy with the flake's source", () => {
  const git = (dir: string, ...args: string[]) => execFileSync("git", ["-C", dir, ...args], { stdio: "ignore" });

  test("a tracked .npmrc, .netrc, .pypirc or .yarnrc.yml with a secret is refused naming file, line and setting; ignored or variable-only ones pass", () => {
    const dir = tempDir();
    git(dir, "init", "-q");
    writeTree(dir, {
      ".npmrc": "registry=https://npm.example/\n//npm.example/:_authToken=npm_s3cr3tvalue\n",
      "pkg/.netrc": "machine cache.example login me password hunter2\n",
      ".pypirc": "[pypi]\nusername = __token__\npassword = pypi-s3cr3t\n",
      ".env.example": "API_TOKEN=put-yours-here\n",
      ".env.local": "API_TOKEN=real-one\n",
      ".gitignore": ".env.local\n",
      ".yarnrc.yml": 'npmScopes:\n  corp:\n    npmAuthToken: "yarn-s3cr3t"\n',
    });
    git(dir, "add", "-A");
    const error = thrown(() => refuseCopiedCredentials(dir));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message.split("\n")).toEqual([
      expect.stringMatching(
        /^\.npmrc:2: \/\/npm\.example\/:_authToken holds a credential, .*git tracks it.*\$\{NPM_TOKEN\}.*git rm --cached \.npmrc/,
      ),
      expect.stringMatching(/^\.pypirc:3: password holds a credential/),
      expect.stringMatching(/^\.yarnrc\.yml:3: npmAuthToken holds a credential, .*~\/\.yarnrc\.yml/),
      expect.stringMatching(/^pkg\/\.netrc:1: password holds a credential/),
    ]);
    expect(error.message).not.toMatch(/s3cr3t|hunter2|real-one/);
    writeTree(dir, {
      ".npmrc": "//npm.example/:_authToken=${NPM_TOKEN}\n",
      "pkg/.netrc": "",
      ".pypirc": "",
      ".yarnrc.yml": 'npmAuthToken: "${NPM_TOKEN:-}"\n',
    });
    expect(() => refuseCopiedCredentials(dir)).not.toThrow();
  });
});

describe("npm's registry setting", () => {
  const withPath = <T>(dir: string, run: () => T): T => {
    const saved = process.env.PATH;
    process.env.PATH = dir;
    try {
      return run();
    } finally {
      process.env.PATH = saved;
    }
  };

  test("when `npm config get registry` fails, npm's own reason is told (redacted), not 'install npm'", () => {
    const bin = tempDir();
    writeFileSync(
      path.join(bin, "npm"),
      "#!/bin/sh\necho 'npm error code EJSONPARSE' >&2\necho 'npm error while reading https://me:tok@npm.example/ config: Unexpected token' >&2\nexit 1\n",
      { mode: 0o755 },
    );
    const project = tempDir();
    const error = thrown(() => withPath(bin, () => npmRegistry(project, project)));
    expect(error.message).toMatch(
      /`npm config get registry` failed: npm error code EJSONPARSE \/ npm error while reading https:\/\/\*\*\*@npm\.example/,
    );
    expect(error.message).not.toContain("install npm");
    expect(error.message).not.toContain("tok@");
    const none = thrown(() => withPath(tempDir(), () => npmRegistry(tempDir(), project)));
    expect(none.message).toMatch(/npm is not on PATH\); install npm/);
  });

  test("a project .npmrc that is a link out of the project is refused before npm reads it", () => {
    const project = tempDir();
    symlinkSync("/etc/passwd", path.join(project, ".npmrc"));
    expect(() => npmRegistry(project, project)).toThrow(/\.npmrc: a symlink to \/etc\/passwd, outside the project/);
  });
});

describe("property: hostile lockfile fields", () => {
  const sha512 = "sha512-sGkPx+VjMtmA6MX27oA4FBFELFCZZ4S4XqeGOXCv68tT+jb3vk/RyaKWP0PTKyWtmLSM0b+adUTEvbs1PEaH2w==";
  const piece = fc.oneof(
    fc.constantFrom(
      "'",
      '"',
      "\n",
      "\\",
      "${",
      "''",
      "\0",
      "../",
      "@",
      "/",
      " ",
      "#",
      "?",
      "%",
      "é",
      "https://",
      "me:pw@",
      "sha1-",
      "md5-",
      "==",
      sha512,
    ),
    fc.string({ maxLength: 6 }),
  );
  const hostile = fc.array(piece, { maxLength: 6 }).map((p) => p.join(""));

  test("an entry nixkit accepts is one Nix can fetch and store by its hash; one it refuses is named at its line, without credentials", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "package.json"), "{}");
    fc.assert(
      fc.property(
        hostile,
        hostile,
        fc.option(hostile, { nil: undefined }),
        fc.option(hostile, { nil: undefined }),
        (name, version, resolved, integrity) => {
          const entry = { version, ...(resolved === undefined ? {} : { resolved }), integrity: integrity ?? sha512 };
          writeFileSync(
            path.join(dir, "package-lock.json"),
            JSON.stringify({ lockfileVersion: 3, packages: { "": {}, [`node_modules/${name}`]: entry } }, null, 2),
          );
          let outcome: unknown;
          try {
            outcome = checkLockfile(dir, "package-lock.json");
          } catch (error) {
            expect(error).toBeInstanceOf(UserError);
            expect((error as Error).message).toMatch(/package-lock\.json:\d+:\d+: /);
            // A URL's credentials are never shown (a package's name is the lockfile's own text).
            expect((error as Error).message).not.toContain("://me:pw@");
            return;
          }
          expect(outcome).toHaveProperty("needsRegistry");
          const chosen = strongestIntegrity(entry.integrity);
          expect(chosen).toHaveProperty("hash", expect.stringMatching(/^(sha512|sha256|sha1)-[A-Za-z0-9+/]+=*$/));
          // What node.nix names the fetched tarball: Nix's store path characters only.
          expect(`${name.replace(/[@/]/g, "")}-${version}`).toMatch(/^[A-Za-z0-9+._?=-]+$/);
          if (resolved) expect(resolved).toMatch(/^(https?:\/\/[^\s"\\@]+|file:.*)$/);
        },
      ),
      { seed: 1919, numRuns: 400 },
    );
  });
});
