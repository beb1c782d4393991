// The only place that runs skopeo: copying a built OCI layout to a registry. skopeo reads the
// standard containers registries.conf (insecure registries, mirrors) and docker/podman auth
// files itself, and skips blobs the registry already has.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { EnvError, Interrupted, WorkFailed } from "../util/errors.js";

export async function pushImage(
  layoutDir: string,
  tag: string,
  destination: string,
  tlsVerify: boolean,
  signal?: AbortSignal,
): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nixkit-push-"));
  const digestFile = path.join(dir, "digest");
  const args = [
    "copy",
    "--quiet",
    ...(tlsVerify ? [] : ["--dest-tls-verify=false"]),
    "--digestfile",
    digestFile,
    `oci:${layoutDir}:${tag}`,
    destination,
  ];
  try {
    const failure = await new Promise<{ code?: string | number; stderr: string } | undefined>((resolve) => {
      const child = execFile("skopeo", args, { signal, maxBuffer: 64 * 1024 * 1024 }, (error, _stdout, stderr) =>
        resolve(error ? { code: (error as NodeJS.ErrnoException).code, stderr: String(stderr) } : undefined),
      );
      child.stdin?.end();
    });
    if (signal?.aborted) throw new Interrupted();
    if (failure?.code === "ENOENT") throw new EnvError("skopeo is not installed (Debian: apt-get install skopeo)");
    if (failure) throw new WorkFailed(`skopeo copy to ${destination} failed: ${failure.stderr.trim().split("\n").at(-1)}`);
    return readFileSync(digestFile, "utf8").trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
