// Parses nixkit.yaml: bytes -> YAML with positions -> strict schema -> rules -> a normalised Manifest.
// All problems of a stage are reported together, each at its line:col.
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from "yaml";
import type { z } from "zod";
import { positionOf } from "./positions.js";
import { ManifestError, type FieldPath, type Problem } from "./problems.js";
import { checkRules, checkRulesLoosely, type RuleProblem } from "./rules.js";
import { knownKeysAt, manifestSchema, type Manifest } from "./schema.js";
import { closest } from "./suggest.js";
import { MANIFEST_FILE } from "../state/layout.js";

export const MAX_MANIFEST_BYTES = 1024 * 1024;

export function parseManifest(bytes: Uint8Array | string, file = MANIFEST_FILE): { manifest: Manifest; text: string } {
  const text = decode(bytes, file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const fail = (problems: Problem[]): never => {
    throw new ManifestError(file, problems);
  };

  if (doc.errors.length > 0) {
    fail(
      doc.errors.map((e) => {
        const offset = e.pos[0];
        const { line, col } = lines.linePos(offset);
        return {
          line,
          col,
          path: e.code === "MULTIPLE_DOCS" ? [] : pathAtOffset(doc, offset, e.code === "DUPLICATE_KEY"),
          message: yamlMessage(e.code, e.message),
          hint: yamlHint(e.code),
        };
      }),
    );
  }
  if (doc.contents == null) {
    fail([
      {
        line: 1,
        col: 1,
        path: [],
        message: "the manifest is empty",
        hint: "start with `version: 1` and `name: my-project`, or run `nixkit init`",
      },
    ]);
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    fail([{ line: 1, col: 1, path: [], message: (error as Error).message, hint: "remove the YAML aliases that expand too much" }]);
  }

  const placed = (problems: RuleProblem[]): Problem[] =>
    problems.map((p) => ({ ...positionOf(doc, lines, p.path, p.atKey), path: p.path, message: p.message, hint: p.hint }));
  const parsed = manifestSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const schema = parsed.error.issues.flatMap((issue) => schemaProblems(issue, doc, lines));
    fail(
      byPosition([
        ...schema,
        ...placed(
          checkRulesLoosely(
            data,
            schema.map((p) => p.path),
          ),
        ),
      ]),
    );
  }
  const manifest = parsed.data!;

  const ruleProblems = checkRules(manifest);
  if (ruleProblems.length > 0) fail(byPosition(placed(ruleProblems)));
  return { manifest, text };
}

const byPosition = (problems: Problem[]) => [...problems].sort((a, b) => a.line - b.line || a.col - b.col);

function decode(bytes: Uint8Array | string, file: string): string {
  if (typeof bytes !== "string" && bytes.length > MAX_MANIFEST_BYTES) {
    throw new ManifestError(file, [
      {
        line: 1,
        col: 1,
        path: [],
        message: `the manifest is ${(bytes.length / 1048576).toFixed(1)} MiB`,
        hint: "a manifest must be under 1 MiB; keep data in files and reference them",
      },
    ]);
  }
  let text: string;
  try {
    text = typeof bytes === "string" ? bytes : new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes as Uint8Array);
    throw new ManifestError(file, [
      { ...byteOffsetPosition(bytes as Uint8Array, at), path: [], message: "the manifest is not UTF-8 text", hint: "save it as UTF-8" },
    ]);
  }
  if (text.length > MAX_MANIFEST_BYTES) {
    throw new ManifestError(file, [
      { line: 1, col: 1, path: [], message: "the manifest is over 1 MiB", hint: "keep data in files and reference them" },
    ]);
  }
  const nul = text.indexOf("\0");
  if (nul !== -1) {
    const before = text.slice(0, nul).split("\n");
    throw new ManifestError(file, [
      {
        line: before.length,
        col: before.at(-1)!.length + 1,
        path: [],
        message: "the manifest contains a NUL byte",
        hint: "it looks like a binary file; nixkit.yaml must be YAML text",
      },
    ]);
  }
  return text.startsWith("\uFEFF") ? text.slice(1) : text;
}

function schemaProblems(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter): Problem[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const known = knownKeysAt(path);
      const guess = closest(key, known);
      return {
        ...positionOf(doc, lines, [...path, key], true),
        path: [...path, key],
        message: `unknown key "${key}"`,
        hint: guess ? `did you mean "${guess}"?` : known.length ? `known keys: ${known.join(", ")}` : undefined,
      };
    });
  }
  // A bad record key (a build name, an env var name) is reported at the key itself.
  const atKey = issue.code === "invalid_key" || (issue.code === "invalid_format" && isRecordKeyIssue(path));
  return [{ ...positionOf(doc, lines, path, atKey), path, message: issueMessage(issue), hint: issueHint(issue, path) }];
}

