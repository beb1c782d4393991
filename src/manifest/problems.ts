// A manifest problem, reported as `file:line:col field.path: message (hint)`.
import { UserError } from "../util/errors.js";

export type FieldPath = readonly (string | number)[];

export interface Problem {
  line: number;
  col: number;
  path: FieldPath;
  message: string;
  hint?: string;
}

export function formatPath(path: FieldPath): string {
  if (path.length === 0) return "(root)";
  return path
    .map((segment, i) => {
      if (typeof segment === "number") return `[${segment}]`;
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) return i === 0 ? segment : `.${segment}`;
      return `[${JSON.stringify(segment)}]`;
    })
    .join("");
}

export function formatProblem(file: string, problem: Problem): string {
  const hint = problem.hint ? ` (${problem.hint})` : "";
  return `${file}:${problem.line}:${problem.col} ${formatPath(problem.path)}: ${problem.message}${hint}`;
}

export class ManifestError extends UserError {
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    super(problems.map((p) => formatProblem(file, p)).join("\n"));
  }
}
