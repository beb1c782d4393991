// `nix config show` is remembered per binary and configuration: any change to what Nix reads its
// settings from asks Nix again; an include, or a damaged entry, is never trusted.
import { chmodSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { cachedConfiguration, configFiles, configKey } from "../../src/nix/config-cache.js";
import { tempDir } from "../helpers.js";

function fakeNix(dir: string): string {
  const binary = path.join(dir, "nix");
  writeFileSync(binary, "#!/bin/sh\n");
  chmodSync(binary, 0o755);
  return binary;
}

describe("the configuration key", () => {
  test("reads the files Nix reads, in its order", () => {
    expect(configFiles({ HOME: "/h" })).toEqual(["/etc/nix/nix.conf", "/h/.config/nix/nix.conf", "/etc/xdg/nix/nix.conf"]);
    expect(configFiles({ NIX_CONF_DIR: "/c", NIX_USER_CONF_FILES: "/a:/b", HOME: "/h" })).toEqual(["/c/nix.conf", "/a", "/b"]);
    expect(configFiles({ HOME: "/h", XDG_CONFIG_HOME: "/x", XDG_CONFIG_DIRS: "/d1:/d2" })).toEqual([
      "/etc/nix/nix.conf",
      "/x/nix/nix.conf",
      "/d1/nix/nix.conf",
      "/d2/nix/nix.conf",
    ]);
  });

  test("changes with a conf file's bytes, NIX_CONFIG and the binary; is absent for an include", () => {
    const dir = tempDir();
    const binary = fakeNix(dir);
    const conf = path.join(dir, "user.conf");
    const env = { NIX_CONF_DIR: dir, NIX_USER_CONF_FILES: conf, HOME: dir };
    const key = () => configKey(binary, env);
    const absent = key();
    expect(absent).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(conf, "substituters = https://a.example\n");
    const first = key();
    expect(first).not.toBe(absent);
    writeFileSync(conf, "substituters = https://b.example\n");
    expect(key()).not.toBe(first);
    expect(configKey(binary, { ...env, NIX_CONFIG: "sandbox = false" })).not.toBe(key());
    writeFileSync(conf, "!include other.conf\n");
    expect(key()).toBeUndefined();
    writeFileSync(conf, "");
    expect(configKey(binary, { ...env, NIX_CONFIG: "include /x.conf" })).toBeUndefined();
    const before = key();
    writeFileSync(binary, "#!/bin/sh\n# another build\n");
    expect(key()).not.toBe(before);
  });
});

describe("the remembered settings", () => {
  test("asked once per configuration; a damaged entry is asked again", async () => {
    const dir = tempDir();
    const binary = fakeNix(dir);
    const saved = { ...process.env };
    Object.assign(process.env, { XDG_CACHE_HOME: dir, NIX_CONF_DIR: dir, NIX_USER_CONF_FILES: path.join(dir, "u.conf") });
    try {
      let asked = 0;
      const ask = async () => ({ substituters: [`https://s${++asked}.example`] });
      expect(await cachedConfiguration(binary, ask)).toEqual({ substituters: ["https://s1.example"] });
      expect(await cachedConfiguration(binary, ask)).toEqual({ substituters: ["https://s1.example"] });
      expect(asked).toBe(1);
      writeFileSync(path.join(dir, "u.conf"), "substituters =\n");
      expect(await cachedConfiguration(binary, ask)).toEqual({ substituters: ["https://s2.example"] });
      const file = path.join(dir, "nixkit", "nix-config.json");
      const { readFileSync } = await import("node:fs");
      writeFileSync(file, readFileSync(file, "utf8").replace("s2.example", "evil.example"));
      expect(await cachedConfiguration(binary, ask)).toEqual({ substituters: ["https://s3.example"] });
    } finally {
      process.env = saved;
    }
  });
});
