// How a manifest value is written into a generated pipeline, one serializer per provider. The
// YAML writer quotes every string; what it cannot know is what the provider itself expands:
// GitHub evaluates `${{ … }}` anywhere in a workflow and reads branch filters as patterns;
// GitLab expands `$VAR` in variables. nix.conf has no quoting at all, so a value that would end
// its line is refused here even when the manifest's schema was bypassed.

/** A string in a GitHub workflow that GitHub must not evaluate (`${{` is written as an expression that yields it). */
export const githubText = (value: string): string => value.replaceAll("${{", "${{ '${{' }}");

/** A string literal inside a GitHub expression (`if:`): single-quoted, ' doubled. */
export function githubLiteral(value: string): string {
  if (value.includes("${{")) throw new Error(`nixkit: ${JSON.stringify(value)} cannot be written into a GitHub expression: it holds \${{`);
  return `'${value.replaceAll("'", "''")}'`;
}

/** A branch name as a GitHub filter that matches that branch only (pattern characters escaped). */
export const githubBranchFilter = (branch: string): string => githubText(branch.replace(/[*?+[\]!\\]/g, "\\$&"));

/** A GitLab variable whose value GitLab does not expand (`$VAR`, `$$`). */
export const gitlabVariable = (value: string): { value: string; expand: false } => ({ value, expand: false });

/** One `key = value…` line of nix.conf; a value with a line break or control character cannot be written. */
export function nixConfLine(key: string, values: string[]): string {
  for (const value of values) {
    if (/[\0-\x1f\x7f]|^\s|\s$/.test(value) || value === "")
      throw new Error(
        `nixkit: ${JSON.stringify(value)} cannot be written into nix.conf (${key}): it holds a line break, a control character or outer spaces`,
      );
  }
  return `${key} = ${values.join(" ")}`;
}
