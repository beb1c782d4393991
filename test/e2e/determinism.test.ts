// The same manifest gives byte-identical generated files and identical store paths, whatever the
// checkout path, umask, TZ and locale; and hostile strings reach builds and shells unchanged.
import { execa } from "execa";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { cliPath, nix, nixEnv, snapshotTree, versioned } from "../helpers.js";
import { editFile, exampleProject } from "./project.js";

async function generateAndBuild(dir: string, umask: string, tz: string, locale: string) {
  // The umask needs a shell: Node cannot set it for a child process.
  const result = await execa("sh", ["-c", `umask ${umask} && exec node "$0" -C "$1" --json build`, cliPath, dir], {
    env: { ...nixEnv, TZ: tz, LANG: locale, LC_ALL: locale },
    reject: false,
  });
  expect(result.exitCode, result.stderr).toBe(0);
  const generated = snapshotTree(dir);
  delete generated["nixkit.yaml"];
  for (const key of Object.keys(generated)) if (!key.startsWith(".nixkit/lib/") && key !== "flake.nix") delete generated[key];
  return { generated, builds: JSON.parse(result.stdout).builds };
}

test(
  versioned(
    "two checkouts, different paths, umask, TZ and locale: same bytes, same store paths",
    "store paths and bytes must not depend on the Nix version either",
  ),
  async () => {
    const a = await generateAndBuild(exampleProject(), "022", "UTC", "C");
    const b = await generateAndBuild(exampleProject("hello", "a dir with spaces, ünïcödé and #"), "077", "Pacific/Kiritimati", "C.UTF-8");
    expect(Object.keys(a.generated).sort()).toEqual(
      [
        "flake.nix",
        ".nixkit/lib/default.nix",
        ".nixkit/lib/glob.nix",
        ".nixkit/lib/go.nix",
        ".nixkit/lib/link-node-modules.nix",
        ".nixkit/lib/local-registry.nix",
        ".nixkit/lib/node-tool.nix",
        ".nixkit/lib/node.nix",
        ".nixkit/lib/packages.nix",
        ".nixkit/lib/python.nix",
        ".nixkit/lib/per-system.nix",
        ".nixkit/lib/pnpm.nix",
        ".nixkit/lib/python-build-sdist.py",
        ".nixkit/lib/python-install.py",
        ".nixkit/lib/python-lock.nix",
        ".nixkit/lib/rust.nix",
        ".nixkit/lib/source.nix",
        ".nixkit/lib/yarn.nix",
        ".nixkit/lib/yarn-berry.nix",
        ".nixkit/lib/yarn-zip.cjs",
      ].sort(),
    );
    expect(b.generated).toEqual(a.generated);
    expect(b.builds).toEqual(a.builds);
  },
);

const hostile = `q"uote \\back $HOME \${HOME} ''\${x} '' \`id\` $(id) ; # \u00e9\u{1F980}\ttab\nline2`;

test("hostile strings reach the build script, its env and the shell env unchanged", async () => {
  const dir = exampleProject();
  editFile(path.join(dir, "nixkit.yaml"), (t) =>
    t
      .replace("GREETING: Hello", `GREETING: ${JSON.stringify(hostile)}`)
      .replace(
        "    packages: [gawk, gnused, coreutils]\n",
        `    packages: [gawk, gnused, coreutils]\n    env:\n      HOSTILE: ${JSON.stringify(hostile)}\n`,
      )
      .replace(
        'chmod +x "$out/bin/greet"\n',
        `chmod +x "$out/bin/greet"\n      printf '%s' "$HOSTILE" > "$out/env"\n      cat > "$out/literal" <<'EOF'\n      ${hostile.replace(/\n/g, "\n      ")}\n      EOF\n`,
      ),
  );
  const built = await execa("node", [cliPath, "-C", dir, "--json", "build"], { env: nixEnv, reject: false });
  expect(built.exitCode, built.stderr).toBe(0);
  const out = JSON.parse(built.stdout).builds[0].outPath as string;
  expect(readFileSync(path.join(out, "env"), "utf8")).toBe(hostile);
  expect(readFileSync(path.join(out, "literal"), "utf8")).toBe(hostile + "\n");

  const shell = await nix(["develop", "--option", "sandbox", "true", "-c", "printenv", "GREETING"], dir);
  expect(shell.exitCode, shell.stderr).toBe(0);
  expect(shell.stdout.slice(-hostile.length - 1)).toBe(`\n${hostile}`); // execa drops the final newline
});
