// Images with real Nix, skopeo, umoci, runc and a local docker-registry: byte-identical
// digests across checkouts and settings, valid OCI documents, an image that runs, every output
// form readable by skopeo, a push that the registry serves back, and bad input refused.
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { execa } from "execa";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { cliPath, nixEnv, nixkit, snapshotTree, tempDir, versioned } from "../helpers.js";
import { editFile, exampleProject } from "./project.js";
import { runImage } from "./run-image.js";
import { freePort, waitForPort } from "./servers.js";

const schemaDir = path.resolve(import.meta.dirname, "../../../shared/data/schemas/oci");

interface Built {
  digest: string;
  config: string;
  output: string;
  layers: { digest: string; diffId: string; size: number; paths: string[] }[];
}

async function buildImage(dir: string, args: string[] = [], env: Record<string, string> = {}): Promise<Built> {
  const result = await nixkit(["-C", dir, "--json", "image", "build", "greeter", ...args], { env });
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Built;
}

const layoutDir = (built: Built) => built.output.replace(/^oci:/, "");
const readBlob = (dir: string, digest: string) => JSON.parse(readFileSync(path.join(dir, "blobs/sha256", digest.slice(7)), "utf8"));

describe("nixkit image build", () => {
  test(
    versioned(
      "the same digest from two checkouts with different paths, umask, TZ, locale and empty caches",
      "path-info --json (narHash, references; a map from 2.19)",
    ),
    async () => {
      const a = await buildImage(exampleProject(), [], { XDG_CACHE_HOME: tempDir() });
      const dirB = exampleProject("hello", "another checkout");
      const b = await execa("sh", ["-c", 'umask 077 && exec node "$0" -C "$1" --json image build greeter', cliPath, dirB], {
        env: { ...nixEnv, XDG_CACHE_HOME: tempDir(), TZ: "Asia/Kathmandu", LANG: "C.UTF-8", LC_ALL: "C.UTF-8" },
        reject: false,
      });
      expect(b.exitCode, b.stderr).toBe(0);
      const built = JSON.parse(b.stdout) as Built;
      expect(built.digest).toBe(a.digest);
      expect(built.config).toBe(a.config);
      expect(built.layers).toEqual(a.layers);
    },
  );

  test("OCI documents validate against the image-spec schemas; one history entry per layer; every closure path in one layer", async () => {
    const built = await buildImage(exampleProject());
    const dir = layoutDir(built);
    const index = JSON.parse(readFileSync(path.join(dir, "index.json"), "utf8"));
    const manifest = readBlob(dir, index.manifests[0].digest);
    const config = readBlob(dir, manifest.config.digest);
    if (!existsSync(schemaDir)) {
      if (process.env.CI) throw new Error(`${schemaDir} is missing`);
      console.warn(`skipping schema validation: ${schemaDir} not found (../shared beside the checkout)`);
    } else {
      const ajv = new Ajv({ strict: false, allErrors: true });
      addFormats.default(ajv);
      // The schemas are draft-04 with nested `id`s; refs are by file name, so they are added by file name.
      const strip = (v: unknown): unknown =>
        Array.isArray(v)
          ? v.map(strip)
          : v && typeof v === "object"
            ? Object.fromEntries(
                Object.entries(v)
                  .filter(([k]) => k !== "id" && k !== "$schema")
                  .map(([k, x]) => [k, strip(x)]),
              )
            : v;
      for (const file of readdirSync(schemaDir))
        ajv.addSchema(strip(JSON.parse(readFileSync(path.join(schemaDir, file), "utf8"))) as object, file);
      for (const [schema, document] of [
        ["image-index-schema.json", index],
        ["image-manifest-schema.json", manifest],
        ["config-schema.json", config],
        ["image-layout-schema.json", JSON.parse(readFileSync(path.join(dir, "oci-layout"), "utf8"))],
      ]) {
        expect(ajv.validate(schema, document), `${schema}: ${JSON.stringify(ajv.errors)}`).toBe(true);
      }
    }
    expect(config.created).toBe("1970-01-01T00:00:01Z");
    expect(config.history).toHaveLength(manifest.layers.length);
    expect(config.rootfs.diff_ids).toEqual(built.layers.map((l) => l.diffId));
    expect(config.config).toMatchObject({
      Entrypoint: ["/bin/greet"],
      Cmd: ["world"],
      User: "1000:1000",
      WorkingDir: "/tmp",
      ExposedPorts: { "8080/tcp": {} },
    });
    expect(config.config.Env).toEqual(["GREETING=Hello", "PATH=/bin", "SSL_CERT_FILE=/etc/ssl/certs/ca-bundle.crt"]);
    const paths = built.layers.flatMap((l) => l.paths);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths).toEqual(expect.arrayContaining(["greet", "busybox-static", "bash-static", "nss-cacert-debian"]));
    for (const layer of manifest.layers) expect(statSync(path.join(dir, "blobs/sha256", layer.digest.slice(7))).size).toBe(layer.size);
  });

  test("in a git checkout the manifest carries the source and revision annotations", async () => {
    const dir = exampleProject();
    const git = (...args: string[]) => execa("git", ["-C", dir, "-c", "user.email=t@example.org", "-c", "user.name=t", ...args]);
    await git("init", "-q");
    await git("remote", "add", "origin", "https://example.org/team/hello.git");
    await git("add", ".");
    await git("commit", "-qm", "first");
    const revision = (await git("rev-parse", "HEAD")).stdout;
    await nixkit(["-C", dir, "generate"]);
    await git("add", ".");
    const built = await buildImage(dir);
    const dir2 = layoutDir(built);
    const index = JSON.parse(readFileSync(path.join(dir2, "index.json"), "utf8"));
    expect(readBlob(dir2, index.manifests[0].digest).annotations).toEqual({
      "org.opencontainers.image.revision": revision,
      "org.opencontainers.image.source": "https://example.org/team/hello.git",
    });
  });

  test(
    versioned("an unchanged image reuses every cached layer: nothing is read or compressed again", "layer keys from path-info's narHash"),
    async () => {
      const cache = tempDir();
      const dir = exampleProject();
      await buildImage(dir, [], { XDG_CACHE_HOME: cache });
      const blobs = path.join(cache, "nixkit/image-cache/blobs/sha256");
      const before = Object.fromEntries(readdirSync(blobs).map((b) => [b, statSync(path.join(blobs, b)).mtimeMs]));
      editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace("    cmd: [world]", "    cmd: [there]"));
      const again = await buildImage(dir, [], { XDG_CACHE_HOME: cache });
      const after = Object.fromEntries(readdirSync(blobs).map((b) => [b, statSync(path.join(blobs, b)).mtimeMs]));
      expect(after).toEqual(before); // a config change writes no layer
      expect(again.layers.every((l) => l.digest.slice(7) in before)).toBe(true);
      expect((again as unknown as { contentBytesRead: number }).contentBytesRead).toBe(0);
    },
  );

  test("the image runs: umoci unpack, then runc run", async () => {
    const run = await runImage(layoutDir(await buildImage(exampleProject())));
    const bundle = run.bundle;
    expect(run.config.process.user).toMatchObject({ uid: 1000, gid: 1000 });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toBe("Hello, World!\ngreeted 1 person");
    expect(statSync(path.join(bundle, "rootfs/tmp")).mode & 0o7777).toBe(0o1777);
    expect(readFileSync(path.join(bundle, "rootfs/etc/passwd"), "utf8")).toContain("app:x:1000:1000:");
  });

  test("oci-archive and docker-archive outputs are readable by skopeo with the same image", async () => {
    const dir = exampleProject();
    const out = tempDir();
    const layout = await buildImage(dir);
    for (const [kind, file] of [
      ["oci-archive", path.join(out, "image.tar")],
      ["docker-archive", path.join(out, "docker.tar")],
    ] as const) {
      const built = await buildImage(dir, ["--out", `${kind}:${file}`]);
      expect(built.digest).toBe(layout.digest);
      const inspect = await execa("skopeo", ["inspect", "--config", kind === "docker-archive" ? `${kind}:${file}` : `${kind}:${file}`], {
        reject: false,
      });
      expect(inspect.exitCode, inspect.stderr).toBe(0);
      expect(JSON.parse(inspect.stdout).rootfs.diff_ids).toEqual(layout.layers.map((l) => l.diffId));
    }
  });
});

