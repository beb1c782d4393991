// A fast non-cryptographic 128-bit hash (four lanes of cyrb53-style mixing) for the
// environment cache key. The warm path avoids node:crypto, whose load alone costs ~4 ms;
// the key only names a cache entry, it is not a security boundary.
export class FastHash {
  private lanes = [0x9e3779b9, 0x85ebca6b, 0xc2b2ae35, 0x27d4eb2f];

  update(data: string | Uint8Array): this {
    if (typeof data === "string") return this.updateBytes(Buffer.from(data, "utf8"));
    return this.updateBytes(data);
  }

  // Mixes 32-bit words rather than bytes: this code runs cold (interpreted) on every warm
  // entry, where a quarter of the iterations is a measurable saving.
  private updateBytes(bytes: Uint8Array): this {
    const aligned = bytes.byteOffset % 4 === 0 ? bytes : Uint8Array.from(bytes);
    const words = new Int32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >> 2);
    const lanes = this.lanes;
    let [a, b, c, d] = lanes as [number, number, number, number];
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      a = Math.imul(a ^ w, 2654435761);
      b = Math.imul(b ^ w, 1597334677);
      c = Math.imul(c ^ w, 2246822507);
      d = Math.imul(d ^ w, 3266489909);
    }
    for (let i = words.length << 2; i < aligned.byteLength; i++) {
      const byte = aligned[i]!;
      a = Math.imul(a ^ byte, 2654435761);
      b = Math.imul(b ^ byte, 1597334677);
      c = Math.imul(c ^ byte, 2246822507);
      d = Math.imul(d ^ byte, 3266489909);
    }
    this.lanes = [a, b, c, d];
    return this;
  }

  digest(): string {
    const [a, b, c, d] = this.lanes as [number, number, number, number];
    const out = [
      Math.imul(a ^ (a >>> 16), 2246822507) ^ Math.imul(b ^ (b >>> 13), 3266489909),
      Math.imul(b ^ (b >>> 16), 2246822507) ^ Math.imul(c ^ (c >>> 13), 3266489909),
      Math.imul(c ^ (c >>> 16), 2246822507) ^ Math.imul(d ^ (d >>> 13), 3266489909),
      Math.imul(d ^ (d >>> 16), 2246822507) ^ Math.imul(a ^ (a >>> 13), 3266489909),
    ];
    return out.map((n) => (n >>> 0).toString(16).padStart(8, "0")).join("");
  }
}
