// The line:col of a field path in manifest text (loaded on demand by nix-errors.ts).
import { LineCounter, parseDocument } from "yaml";
import { positionOf, type Position } from "./positions.js";
import type { FieldPath } from "./problems.js";

export function fieldPosition(manifestText: string, path: FieldPath): Position {
  const lines = new LineCounter();
  const doc = parseDocument(manifestText, { lineCounter: lines });
  return positionOf(doc, lines, path);
}