test("podman load accepts the docker-archive, names it after the image and keeps its config digest", async () => {
  const dir = exampleProject();
  const file = path.join(tempDir(), "docker.tar");
  const built = await buildImage(dir, ["--out", `docker-archive:${file}`]);
  const storage = tempDir(); // a private podman store, removed afterwards
  const podman = (...args: string[]) =>
    execa("podman", ["--root", path.join(storage, "root"), "--runroot", path.join(storage, "run"), "--storage-driver", "vfs", ...args], {
      reject: false,
    });
  const loaded = await podman("load", "-i", file);
  expect(loaded.exitCode, loaded.stderr).toBe(0);
  expect(loaded.stdout).toContain("Loaded image: localhost/greeter:latest");
  const inspect = await podman("image", "inspect", "localhost/greeter:latest", "--format", "{{.Id}}");
  expect(`sha256:${inspect.stdout.trim()}`).toBe(built.config);
});

describe("nixkit image push", () => {
  test("to a local docker-registry: the registry serves back the same digest", async () => {
    const port = await freePort();
    const storage = tempDir();
    const configFile = path.join(tempDir(), "registry.yml");
    writeFileSync(
      configFile,
      `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${storage}\nhttp:\n  addr: 127.0.0.1:${port}\n`,
    );
    const registry = execa("docker-registry", ["serve", configFile], { reject: false });
    try {
      await waitForPort(port);
      const dir = exampleProject();
      const built = await buildImage(dir);
      const pushed = await nixkit([
        "-C",
        dir,
        "--json",
        "image",
        "push",
        "greeter",
        "--to",
        `docker://127.0.0.1:${port}/hello/greeter:latest`,
        "--tls-verify",
        "false",
      ]);
      expect(pushed.exitCode, pushed.stderr).toBe(0);
      expect(JSON.parse(pushed.stdout).digest).toBe(built.digest);
      const remote = await execa("skopeo", ["inspect", "--tls-verify=false", `docker://127.0.0.1:${port}/hello/greeter:latest`]);
      expect(JSON.parse(remote.stdout).Digest).toBe(built.digest);
    } finally {
      registry.kill("SIGTERM");
      await registry;
    }
  });
});

