// The Node facts the generated flake needs beyond the manifest: every lockfile a build, test or
// the shell names is checked, and when one leaves download URLs to npm's configuration, the
// registry that configuration names.
import { existsSync } from "node:fs";
import { readTextInside } from "../util/bounded-read.js";
import path from "node:path";
import { languageFields } from "../manifest/language-fields.js";
import type { Manifest } from "../manifest/schema.js";
import { FieldError } from "../util/errors.js";
import { checkLockfile, isPnpmLockfile, isYarnLockfile } from "./lockfile.js";
import { npmRegistry, npmViewIntegrity } from "./npm-config.js";
import { npmInstallSettings, pnpmInstallSettings } from "./npm-settings.js";
import { berryTool, pnpmTool, yarnTool, type ManagerTool, type PnpmTool } from "./package-manager.js";
import { readNpmrc } from "./npm-auth.js";
import { readYarnrc } from "./yarnrc.js";
import { readPnpmLock, type PnpmLock } from "./pnpm-lockfile.js";
import { isBerryLockText, readBerryLock, type BerryLock } from "./yarn-berry-lockfile.js";
import { readYarnLock, yarnLocalPackages, yarnWorkspaces, type YarnDownload } from "./yarn-lockfile.js";

export interface NodeContext {
  npmRegistry: string | null;
  /** Each lockfile's install settings from its project's .npmrc (src/node/npm-settings.ts), when it has any. */
  npmSettings?: Record<string, Record<string, string>>;
  /** Each pnpm lockfile, read for Nix (src/node/pnpm-lockfile.ts), with the pnpm that installs it. */
  pnpmLocks?: Record<string, Omit<PnpmLock, "lockfileVersion"> & { pnpm: PnpmTool; settings: Record<string, string> }>;
  /**
   * Each yarn lockfile: yarn 1's downloads (src/node/yarn-lockfile.ts) or yarn 4's packages
   * (src/node/yarn-berry-lockfile.ts), its workspace members and the yarn that installs it.
   */
  yarnLocks?: Record<string, ({ downloads: YarnDownload[] } | BerryLock) & { members: string[]; yarn: ManagerTool }>;
}

type NodeSpec = NonNullable<Manifest["shell"]["node"]>;

/** Every `node` field of the manifest (the shell's, then builds' and tests'), with its field path. */
export function nodeFields(manifest: Manifest): { field: string; node: NodeSpec }[] {
  return languageFields(manifest, "node").map(({ field, spec }) => ({ field, node: spec }));
}

