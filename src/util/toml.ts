// Reading lockfiles written in TOML (uv.lock, poetry.lock, Cargo.lock): a parse whose failure is
// the file's line and column with the tool's own fix, the few checks of a parsed value the readers
// share, and the line of each `[[NAME]]` header (smol-toml keeps no positions).
import { parse, TomlError } from "smol-toml";
import { UserError } from "./errors.js";

export type Table = Record<string, unknown>;

export const isTable = (value: unknown): value is Table => typeof value === "object" && value !== null && !Array.isArray(value);
export const tables = (value: unknown): Table[] => (Array.isArray(value) ? value.filter(isTable) : []);
export const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** `text` parsed; invalid TOML is `shown:LINE:COL: not valid TOML (…); FIX`. */
export function parseToml(source: string, shown: string, fix: string): Table {
  try {
    return parse(source) as Table;
  } catch (error) {
    if (error instanceof TomlError)
      throw new UserError(`${shown}:${error.line}:${error.column}: not valid TOML (${error.message.split("\n")[0]}); ${fix}`);
    throw error;
  }
}

/** The 1-based line of each `[[name]]` header, in order: the n-th is the n-th entry of `name`'s array. */
export function arrayHeaderLines(source: string, name: string): number[] {
  const header = new RegExp(`^\\s*\\[\\[\\s*${name}\\s*\\]\\]`);
  const lines: number[] = [];
  source.split("\n").forEach((line, i) => {
    if (header.test(line)) lines.push(i + 1);
  });
  return lines;
}