describe("bad input", () => {
  test.each([
    [
      "an unknown content name",
      (t: string) => t.replace("contents: [greet, busybox, cacert]", "contents: [greet, nosuchpkg]"),
      2,
      'images.greeter.contents[1]: package "nosuchpkg" is not in input "nixpkgs"',
    ],
    [
      "an invalid tag",
      (t: string) => t.replace("    ports: [8080]\n", "    ports: [8080]\n    tag: Bad:Tag\n"),
      2,
      'images.greeter.tag: "Bad:Tag" is not a valid image tag',
    ],
    [
      "a user that is neither numeric nor declared",
      (t: string) => t.replace('user: "1000:1000"', "user: app"),
      2,
      'images.greeter.user: user "app" is neither numeric nor declared',
    ],
    [
      "a workdir outside the image",
      (t: string) => t.replace("workdir: /tmp", "workdir: ../etc"),
      2,
      'images.greeter.workdir: workdir "../etc" is not an absolute path',
    ],
    [
      "more than 125 layers",
      (t: string) => t.replace("    ports: [8080]\n", "    ports: [8080]\n    maxLayers: 126\n"),
      2,
      "images.greeter.maxLayers: at most 125",
    ],
    [
      "a build whose output is a single file (nixpkgs' buildEnv merges directories only)",
      (t: string) =>
        t
          .replace("contents: [greet, busybox, cacert]", "contents: [greet, note]")
          .replace("builds:\n", "builds:\n  note:\n    script: echo hi > $out\n"),
      2,
      /nixkit\.yaml:\d+:\d+ images\.greeter\.contents\[1\]: \/nix\/store\/\w{32}-note is a single file, and an image's contents are merged as directories/,
    ],
  ])("%s: exit 2, nothing written", async (_name, edit, code, message) => {
    const dir = exampleProject();
    editFile(path.join(dir, "nixkit.yaml"), edit);
    await nixkit(["-C", dir, "generate", "--force"]);
    const out = path.join(tempDir(), "out");
    const before = snapshotTree(path.dirname(out));
    const result = await nixkit(["-C", dir, "image", "build", "greeter", "--out", `oci:${out}`]);
    expect(result.exitCode).toBe(code);
    if (typeof message === "string") expect(result.stderr).toContain(message);
    else expect(result.stderr).toMatch(message);
    expect(snapshotTree(path.dirname(out))).toEqual(before);
  });
});
