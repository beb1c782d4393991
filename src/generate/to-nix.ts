// The one serializer from manifest data to Nix source. Every user string goes through
// nixString, so no manifest value is ever pasted into Nix unescaped.

export type NixValue = string | number | boolean | null | NixValue[] | { [key: string]: NixValue };

const keywords = new Set(["if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or"]);
const bareName = /^[A-Za-z_][A-Za-z0-9_'-]*$/;

/** A Nix double-quoted string. `$` is always escaped so `${` can never start interpolation. */
export function nixString(text: string): string {
  if (text.includes("\0")) throw new Error("Nix strings cannot contain NUL");
  let out = '"';
  for (const char of text) {
    switch (char) {
      case "\\":
        out += "\\\\";
        break;
      case '"':
        out += '\\"';
        break;
      case "$":
        out += "\\$";
        break;
      case "\n":
        out += "\\n";
        break;
      case "\r":
        out += "\\r";
        break;
      case "\t":
        out += "\\t";
        break;
      default:
        out += char;
    }
  }
  return out + '"';
}

export const nixAttrName = (name: string): string => (bareName.test(name) && !keywords.has(name) ? name : nixString(name));

const MAX_INLINE_WIDTH = 100;

/** Renders `value` as Nix source: short lists and sets on one line, longer ones indented. */
export function toNix(value: NixValue, indent = ""): string {
  if (value === null || typeof value !== "object") return scalar(value);
  const inline = inlineNix(value);
  if (inline !== undefined && indent.length + inline.length <= MAX_INLINE_WIDTH) return inline;
  const inner = indent + "  ";
  if (Array.isArray(value)) {
    if (value.length === 0) return "[ ]";
    return `[\n${value.map((v) => inner + toNix(v, inner)).join("\n")}\n${indent}]`;
  }
  const keys = Object.keys(value).sort();
  if (keys.length === 0) return "{ }";
  return `{\n${keys.map((k) => `${inner}${nixAttrName(k)} = ${toNix(value[k]!, inner)};`).join("\n")}\n${indent}}`;
}

function inlineNix(value: NixValue): string | undefined {
  if (value === null || typeof value !== "object") {
    const text = scalar(value);
    return text.length <= MAX_INLINE_WIDTH ? text : undefined;
  }
  const parts: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      const text = inlineNix(item);
      if (text === undefined) return undefined;
      parts.push(text);
    }
    return parts.length === 0 ? "[ ]" : `[ ${parts.join(" ")} ]`;
  }
  for (const key of Object.keys(value).sort()) {
    const text = inlineNix(value[key]!);
    if (text === undefined) return undefined;
    parts.push(`${nixAttrName(key)} = ${text};`);
  }
  return parts.length === 0 ? "{ }" : `{ ${parts.join(" ")} }`;
}

function scalar(value: string | number | boolean | null): string {
  if (value === null) return "null";
  if (typeof value === "string") return nixString(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (!Number.isSafeInteger(value)) throw new Error(`toNix: only safe integers are supported, got ${value}`);
  return String(value);
}
