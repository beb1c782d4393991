import { describe, expect, test } from "vitest";
import {
  addRootArgs,
  buildArgs,
  buildersArgs,
  closureArgs,
  copyToArgs,
  flakeMetadataArgs,
  flakesProbeArgs,
  keyGenerateArgs,
  keyToPublicArgs,
  lockArgs,
  nixStoreArgs,
  outPathArgs,
  pathInfoArgs,
  printDevEnvArgs,
  showConfigArgs,
  storeGcArgs,
  substituteOnlyArgs,
  substituterArgs,
  versionArgs,
  type NixContext,
} from "../../src/nix/args.js";
import { drvName } from "../../src/nix/flake-attrs.js";
import { parseLogLine } from "../../src/nix/internal-json.js";
import { manifestErrorFromNix, parseFieldPath } from "../../src/manifest/nix-errors.js";
import { BuildMonitor } from "../../src/nix/progress.js";
import { untrustedExplanation } from "../../src/nix/substituters.js";
import { featuresOf, isSupported, parseNixVersion } from "../../src/nix/version.js";
import { createLogger } from "../../src/util/logger.js";
import { Writable } from "node:stream";

// What every build and print-dev-env call adds when this user may set it (src/nix/args.ts).
const DOWNLOAD_LIMITS = [
  "--option",
  "connect-timeout",
  "15",
  "--option",
  "stalled-download-timeout",
  "30",
  "--option",
  "download-attempts",
  "3",
];

describe("version detection", () => {
  test.each([
    [
      "nix (Nix) 2.8.0",
      { major: 2, minor: 8, lix: false },
      {
        pathInfoJsonMap: false,
        pathInfoJsonFormat: false,
        flakeUpdateInputs: false,
        configShow: false,
        storeInfo: false,
        concurrentEvalCache: false,
      },
    ],
    [
      "nix (Nix) 2.18.1",
      { major: 2, minor: 18 },
      {
        pathInfoJsonMap: false,
        pathInfoJsonFormat: false,
        flakeUpdateInputs: false,
        configShow: false,
        storeInfo: false,
        concurrentEvalCache: true,
      },
    ],
    [
      "nix (Nix) 2.31.2",
      { major: 2, minor: 31 },
      {
        pathInfoJsonMap: true,
        pathInfoJsonFormat: false,
        flakeUpdateInputs: true,
        configShow: true,
        storeInfo: true,
        concurrentEvalCache: true,
      },
    ],
    [
      "nix (Nix) 2.35.2",
      { major: 2, minor: 35 },
      {
        pathInfoJsonMap: true,
        pathInfoJsonFormat: true,
        flakeUpdateInputs: true,
        configShow: true,
        storeInfo: true,
        concurrentEvalCache: true,
      },
    ],
    [
      "nix (Lix, like Nix) 2.93.0",
      { major: 2, minor: 93, lix: true },
      {
        pathInfoJsonMap: false,
        pathInfoJsonFormat: false,
        flakeUpdateInputs: false,
        configShow: false,
        storeInfo: false,
        concurrentEvalCache: true,
      },
    ],
  ])("%s", (text, version, features) => {
    const parsed = parseNixVersion(text)!;
    expect(parsed).toMatchObject(version);
    expect(featuresOf(parsed)).toEqual(features);
    expect(isSupported(parsed)).toBe(true);
  });

  test("rejects 2.7 and garbage", () => {
    expect(isSupported(parseNixVersion("nix (Nix) 2.7.0")!)).toBe(false);
    expect(parseNixVersion("command not found")).toBeUndefined();
  });
});

