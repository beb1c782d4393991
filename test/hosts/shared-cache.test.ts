// "CI builds once, every laptop downloads": host A (this machine) builds, tests and makes the
// image, then pushes everything (signed) to an HTTP binary cache (nginx WebDAV on the test
// network); host B, a second host (its own network namespace, reaching the cache over the link,
// and an empty /nix of its own), enters the dev shell, runs the tests (all cached, none run) and
// builds the image with the same digest, fetching instead of building.
import { execa } from "execa";
import { cpSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { cliPath, nixEnv, nixkit, tempDir, versioned } from "../helpers.js";
import { editFile, exampleProject } from "../e2e/project.js";
import { startBuilderHost, type BuilderHost } from "./builder-host.js";
import { startNginx, type Server } from "../e2e/servers.js";

let hostB: BuilderHost;
let server: Server;
beforeAll(async () => {
  hostB = await startBuilderHost();
  server = await startNginx(hostB.peer);
});
afterAll(async () => {
  await server?.stop();
  await hostB?.stop();
});

/** nixkit on host B, with its own nixkit caches. */
function onHostB(cacheHome: string) {
  return async (args: string[], cwd: string) =>
    execa("bash", hostB.runArgv([process.execPath, cliPath, ...args]), {
      cwd,
      reject: false,
      env: { ...nixEnv, XDG_CACHE_HOME: cacheHome },
    });
}

test(
  versioned(
    "host B, with an empty store, gets the shell, the test results and the image from the cache A pushed, building nothing",
    "substitution from a binary cache another host pushed",
  ),
  async () => {
    const stamp = `${process.pid}-${Date.now()}`;
    const a = exampleProject();
    const config = { XDG_CONFIG_HOME: tempDir() };
    const publicKey = (await nixkit(["cache", "keygen", "--name", `team-${process.pid}`], { env: config })).stdout.trim();
    editFile(
      path.join(a, "nixkit.yaml"),
      (t) =>
        t
          .replace(/GREETING: .*/, `GREETING: shared-${stamp}`)
          .replace('chmod +x "$out/bin/greet"', `chmod +x "$out/bin/greet"\n      echo ${stamp} > "$out/share/greet/stamp"`) +
        `cache:\n  url: ${server.url}\n  publicKeys: [${JSON.stringify(publicKey)}]\n`,
    );
    for (const args of [["build"], ["test"], ["run", "--", "true"]]) {
      const result = await nixkit(args, { cwd: a, env: config });
      expect(result.exitCode, `${args.join(" ")}: ${result.stderr}`).toBe(0);
    }
    const imageA = JSON.parse((await nixkit(["--json", "image", "build", "greeter"], { cwd: a })).stdout) as { digest: string };
    const keyFile = path.join(config.XDG_CONFIG_HOME, `nixkit/keys/team-${process.pid}.sec`);
    const push = await nixkit(["cache", "push", "--key-file", keyFile], { cwd: a, env: config });
    expect(push.exitCode, push.stderr).toBe(0);

    // Host B: a clone (the project's files, with flake.lock and the generated files) and an empty store.
    const b = tempDir("nixkit-host-b-");
    cpSync(a, b, { recursive: true, filter: (src) => !/\/(\.nixkit\/cache|result[^/]*)$/.test(src) });
    const onB = onHostB(tempDir());

    const shell = await onB(["run", "--", "printenv", "GREETING"], b);
    expect(shell.exitCode, shell.stderr).toBe(0);
    expect(shell.stdout.trim().split("\n").at(-1)).toBe(`shared-${stamp}`);
    const tests = await onB(["test"], b);
    expect(tests.exitCode, tests.stderr).toBe(0);
    expect(tests.stdout).toMatch(/\(0 ran, 1 cached\)/);
    const image = await onB(["--json", "image", "build", "greeter"], b);
    expect(image.exitCode, image.stderr).toBe(0);
    expect((JSON.parse(image.stdout) as { digest: string }).digest).toBe(imageA.digest);
    // Nothing was built on B: every path came from the cache, except the image root, a buildEnv
    // of links that nixpkgs never substitutes (allowSubstitutes = false), made here in no time.
    for (const run of [shell, tests]) expect(run.stderr).not.toMatch(/^building /m);
    expect(image.stderr.match(/^building .*/gm)).toEqual(["building nixkit-image-greeter"]);
    expect(readdirSync(hostB.storeDir).some((p) => p.endsWith("-greet"))).toBe(true);
  },
  120_000,
);
