// Python from uv.lock in the sandbox, against uv and pip themselves. Usage: npm run bench:python
//   a real uv.lock (pandas, scikit-learn, pytest: numpy, scipy…), cold: Nix fetches every wheel and
//   nixkit installs the venv in the sandbox  vs  `uv sync --frozen` and `pip install --require-hashes`
//   with empty caches, same machine, same run
//   the same build again, nothing changed (no fetch, no install)
//   pytest (a model trained and checked) under `nixkit test` with the venv built  vs  the same
//   pytest run on the host in uv's venv
// uv is the one scripts/setup.sh installs; the index is the one uv and pip are configured with.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { cli, nixpkgs, seconds, system, time } from "./common.mjs";

const RUN_ID = `${process.pid}-${Date.now()}`;
const work = mkdtempSync(path.join(os.tmpdir(), "nixkit-bench-python-"));
const offlineNixpkgs = nixpkgs();
const uv = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "nixkit-tests/uv-0.13.10/bin/uv");

// The project and its lock, made by uv.
const lockProject = path.join(work, "lock");
mkdirSync(path.join(lockProject, "tests"), { recursive: true });
writeFileSync(
  path.join(lockProject, "pyproject.toml"),
  `[project]\nname = "bench"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = ["pandas==2.2.3", "scikit-learn==1.5.2"]\n\n[dependency-groups]\ndev = ["pytest==8.3.3"]\n`,
);
writeFileSync(
  path.join(lockProject, "tests/test_model.py"),
  `import numpy as np\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\n\ndef test_model():\n    rng = np.random.default_rng(0)\n    frame = pd.DataFrame({"a": rng.normal(size=2000), "b": rng.normal(size=2000)})\n    model = LogisticRegression().fit(frame[["a", "b"]], (frame.a > frame.b).astype(int))\n    assert model.score(frame[["a", "b"]], (frame.a > frame.b).astype(int)) > 0.95\n`,
);
time(uv, ["lock", "--exclude-newer", "2026-11-01", "-q"], lockProject);
const packages = (readFileSync(path.join(lockProject, "uv.lock"), "utf8").match(/^\[\[package\]\]$/gm) ?? []).length;
time(uv, ["export", "--frozen", "--no-emit-project", "-q", "-o", "requirements.txt"], lockProject);

// uv's own frozen sync, and pip's hashed install, each with an empty cache.
const uvDir = path.join(work, "uv");
cpSync(lockProject, uvDir, { recursive: true });
// (with the interpreter the offline package set imports: the same Python on both sides)
const uvSync = time(uv, ["sync", "--frozen", "-q", "--python", "/usr/bin/python3"], uvDir, { UV_CACHE_DIR: path.join(work, "uv-cache") });
// and with bytecode compiled at install, as nixkit does (a venv in the store cannot write it later)
const uvCompiledDir = path.join(work, "uv-compiled");
cpSync(lockProject, uvCompiledDir, { recursive: true });
const uvCompiled = time(uv, ["sync", "--frozen", "-q", "--compile-bytecode", "--python", "/usr/bin/python3"], uvCompiledDir, {
  UV_CACHE_DIR: path.join(work, "uv-cache-compiled"),
});
const pipDir = path.join(work, "pip");
cpSync(lockProject, pipDir, { recursive: true });
time("/usr/bin/python3", ["-m", "venv", path.join(pipDir, "venv")], pipDir);
const pip = time(
  path.join(pipDir, "venv/bin/pip"),
  ["install", "-q", "--no-cache-dir", "--disable-pip-version-check", "--require-hashes", "-r", "requirements.txt"],
  pipDir,
);

