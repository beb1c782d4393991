import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

it("prints the title and the slug", () => {
  expect(execFileSync(process.execPath, [cli, "hello", "nix"], { encoding: "utf8" })).toBe("Hello Nix -> hello-nix\n");
});
