// `npm config get registry` is remembered by the content of everything npm reads it from: any
// change there asks npm again, and a setting that moves npm's files is never guessed at.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { registryKey } from "../../src/node/npm-config.js";
import { tempDir } from "../helpers.js";

test("the key follows the project's and the user's .npmrc, npm_config_* and interpolated variables", () => {
  const home = tempDir();
  const project = tempDir();
  const env = { PATH: process.env.PATH, HOME: home };
  const key = (extra: NodeJS.ProcessEnv = {}) => registryKey(project, { ...env, ...extra });
  const plain = key();
  expect(plain).toMatch(/^[0-9a-f]{64}$/);
  expect(key()).toBe(plain);
  writeFileSync(path.join(project, ".npmrc"), "registry=https://a.example/\n");
  const projectSet = key();
  expect(projectSet).not.toBe(plain);
  writeFileSync(path.join(home, ".npmrc"), "//a.example/:_authToken=${TOKEN}\n");
  const userSet = key();
  expect(userSet).not.toBe(projectSet);
  expect(key({ TOKEN: "x" })).not.toBe(userSet);
  expect(key({ npm_config_registry: "https://b.example/" })).not.toBe(userSet);
  expect(key({ NPM_CONFIG_REGISTRY: "https://b.example/" })).not.toBe(userSet);
  writeFileSync(path.join(home, ".npmrc"), "prefix=/opt/npm\n");
  expect(key()).toBeUndefined();
});
