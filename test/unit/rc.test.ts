import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { bashPath } from "../../src/shell/launch.js";
import { renderRc, type DevEnvJson } from "../../src/shell/rc.js";
import { tempDir } from "../helpers.js";

const env: DevEnvJson = {
  bashFunctions: { greet: ' \n    echo "hi $1"\n' },
  variables: {
    PATH: { type: "exported", value: "/nix/store/aaa-tool/bin" },
    FOO: { type: "exported", value: 'it\'s "quoted" $HOME ${x} `id`\nline2' },
    shellVar: { type: "var", value: "not exported" },
    list: { type: "array", value: ["a b", "c"] },
    HOME: { type: "exported", value: "/homeless-shelter" },
    TMPDIR: { type: "exported", value: "/build" },
    out: { type: "exported", value: "/nix/store/bbb-shell-env" },
    outputs: { type: "var", value: "out" },
    shellHook: { type: "exported", value: 'echo hook-ran; greet there; export FROM_HOOK="${list[0]}"' },
  },
};

function runRc(command: string, extraEnv: Record<string, string> = {}) {
  const dir = tempDir();
  const rc = path.join(dir, "env.rc");
  writeFileSync(rc, renderRc(env, "/nix/store/ccc-root"));
  return execFileSync(bashPath(), ["--norc", "--noprofile", "-c", `source "$0" && ${command}`, rc], {
    cwd: dir,
    env: { PATH: "/usr/bin:/bin", HOME: "/home/me", ...extraEnv },
  }).toString();
}

test("functions and the hook run; exact values survive quoting; the caller's PATH is appended; HOME stays the caller's", () => {
  const out = runRc('printf "%s\\0" "$FOO" "$shellVar" "$PATH" "$HOME" "$FROM_HOOK" "$NIX_GCROOT" "$out" "$(env | grep -c ^shellVar=)"', {
    TMPDIR: "/mine",
  });
  const values = out.slice(out.indexOf("hi there\n") + "hi there\n".length).split("\0");
  expect(values.slice(0, 8)).toEqual([
    'it\'s "quoted" $HOME ${x} `id`\nline2',
    "not exported",
    "/nix/store/aaa-tool/bin:/usr/bin:/bin",
    "/home/me",
    "a b",
    "/nix/store/ccc-root",
    expect.stringMatching(/\/outputs\/out$/),
    "0",
  ]);
});

test("an empty caller PATH (--pure) adds nothing", () => {
  const out = runRc('printf "%s" "$PATH"', { PATH: "" });
  expect(out.split("\n").at(-1)).toBe("/nix/store/aaa-tool/bin");
});

test("on macOS the environment's own bash runs the rc (not /bin/bash 3.2); elsewhere the caller's", () => {
  const dir = tempDir();
  const bin = path.join(dir, "bash-5.2", "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, "bash"), "");
  const rc = path.join(dir, "env.rc");
  writeFileSync(
    rc,
    renderRc({ ...env, variables: { ...env.variables, PATH: { type: "exported", value: `/nix/store/aaa-tool/bin:${bin}` } } }),
  );
  expect(readFileSync(rc, "utf8").split("\n")[1]).toBe(`# nixkit-bash: ${bin}/bash`);
  expect(bashPath({ PATH: "/usr/bin:/bin" }, rc, "darwin")).toBe(`${bin}/bash`);
  expect(bashPath({ PATH: "/usr/bin:/bin" }, rc, "linux")).not.toBe(`${bin}/bash`);
  // An rc written before nixkit recorded the bash: the caller's.
  writeFileSync(rc, renderRc(env));
  expect(bashPath({ PATH: "/usr/bin:/bin" }, rc, "darwin")).not.toContain("bash-5.2");
});
