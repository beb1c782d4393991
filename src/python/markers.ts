// PEP 508 environment markers ("python_version < '3.12' and sys_platform == 'linux'"), parsed into
// a small tree that the Nix library evaluates for the interpreter and system a build uses
// (nix/lib/python-lock.nix): only Nix knows which Python the package set has.

/** A variable (python_version, sys_platform…) or a quoted string. */
export type MarkerOperand = { variable: string } | { string: string };
export type Marker = { and: [Marker, Marker] } | { or: [Marker, Marker] } | { compare: [MarkerOperand, string, MarkerOperand] };

const VARIABLES = new Set([
  "python_version",
  "python_full_version",
  "os_name",
  "sys_platform",
  "platform_release",
  "platform_system",
  "platform_version",
  "platform_machine",
  "platform_python_implementation",
  "implementation_name",
  "implementation_version",
  "extra",
  // PEP 508's older spellings, as packaging still accepts them
  "os.name",
  "sys.platform",
  "platform.version",
  "platform.machine",
  "platform.python_implementation",
  "python_implementation",
]);
const ALIASES: Record<string, string> = {
  "os.name": "os_name",
  "sys.platform": "sys_platform",
  "platform.version": "platform_version",
  "platform.machine": "platform_machine",
  "platform.python_implementation": "platform_python_implementation",
  python_implementation: "platform_python_implementation",
};
const OPERATORS = ["===", "==", "!=", "<=", ">=", "~=", "<", ">", "not in", "in"];

/** Throws an Error naming what is wrong and where (column, 1-based) in `text`. */
export function parseMarker(text: string): Marker {
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`environment marker "${text}": ${what} at column ${at + 1}`);
  };
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  const keyword = (word: string): boolean => {
    skipSpace();
    if (text.startsWith(word, at) && !/[A-Za-z0-9_.]/.test(text[at + word.length] ?? "")) {
      at += word.length;
      return true;
    }
    return false;
  };
  const operand = (): MarkerOperand => {
    skipSpace();
    const quote = text[at];
    if (quote === "'" || quote === '"') {
      const end = text.indexOf(quote, at + 1);
      if (end < 0) fail("an unterminated string");
      const value = text.slice(at + 1, end);
      at = end + 1;
      return { string: value };
    }
    const name = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(at))?.[0];
    if (!name || !VARIABLES.has(name)) fail(name ? `an unknown variable "${name}"` : "a variable or a quoted string expected");
    at += name!.length;
    return { variable: ALIASES[name!] ?? name! };
  };
  const operator = (): string => {
    skipSpace();
    for (const op of OPERATORS) {
      if (op === "not in") {
        const match = /^not\s+in(?![A-Za-z0-9_])/.exec(text.slice(at));
        if (match) {
          at += match[0].length;
          return op;
        }
      } else if (text.startsWith(op, at) && (op !== "in" || !/[A-Za-z0-9_]/.test(text[at + 2] ?? ""))) {
        at += op.length;
        return op;
      }
    }
    return fail("a comparison (==, <, in…) expected");
  };
  const expression = (): Marker => {
    skipSpace();
    if (text[at] === "(") {
      at++;
      const inner = or();
      skipSpace();
      if (text[at] !== ")") fail('")" expected');
      at++;
      return inner;
    }
    const left = operand();
    const op = operator();
    return { compare: [left, op, operand()] };
  };
  const and = (): Marker => {
    let left = expression();
    while (keyword("and")) left = { and: [left, expression()] };
    return left;
  };
  const or = (): Marker => {
    let left = and();
    while (keyword("or")) left = { or: [left, and()] };
    return left;
  };
  const marker = or();
  skipSpace();
  if (at < text.length) fail("unexpected text");
  return marker;
}
