// nixkit cache keygen|push|pull|status: a signed binary cache for what this project builds.
import type { Invocation } from "../cli.js";
import { knownRoots, parseKinds, type ClosureKind } from "../cache/closures.js";
import { generateKey } from "../cache/keys.js";
import { pushToCache } from "../cache/push.js";
import { probeCache, type Compression } from "../cache/store-url.js";
import { readManifest } from "../manifest/read.js";
import { EnvError, UserError, WorkFailed } from "../util/errors.js";
import { currentSystem } from "../util/system.js";
import type { CommandContext } from "./context.js";
import { prepareProject, withManifestErrors } from "./project.js";

export async function run(ctx: CommandContext, inv: Invocation): Promise<void> {
  const verb = inv.command.split(" ")[1]!;
  if (verb === "keygen") return keygen(ctx, inv);
  const loaded = verb === "pull" ? await prepareProject(ctx) : await readManifest(ctx.projectDir);
  const url = String(inv.options.to ?? inv.options.from ?? loaded.manifest.cache?.url ?? "");
  if (!url) throw new UserError("no cache URL: set cache.url in nixkit.yaml or pass --to/--from URL");
  const kinds = parseKinds(inv.args);
  if (!kinds) throw new UserError(`choose from shell, builds, tests, images or all, not "${inv.args.join(" ")}"`);
  const unreachable = await probeCache(url);
  if (unreachable) {
    ctx.logger.warn(`skipping the binary cache ${url}: ${unreachable}`);
    if (verb === "push") throw new EnvError(`cannot push to ${url}: ${unreachable}`);
    return;
  }
  const driver = ctx.driver();
  await driver.detect();
  const keys = loaded.manifest.cache?.publicKeys ?? [];

  if (verb === "push") {
    const roots = [...knownRoots(ctx.projectDir, kinds).values()].flat();
    if (roots.length === 0) return ctx.logger.result("nothing to push yet: run nixkit build, test, shell or image build first");
    const { signed } = await pushToCache(driver, ctx.logger, {
      url,
      roots,
      projectName: loaded.manifest.name,
      keyFile: inv.options.keyFile === undefined ? undefined : String(inv.options.keyFile),
      compression: (inv.options.compression ?? "zstd") as Compression,
    });
    return ctx.logger.json
      ? ctx.logger.data({ pushed: roots, to: url, signed })
      : ctx.logger.result(`pushed ${roots.length} root(s) and their closures to ${url}${signed ? ", signed" : ""}`);
  }

  if (verb === "status") {
    const report: { kind: ClosureKind; paths: number; missing: number; missingBytes: number }[] = [];
    for (const [kind, roots] of knownRoots(ctx.projectDir, kinds)) {
      const closure = roots.length ? (await driver.nixStore(["--query", "--requisites", ...roots])).split("\n").filter(Boolean) : [];
      const inCache = await driver.validPaths(closure, url);
      const missing = closure.filter((p) => !inCache.has(p));
      const sizes = await driver.narSizes(missing);
      report.push({ kind, paths: closure.length, missing: missing.length, missingBytes: [...sizes.values()].reduce((a, b) => a + b, 0) });
    }
    if (ctx.logger.json) return ctx.logger.data({ cache: url, closures: report });
    for (const r of report)
      ctx.logger.result(
        `${r.kind.padEnd(7)} ${r.paths} path(s), ${r.missing} missing from the cache (${(r.missingBytes / 1048576).toFixed(2)} MiB)`,
      );
    return;
  }

  // pull: substitute what the project's outputs need from the cache, building nothing locally.
  const system = currentSystem();
  const m = loaded.manifest;
  const attrs = [
    ...(kinds.includes("shell") ? [`devShells.${system}.default`] : []),
    ...(kinds.includes("builds") ? Object.keys(m.builds).map((n) => `packages.${system}.${n}`) : []),
    ...(kinds.includes("tests") ? Object.keys(m.tests).map((n) => `legacyPackages.${system}.nixkit.testReports.${n}`) : []),
    ...(kinds.includes("images") ? Object.keys(m.images).map((n) => `legacyPackages.${system}.nixkit.images.${n}`) : []),
  ];
  const options = [
    "--max-jobs",
    "0",
    "--option",
    "extra-substituters",
    url,
    ...(keys.length ? ["--option", "extra-trusted-public-keys", keys.join(" ")] : []),
    ...(inv.options.store ? ["--store", String(inv.options.store)] : []),
  ];
  const outcome = await withManifestErrors(loaded, () => driver.buildAll(attrs, { extraArgs: options, keepGoing: true }));
  if (outcome.error) {
    const nixText = [...outcome.warnings, outcome.error.nixMessage].join("\n");
    if (/is not signed by any of the keys/.test(nixText)) {
      throw new WorkFailed(
        `refused: the cache ${url} has paths signed by none of cache.publicKeys (${keys.join(", ") || "none listed"}); nothing was substituted from it`,
      );
    }
    if (/hash mismatch|bad archive|NAR/i.test(nixText))
      throw new WorkFailed(`refused: the cache ${url} served a corrupt NAR (${outcome.error.message.replace(/^nix build failed: /, "")})`);
    throw outcome.error;
  }
  ctx.logger.result(`pulled ${attrs.length} output(s) from ${url}`);
}

async function keygen(ctx: CommandContext, inv: Invocation): Promise<void> {
  const name = inv.options.name ? String(inv.options.name) : (await readManifest(ctx.projectDir)).manifest.name;
  const { publicKey, secretFile } = await generateKey(ctx.driver(), name, Boolean(inv.options.force));
  if (ctx.logger.json) return ctx.logger.data({ publicKey, secretKeyFile: secretFile });
  ctx.logger.info(`secret key: ${secretFile} (mode 0600; keep it out of the repository)`);
  ctx.logger.info("add the public key to nixkit.yaml under cache.publicKeys:");
  ctx.logger.result(publicKey);
}
