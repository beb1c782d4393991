// The only place that runs skopeo: copying a built OCI layout to a registry. skopeo reads the
// standard containers registries.conf (insecure registries, mirrors) and docker/podman auth
// files itself, and skips blobs the registry already has.
import { execa } from "execa";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { EnvError, WorkFailed } from "../util/errors.js";

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
    const result = await execa("skopeo", args, { reject: false, cancelSignal: signal, stdin: "ignore" });
    if (result.exitCode !== 0)
      throw new WorkFailed(`skopeo copy to ${destination} failed: ${String(result.stderr).trim().split("\n").at(-1)}`);
    return readFileSync(digestFile, "utf8").trim();
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") throw new EnvError("skopeo is not installed (Debian: apt-get install skopeo)");
    throw error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
