// Reading a lockfile's YAML document (pnpm's, yarn berry's) by its nodes, which keep positions.
import { isMap, isScalar, type Node, type Pair } from "yaml";

export function pairOf(node: unknown, key: string): Pair<Node, Node> | undefined {
  return isMap(node) ? (node.items.find((p) => keyOf(p as Pair) === key) as Pair<Node, Node> | undefined) : undefined;
}

export const mapItems = (node: unknown): Pair<Node, Node>[] => (isMap(node) ? (node.items as Pair<Node, Node>[]) : []);

export const keyOf = (pair: Pair): string => (isScalar(pair.key) ? String(pair.key.value) : String(pair.key));

export const scalarText = (node: unknown): string | undefined =>
  isScalar(node) && (typeof node.value === "string" || typeof node.value === "number") ? String(node.value) : undefined;
