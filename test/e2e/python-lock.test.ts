// Python projects from their own lockfiles, for real: a uv project (pandas, scikit-learn and
// pytest, locked by the real uv in the test's setup from the index pip is configured with), a
// Poetry 2 project (six and pytest; its poetry.lock committed, as Poetry wrote it) and a hashed requirements file
// (uv pip compile --generate-hashes), each wheel fetched by Nix by the
// lock's sha256, installed in the sandbox into one venv shared by tests and the shell.
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, onTestFinished, test } from "vitest";
import { nix, nixkit, repoRoot, tempDir } from "../helpers.js";
import { editFile, offlinePkgs } from "./project.js";
import { runImage } from "./run-image.js";

// Installed by scripts/setup.sh; locks are made with it, with nothing newer than this day.
const uv = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "nixkit-tests/uv-0.13.10/bin/uv");
const EXCLUDE_NEWER = "2026-11-01";

const manifest = (lockfile: string) => `version: 1
name: churn
systems: [x86_64-linux]
inputs:
  nixpkgs: ${JSON.stringify(offlinePkgs())}
shell:
  python: { lockfile: ${lockfile} }
tests:
  unit:
    python: { lockfile: ${lockfile} }
    script: pytest -q -p no:cacheprovider --junitxml=$NIXKIT_REPORTS/junit.xml tests
`;

const MODEL = `import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression


def train(seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"usage": rng.normal(size=200), "tenure": rng.normal(size=200)})
    frame["churned"] = (frame.usage + 0.5 * frame.tenure > 0).astype(int)
    return LogisticRegression().fit(frame[["usage", "tenure"]], frame.churned)
`;
const TESTS = `import pandas as pd
from churn import train


def test_learns_two_coefficients():
    assert train().coef_.shape == (1, 2)


def test_predicts_churn():
    assert train().predict(pd.DataFrame({"usage": [3.0], "tenure": [3.0]}))[0] == 1


def test_seeded_training_is_repeatable():
    assert (train(1).coef_ == train(1).coef_).all()
`;

function pyproject(pytest: string): string {
  return `[project]
name = "churn"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["pandas==2.2.3", "scikit-learn==1.5.2"]

[dependency-groups]
dev = ["pytest==${pytest}"]
`;
}

async function uvProject(): Promise<string> {
  expect(existsSync(uv), `${uv} is missing: run scripts/setup.sh`).toBe(true);
  const dir = tempDir();
  mkdirSync(path.join(dir, "tests"));
  writeFileSync(path.join(dir, "pyproject.toml"), pyproject("8.3.3"));
  writeFileSync(path.join(dir, "churn.py"), MODEL);
  writeFileSync(path.join(dir, "tests/test_churn.py"), TESTS);
  writeFileSync(path.join(dir, "tests/conftest.py"), "import sys, os\nsys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))\n");
  writeFileSync(path.join(dir, "nixkit.yaml"), manifest("uv.lock"));
  await lock(dir);
  return dir;
}

async function lock(dir: string): Promise<void> {
  const locked = await execa(uv, ["lock", "--exclude-newer", EXCLUDE_NEWER, "-q"], { cwd: dir, reject: false });
  expect(locked.exitCode, locked.stderr).toBe(0);
}

/** The wheels a `nixkit -v` run downloaded, by file name. */
const fetchedWheels = (log: string): string[] =>
  [...new Set([...log.matchAll(/downloading \S+\/([^/\s]+\.whl)$/gm)].map((m) => m[1]!))].sort();

const junitOf = (stdout: string): string => {
  const reports = /\s(\/nix\/store\/\S+-nixkit-test-unit\/reports)\//.exec(stdout)?.[1];
  expect(reports, stdout).toBeDefined();
  return readFileSync(path.join(reports!, "junit.xml"), "utf8");
};

