// Python lockfiles as nixkit reads them (src/python/): PEP 508 markers, uv.lock's packages, graph,
// groups and refusals at their line, hashed requirements files and their refusals.
import { writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { wheelMayInstall } from "../../src/python/lock.js";
import { parseMarker } from "../../src/python/markers.js";
import { parseRequirements } from "../../src/python/requirements.js";
import { readUvLock } from "../../src/python/uv-lock.js";
import { tempDir } from "../helpers.js";

const HASH = (c: string) => c.repeat(64);

const UV_LOCK = `version = 1
revision = 3
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "requests", extra = ["socks"] },
    { name = "colorama", marker = "sys_platform == 'win32'" },
]

[package.dev-dependencies]
dev = [{ name = "pytest" }]

[[package]]
name = "requests"
version = "2.32.3"
source = { registry = "https://index.example/simple" }
sdist = { url = "https://files.example/requests-2.32.3.tar.gz", hash = "sha256:${HASH("a")}", size = 1 }
wheels = [
    { url = "https://files.example/requests-2.32.3-py3-none-any.whl", hash = "sha256:${HASH("b")}", size = 1 },
]

[package.optional-dependencies]
socks = [{ name = "pysocks" }]

[[package]]
name = "PySocks"
version = "1.7.1"
source = { registry = "https://index.example/simple" }
wheels = [{ url = "https://files.example/PySocks-1.7.1-py3-none-any.whl", hash = "sha256:${HASH("c")}", size = 1 }]

[[package]]
name = "colorama"
version = "0.4.6"
source = { registry = "https://index.example/simple" }
wheels = [{ url = "https://files.example/colorama-0.4.6-py2.py3-none-any.whl", hash = "sha256:${HASH("d")}", size = 1 }]

[[package]]
name = "pytest"
version = "8.3.3"
source = { registry = "https://index.example/simple" }
wheels = [
    { url = "https://files.example/pytest_native-8.3.3-cp311-cp311-win_amd64.whl", hash = "sha256:${HASH("e")}", size = 1 },
    { url = "https://files.example/pytest_native-8.3.3-cp311-cp311-macosx_11_0_arm64.whl", hash = "sha256:${HASH("f")}", size = 1 },
    { url = "https://files.example/pytest_native-8.3.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", hash = "sha256:${HASH("1")}", size = 1 },
]
`;

describe("PEP 508 markers", () => {
  test("parse into and/or/compare trees, with PEP 508's older variable names", () => {
    expect(parseMarker("python_version < '3.12' and (sys_platform == \"linux\" or os.name == 'posix')")).toEqual({
      and: [
        { compare: [{ variable: "python_version" }, "<", { string: "3.12" }] },
        {
          or: [
            { compare: [{ variable: "sys_platform" }, "==", { string: "linux" }] },
            { compare: [{ variable: "os_name" }, "==", { string: "posix" }] },
          ],
        },
      ],
    });
    expect(parseMarker("'win' not in sys_platform")).toEqual({ compare: [{ string: "win" }, "not in", { variable: "sys_platform" }] });
  });

  test("refuse what is not a marker, naming the column", () => {
    expect(() => parseMarker("python_verison < '3'")).toThrow(/unknown variable "python_verison" at column 1/);
    expect(() => parseMarker("python_version < '3")).toThrow(/unterminated string/);
    expect(() => parseMarker("python_version '3'")).toThrow(/comparison .* expected at column 16/);
    expect(() => parseMarker("python_version < '3' extra")).toThrow(/unexpected text/);
  });
});

describe("uv.lock", () => {
  test("packages with their files for the manifest's systems, edges with markers and extras, the project as root, its groups", () => {
    const lock = readUvLock(UV_LOCK, "uv.lock", ["x86_64-linux"]);
    expect(lock.requiresPython).toBe(">=3.11");
    expect(lock.roots).toEqual([{ key: "app==0.1.0", marker: null, extras: [] }]);
    expect(lock.distributions["app==0.1.0"]!.installs).toBe(false);
    expect(lock.distributions["app==0.1.0"]!.dependencies).toEqual([
      { key: "requests==2.32.3", marker: null, extras: ["socks"] },
      { key: "colorama==0.4.6", marker: { compare: [{ variable: "sys_platform" }, "==", { string: "win32" }] }, extras: [] },
    ]);
    expect(lock.distributions["requests==2.32.3"]!.extras).toEqual({ socks: [{ key: "pysocks==1.7.1", marker: null, extras: [] }] });
    expect(lock.distributions["requests==2.32.3"]!.sdist).toBe(
      `requests-2.32.3.tar.gz https://files.example/requests-2.32.3.tar.gz sha256-${Buffer.from(HASH("a"), "hex").toString("base64")}`,
    );
    // Windows and macOS wheels are not for x86_64-linux.
    expect(lock.distributions["pytest==8.3.3"]!.wheels.map((w) => w.split(" ")[0])).toEqual([
      "pytest_native-8.3.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    ]);
    expect(lock.groups).toEqual({ dev: [{ key: "pytest==8.3.3", marker: null, extras: [] }] });
    expect(readUvLock(UV_LOCK, "uv.lock", ["aarch64-darwin"]).distributions["pytest==8.3.3"]!.wheels).toHaveLength(1);
  });

  test("a git source, a local file and another lock version are refused at their line with the fix", () => {
    const git = UV_LOCK.replace(
      'source = { registry = "https://index.example/simple" }\nwheels = [{ url = "https://files.example/PySocks',
      'source = { git = "https://user:secret@git.example/pysocks?rev=1" }\nwheels = [{ url = "https://files.example/PySocks',
    );
    expect(() => readUvLock(git, "uv.lock", ["x86_64-linux"])).toThrow(
      /^uv\.lock:31:1: PySocks is a git dependency \(https:\/\/\*\*\*@git\.example\/pysocks\?rev=1\)/,
    );
    const local = UV_LOCK.replace(
      'name = "colorama"\nversion = "0.4.6"\nsource = { registry = "https://index.example/simple" }',
      'name = "colorama"\nversion = "0.4.6"\nsource = { path = "vendor/colorama.whl" }',
    );
    expect(() => readUvLock(local, "uv.lock", ["x86_64-linux"])).toThrow(/uv\.lock:37:1: colorama comes from a local file/);
    expect(() => readUvLock(UV_LOCK.replace("version = 1\n", "version = 2\n"), "uv.lock", ["x86_64-linux"])).toThrow(
      /^uv\.lock:1:1: uv\.lock version 2 is not one nixkit reads .* run `uv lock`/,
    );
    expect(() => readUvLock("version = 1\n[[package]\n", "uv.lock", ["x86_64-linux"])).toThrow(/^uv\.lock:2:\d+: not valid TOML/);
  });
});

describe("hashed requirements files", () => {
  const write = (text: string, name = "requirements.txt") => {
    const dir = tempDir();
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
    return dir;
  };

  test("pinned, hashed lines with continuations, markers, options and included files", () => {
    const dir = write(
      `# compiled\n--index-url https://index.example/simple\nnumpy==2.4.6 \\\n    --hash=sha256:${HASH("a")} \\\n    --hash=sha256:${HASH("b")}\n    # via pandas\ncolorama==0.4.6 ; sys_platform == "win32" --hash=sha256:${HASH("c")}\n-r more/dev.txt\n`,
    );
    mkdirSync(path.join(dir, "more"));
    writeFileSync(path.join(dir, "more/dev.txt"), `PyTest[testing]===8.3.3 --hash=sha256:${HASH("d")}\n`);
    const parsed = parseRequirements(dir, "requirements.txt");
    expect(parsed.index).toEqual({ index: "https://index.example/simple" });
    expect(parsed.requirements.map((r) => [r.name, r.version, r.hashes.length, r.at])).toEqual([
      ["numpy", "2.4.6", 2, "requirements.txt:3:1"],
      ["colorama", "0.4.6", 1, "requirements.txt:7:1"],
      ["pytest", "8.3.3", 1, "more/dev.txt:1:1"],
    ]);
    expect(parsed.requirements[1]!.marker).toEqual({ compare: [{ variable: "sys_platform" }, "==", { string: "win32" }] });
  });

  test("unhashed, unpinned, editable and URL requirements are refused at their line with the fix", () => {
    const dir = write(`pandas==2.2.3\nnumpy>=2 --hash=sha256:${HASH("a")}\n-e ./lib\nthing @ https://files.example/thing.whl\n`);
    let message = "";
    try {
      parseRequirements(dir, "requirements.txt");
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split("\n")).toEqual([
      expect.stringMatching(/^requirements\.txt:1:1: pandas==2\.2\.3 has no --hash=sha256:….*uv pip compile --generate-hashes/),
      expect.stringMatching(/^requirements\.txt:2:1: numpy>=2 is not pinned to one version/),
      expect.stringMatching(/^requirements\.txt:3:1: \.\/lib is an editable requirement/),
      expect.stringMatching(/^requirements\.txt:4:1: thing is a URL or path requirement/),
    ]);
    expect(() => parseRequirements(dir, "missing.txt")).toThrow(/missing\.txt does not exist; run `uv pip compile --generate-hashes`/);
  });

  test("a wheel may install where one of its platform tags fits one of the systems", () => {
    expect(wheelMayInstall("a-1-cp311-cp311-manylinux_2_17_aarch64.whl", ["aarch64-linux"])).toBe(true);
    expect(wheelMayInstall("a-1-cp311-cp311-manylinux_2_17_aarch64.whl", ["x86_64-linux"])).toBe(false);
    expect(wheelMayInstall("a-1-cp311-cp311-musllinux_1_2_x86_64.whl", ["x86_64-linux"])).toBe(false);
    expect(wheelMayInstall("a-1-cp311-cp311-linux_x86_64.whl", ["x86_64-linux"])).toBe(true);
    expect(wheelMayInstall("a-1-cp311-cp311-macosx_11_0_universal2.whl", ["x86_64-darwin"])).toBe(true);
    expect(wheelMayInstall("a-1-py3-none-any.whl", [])).toBe(true);
  });
});

describe("pinned data", () => {
  test("Nix's hash forms in hex, and a data fetch with other bytes named by its data name", async () => {
    const { hashToHex } = await import("../../src/util/hash.js");
    const { pinnedDataMismatch } = await import("../../src/nix/build-failures.js");
    const hex = "a3ead5eedad5df82318c51685dbc1c147a36d1ff8584fc82de6b08d0bf63a795"; // sha256 of "other bytes"
    expect(hashToHex("sha256:15d7cfzx023bvs1gr145zz8kcyhl3jy5ss2iihqq5pymvbpdbsm3")).toBe(hex);
    expect(hashToHex("sha256-o+rV7trV34IxjFFoXbwcFHo20f+FhPyC3msI0L9jp5U=")).toBe(hex);
    expect(hashToHex(hex)).toBe(hex);
    expect(hashToHex("sha256:not-a-hash")).toBeUndefined();
    const said =
      "error: hash mismatch in fixed-output derivation '/nix/store/x-nixkit-data-train.drv':\n  specified: sha256-AAAA\n     got:    sha256:15d7cfzx023bvs1gr145zz8kcyhl3jy5ss2iihqq5pymvbpdbsm3";
    expect(pinnedDataMismatch(said)).toBe(
      `nixkit.yaml data.train: the file downloaded has sha256 ${hex}, not the one given (its URL serves other bytes now); if it is the file you want, set sha256: ${hex}`,
    );
    expect(pinnedDataMismatch(said.replace("nixkit-data-train", "app"))).toBeUndefined();
  });
});