describe("argv", () => {
  const ctx: NixContext = { projectDir: "/p", canSetSandbox: true };
  test("build: flakes on, sandbox on, internal-json, no link", () => {
    expect(buildArgs(ctx, ["packages.x86_64-linux.app"])).toEqual([
      "--extra-experimental-features",
      "nix-command flakes",
      "build",
      ".#packages.x86_64-linux.app",
      "--no-link",
      "--json",
      "--log-format",
      "internal-json",
      ...DOWNLOAD_LIMITS,
      "--option",
      "sandbox",
      "true",
    ]);
  });
  test("--nixpkgs overrides the input without touching flake.lock", () => {
    expect(buildArgs({ ...ctx, nixpkgsOverride: "path:/o" }, ["x"])).toEqual(
      expect.arrayContaining(["--override-input", "nixpkgs", "path:/o", "--no-write-lock-file"]),
    );
  });
  test("the sandbox option is left to nix.conf when this user may not set it", () => {
    expect(buildArgs({ ...ctx, canSetSandbox: false }, ["x"])).not.toContain("sandbox");
  });
  test("downloads are bounded; through a daemon, only with the one timeout it takes from any user", () => {
    expect(buildArgs(ctx, ["x"]).join(" ")).toContain(
      "--option connect-timeout 15 --option stalled-download-timeout 30 --option download-attempts 3",
    );
    const untrusted = buildArgs({ ...ctx, canSetSandbox: false }, ["x"]).join(" ");
    expect(untrusted).toContain("--option connect-timeout 15");
    expect(untrusted).not.toMatch(/stalled-download-timeout|download-attempts/);
  });
  test("print-dev-env: json, a profile as GC root, sandbox and override", () => {
    expect(printDevEnvArgs({ ...ctx, nixpkgsOverride: "path:/o" }, "/p/.nixkit/cache/shell/profile")).toEqual([
      "--extra-experimental-features",
      "nix-command flakes",
      "print-dev-env",
      ".",
      ...DOWNLOAD_LIMITS,
      "--option",
      "sandbox",
      "true",
      "--override-input",
      "nixpkgs",
      "path:/o",
      "--no-write-lock-file",
      "--json",
      "--profile",
      "/p/.nixkit/cache/shell/profile",
    ]);
  });
});

describe("a nix-daemon that does not trust the user", () => {
  // The daemon's words (Nix src/libstore/daemon.cc and globals), as it sends them to the client.
  const said = [
    "warning: ignoring untrusted substituter 'https://cache.example.org', you are not a trusted user.",
    "warning: ignoring the client-specified setting 'trusted-public-keys', because it is a restricted setting and you are not a trusted user",
  ];

  test("its trust warnings are kept aside, not shown raw; its other warnings are shown as warnings", () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) });
    const monitor = new BuildMonitor(createLogger({ stderr: sink, stdout: sink }));
    // The client logs what the daemon sends as plain text at error level (remote-store.cc).
    for (const msg of said) monitor.feed(`@nix ${JSON.stringify({ action: "msg", level: 0, msg })}`);
    monitor.feed(`@nix ${JSON.stringify({ action: "msg", level: 0, msg: "warning: something else" })}`);
    monitor.close();
    expect(monitor.untrusted).toEqual(said);
    expect(monitor.warnings).toEqual(["warning: something else"]);
    expect(monitor.errors).toEqual([]);
    expect(lines.join("")).not.toContain("trusted user");
    expect(lines.join("")).toContain("something else");
  });

  test("with a project cache: one message that the cache is unused, with the daemon-side fix", () => {
    const [message, ...rest] = untrustedExplanation(said, { url: "https://cache.example.org", publicKeys: ["cache:AAAA"] });
    expect(rest).toEqual([]);
    expect(message).toContain("ignores the project's cache https://cache.example.org");
    expect(message).toContain("`trusted-substituters = https://cache.example.org` and `trusted-public-keys = cache:AAAA`");
    expect(message).toContain("`trusted-users`");
  });

  test("without one: the daemon's own words, each once", () => {
    expect(untrustedExplanation([said[1]!, said[1]!], undefined)).toEqual([said[1]!.replace(/^warning: /, "")]);
  });
});

