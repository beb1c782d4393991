// Files outside the generated ones that the dev environment depends on (a `shell.node` lockfile
// and its package.json: the shell links that install). flake.nix names them on one comment line,
// so the shell's warm path, which parses no YAML, can put them in the environment's key.
// No imports: the warm path loads this.
const PREFIX = "# nixkit-shell-inputs: ";

export function shellInputsLine(files: string[]): string[] {
  return files.length === 0 ? [] : [`  ${PREFIX}${JSON.stringify(files)}`];
}

export function readShellInputs(flakeText: string): string[] {
  const at = flakeText.indexOf(PREFIX);
  if (at < 0) return [];
  try {
    const files = JSON.parse(flakeText.slice(at + PREFIX.length, flakeText.indexOf("\n", at))) as unknown;
    return Array.isArray(files) ? files.filter((f): f is string => typeof f === "string") : [];
  } catch {
    return [];
  }
}