/** `manifestText` places a problem with a field (a lockfile that is missing, or not npm's) at its line. */
export function nodeContext(manifest: Manifest, projectDir: string, manifestText = ""): NodeContext {
  const lockfiles = new Map<string, string[]>();
  for (const { field, node } of nodeFields(manifest))
    lockfiles.set(node.lockfile, [...(lockfiles.get(node.lockfile) ?? []), `${field}.lockfile`]);
  let registryDir: string | undefined;
  const unusable: string[] = [];
  const pnpmLockfiles: [string, PnpmLock][] = [];
  // yarn 1's downloads, or yarn 4's lockfile text (read once, parsed when the registry is known).
  const yarnLockfiles: [string, YarnDownload[] | { berry: string }][] = [];
  for (const [lockfile, fields] of lockfiles) {
    if (isPnpmLockfile(lockfile) && existsSync(path.join(projectDir, lockfile))) {
      pnpmLockfiles.push([lockfile, readPnpmLock(projectDir, lockfile)]);
      registryDir ??= path.dirname(path.join(projectDir, lockfile));
      continue;
    }
    if (isYarnLockfile(lockfile) && existsSync(path.join(projectDir, lockfile))) {
      const text = readTextInside(projectDir, path.join(projectDir, lockfile), "lockfile") ?? "";
      yarnLockfiles.push([lockfile, isBerryLockText(text) ? { berry: text } : readYarnLock(projectDir, lockfile, text)]);
      registryDir ??= path.dirname(path.join(projectDir, lockfile));
      continue;
    }
    const checked = checkLockfile(projectDir, lockfile);
    if ("unusable" in checked) unusable.push(...fields.map((field) => `nixkit.yaml ${field}: ${checked.unusable}`));
    else if (checked.needsRegistry) registryDir ??= path.dirname(path.join(projectDir, lockfile));
  }
  if (unusable.length > 0) throw new FieldError(unusable.join("\n"), manifestText);
  const npmSettings: Record<string, Record<string, string>> = {};
  for (const lockfile of lockfiles.keys()) {
    // pnpm reads the .npmrc itself (nixkit passes its settings); yarn 1 reads its own .yarnrc.
    if (isPnpmLockfile(lockfile) || isYarnLockfile(lockfile)) continue;
    const settings = npmInstallSettings(projectDir, path.dirname(path.join(projectDir, lockfile)));
    if (Object.keys(settings).length > 0) npmSettings[lockfile.replace(/^\.\//, "")] = settings;
  }
  const registry = registryDir
    ? npmRegistry(
        registryDir,
        projectDir,
        pnpmLockfiles.length + yarnLockfiles.length > 0 ? "pnpm and yarn themselves are downloaded from npm's registry setting" : undefined,
        pnpmLockfiles.length + yarnLockfiles.length > 0 ? "set registry= in the project's .npmrc" : undefined,
      )
    : null;
  const pnpmLocks = Object.fromEntries(
    pnpmLockfiles.map(([lockfile, { lockfileVersion, ...lock }]) => {
      const lockDir = path.dirname(path.join(projectDir, lockfile));
      const pnpm = pnpmTool(projectDir, lockDir, lockfileVersion, registry!);
      const registries = scopeRegistries(
        readNpmrc(projectDir, [lockDir]).scopes,
        lock.packages.map((line) => line.split(" ")[0]!),
      );
      return [lockfile.replace(/^\.\//, ""), { ...lock, pnpm, registries, settings: pnpmInstallSettings(projectDir, lockDir) }];
    }),
  );
  const yarnLocks = Object.fromEntries(
    yarnLockfiles.map(([lockfile, downloads]) => {
      const lockDir = path.dirname(path.join(projectDir, lockfile));
      if ("berry" in downloads) {
        const yarn = berryTool(projectDir, lockDir, registry!);
        const integrityOf = (spec: string) => npmViewIntegrity(spec, lockDir, registry!);
        const lock = readBerryLock(projectDir, lockfile, manifest.systems, integrityOf, downloads.berry);
        // .yarnrc.yml's registries (yarn's, not npm's): the default one when set, and the scopes'.
        const yarnrc = readYarnrc(projectDir, lockDir);
        const registries = scopeRegistries(
          yarnrc.scopes,
          lock.packages.map((line) => line.split(" ")[1]!),
        );
        return [lockfile.replace(/^\.\//, ""), { ...lock, yarn, registry: yarnrc.registry ?? null, registries }];
      }
      const yarn = yarnTool(projectDir, lockDir, registry!);
      const members = yarnWorkspaces(projectDir, lockDir);
      return [lockfile.replace(/^\.\//, ""), { downloads, members, ...yarnLocalPackages(projectDir, lockDir, members), yarn }];
    }),
  );
  return {
    npmRegistry: registry,
    ...(Object.keys(npmSettings).length > 0 ? { npmSettings } : {}),
    ...(pnpmLockfiles.length > 0 ? { pnpmLocks } : {}),
    ...(yarnLockfiles.length > 0 ? { yarnLocks } : {}),
  };
}

/** The registries of the scopes the packages `names` are in, of those the configuration sets. */
function scopeRegistries(scopes: Record<string, string>, names: string[]): Record<string, string> {
  const used = new Set(names.map((name) => /^(@[^/]+)\//.exec(name)?.[1]).filter((scope) => scope !== undefined));
  return Object.fromEntries(Object.entries(scopes).filter(([scope]) => used.has(scope)));
}
