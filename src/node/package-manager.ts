// The pnpm or yarn that installs a project: the version package.json's `packageManager` names
// ("pnpm@10.2.0", optionally with corepack's "+sha512.HEX" hash of its npm tarball), fetched by
// Nix from the npm registry like any package. Without a hash, npm's registry is asked for the
// version's integrity once (remembered). Without `packageManager`, the version nixkit pins for the
// lockfile.
import path from "node:path";
import { readTextInside } from "../util/bounded-read.js";
import { EnvError, UserError } from "../util/errors.js";
import { npmViewIntegrity } from "./npm-config.js";

export interface ManagerTool {
  version: string;
  /** The SRI hash of the tool's npm tarball. */
  hash: string;
  /** packageManager's own hash (SRI) when it is not the tarball's: the tool's script's (yarn 4's, as corepack downloads yarn.js). */
  scriptHash?: string;
}
export type PnpmTool = ManagerTool;

// The pnpm nixkit uses when package.json names none: the newest of the line that writes each lockfile version.
const PINNED: Record<string, ManagerTool> = {
  "9.0": {
    version: "10.34.9",
    hash: "sha512-9JtajqD97bRLs8DB1ldQkqU8KVDZW3rRXfEfF5dId6LeOgHAfpNOmyjOcW5RwJqUlixzBtCb4uHksYqMh2L9Mg==",
  },
  "6.0": {
    version: "8.15.9",
    hash: "sha512-SZQ0ydj90aJ5Tr9FUrOyXApjOrzuW7Fee13pDzL0e1E6ypjNXP0AHDHw20VLw4BO3M1XhQHkyik6aBYWa72fgQ==",
  },
};

// Corepack's hash algorithms that Nix's fetchurl checks, with their hex lengths.
const HEX_LENGTHS: Record<string, number> = { sha512: 128, sha256: 64, sha1: 40 };

// yarn 1, when package.json names no yarn: the last release of the line.
const PINNED_YARN: ManagerTool = {
  version: "1.22.22",
  hash: "sha512-prL3kGtyG7o9Z9Sv8IPfBNrWTDmXB4Qbes8A9rEzt6wkJV8mUvoirjU0Mp3GGAU06Y0XQyA3/2/RQFVuK7MTfg==",
};

// yarn 4, when package.json names no yarn: a recent release (@yarnpkg/cli-dist on npm).
const PINNED_BERRY: ManagerTool = {
  version: "4.18.1",
  hash: "sha512-EH+A4TxAtBWXKE0DGQxW9Bo9crXHLJ73mfxjTQJuv8XonNWWTpei8BQ5JjczHJNU9GROTycwMFn8iOvRIZXUcA==",
};

/** `lockDir` is the pnpm project's directory (that of pnpm-lock.yaml). */
export function pnpmTool(projectDir: string, lockDir: string, lockfileVersion: string, registry: string): ManagerTool {
  return managerTool(projectDir, lockDir, "pnpm", PINNED[lockfileVersion]!, registry);
}

/** `lockDir` is the yarn project's directory (that of yarn.lock); yarn 1 only. */
export function yarnTool(projectDir: string, lockDir: string, registry: string): ManagerTool {
  return managerTool(projectDir, lockDir, "yarn", PINNED_YARN, registry, (version) =>
    version.startsWith("1.")
      ? undefined
      : `packageManager names yarn ${version}, but yarn.lock is yarn 1's; run \`yarn install\` with yarn ${version} to rewrite it as that yarn's, or set packageManager to the yarn 1 that wrote it`,
  );
}

/** `lockDir` is the yarn project's directory (that of yarn.lock); yarn 4 (berry) only. */
export function berryTool(projectDir: string, lockDir: string, registry: string): ManagerTool {
  return managerTool(
    projectDir,
    lockDir,
    "yarn",
    PINNED_BERRY,
    registry,
    (version) =>
      Number(version.split(".")[0]) >= 4
        ? undefined
        : `packageManager names yarn ${version}, but yarn.lock is yarn 4's (berry); set it to the yarn that wrote the lockfile (\`corepack use yarn@4\`)`,
    "@yarnpkg/cli-dist",
  );
}

