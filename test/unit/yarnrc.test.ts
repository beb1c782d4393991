import path from "node:path";
import { expect, test } from "vitest";
import { readYarnrc } from "../../src/node/yarnrc.js";
import { tempDir, writeTree } from "../helpers.js";

test("readYarnrc: npmRegistryServer, scopes, and credentials at the top, per scope and per registry; the project's file over the user's", () => {
  const home = tempDir();
  const project = tempDir();
  writeTree(home, { ".yarnrc.yml": 'npmRegistryServer: "https://mirror.invalid/npm/"\nnpmAuthToken: "${MIRROR_TOKEN}"\n' });
  writeTree(project, {
    ".yarnrc.yml": [
      "npmScopes:",
      "  corp:",
      '    npmRegistryServer: "https://npm.corp.invalid/api"',
      '    npmAuthToken: "${CORP_TOKEN:-fallback}"',
      "npmRegistries:",
      '  "//basic.invalid/":',
      '    npmAuthIdent: "me:pass"',
      "",
    ].join("\n"),
    "app/.yarnrc.yml": 'npmScopes:\n  corp:\n    npmAuthToken: "${APP_TOKEN-}"\n',
  });
  const env = { HOME: home, MIRROR_TOKEN: "m", APP_TOKEN: "a" };
  const view = readYarnrc(project, path.join(project, "app"), env);
  expect(view.registry).toBe("https://mirror.invalid/npm");
  expect(view.scopes).toEqual({ "@corp": "https://npm.corp.invalid/api" });
  // The member's file sets the scope's token over the project's; the scope keeps its server.
  expect(view.authorization("https://npm.corp.invalid/api/@corp/x/-/x-1.0.0.tgz")).toBe("Bearer a");
  expect(view.authorization("https://mirror.invalid/npm/left-pad/-/left-pad-1.3.0.tgz")).toBe("Bearer m");
  expect(view.authorization("https://basic.invalid/x/-/x-1.tgz")).toBe(`Basic ${Buffer.from("me:pass").toString("base64")}`);
  expect(view.authorization("https://public.invalid/x/-/x-1.tgz")).toBeUndefined();
  expect(readYarnrc(project, project, { HOME: home }).authorization("https://npm.corp.invalid/api/x.tgz")).toBe("Bearer fallback");
});

test("readYarnrc: a registry URL with credentials in it is refused, without printing them", () => {
  const project = tempDir();
  writeTree(project, { ".yarnrc.yml": 'npmRegistryServer: "https://me:hunter2@npm.invalid"\n' });
  expect(() => readYarnrc(project, project, { HOME: tempDir() })).toThrow(/npmRegistryServer is not an http\(s\) URL without credentials/);
  expect(() => readYarnrc(project, project, { HOME: tempDir() })).not.toThrow(/hunter2/);
});
