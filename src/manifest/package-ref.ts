// Package references: "attr.path" into nixpkgs, or "INPUT#attr.path" into another input.
export interface PackageRef {
  input: string;
  attrPath: string[];
}

const segment = /^[A-Za-z0-9_][A-Za-z0-9_'+-]*$/;

export function parsePackageRef(text: string): PackageRef | { error: string } {
  const hash = text.indexOf("#");
  const input = hash === -1 ? "nixpkgs" : text.slice(0, hash);
  const attrPath = (hash === -1 ? text : text.slice(hash + 1)).split(".");
  if (hash !== -1 && !/^[A-Za-z][A-Za-z0-9_-]*$/.test(input)) {
    return { error: `"${text}" has no valid input name before "#"` };
  }
  const bad = attrPath.find((s) => !segment.test(s));
  if (bad !== undefined) {
    return { error: `"${text}" is not an attribute path (segment ${JSON.stringify(bad)})` };
  }
  return { input, attrPath };
}

/** The shell variable a build's output is exported as: NIXKIT_BUILD_<name with - as _>. */
export const buildVariable = (name: string): string => `NIXKIT_BUILD_${name.replaceAll("-", "_")}`;
