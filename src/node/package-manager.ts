// The pnpm that installs a pnpm project: the version package.json's `packageManager` names
// ("pnpm@10.2.0", optionally with corepack's "+sha512.HEX" hash of its npm tarball), fetched by
// Nix from the npm registry like any package. Without a hash, npm's registry is asked for the
// version's integrity once (remembered). Without `packageManager`, the pnpm nixkit pins for the
// lockfile's version.
import path from "node:path";
import { readTextInside } from "../util/bounded-read.js";
import { UserError } from "../util/errors.js";
import { npmViewIntegrity } from "./npm-config.js";

export interface PnpmTool {
  version: string;
  /** The SRI hash of pnpm's npm tarball. */
  hash: string;
}

// The pnpm nixkit uses when package.json names none: the newest of the line that writes each lockfile version.
const PINNED: Record<string, PnpmTool> = {
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

/** `lockDir` is the pnpm project's directory (that of pnpm-lock.yaml). */
export function pnpmTool(projectDir: string, lockDir: string, lockfileVersion: string, registry: string): PnpmTool {
  const file = path.join(lockDir, "package.json");
  const shown = path.relative(process.cwd(), file) || file;
  const text = readTextInside(projectDir, file, "packageJson", shown);
  if (text === undefined) throw new UserError(`${shown} does not exist; a pnpm project has one beside its pnpm-lock.yaml`);
  let packageManager: unknown;
  try {
    packageManager = (JSON.parse(text) as { packageManager?: unknown }).packageManager;
  } catch {
    throw new UserError(`${shown}: not valid JSON`);
  }
  if (packageManager === undefined) return PINNED[lockfileVersion]!;
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
  if (tool !== "pnpm")
    throw new UserError(
      `${at}: packageManager names ${tool}, but ${path.relative(projectDir, lockDir) || "the project"} is locked by pnpm (pnpm-lock.yaml); set it to the pnpm that wrote the lockfile (\`corepack use pnpm@10\`)`,
    );
  if (algorithm === undefined) return { version: version!, hash: npmViewIntegrity(`pnpm@${version}`, lockDir, registry) };
  if (HEX_LENGTHS[algorithm] !== hex!.length)
    throw new UserError(
      `${at}: packageManager's ${algorithm} hash is not one Nix checks (sha512, sha256 or sha1, in hex); run \`corepack use pnpm@${version}\` to record a sha512 one`,
    );
  return { version: version!, hash: `${algorithm}-${Buffer.from(hex!, "hex").toString("base64")}` };
}

function lineColOf(text: string, offset: number): string {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split("\n").length;
  return `${line}:${offset - before.lastIndexOf("\n")}`;
}
