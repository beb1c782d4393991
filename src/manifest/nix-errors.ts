// Nix errors raised by nixkit's library name a manifest field ("nixkit.yaml shell.packages[0]: …");
// this puts the field's line:col back in and makes it a manifest error (exit 2).
import { UserError } from "../util/errors.js";
import type { FieldPath } from "./problems.js";

const fieldError = /nixkit\.yaml ((?:[A-Za-z_][\w-]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\]|\.[A-Za-z_][\w-]*)+): ([^\n]*)/;

export function parseFieldPath(text: string): FieldPath {
  const path: (string | number)[] = [];
  for (const match of text.matchAll(/([A-Za-z_][\w-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g)) {
    if (match[1] !== undefined) path.push(match[1]);
    else if (match[2] !== undefined) path.push(Number(match[2]));
    else path.push(JSON.parse(match[3]!) as string);
  }
  return path;
}

/** A UserError for the manifest field named in a Nix error message, or undefined when none is named. */
export async function manifestErrorFromNix(
  nixMessage: string,
  manifestText: string,
  nixpkgsOverride?: string,
  file = "nixkit.yaml",
): Promise<UserError | undefined> {
  const match = nixMessage.match(fieldError);
  if (!match) return undefined;
  // Loaded only when an error names a field: the YAML parser stays off the happy path.
  const { fieldPosition } = await import("./field-position.js");
  const { line, col } = fieldPosition(manifestText, parseFieldPath(match[1]!));
  // The package set Nix looked in is not the manifest's when --nixpkgs replaced it: say so.
  const replaced =
    nixpkgsOverride && /input "nixpkgs"/.test(match[2]!) ? ` (nixpkgs is replaced by --nixpkgs/NIXKIT_NIXPKGS: ${nixpkgsOverride})` : "";
  return new UserError(`${file}:${line}:${col} ${match[1]}: ${match[2]}${replaced}`);
}
