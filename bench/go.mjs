// Go modules in the sandbox, against the go command itself. Usage: npm run bench:go
//   the fixture module (uuid, go-cmp), cold: nixkit generate records the
//   modules' hashes, Nix fetches them, `go mod download` fills the module cache and the binary is
//   built  vs  `go mod download && go build` with an empty module and build cache, same run
//   the same build again, nothing changed
// Go's proxy is the one `go env GOPROXY` names.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { cli, nixpkgs, root, seconds, system, time } from "./common.mjs";

const RUN_ID = `${process.pid}-${Date.now()}`;
const work = mkdtempSync(path.join(os.tmpdir(), "nixkit-bench-go-"));
const offlineNixpkgs = nixpkgs();

// The go command's own cold build: empty module cache and build cache.
const goDir = path.join(work, "go");
cpSync(path.join(root, "test/fixtures/go-greeter"), goDir, { recursive: true });
const goEnv = { GOMODCACHE: path.join(work, "gomodcache"), GOCACHE: path.join(work, "gocache"), GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod" };
const own = time("sh", ["-c", "go mod download && go build -trimpath -o greet ./cmd/greet"], goDir, goEnv);

// nixkit: a project of its own (its build is new), modules not yet in the store.
const project = path.join(work, "project");
cpSync(path.join(root, "test/fixtures/go-greeter"), project, { recursive: true });
writeFileSync(
  path.join(project, "nixkit.yaml"),
  `version: 1\nname: bench\nsystems: [${system}]\ninputs:\n  nixpkgs: "${offlineNixpkgs}"\nbuilds:\n  greet:\n    go: {}\n    script: go build -trimpath -o $out/bin/greet ./cmd/greet && echo ${RUN_ID} > $out/run\n`,
);
const dead = execFileSync("nix-store", ["--gc", "--print-dead"], { stdio: ["ignore", "pipe", "ignore"], maxBuffer: 256 << 20 })
  .toString()
  .split("\n")
  .filter((p) => /\.(zip|mod)$|-go-modules$|-go-module-proxy$/.test(p));
for (const p of dead) spawnSync("nix-store", ["--delete", p], { stdio: "ignore" });
const cold = time(process.execPath, [cli, "-C", project, "-v", "build"], project);
const downloads = (log) =>
  new Set([...log.matchAll(/^download(?:ing|ed) (\S+\.(?:zip|mod))(?: \(while generating\))?$/gm)].map((m) => m[1])).size;
const again = time(process.execPath, [cli, "-C", project, "-v", "build"], project);
// A build of the same module cache with a code change: the compile alone.
writeFileSync(path.join(project, "greet.go"), `${String(execFileSync("cat", [path.join(project, "greet.go")]))}\n// ${RUN_ID}\n`);
const changed = time(process.execPath, [cli, "-C", project, "-v", "build"], project);

console.log(
  `go-greeter: go.sum of ${
    String(execFileSync("wc", ["-l", path.join(project, "go.sum")]))
      .trim()
      .split(" ")[0]
  } lines, ${system}`,
);
console.log(`go mod download && go build, empty caches:  ${seconds(own.ms)}`);
console.log(
  `nixkit build, cold (record, fetch, build):  ${seconds(cold.ms)}  ${(cold.ms / own.ms).toFixed(2)}x go  (${downloads(cold.stderr)} module files fetched)`,
);
console.log(`nixkit build, nothing changed:              ${seconds(again.ms)}`);
console.log(
  `nixkit build, a code change:                ${seconds(changed.ms)}  (${/^building go-modules$/m.test(changed.stderr) ? "module cache made again" : "module cache reused"})`,
);
console.log(`RESULT go_cold_s=${(cold.ms / 1000).toFixed(2)} ratio=${(cold.ms / own.ms).toFixed(2)}`);
console.log(`RESULT go_noop_s=${(again.ms / 1000).toFixed(2)}`);
// (the module cache is read-only, as Go makes it)
spawnSync("chmod", ["-R", "u+w", work]);
rmSync(work, { recursive: true, force: true });
