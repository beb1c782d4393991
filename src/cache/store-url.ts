// Where to push: the cache URL with compression and the signing key as Nix store settings.
export type Compression = "zstd" | "xz" | "none";

export function pushStoreUrl(url: string, options: { secretKey?: string; compression: Compression }): string {
  const params = new URLSearchParams();
  params.set("compression", options.compression);
  if (options.secretKey) params.set("secret-key", options.secretKey);
  return `${url}${url.includes("?") ? "&" : "?"}${params.toString()}`;
}