describe("internal-json log", () => {
  test("parses events and keeps plain text", () => {
    expect(parseLogLine('@nix {"action":"stop","id":3}')).toEqual({ action: "stop", id: 3 });
    expect(parseLogLine("plain")).toEqual({ action: "text", text: "plain" });
    expect(drvName("/nix/store/0123456789abcdfghijklmnpqrsvwxyz-app-1.0.drv")).toBe("app-1.0");
  });

  test("keeps each build's log and finds the failed derivation", () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) });
    const monitor = new BuildMonitor(createLogger({ stderr: sink, stdout: sink }));
    const drv = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-unit.drv";
    monitor.feed(`@nix ${JSON.stringify({ action: "start", id: 7, type: 105, text: "building", fields: [drv] })}`);
    monitor.feed(`@nix ${JSON.stringify({ action: "result", id: 7, type: 101, fields: ["FAIL case 1"] })}`);
    monitor.feed(
      `@nix ${JSON.stringify({ action: "msg", level: 0, msg: `\x1b[31merror:\x1b[0m builder for '${drv}' failed with exit code 1` })}`,
    );
    monitor.close();
    expect(monitor.logOf(drv)).toEqual(["FAIL case 1"]);
    expect(monitor.failedDerivations()).toEqual([drv]);
    expect(lines.join("")).toContain("[unit] FAIL case 1");
  });
});

test("on a TTY: a count, then one live line per build: name, phase, time it has run, last log line; queue time is not run time", () => {
  const chunks: string[] = [];
  const sink = Object.assign(new Writable({ write: (c, _e, done) => (chunks.push(String(c)), done()) }), { isTTY: true, columns: 100 });
  let now = 1_000;
  const monitor = new BuildMonitor(createLogger({ stderr: sink, stdout: sink, env: {} }), () => now);
  const start = (id: number, name: string) =>
    monitor.feed(
      `@nix ${JSON.stringify({ action: "start", id, type: 105, text: "", fields: [`/nix/store/0123456789abcdfghijklmnpqrsvwxyz-${name}.drv`] })}`,
    );
  monitor.feed(`@nix ${JSON.stringify({ action: "start", id: 9, type: 104, text: "", fields: [] })}`);
  monitor.feed(`@nix ${JSON.stringify({ action: "result", id: 9, type: 105, fields: [1, 3, 2, 0] })}`);
  start(1, "nixkit-test-unit");
  start(2, "app");
  now = 2_000; // test unit waited a second for a build slot
  monitor.feed(`@nix ${JSON.stringify({ action: "result", id: 1, type: 104, fields: ["buildPhase"] })}`);
  monitor.feed(`@nix ${JSON.stringify({ action: "result", id: 1, type: 101, fields: ["running 4 cases"] })}`);
  now = 5_500;
  monitor.render();
  expect(chunks.join("")).toContain("[1/3] building test unit (buildPhase 3s): running 4 cases\n      building app (waiting)");
  expect(monitor.finished).toEqual([]);
  monitor.feed(`@nix ${JSON.stringify({ action: "stop", id: 1 })}`);
  monitor.close();
  expect(monitor.finished).toEqual([{ drvPath: expect.stringContaining("nixkit-test-unit"), ms: 3_500 }]);
});

describe("manifest fields in Nix errors", () => {
  test("field paths parse back", () => {
    expect(parseFieldPath('builds["my app"].packages[2]')).toEqual(["builds", "my app", "packages", 2]);
    expect(parseFieldPath("shell.packages[0]")).toEqual(["shell", "packages", 0]);
  });
  test("an unknown package error gets its line:col", async () => {
    const text = "version: 1\nname: x\ninputs: {nixpkgs: a}\nshell:\n  packages: [jq, nosuch]\n";
    const error = await manifestErrorFromNix('error: nixkit.yaml shell.packages[1]: package "nosuch" is not in input "nixpkgs"', text);
    expect(error?.message).toBe('nixkit.yaml:5:18 shell.packages[1]: package "nosuch" is not in input "nixpkgs"');
    expect(error?.exitCode).toBe(2);
  });
});

