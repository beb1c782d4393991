// Reading a lockfile's YAML document (pnpm's, yarn berry's) by its nodes, which keep positions.
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node, type Pair } from "yaml";
import { UserError } from "../util/errors.js";

/**
 * A lockfile's YAML document and `at(node)`, its place as "FILE:LINE:COL"; YAML that does not
 * parse is refused at its place, with the command that rewrites the lockfile.
 */
export function parseLockYaml(text: string, shown: string, rewrite: string): { doc: Document; at: (node: unknown) => string } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  const place = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `${shown}:${line}:${col}`;
  };
  if (doc.errors.length > 0) throw new UserError(`${place(doc.errors[0]!.pos[0])}: not valid YAML; run \`${rewrite}\` to rewrite it`);
  return { doc, at: (node) => place((node as Node | null | undefined)?.range?.[0] ?? 0) };
}

export function pairOf(node: unknown, key: string): Pair<Node, Node> | undefined {
  return isMap(node) ? (node.items.find((p) => keyOf(p as Pair) === key) as Pair<Node, Node> | undefined) : undefined;
}

export const mapItems = (node: unknown): Pair<Node, Node>[] => (isMap(node) ? (node.items as Pair<Node, Node>[]) : []);

export const keyOf = (pair: Pair): string => (isScalar(pair.key) ? String(pair.key.value) : String(pair.key));

export const scalarText = (node: unknown): string | undefined =>
  isScalar(node) && (typeof node.value === "string" || typeof node.value === "number") ? String(node.value) : undefined;