const isRecordKeyIssue = (path: FieldPath) => path.length === 2 && ["builds", "tests", "images", "inputs"].includes(String(path[0]));

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_key") return issue.issues.map((i) => i.message).join("; ");
  if (issue.code === "invalid_type") {
    const expected = typeNames[issue.expected] ?? issue.expected;
    return issue.input === undefined ? `required; expected ${expected}` : `expected ${expected}, got ${describe(issue.input)}`;
  }
  if (issue.code === "invalid_value") {
    const expected = issue.values.map((v) => JSON.stringify(v)).join(" or ");
    return issue.input === undefined ? `required; expected ${expected}` : `expected ${expected}, got ${describe(issue.input)}`;
  }
  // zod's own wording ("Too big: expected number to be <=125", "Invalid input") says less than this.
  if (issue.code === "too_big")
    return `${issue.origin === "number" ? "" : `${issue.origin} `}at most ${String(issue.maximum)}${sizeUnit(issue.origin)}`;
  if (issue.code === "too_small")
    return `${issue.origin === "number" ? "" : `${issue.origin} `}at least ${String(issue.minimum)}${sizeUnit(issue.origin)}`.trim();
  if (issue.code === "invalid_union")
    return `expected a string, a number or true/false${issue.input === undefined ? "" : `, got ${describe(issue.input)}`}`;
  return issue.message;
}

const sizeUnit = (origin: string) => (origin === "string" ? " characters" : origin === "array" ? " items" : "");

const typeNames: Record<string, string> = {
  object: "a mapping",
  record: "a mapping",
  array: "a list",
  string: "a string",
  number: "a number",
  boolean: "true or false",
};

function issueHint(issue: z.core.$ZodIssue, path: FieldPath): string | undefined {
  const field = path.at(-1);
  // Only the manifest's own top-level version is the format version (python.version is not).
  if (field === "version" && path.length === 1) return "this nixkit reads `version: 1` manifests";
  if (field === "version" && path.at(-2) === "python") return 'quote it: version: "3.12" (nixpkgs\' python312)';
  if (issue.code === "invalid_type" && issue.expected === "array" && typeof issue.input === "string")
    return `write a list: [${JSON.stringify(issue.input)}]`;
  if ((issue.code === "invalid_type" || issue.code === "invalid_value") && issue.input === undefined) return `add \`${String(field)}:\``;
  if (issue.code === "invalid_type" && issue.input === null) return "give it a value or remove the key";
  if (issue.code === "invalid_value" && typeof issue.input === "string") {
    const guess = closest(issue.input, issue.values.map(String));
    if (guess) return `did you mean "${guess}"?`;
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)}`;
  return `${typeof value} ${String(value)}`;
}

function yamlMessage(code: string, message: string): string {
  if (code === "MULTIPLE_DOCS") return "the file holds more than one YAML document";
  return firstLine(message);
}

function yamlHint(code: string): string | undefined {
  switch (code) {
    case "DUPLICATE_KEY":
      return "each name may appear once; rename or merge the two entries";
    case "TAB_AS_INDENT":
      return "indent with spaces, not tabs";
    case "BAD_INDENT":
    case "MISSING_CHAR":
    case "UNEXPECTED_TOKEN":
      return "check the indentation and quoting on this line";
    case "MULTIPLE_DOCS":
      return "a manifest is one YAML document; remove the extra `---`";
    default:
      return "fix the YAML syntax";
  }
}

const firstLine = (message: string) => message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");

/**
 * The field path of the innermost node that contains `offset`, to locate syntax errors.
 * An error on a key belongs to the mapping around it, except a duplicate key, which is named.
 */
function pathAtOffset(doc: Document, offset: number, nameKey: boolean): FieldPath {
  const path: (string | number)[] = [];
  let node: unknown = doc.contents;
  for (;;) {
    if (isMap(node)) {
      const contains = (inclusiveEnd: boolean) => (p: Pair) => {
        const start = (p.key as Node | null)?.range?.[0] ?? Infinity;
        const end = (p.value as Node | null)?.range?.[2] ?? (p.key as Node | null)?.range?.[2] ?? -1;
        return start <= offset && (offset < end || (inclusiveEnd && offset === end));
      };
      // An error at the very end of a value (an unclosed quote at EOF) belongs to that value.
      const pair = node.items.find(contains(false)) ?? node.items.find(contains(true));
      if (!pair) return path;
      const keyRange = (pair.key as Node | null)?.range;
      const onKey = keyRange != null && offset < keyRange[1];
      if (onKey && !nameKey) return path;
      path.push(String((pair.key as { value?: unknown } | null)?.value ?? pair.key));
      if (onKey) return path;
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => {
        const range = (item as Node | null)?.range;
        return range != null && range[0] <= offset && offset <= range[2];
      });
      if (index === -1) return path;
      path.push(index);
      node = node.items[index];
    } else {
      return path;
    }
  }
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let low = 0;
  let high = bytes.length;
  // Binary search for the shortest prefix that fails to decode (a cut inside a valid
  // multi-byte sequence also fails with fatal: true, so test prefixes with stream: true).
  while (low < high) {
    const mid = (low + high) >> 1;
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, mid + 1), { stream: true });
      low = mid + 1;
    } catch {
      high = mid;
    }
  }
  // Report the start of the broken sequence: a lead byte whose continuation bytes are wrong.
  for (let back = low - 1; back >= Math.max(0, low - 3); back--) {
    if ((bytes[back]! & 0xc0) === 0xc0) return back;
    if ((bytes[back]! & 0xc0) !== 0x80) break;
  }
  return low;
}

function byteOffsetPosition(bytes: Uint8Array, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}