describe("Python lockfiles", () => {
  test("uv.lock: pandas and scikit-learn tested by pytest in the sandbox, JUnit as pytest wrote it; the shell has the same venv", async () => {
    const dir = await uvProject();
    const tested = await nixkit(["test"], { cwd: dir });
    expect(tested.exitCode, tested.stderr).toBe(0);
    expect(junitOf(tested.stdout)).toMatch(/<testsuite [^>]*tests="3"/);

    const shell = await nixkit(
      ["run", "--", "python", "-c", "import pandas, sklearn, sys; print(pandas.__version__, sklearn.__version__, sys.prefix)"],
      {
        cwd: dir,
      },
    );
    expect(shell.exitCode, shell.stderr).toBe(0);
    const [pandas, sklearn, prefix] = shell.stdout.trim().split(" ");
    expect([pandas, sklearn]).toEqual(["2.2.3", "1.5.2"]);
    expect(prefix).toMatch(/^\/nix\/store\/[a-z0-9]{32}-python3\.\d+-uv-lock-env$/);
    // The venv's programs run its interpreter, which finds its packages: pytest in the shell.
    const pytest = await nixkit(["run", "--", "pytest", "-q", "-p", "no:cacheprovider", "tests"], { cwd: dir });
    expect(pytest.exitCode, pytest.stdout + pytest.stderr).toBe(0);
    expect(pytest.stdout).toContain("3 passed");
  });

  test("a code change installs nothing; a bumped pin fetches that wheel only", async () => {
    const dir = await uvProject();
    expect((await nixkit(["test"], { cwd: dir })).exitCode).toBe(0);
    editFile(path.join(dir, "tests/test_churn.py"), (t) => t + "\n\ndef test_more():\n    assert True\n");
    const again = await nixkit(["test", "-v"], { cwd: dir });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/^building python3\.\d+-uv-lock-env$/m);
    expect(fetchedWheels(again.stderr)).toEqual([]);
    expect(junitOf(again.stdout)).toMatch(/<testsuite [^>]*tests="4"/);

    // An earlier run may have made the bumped venv and fetched pytest 8.3.4: delete both, with the
    // test reports that name the venv (a venv no run holds any more goes; a wheel nothing refers to).
    const bumpedVenv = (n: string) =>
      /-uv-lock-env$/.test(n) &&
      readdirSync(path.join("/nix/store", n, "lib")).some((l) =>
        existsSync(path.join("/nix/store", n, "lib", l, "site-packages/pytest-8.3.4.dist-info")),
      );
    for (const name of readdirSync("/nix/store").filter((n) => /-pytest-8\.3\.4-py3-none-any\.whl$/.test(n) || bumpedVenv(n))) {
      const referrers = await execa("nix-store", ["--query", "--referrers-closure", `/nix/store/${name}`], { reject: false });
      for (const referrer of referrers.stdout.split("\n").filter(Boolean).reverse()) await nix(["store", "delete", referrer], dir);
    }
    writeFileSync(path.join(dir, "pyproject.toml"), pyproject("8.3.4"));
    await lock(dir);
    const bumped = await nixkit(["test", "-v"], { cwd: dir });
    expect(bumped.exitCode, bumped.stderr).toBe(0);
    expect(fetchedWheels(bumped.stderr)).toEqual(["pytest-8.3.4-py3-none-any.whl"]);
    expect(bumped.stderr).toMatch(/^building python3\.\d+-uv-lock-env$/m);
  });

  test("a hashed requirements file installs; one without hashes is refused at its line with the fix", async () => {
    const dir = tempDir();
    // docopt and crcmod publish only a source distribution: their wheels are built in the sandbox,
    // crcmod's with its C extension (the package set's compiler and CPython's headers).
    writeFileSync(path.join(dir, "requirements.in"), "pandas==2.2.3\nscikit-learn==1.5.2\npytest==8.3.3\ndocopt==0.6.2\ncrcmod==1.7\n");
    const compiled = await execa(
      uv,
      [
        "pip",
        "compile",
        "-q",
        "--generate-hashes",
        "--python-version",
        "3.11",
        "--exclude-newer",
        EXCLUDE_NEWER,
        "requirements.in",
        "-o",
        "requirements.txt",
      ],
      { cwd: dir, reject: false },
    );
    expect(compiled.exitCode, compiled.stderr).toBe(0);
    mkdirSync(path.join(dir, "tests"));
    writeFileSync(
      path.join(dir, "tests/test_frame.py"),
      "import pandas as pd\nimport docopt\nimport crcmod._crcfunext\nfrom crcmod.predefined import mkCrcFun\nfrom sklearn.linear_model import LinearRegression\n\ndef test_sum():\n    assert pd.Series([1, 2]).sum() == 3\n\ndef test_docopt():\n    assert docopt.docopt('usage: x <n>', ['3']) == {'<n>': '3'}\n\ndef test_crc_in_c():\n    assert mkCrcFun('crc-32')(b'123456789') == 0xCBF43926\n\ndef test_fit():\n    assert round(LinearRegression().fit([[0], [1], [2]], [1, 3, 5]).coef_[0], 6) == 2\n",
    );
    writeFileSync(path.join(dir, "nixkit.yaml"), manifest("requirements.txt"));
    const tested = await nixkit(["test"], { cwd: dir });
    expect(tested.exitCode, tested.stderr).toBe(0);
    expect(junitOf(tested.stdout)).toMatch(/<testsuite [^>]*tests="4"/);

    // The venv is the same bytes when built again elsewhere, under another TZ and locale.
    const report = await nix(["path-info", "--derivation", ".#legacyPackages.x86_64-linux.nixkit.testReports.unit"], dir);
    const references = await execa("nix-store", ["--query", "--references", report.stdout.trim()]);
    const venv = references.stdout.split("\n").find((p) => p.endsWith("-requirements-txt-env.drv"));
    expect(venv, references.stdout).toBeDefined();
    // (and so are the wheels built from docopt's and crcmod's sdists, C extension and all)
    const venvInputs = (await execa("nix-store", ["--query", "--references", venv!])).stdout.split("\n");
    const sdistWheels = venvInputs.filter((p) => /-(docopt-0\.6\.2|crcmod-1\.7)-wheel\.drv$/.test(p));
    expect(sdistWheels).toHaveLength(2);
    const again = await execa("nix-build", ["--check", "--no-out-link", "--option", "sandbox", "true", venv!, ...sdistWheels], {
      cwd: tempDir(),
      env: { TZ: "Asia/Tokyo", LC_ALL: "C" },
      reject: false,
    });
    expect(again.exitCode, again.stderr).toBe(0);

    writeFileSync(path.join(dir, "requirements.txt"), "# a comment\npandas==2.2.3\n");
    const refused = await nixkit(["test"], { cwd: dir });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("requirements.txt:2:1: pandas==2.2.3 has no --hash=sha256:…");
    expect(refused.stderr).toContain("uv pip compile --generate-hashes");
  });

  test("sdists whose build backend is poetry-core, or hatchling with hatch-vcs, are built in the sandbox, the same bytes again; another backend is named", async () => {
    const dir = tempDir();
    // Only the sdists' hashes (from the index), so that no wheel of theirs is taken.
    writeFileSync(
      path.join(dir, "requirements.txt"),
      "tomlkit==0.12.1 --hash=sha256:38e1ff8edb991273ec9f6181244a6a391ac30e9f5098e7535640ea6be97a7c86\n" +
        "iniconfig==2.0.0 --hash=sha256:2d91e135bf72d31a410b17c16da610a82cb55f6b0477d1a902134b24a455b8b3\n",
    );
    writeFileSync(
      path.join(dir, "check.py"),
      "from importlib.metadata import version\nimport iniconfig, tomlkit\nprint(tomlkit.dumps({'a': 1}).strip(), version('tomlkit'), version('iniconfig'))\n",
    );
    writeFileSync(
      path.join(dir, "nixkit.yaml"),
      manifest("requirements.txt").replace(/script: .*/, "script: python check.py > $NIXKIT_REPORTS/versions.txt"),
    );
    const tested = await nixkit(["test"], { cwd: dir });
    expect(tested.exitCode, tested.stderr).toBe(0);
    const reports = /\s(\/nix\/store\/\S+-nixkit-test-unit\/reports)\//.exec(tested.stdout)![1]!;
    expect(readFileSync(path.join(reports, "versions.txt"), "utf8")).toBe("a = 1 0.12.1 2.0.0\n");
    const report = await nix(["path-info", "--derivation", ".#legacyPackages.x86_64-linux.nixkit.testReports.unit"], dir);
    const venv = (await execa("nix-store", ["--query", "--references", report.stdout.trim()])).stdout
      .split("\n")
      .find((p) => p.endsWith("-requirements-txt-env.drv"));
    const wheels = (await execa("nix-store", ["--query", "--references", venv!])).stdout
      .split("\n")
      .filter((p) => /-(tomlkit-0\.12\.1|iniconfig-2\.0\.0)-wheel\.drv$/.test(p));
    expect(wheels).toHaveLength(2);
    const again = await execa("nix-build", ["--check", "--no-out-link", "--option", "sandbox", "true", ...wheels], {
      cwd: tempDir(),
      env: { TZ: "Asia/Tokyo", LC_ALL: "C" },
      reject: false,
    });
    expect(again.exitCode, again.stderr).toBe(0);

    // A backend the environment lacks (idna 3.4's is flit_core) is named, with what to do instead.
    writeFileSync(
      path.join(dir, "requirements.txt"),
      "idna==3.4 --hash=sha256:814f528e8dead7d329833b91c5faa87d60bf71824cd12a7530b5526063d02cb4\n",
    );
    const refused = await nixkit(["test"], { cwd: dir });
    expect(refused.exitCode, refused.stderr).not.toBe(0);
    expect(refused.stderr).toContain("its build backend flit_core.buildapi");
    expect(refused.stderr).toContain("pin a version that publishes a wheel");
  });

  test("poetry.lock (Poetry 2, committed): tested in the sandbox with its dev group; a build of a script on its venv runs as an image", async () => {
    const dir = tempDir();
    cpSync(path.join(repoRoot, "test/fixtures/poetry-words"), dir, { recursive: true });
    writeFileSync(
      path.join(dir, "nixkit.yaml"),
      manifest("poetry.lock").replace(
        "tests:\n",
        `builds:
  shout:
    python: { lockfile: poetry.lock }
    script: mkdir -p $out/bin $out/lib && cp words.py $out/lib/ && cp shout $out/bin/
images:
  shout:
    contents: [shout]
    entrypoint: [/bin/shout]
tests:
`,
      ),
    );
    const tested = await nixkit(["test"], { cwd: dir });
    expect(tested.exitCode, tested.stderr).toBe(0);
    expect(junitOf(tested.stdout)).toMatch(/<testsuite [^>]*tests="2"/);
    // The main group and the dev group are in the shell's venv; a package only Windows needs is not.
    const shell = await nixkit(
      [
        "run",
        "--",
        "python",
        "-c",
        "import six, pytest, importlib.util as u; print(six.__version__, pytest.__version__, u.find_spec('colorama'))",
      ],
      {
        cwd: dir,
      },
    );
    expect(shell.exitCode, shell.stderr).toBe(0);
    expect(shell.stdout.trim()).toBe("1.16.0 8.3.3 None");
    // The script's #! points at the venv's python (patchShebangs in the build's fixup): the image runs it.
    const image = await nixkit(["--json", "image", "build", "shout"], { cwd: dir });
    expect(image.exitCode, image.stderr).toBe(0);
    const ran = await runImage((JSON.parse(image.stdout) as { output: string }).output.replace(/^oci:/, ""), ["hello", "nix"]);
    expect(ran.exitCode, ran.stderr).toBe(0);
    expect(ran.stdout.trim()).toBe("HELLO NIX");
  });

  test("data pinned by sha256 (downloaded and from the project) trains a model that is the same bytes when built again; other bytes are refused with the hash they have", async () => {
    const dir = await uvProject();
    const row = (i: number) => `${((i * 37) % 101) / 50 - 1},${((i * 53) % 97) / 48 - 1}`;
    const csv = (from: number, count: number) =>
      "usage,tenure,churned\n" +
      Array.from({ length: count }, (_, i) => {
        const [usage, tenure] = row(from + i)
          .split(",")
          .map(Number);
        return `${usage},${tenure},${usage! + 0.5 * tenure! > 0 ? 1 : 0}\n`;
      }).join("");
    const train = csv(0, 400);
    const server = createServer((request, response) => response.end(request.url === "/train.csv" ? train : "other bytes"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => void server.close());
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    mkdirSync(path.join(dir, "data"));
    writeFileSync(path.join(dir, "data/holdout.csv"), csv(1000, 100));
    const sha = (text: string) => createHash("sha256").update(text).digest("hex");
    writeFileSync(
      path.join(dir, "train.py"),
      `import pickle, sys\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\ntrain, holdout, out = sys.argv[1:]\nframe = pd.read_csv(train)\nmodel = LogisticRegression(random_state=0).fit(frame[["usage", "tenure"]], frame.churned)\ntest = pd.read_csv(holdout)\nimport os\nos.makedirs(out)\nopen(os.path.join(out, "score"), "w").write("%.3f" % model.score(test[["usage", "tenure"]], test.churned))\npickle.dump(model, open(os.path.join(out, "model.pkl"), "wb"), protocol=5)\n`,
    );
    const model = (trainHash: string, holdoutHash: string) => `builds:
  model:
    python: { lockfile: uv.lock }
    data:
      train: { url: "${url}/train.csv", sha256: ${trainHash} }
      holdout: { path: data/holdout.csv, sha256: "sha256-${Buffer.from(holdoutHash, "hex").toString("base64")}" }
    script: python train.py "$NIXKIT_DATA_train" "$NIXKIT_DATA_holdout" "$out"
tests:
`;
    const base = readFileSync(path.join(dir, "nixkit.yaml"), "utf8");
    writeFileSync(path.join(dir, "nixkit.yaml"), base.replace("tests:\n", model(sha(train), sha(csv(1000, 100)))));
    const built = await nixkit(["build", "model"], { cwd: dir });
    expect(built.exitCode, built.stderr).toBe(0);
    expect(Number(readFileSync(path.join(dir, "result-model/score"), "utf8"))).toBeGreaterThan(0.9);
    // Built again in the sandbox, under another TZ and locale: Nix compares the bytes.
    const again = await nix(["build", "--rebuild", "--option", "sandbox", "true", ".#model"], dir);
    expect(again.exitCode, again.stderr).toBe(0);

    // A project file with other bytes: at its field, with the hash it has.
    writeFileSync(path.join(dir, "data/holdout.csv"), csv(2000, 100));
    const edited = await nixkit(["build", "model"], { cwd: dir });
    expect(edited.exitCode).toBe(2);
    expect(edited.stderr).toContain(
      `builds.model.data.holdout.sha256: data/holdout.csv has sha256 ${sha(csv(2000, 100))}, not the one given`,
    );
    writeFileSync(path.join(dir, "data/holdout.csv"), csv(1000, 100));
    // A URL that serves other bytes than the pin (a pin no store has yet: a fixed output already
    // there is the pinned file, wherever its URL now points): the hash it has, named by the data's name.
    const pinned = sha(`the bytes expected by ${process.pid} at ${Date.now()}`);
    writeFileSync(
      path.join(dir, "nixkit.yaml"),
      base.replace("tests:\n", model(pinned, sha(csv(1000, 100)))).replace("/train.csv", "/other.csv"),
    );
    const moved = await nixkit(["build", "model"], { cwd: dir });
    expect(moved.exitCode).not.toBe(0);
    expect(moved.stderr, moved.stderr).toContain(`data.train: the file downloaded has sha256 ${sha("other bytes")}`);
  });
});
