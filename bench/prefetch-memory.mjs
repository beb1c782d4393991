// Peak memory of one npm tarball download as the prefetch makes it (src/node/download.ts:
// streamed to disk while hashed) for a 2 GiB body served on 127.0.0.1, against the same
// download held in memory as the prefetch did before (the whole body as one buffer, then hashed),
// and against a 1 MiB body (the bound should not move with the size). Each download runs in a
// child process of its own, which reports its peak RSS. Usage: npm run bench:prefetch
import { build } from "esbuild";
import { execFile, execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const MiB = 1024 * 1024;
const BIG = Number(process.env.BENCH_MIB ?? 2048);
const work = mkdtempSync(path.join(os.tmpdir(), "nixkit-bench-prefetch-"));

// The module under test, bundled from the source as the CLI bundles it.
const module = path.join(work, "download.mjs");
await build({
  entryPoints: [path.join(root, "src/node/download.ts")],
  bundle: true,
  platform: "node",
  format: "esm",
  outfile: module,
  logLevel: "warning",
});

// A body of `mib` MiB: one random MiB repeated, so its hash is known without holding it.
const block = randomBytes(MiB);
const sriOf = (mib) => {
  const hash = createHash("sha512");
  for (let i = 0; i < mib; i++) hash.update(block);
  return `sha512-${hash.digest("base64")}`;
};
const server = createServer((req, res) => {
  const mib = Number(new URL(req.url, "http://x").searchParams.get("mib"));
  res.writeHead(200, { "content-length": String(mib * MiB) });
  let sent = 0;
  const pump = () => {
    while (sent < mib) {
      sent++;
      if (!res.write(block)) return res.once("drain", pump);
    }
    res.end();
  };
  pump();
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address();

const streamed = `
import { downloadChecked } from ${JSON.stringify(module)};
const [url, file, sri] = process.argv.slice(1);
await downloadChecked(url, file, sri, {});
console.log(process.resourceUsage().maxRSS);`;
const buffered = `
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
const [url, file, sri] = process.argv.slice(1);
const bytes = Buffer.from(await (await fetch(url)).arrayBuffer());
if (createHash("sha512").update(bytes).digest("base64") !== sri.slice(7)) throw new Error("mismatch");
writeFileSync(file, bytes);
console.log(process.resourceUsage().maxRSS);`;

function peakMiB(script, mib) {
  const file = path.join(work, `body-${mib}-${Math.random()}`);
  // The server runs in this process: the child must not block it, so it is started asynchronously.
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", script, `http://127.0.0.1:${port}/x.tgz?mib=${mib}`, file, sriOf(mib)],
      (error, stdout) => {
        rmSync(file, { force: true });
        if (error) reject(error);
        else resolve(Number(stdout.trim()) / 1024);
      },
    );
  });
}

const bare = Number(execFileSync(process.execPath, ["-e", "console.log(process.resourceUsage().maxRSS)"]).toString()) / 1024;
const small = await peakMiB(streamed, 1);
const big = await peakMiB(streamed, BIG);
// Held in memory, 2 GiB does not even hash (Node: "data is too long"): the before figure is at 1 GiB.
const BEFORE = Math.min(BIG, 1024);
const before = await peakMiB(buffered, BEFORE);
server.close();
rmSync(work, { recursive: true, force: true });

console.log(`peak RSS of one download, node ${process.version}`);
console.log("case".padEnd(44) + "MiB".padStart(10));
for (const [name, value] of [
  ["node -e 0", bare],
  ["streamed, 1 MiB body", small],
  [`streamed, ${BIG} MiB body (nixkit)`, big],
  [`held in memory, ${BEFORE} MiB body (before)`, before],
])
  console.log(name.padEnd(44) + value.toFixed(0).padStart(10));
console.log(`RESULT prefetch_rss_${BIG}mib_mib=${big.toFixed(0)} ratio=${(big / before).toFixed(3)} (to ${BEFORE} MiB held in memory)`);
console.log(`RESULT prefetch_rss_growth_1mib_to_${BIG}mib_mib=${(big - small).toFixed(0)} ratio=${(big / small).toFixed(2)}`);
