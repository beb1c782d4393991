import { createHash } from "node:crypto";

export const sha256 = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");

/** A sha256 in hex (as Python and Rust locks write it) in SRI form, as Nix and npm write it. */
export const sriOf = (hex: string): string => `sha256-${Buffer.from(hex, "hex").toString("base64")}`;

const NIX_BASE32 = "0123456789abcdfghijklmnpqrsvwxyz";

/** A hash as Nix prints it (SRI sha256-BASE64, sha256:BASE32, or hex) in hex; undefined if it is none of them. */
export function hashToHex(text: string): string | undefined {
  const value = text.replace(/^sha256[-:]/, "");
  if (/^[0-9a-f]{64}$/.test(value)) return value;
  if (/^[A-Za-z0-9+/]{43}=$/.test(value)) return Buffer.from(value, "base64").toString("hex");
  if (!/^[0-9a-df-np-sv-z]{52}$/.test(value)) return undefined;
  // Nix's base32: the last character holds the lowest five bits.
  const bytes = Buffer.alloc(32);
  for (let n = 0; n < value.length; n++) {
    const digit = NIX_BASE32.indexOf(value[value.length - n - 1]!);
    const bit = n * 5;
    const i = bit >> 3;
    const j = bit & 7;
    bytes[i]! |= (digit << j) & 0xff;
    if (i + 1 < 32) bytes[i + 1]! |= digit >> (8 - j);
  }
  return bytes.toString("hex");
}