describe("every nix argv, as arrays", () => {
  const ctx: NixContext = { projectDir: "/p", nixpkgsOverride: "path:/o", canSetSandbox: true };
  const nix28 = featuresOf(parseNixVersion("nix (Nix) 2.8.0")!);
  const nix235 = featuresOf(parseNixVersion("nix (Nix) 2.35.2")!);
  test("builders in src/nix/args.ts, for Nix 2.8 and the newest", () => {
    expect({
      build: buildArgs(ctx, ["packages.x86_64-linux.app", "/nix/store/x-y"], {
        outLink: "/r",
        keepGoing: true,
        rebuild: true,
        maxJobs: "auto",
        extraArgs: ["--x"],
      }),
      printDevEnv: printDevEnvArgs(ctx, "/p/prof", substituterArgs("https://c", ["k:1", "k:2"])),
      lock: lockArgs(["nixpkgs"], nix28),
      lockModern: lockArgs(["nixpkgs"], nix235),
      lockAll: lockArgs([], nix235),
      flakeMetadata: flakeMetadataArgs(),
      addRoot: addRootArgs(["/nix/store/a"], "/p/root"),
      outPaths: outPathArgs(ctx, "packages.x86_64-linux", ["app", 'we"ird']),
      pathInfo: pathInfoArgs(["/nix/store/a"], nix28, "file:///c"),
      pathInfoModern: pathInfoArgs(["/nix/store/a"], nix235, "file:///c"),
      closure: closureArgs("/nix/store/a", nix28),
      closureModern: closureArgs("/nix/store/a", nix235),
      copyTo: copyToArgs("file:///c?compression=zstd", ["/nix/store/a"]),
      storeGc: storeGcArgs(),
      keyGenerate: keyGenerateArgs("proj"),
      keyToPublic: keyToPublicArgs(),
      version: versionArgs(),
      showConfig: showConfigArgs(nix28),
      showConfigModern: showConfigArgs(nix235),
      flakesProbe: flakesProbeArgs(),
      builders: buildersArgs("@/p/.nixkit/cache/machines"),
      substituteOnly: substituteOnlyArgs("/s"),
      printRoots: nixStoreArgs.printRoots(),
      printDead: nixStoreArgs.printDead(),
      requisites: nixStoreArgs.requisites(["/nix/store/a"]),
    }).toMatchSnapshot();
  });
});

test("a script's last line without a newline: the phase marker Nix read into it is a phase, not log text", () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) });
  const monitor = new BuildMonitor(createLogger({ stderr: sink, stdout: sink }));
  const drv = "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nixkit-test-unit.drv";
  monitor.feed(`@nix ${JSON.stringify({ action: "start", id: 7, type: 105, text: "", fields: [drv, ""] })}`);
  monitor.feed(
    `@nix ${JSON.stringify({ action: "result", id: 7, type: 101, fields: ['all done@nix {"action":"setPhase","phase":"nixkit-script-done"}'] })}`,
  );
  monitor.close();
  expect(monitor.logOf(drv)).toEqual(["all done"]);
  expect(lines.join("")).not.toContain("@nix");
});

test("a git checkout path is refused only where Nix cannot use it: before 2.14, for what URLs do not allow", async () => {
  const { gitPathProblem } = await import("../../src/nix/version.js");
  const nix = (minor: number, lix = false) => ({ major: 2, minor, patch: 0, lix }) as never;
  for (const root of ["/tmp/a b", "/tmp/ünï", "/tmp/a#b", "/tmp/a?b", "/tmp/a[b]", "/tmp/a%b"]) {
    expect(gitPathProblem(nix(8), root), root).toMatch(/^Nix 2\.8 cannot use a flake in a git checkout whose path has /);
    for (const fixed of [nix(14), nix(24), nix(26), nix(35), nix(18, true)]) expect(gitPathProblem(fixed, root), root).toBeUndefined();
  }
  for (const root of ["/tmp/a'b", "/tmp/a$b", "/tmp/a+b", "/tmp/a@b", "/tmp/a%20b", "/home/me/src/app"])
    expect(gitPathProblem(nix(8), root), root).toBeUndefined();
  expect(gitPathProblem(nix(8), "/tmp/a b")).toContain("has a space");
  expect(gitPathProblem(nix(8), "/tmp/ünï")).toContain("has a non-ASCII character");
  expect(gitPathProblem(nix(8), "/tmp/a#b")).toContain('has "#"');
});

test("a tarball the registry no longer serves (HTTP 404) is told with what to do", async () => {
  const { missingDownload } = await import("../../src/nix/build-failures.js");
  expect(missingDownload("error: unable to download 'https://registry.example/left-pad/-/left-pad-1.3.0.tgz': HTTP error 404")).toMatch(
    /left-pad-1\.3\.0\.tgz is not served \(HTTP 404\): the registry no longer has that version .*run `npm install` to update package-lock\.json/,
  );
  expect(missingDownload("error: builder failed with exit code 1")).toBeUndefined();
});
