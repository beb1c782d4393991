// Parses "key=value; key2=value2" headers.
export function parse(header) {
  const out = {};
  for (const part of header.split(";")) {
    const [key, ...rest] = part.split("=");
    if (key.trim()) out[key.trim()] = rest.join("=").trim();
  }
  return out;
}