// nixkit: a store without the venv and its wheels.
const project = path.join(work, "project");
cpSync(lockProject, project, { recursive: true });
writeFileSync(
  path.join(project, "nixkit.yaml"),
  `version: 1\nname: bench\nsystems: [${system}]\ninputs:\n  nixpkgs: "${offlineNixpkgs}"\nbuilds:\n  deps:\n    python: { lockfile: uv.lock }\n    script: python -c "import sklearn, pandas" && mkdir -p $out && echo run-${RUN_ID} > $out/run\ntests:\n  model:\n    python: { lockfile: uv.lock }\n    script: pytest -q -p no:cacheprovider --junitxml=$NIXKIT_REPORTS/junit.xml tests\n`,
);
time(process.execPath, [cli, "-C", project, "generate"], project);
const installs = JSON.parse(time("nix", ["eval", "--json", `.#legacyPackages.${system}.nixkit.npmInstalls`], project).stdout);
for (const store of [...installs.map((i) => i.install), ...installs.flatMap((i) => i.downloads.map((d) => d.path))]) {
  // With what refers to it (earlier runs' builds and test reports); a path still in use stays, and
  // then this is not a cold run: the figure says so by the wheels it fetched.
  const referrers = spawnSync("nix-store", ["--query", "--referrers-closure", store], { encoding: "utf8" }).stdout ?? "";
  for (const path of referrers.split("\n").filter(Boolean).reverse()) spawnSync("nix-store", ["--delete", path], { stdio: "ignore" });
}
const cold = time(process.execPath, [cli, "-C", project, "-v", "build"], project);
const downloads = (log) => new Set([...log.matchAll(/^downloading (\S+\.whl)$/gm)].map((m) => m[1])).size;
const installed = (log) => /^building python3\.\d+-uv-lock-env$/m.test(log);
const again = time(process.execPath, [cli, "-C", project, "-v", "build"], project);

// pytest: under nixkit (the venv built, the test run again: -r-less, so a change makes it run) vs on the host.
time(process.execPath, [cli, "-C", project, "test"], project);
writeFileSync(
  path.join(project, "tests/test_model.py"),
  readFileSync(path.join(project, "tests/test_model.py"), "utf8") + `\n# run ${RUN_ID}\n`,
);
const nixkitPytest = time(process.execPath, [cli, "-C", project, "test"], project);
// (twice: uv does not compile bytecode at install, the first run does)
time(path.join(uvDir, ".venv/bin/pytest"), ["-q", "-p", "no:cacheprovider", "tests"], uvDir);
const hostPytest = time(path.join(uvDir, ".venv/bin/pytest"), ["-q", "-p", "no:cacheprovider", "tests"], uvDir);

console.log(`uv.lock: ${packages} packages (pandas, scikit-learn, pytest), ${system}`);
console.log(`uv sync --frozen, empty cache:                 ${seconds(uvSync.ms)}`);
console.log(`uv sync --frozen --compile-bytecode, empty:  ${seconds(uvCompiled.ms)}`);
console.log(`pip install --require-hashes, no cache:        ${seconds(pip.ms)}`);
console.log(
  `nixkit build, cold (fetch+install):            ${seconds(cold.ms)}  ${(cold.ms / uvSync.ms).toFixed(2)}x uv  ${(cold.ms / uvCompiled.ms).toFixed(2)}x uv compiled  ${(cold.ms / pip.ms).toFixed(2)}x pip  (${downloads(cold.stderr)} wheels fetched, venv ${installed(cold.stderr) ? "installed" : "reused"})`,
);
console.log(
  `nixkit build, nothing changed:                 ${seconds(again.ms)}  (${downloads(again.stderr)} fetched, venv ${installed(again.stderr) ? "installed" : "reused"})`,
);
console.log(
  `pytest under nixkit test (venv built):        ${seconds(nixkitPytest.ms)}  ${(nixkitPytest.ms / hostPytest.ms).toFixed(2)}x host`,
);
console.log(`pytest on the host, uv's venv:                 ${seconds(hostPytest.ms)}`);
console.log(
  `RESULT python_cold_s=${(cold.ms / 1000).toFixed(2)} ratio_uv=${(cold.ms / uvSync.ms).toFixed(2)} ratio_uv_compiled=${(cold.ms / uvCompiled.ms).toFixed(2)} ratio_pip=${(cold.ms / pip.ms).toFixed(2)}`,
);
console.log(`RESULT python_noop_s=${(again.ms / 1000).toFixed(2)}`);
console.log(`RESULT pytest_ratio=${(nixkitPytest.ms / hostPytest.ms).toFixed(2)}`);

// (its GC roots go with it: the next run finds the venv and wheels dead, and measures a cold run)
if (process.env.BENCH_LOG) writeFileSync(process.env.BENCH_LOG, cold.stderr);
rmSync(work, { recursive: true, force: true });