function managerTool(
  projectDir: string,
  lockDir: string,
  expected: "pnpm" | "yarn",
  pinned: ManagerTool,
  registry: string,
  unsupported: (version: string) => string | undefined = () => undefined,
  npmPackage: string = expected,
): ManagerTool {
  const file = path.join(lockDir, "package.json");
  const shown = path.relative(process.cwd(), file) || file;
  const text = readTextInside(projectDir, file, "packageJson", shown);
  if (text === undefined) throw new UserError(`${shown} does not exist; a ${expected} project has one beside its lockfile`);
  let packageManager: unknown;
  try {
    packageManager = (JSON.parse(text) as { packageManager?: unknown }).packageManager;
  } catch {
    throw new UserError(`${shown}: not valid JSON`);
  }
  if (packageManager === undefined) return pinned;
  const at = `${shown}:${lineColOf(text, text.indexOf('"packageManager"'))}`;
  const match =
    typeof packageManager === "string"
      ? /^([a-z]+)@(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)(?:\+([a-z0-9]+)\.([0-9a-f]+))?$/.exec(packageManager)
      : null;
  if (!match)
    throw new UserError(
      `${at}: packageManager ${JSON.stringify(packageManager)} is not TOOL@VERSION (e.g. "pnpm@10.2.0", as \`corepack use pnpm@10\` writes it)`,
    );
  const [, tool, version, algorithm, hex] = match;
  const lockfile = expected === "pnpm" ? "pnpm-lock.yaml" : "yarn.lock";
  if (tool !== expected)
    throw new UserError(
      `${at}: packageManager names ${tool}, but ${path.relative(projectDir, lockDir) || "the project"} is locked by ${expected} (${lockfile}); set it to the ${expected} that wrote the lockfile (\`corepack use ${expected}@${pinned.version.split(".")[0]}\`)`,
    );
  const refusal = unsupported(version!);
  if (refusal) throw new UserError(`${at}: ${refusal}`);
  if (algorithm !== undefined && HEX_LENGTHS[algorithm] !== hex!.length)
    throw new UserError(
      `${at}: packageManager's ${algorithm} hash is not one Nix checks (sha512, sha256 or sha1, in hex); run \`corepack use ${tool}@${version}\` to record a sha512 one`,
    );
  const recorded = algorithm === undefined ? undefined : `${algorithm}-${Buffer.from(hex!, "hex").toString("base64")}`;
  // Corepack downloads yarn 2+ as its script, not from npm: its hash is then the script's, checked in the build.
  if (npmPackage !== expected)
    return {
      version: version!,
      hash: published(at, `${tool} ${version}`, `${npmPackage}@${version}`, lockDir, registry),
      ...(recorded ? { scriptHash: recorded } : {}),
    };
  return { version: version!, hash: recorded ?? published(at, `${tool} ${version}`, `${tool}@${version}`, lockDir, registry) };
}

/** The registry's integrity of `spec`; a version it does not have is the field's error (exit 2), with the fix. */
function published(at: string, shown: string, spec: string, lockDir: string, registry: string): string {
  try {
    return npmViewIntegrity(spec, lockDir, registry);
  } catch (error) {
    const message = (error as Error).message;
    if (!/E404|No match found/.test(message)) throw new EnvError(`${at}: ${message}`, { cause: error });
    const name = spec.slice(0, spec.lastIndexOf("@"));
    throw new UserError(
      `${at}: packageManager names ${shown}, which npm's registry does not have as ${spec} (${message.replace(/^.*failed: /, "")}); set it to a published version (\`npm view ${name} versions\`)`,
    );
  }
}

function lineColOf(text: string, offset: number): string {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split("\n").length;
  return `${line}:${offset - before.lastIndexOf("\n")}`;
}
