// Prepares the offline package set once for all e2e tests, through the built CLI.
import { execa } from "execa";
import { existsSync } from "node:fs";
import path from "node:path";

export default async function setup({ provide }: { provide: (key: string, value: string) => void }) {
  const cli = path.resolve("bin/nixkit.cjs");
  if (!existsSync(path.resolve("dist/nixkit.cjs"))) throw new Error("run `npm run build` before the e2e tests (npm test does)");
  const { stdout } = await execa("node", [cli, "offline-pkgs"]);
  provide("offlinePkgs", stdout.trim());
}

declare module "vitest" {
  export interface ProvidedContext {
    offlinePkgs: string;
  }
}
