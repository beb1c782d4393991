// Nix errors raised by nixkit's library name a manifest field ("nixkit.yaml shell.packages[0]: …");
// this puts the field's line:col back in and makes it a manifest error (exit 2).
import { UserError } from "../util/errors.js";
import type { FieldPath } from "./problems.js";

const fieldError = /nixkit\.yaml ((?:[A-Za-z_][\w-]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\]|\.[A-Za-z_][\w-]*)+): ([^\n]*)/g;

export function parseFieldPath(text: string): FieldPath {
  const path: (string | number)[] = [];
  for (const match of text.matchAll(/([A-Za-z_][\w-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g)) {
    if (match[1] !== undefined) path.push(match[1]);
    else if (match[2] !== undefined) path.push(Number(match[2]));
    else path.push(JSON.parse(match[3]!) as string);
  }
  return path;
}

/** A UserError for the manifest fields named in a Nix error message (one line each), or undefined when none is named. */
export async function manifestErrorFromNix(
  nixMessage: string,
  manifestText: string,
  nixpkgsOverride?: string,
  file = "nixkit.yaml",
): Promise<UserError | undefined> {
  // Nix may repeat the message (in a trace): each field once, in the order named.
  const matches = [...new Map([...nixMessage.matchAll(fieldError)].map((m) => [m[1]!, m[2]!.trimEnd()])).entries()];
  if (matches.length === 0) return undefined;
  // Loaded only when an error names a field: the YAML parser stays off the happy path.
  const { fieldPosition } = await import("./field-position.js");
  const lines = matches.map(([field, message]) => {
    const { line, col } = fieldPosition(manifestText, parseFieldPath(field));
    // The package set Nix looked in is not the manifest's when --nixpkgs replaced it: say so.
    const replaced =
      nixpkgsOverride && /input "nixpkgs"/.test(message) ? ` (nixpkgs is replaced by --nixpkgs/NIXKIT_NIXPKGS: ${nixpkgsOverride})` : "";
    return { line, col, text: `${file}:${line}:${col} ${field}: ${message}${replaced}` };
  });
  return new UserError(
    lines
      .sort((a, b) => a.line - b.line || a.col - b.col)
      .map((l) => l.text)
      .join("\n"),
  );
}
