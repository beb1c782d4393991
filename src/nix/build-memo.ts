// What `nix build` of flake attributes returned, remembered by the content of everything the
// evaluation reads: the flake's source files (sources/flake-source.ts), its local inputs, the nix
// binary and its configuration, and this nixkit. Building again what was built from unchanged
// inputs then needs no nix process; Nix's own no-op costs an evaluation, which grows faster than
// linearly with the number of attributes.
//
// Never stale: the key is taken before and after the build and a result is kept only when they
// agree (an edit while Nix was reading the source is not remembered), and a recalled result is
// used only while every output it names is still in the store. A remote --nixpkgs override or a
// local input nixkit did not write (which Nix re-reads on every evaluation) is not remembered at all.
import { lstatSync } from "node:fs";
import path from "node:path";
import { projectPaths } from "../state/layout.js";
import { readEntries, writeEntry } from "../state/stamp.js";
import { immutableMarker, localPathOf, lockedLocalInputs } from "../sources/flake-inputs.js";
import { sourceFingerprint } from "../sources/flake-source.js";
import { nixkitBuildId, nixkitVersion } from "../util/assets.js";
import { sha256 } from "../util/hash.js";
import { currentSystem } from "../util/system.js";
import { configKey } from "./config-cache.js";

export interface MemoBuilt {
  drvPath: string;
  outputs: Record<string, string>;
}

// The store's location and daemon, beside what configKey already reads (NIX_REMOTE among them).
const STORE_ENV = ["NIX_STORE_DIR", "NIX_STATE_DIR", "NIX_STORE", "NIX_DAEMON_SOCKET_PATH"];
// Keys kept: switching back to a branch finds its results.
const KEEP = 4;

export class BuildMemo {
  private readonly files: { memo: string; hashes: string };

  constructor(
    private readonly projectDir: string,
    private readonly nixBinary: string,
    private readonly nixpkgsOverride?: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    const state = projectPaths(projectDir);
    this.files = { memo: state.buildMemo, hashes: state.sourceHashes };
  }

  /** The key of the current inputs, or undefined when they cannot be known without Nix. */
  key(): string | undefined {
    const config = configKey(this.nixBinary, this.env);
    const inputs = this.localInputs();
    if (config === undefined || inputs === undefined) return undefined;
    const source = sourceFingerprint(this.projectDir, this.files.hashes);
    if (source === undefined) return undefined;
    const store = STORE_ENV.map((name) => `${name}=${this.env[name] ?? "\0unset"}`);
    return sha256(["nixkit-build-memo-1", nixkitVersion(), nixkitBuildId(), currentSystem(), config, ...store, inputs, source].join("\0"));
  }

  /** The override and flake.lock's local inputs, each by its immutable marker; undefined when one could change. */
  private localInputs(): string | undefined {
    const parts: string[] = [];
    if (this.nixpkgsOverride) {
      const local = localPathOf(this.nixpkgsOverride, this.projectDir);
      const marker = local && immutableMarker(local);
      if (marker === undefined) return undefined;
      parts.push(`override=${this.nixpkgsOverride}:${marker}`);
    }
    for (const dir of lockedLocalInputs(this.projectDir)) {
      const marker = immutableMarker(dir);
      if (marker === undefined) return undefined;
      parts.push(`input=${dir}:${marker}`);
    }
    return parts.join("\n");
  }

  /**
   * What building `attrs` gave under `key` (in Nix's order), when every output is still in the
   * store and, given `rooted`, among those paths.
   */
  recall(key: string, attrs: string[], rooted?: ReadonlySet<string>): MemoBuilt[] | undefined {
    const built = this.entryOf(key)[attrs.join(" ")];
    if (!Array.isArray(built) || built.length === 0) return undefined;
    const whole = (b: MemoBuilt) =>
      typeof b?.drvPath === "string" &&
      b.outputs &&
      typeof b.outputs === "object" &&
      Object.values(b.outputs).every((p) => isStorePathPresent(p) && (!rooted || rooted.has(p as string)));
    return (built as MemoBuilt[]).every(whole) ? (built as MemoBuilt[]) : undefined;
  }

  /** Whether `check` (a nix command that builds nothing) passed under `key`. */
  passed(key: string, check: string): boolean {
    return this.entryOf(key)[`check ${check}`] === true;
  }

  recordPassed(key: string, check: string): void {
    this.record(key, `check ${check}`, true);
  }

  /** Remembers a successful build of `attrs` under `key`. */
  remember(key: string, attrs: string[], built: MemoBuilt[]): void {
    this.record(
      key,
      attrs.join(" "),
      built.map((b) => ({ drvPath: b.drvPath, outputs: b.outputs })),
    );
  }

  /** What is remembered under `key`, by attribute set or check. */
  private entryOf(key: string): Record<string, unknown> {
    const entry = readEntries(this.files.memo)[key];
    return entry && typeof entry === "object" && !Array.isArray(entry) ? (entry as Record<string, unknown>) : {};
  }

  private record(key: string, name: string, value: unknown): void {
    writeEntry(this.files.memo, key, { ...this.entryOf(key), [name]: value }, KEEP);
  }
}

const isStorePathPresent = (storePath: unknown): boolean =>
  typeof storePath === "string" && path.isAbsolute(storePath) && lstatSync(storePath, { throwIfNoEntry: false }) !== undefined;
