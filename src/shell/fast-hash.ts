// A fast non-cryptographic 128-bit hash (four lanes of cyrb53-style mixing) for the
// environment cache key. The warm path avoids node:crypto, whose load alone costs ~4 ms;
// the key only names a cache entry, it is not a security boundary.
export class FastHash {
  private lanes = [0x9e3779b9, 0x85ebca6b, 0xc2b2ae35, 0x27d4eb2f];

  update(data: string | Uint8Array): this {
    const lanes = this.lanes;
    const isString = typeof data === "string";
    for (let i = 0; i < data.length; i++) {
      const code = isString ? (data as string).charCodeAt(i) : (data as Uint8Array)[i]!;
      lanes[0] = Math.imul(lanes[0]! ^ code, 2654435761);
      lanes[1] = Math.imul(lanes[1]! ^ code, 1597334677);
      lanes[2] = Math.imul(lanes[2]! ^ code, 2246822507);
      lanes[3] = Math.imul(lanes[3]! ^ code, 3266489909);
    }
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
