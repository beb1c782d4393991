// The Rust facts the generated flake needs beyond the manifest: for each workspace a `rust` field
// names, where each registry its Cargo.lock uses serves crates (src/rust/registries.ts). The crates
// themselves Nix reads from Cargo.lock (nix/lib/rust.nix), after nixkit has checked it here.
import { existsSync } from "node:fs";
import path from "node:path";
import { languageFields, workspaceDirOf } from "../manifest/language-fields.js";
import type { Manifest } from "../manifest/schema.js";
import { readTextInside } from "../util/bounded-read.js";
import { FieldError } from "../util/errors.js";
import { readCargoLock } from "./cargo-lock.js";
import { cargoRegistries, type CargoRegistry } from "./registries.js";

export interface RustContext {
  /** Each workspace (the directory of its Cargo.lock, relative to the project): its registries by source id. */
  rustLocks?: Record<string, { registries: Record<string, CargoRegistry> }>;
}

export async function rustContext(manifest: Manifest, projectDir: string, manifestText = ""): Promise<RustContext> {
  const fields = languageFields(manifest, "rust");
  if (fields.length === 0) return {};
  const problems: string[] = [];
  const dirs = new Set<string>();
  for (const { field, spec } of fields) {
    const dir = workspaceDirOf(spec);
    const lockfile = path.posix.join(dir, "Cargo.lock");
    if (dir.startsWith("..") || path.isAbsolute(dir))
      problems.push(`nixkit.yaml ${field}.workspace: ${spec.workspace} is outside the project`);
    else if (!existsSync(path.join(projectDir, dir, "Cargo.toml")))
      problems.push(
        `nixkit.yaml ${field}.workspace: ${path.posix.join(dir, "Cargo.toml")} does not exist; name the directory of the workspace's Cargo.toml`,
      );
    else if (!existsSync(path.join(projectDir, lockfile)))
      problems.push(
        `nixkit.yaml ${field}.workspace: ${lockfile} does not exist; run \`cargo generate-lockfile\` there and commit it (builds fetch exactly what it locks)`,
      );
    else dirs.add(dir);
  }
  if (problems.length > 0) throw new FieldError(problems.join("\n"), manifestText);
  const rustLocks: NonNullable<RustContext["rustLocks"]> = {};
  for (const dir of [...dirs].sort()) {
    const shown = path.posix.join(dir, "Cargo.lock");
    const lock = readCargoLock(readTextInside(projectDir, path.join(projectDir, shown), "lockfile", shown) ?? "", shown);
    rustLocks[dir] = { registries: await cargoRegistries(path.join(projectDir, dir), lock, shown) };
  }
  return { rustLocks };
}
