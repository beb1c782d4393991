// nixkit's parsers fed what real Nix releases printed (../shared/data/nix-outputs/<version>/, each
// file with the command that made it): Nix 2.8 (Debian 12), 2.24 (NixOS 24.11) and 2.35.
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { trustCheck } from "../../src/doctor/checks.js";
import type { StoreInfo } from "../../src/nix/driver.js";
import { BuildMonitor, failedDerivations } from "../../src/nix/progress.js";
import { nixReason } from "../../src/nix/process.js";
import { parseGcRoots, pathInfos } from "../../src/nix/store.js";
import { featuresOf, parseNixVersion } from "../../src/nix/version.js";
import { createLogger } from "../../src/util/logger.js";
import { sharedFile } from "../helpers.js";
import { Writable } from "node:stream";

/** A file of a release's outputs, or undefined (the test then checks nothing: outside CI only). */
const output = (version: string, name: string): string | undefined => {
  const file = sharedFile(`data/nix-outputs/${version}/${name}`);
  return file === undefined ? undefined : readFileSync(file, "utf8");
};

const quietLogger = () =>
  createLogger({
    stderr: new Writable({ write: (_c, _e, done) => done() }),
    stdout: new Writable({ write: (_c, _e, done) => done() }),
    env: {},
  });

/** Feeds an internal-json log through the monitor that follows nixkit's builds. */
function monitored(log: string): BuildMonitor {
  const monitor = new BuildMonitor(quietLogger());
  for (const line of log.split("\n")) monitor.feed(line);
  monitor.close();
  return monitor;
}

const VERSIONS = ["2.8.0", "2.24.15", "2.35.2"] as const;

test.each(VERSIONS)("Nix %s: the version and its gates", (version) => {
  const text = output(version, "version.out");
  if (!text) return;
  const parsed = parseNixVersion(text)!;
  expect(`${parsed.major}.${parsed.minor}.${parsed.patch}`).toBe(version);
  expect(featuresOf(parsed).pathInfoJsonMap).toBe(version !== "2.8.0");
});

describe("a failed build is found in the log", () => {
  test.each([
    ["2.8.0", "build-broken.err", /-broken\.drv$/],
    ["2.24.15", "build-broken.err", /-broken\.drv$/],
    ["2.35.2", "build-fails-internal-json-noL.err", /-fails\.drv$/],
    ["2.35.2", "build-keep-going-internal-json.err", /-fails\.drv$/],
  ])("Nix %s %s", (version, name, drv) => {
    const log = output(version, name);
    if (!log) return;
    const found = monitored(log).failedDerivations();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(drv);
  });

  test("local builds being disabled (--max-jobs 0) is not a builder's failure", () => {
    const text = output("2.35.2", "max-jobs-0.err");
    if (!text) return;
    expect(text).toContain("Cannot build");
    expect(failedDerivations(text)).toEqual([]);
  });
});

test.each([
  ["2.8.0", "build-rebuild-nondeterministic.err"],
  ["2.24.15", "build-rebuild-nondeterministic.err"],
  ["2.35.2", "build-rebuild-nondet-internal-json.err"],
])("Nix %s: a rebuild whose output differs is found (%s)", (version, name) => {
  const log = output(version, name);
  if (!log) return;
  expect(monitored(log).differingDerivations()).toHaveLength(1);
});

describe("why Nix failed, in one line", () => {
  test.each(["2.8.0", "2.24.15"])("Nix %s: an evaluation error says its reason, not a bare `error:`", (version) => {
    const text = output(version, "eval-error-plain.err");
    if (!text) return;
    expect(nixReason(text)).toBe("boom from nixpkgs");
  });
  test("Nix 2.35: a failed build says which and why", () => {
    const text = output("2.35.2", "build-fails.err");
    if (!text) return;
    expect(nixReason(text)).toMatch(/^Cannot build '\/nix\/store\/[0-9a-z]{32}-fails\.drv'\. Reason: builder failed with exit code 1\.$/);
  });
  test("Nix 2.8: a failed build says which", () => {
    const text = output("2.8.0", "build-broken-plain.err");
    if (!text) return;
    expect(nixReason(text)).toMatch(/^builder for '\/nix\/store\/[0-9a-z]{32}-broken\.drv' failed/);
  });
});

test.each(VERSIONS)("Nix %s: GC roots, their links unquoted", (version) => {
  const text = output(version, "gc-print-roots.out");
  if (!text) return;
  const roots = parseGcRoots(text);
  expect(roots.length).toBeGreaterThan(0);
  for (const { link, storePath } of roots) {
    expect(link).not.toMatch(/^"|"$/);
    expect(storePath).toMatch(/^\/nix\/store\/[0-9a-z]{32}-/);
  }
});

test.each([
  ["2.8.0", "path-info-recursive.out", false],
  ["2.24.15", "path-info-recursive.out", true],
  ["2.35.2", "path-info-json-format1-recursive.out", true],
  ["2.35.2", "path-info-json-recursive.out", true],
])("Nix %s: path-info (%s)", (version, name, isMap) => {
  const text = output(version, name);
  if (!text) return;
  const infos = pathInfos(JSON.parse(text), isMap);
  expect(infos.length).toBeGreaterThan(1);
  for (const info of infos) {
    expect(info.path).toMatch(/^\/nix\/store\/[0-9a-z]{32}-/);
    expect(info.narSize).toBeGreaterThan(0);
    expect(info.narHash).toMatch(/^sha256[-:]/);
  }
});

test("Nix 2.35: nix store info --json says whether the store trusts the user; doctor reports it", () => {
  const text = output("2.35.2", "store-info-json.out");
  if (!text) return;
  const info = JSON.parse(text) as StoreInfo;
  expect(info).toEqual({ trusted: true, url: "local", version: "2.35.2" });
  expect(trustCheck(info, undefined)).toEqual({ name: "trust", status: "PASS", detail: "local (Nix 2.35.2) trusts this user" });
  // The same answer from a daemon that does not trust the user, for a project with a cache.
  const untrusted = trustCheck({ ...info, url: "daemon", trusted: false }, { url: "https://cache.example.org", publicKeys: ["c:K"] })!;
  expect(untrusted.status).toBe("WARN");
  expect(untrusted.detail).toBe("nix-daemon (Nix 2.35.2) does not trust this user: it ignores the substituters and keys nixkit passes");
  expect(untrusted.fix).toBe(
    "add `trusted-substituters = https://cache.example.org` and `trusted-public-keys = c:K` to the daemon's nix.conf (or this user to `trusted-users`) and restart nix-daemon",
  );
  expect(trustCheck({ ...info, trusted: false }, undefined)!.status).toBe("PASS");
});
