import path from "node:path";
import { expect, test } from "vitest";
import { parseNpmrc, readNpmrc } from "../../src/node/npm-auth.js";
import { tempDir, writeTree } from "../helpers.js";

// npm exports its own settings to what it runs (npm_config_userconfig among them): not these tests'.
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_config_/i.test(name)));

test("parseNpmrc: comments, quotes and ${VAR} (${VAR?}) from the environment, an unset one empty", () => {
  const text = '# a comment\n; another\nregistry = "https://r.example.invalid/"\n//r.example.invalid/:_authToken=${TOKEN}\nx=${UNSET?}\n';
  expect(parseNpmrc(text, { TOKEN: "t0k" })).toEqual([
    ["registry", "https://r.example.invalid/"],
    ["//r.example.invalid/:_authToken", "t0k"],
    ["x", ""],
  ]);
});

test("readNpmrc: scope registries and npm's credential rule (the longest //HOST/PATH/ that starts the URL), the project's file over the user's", () => {
  const home = tempDir();
  const project = tempDir();
  writeTree(home, {
    ".npmrc":
      "@corp:registry=https://npm.corp.invalid/api/\n//npm.corp.invalid/:_authToken=${HOME_TOKEN}\n//other.invalid/:_auth=dXNlcjpwYXNz\n",
  });
  writeTree(project, {
    ".npmrc": "//npm.corp.invalid/api/:_authToken=project-token\n",
    "app/.npmrc": "//basic.invalid/:username=me\n//basic.invalid/:_password=cGFzcw==\n",
  });
  const view = readNpmrc(project, [path.join(project, "app")], { ...baseEnv, HOME: home, HOME_TOKEN: "home-token" });
  expect(view.scopes).toEqual({ "@corp": "https://npm.corp.invalid/api" });
  expect(view.authorization("https://npm.corp.invalid/api/@corp/x/-/x-1.0.0.tgz")).toBe("Bearer project-token");
  expect(view.authorization("https://npm.corp.invalid/elsewhere/x.tgz")).toBe("Bearer home-token");
  expect(view.authorization("https://other.invalid/x/-/x-1.tgz")).toBe("Basic dXNlcjpwYXNz");
  expect(view.authorization("https://basic.invalid/x/-/x-1.tgz")).toBe(`Basic ${Buffer.from("me:pass").toString("base64")}`);
  expect(view.authorization("https://public.invalid/x/-/x-1.tgz")).toBeUndefined();
});

test("readNpmrc: a scope registry with credentials in its URL is refused, without printing them", () => {
  const project = tempDir();
  writeTree(project, { ".npmrc": "@corp:registry=https://me:hunter2@npm.corp.invalid/\n" });
  expect(() => readNpmrc(project, [project], { ...baseEnv, HOME: tempDir() })).toThrow(
    /@corp:registry is not an http\(s\) URL without credentials/,
  );
  try {
    readNpmrc(project, [project], { ...baseEnv, HOME: tempDir() });
  } catch (error) {
    expect((error as Error).message).not.toContain("hunter2");
  }
});
