// The Python lock library's choices, evaluated by Nix (one `nix eval`, nothing built): PEP 508
// markers as packaging evaluates them, the specifiers of requires-python, and which wheel pip and
// uv would pick for a CPython and glibc (packaging.tags' order), for the markers as
// src/python/markers.ts parses them.
import path from "node:path";
import { describe, expect, test } from "vitest";
import { toNix } from "../../src/generate/to-nix.js";
import { parseMarker } from "../../src/python/markers.js";
import { nix, repoRoot, tempDir } from "../helpers.js";

const library = path.join(repoRoot, "nix/lib/python-lock.nix");

async function evaluate(expression: string): Promise<unknown> {
  const lib = `(import ${path.join(repoRoot, "nix/offline-pkgs/lib.nix")})`;
  const pkgs = `{ glibc.version = "2.36"; lib = ${lib}; }`;
  const code = `let p = import ${library} { pkgs = ${pkgs}; lib = ${lib}; system = "x86_64-linux"; locks = { }; };
    python = { pythonVersion = "3.11"; version = "3.11.2"; };
    env = { python_version = "3.11"; python_full_version = "3.11.2"; implementation_version = "3.11.2"; os_name = "posix"; sys_platform = "linux";
      platform_system = "Linux"; platform_machine = "x86_64"; platform_python_implementation = "CPython"; implementation_name = "cpython";
      platform_release = ""; platform_version = ""; extra = ""; };
  in ${expression}`;
  const result = await nix(["eval", "--json", "--impure", "--expr", code], tempDir());
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe("python-lock.nix", () => {
  test("markers hold as packaging evaluates them on CPython 3.11 / Linux x86_64", async () => {
    const cases: [string, boolean][] = [
      ["python_full_version < '3.12'", true],
      ["python_version >= '3.12'", false],
      ["sys_platform == 'win32'", false],
      ["sys_platform == 'linux' and platform_machine == 'x86_64'", true],
      ["platform_machine == 'aarch64' or python_version == '3.11'", true],
      ["(os_name == 'nt' or sys_platform == 'darwin') and python_version < '4'", false],
      ["'linux' in sys_platform", true],
      ["platform_system not in 'Windows Darwin'", true],
      ["python_version == '3.*'", true],
      ["python_full_version ~= '3.11.0'", true],
      ["'3.12' > python_version", true],
      ["implementation_name != 'pypy'", true],
    ];
    const expression = `map (m: p.markerHolds env m) ${toNix(
      cases.map(([text]) => parseMarker(text) as never),
      "",
    )}`;
    expect(await evaluate(expression)).toEqual(cases.map(([, holds]) => holds));
  });

  test("requires-python specifiers", async () => {
    const cases: [string, boolean][] = [
      [">=3.11", true],
      [">=3.9,<3.11", false],
      ["~=3.10", true],
      ["==3.11.*", true],
      ["!=3.11.2", false],
      ["", true],
    ];
    expect(
      await evaluate(
        `map (s: p.specifierHolds s "3.11.2") ${toNix(
          cases.map(([s]) => s),
          "",
        )}`,
      ),
    ).toEqual(cases.map(([, holds]) => holds));
  });

  test("the wheel pip would pick: this ABI, then abi3, then pure Python; the newest manylinux the glibc allows; others refused", async () => {
    const wheels = [
      "numpy-2.4.6-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
      "numpy-2.4.6-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
      "numpy-2.4.6-cp311-cp311-musllinux_1_2_x86_64.whl",
      "numpy-2.4.6-cp311-cp311-manylinux_2_39_x86_64.whl",
      "numpy-2.4.6-cp312-cp312-manylinux_2_17_x86_64.whl",
      "numpy-2.4.6-cp311-cp311-manylinux_2_17_aarch64.whl",
      "cryptography-44.0.0-cp39-abi3-manylinux_2_28_x86_64.whl",
      "pytest-8.3.3-py3-none-any.whl",
      "colorama-0.4.6-py2.py3-none-any.whl",
      "six-1.16.0-py2-none-any.whl",
      "pkg-1.0-cp311-none-linux_x86_64.whl",
    ];
    const ranks = (await evaluate(`map (p.wheelRank python) ${toNix(wheels, "")}`)) as (number | null)[];
    const byName = Object.fromEntries(wheels.map((w, i) => [w, ranks[i]]));
    // glibc 2.36: manylinux_2_28 is preferred to manylinux2014; 2_39 and other systems' are refused.
    expect(byName[wheels[0]!]!).toBeLessThan(byName[wheels[1]!]!);
    for (const refused of [wheels[2], wheels[3], wheels[4], wheels[5], wheels[9]]) expect(byName[refused!]).toBeNull();
    // The stable ABI of an older CPython is below this CPython's own, above pure Python.
    expect(byName[wheels[1]!]!).toBeLessThan(byName[wheels[6]!]!);
    expect(byName[wheels[6]!]!).toBeLessThan(byName[wheels[7]!]!);
    expect(byName[wheels[7]!]).toBe(byName[wheels[8]!]);
    expect(byName[wheels[10]!]!).toBeLessThan(byName[wheels[7]!]!);
  });
});
