// Names a manifest `env` may not use. nixpkgs' mkDerivation (and mkShell) turn every entry of
// `env` into a derivation attribute (make-derivation.nix `checkedEnv`), so an entry named like a
// derivation attribute changes how Nix builds it: `outputHash*` makes it a fixed-output
// derivation with network access (and `impureEnvVars` hands it host variables), `__noChroot`
// leaves the sandbox. Entries named like stdenv's controls (`phases`, `dontBuild`, `*Phase`,
// hooks) would skip or replace the script. None of them is a plain environment variable.

// Attributes Nix itself interprets (Nix manual: derivations and their advanced attributes).
const NIX_ATTRIBUTES = [
  "name",
  "system",
  "builder",
  "args",
  "outputs",
  "impureEnvVars",
  "exportReferencesGraph",
  "passAsFile",
  "preferLocalBuild",
  "allowSubstitutes",
  "requiredSystemFeatures",
  "outputChecks",
  "unsafeDiscardReferences",
];

// Arguments nixpkgs' mkDerivation takes itself (it refuses an `env` that overlaps them).
const MKDERIVATION_ARGUMENTS = [
  "env",
  "pname",
  "version",
  "src",
  "srcs",
  "stdenv",
  "userHook",
  "strictDeps",
  "patches",
  "meta",
  "passthru",
  "pos",
  "separateDebugInfo",
  "depsBuildBuild",
  "depsBuildBuildPropagated",
  "nativeBuildInputs",
  "propagatedNativeBuildInputs",
  "depsBuildTarget",
  "depsBuildTargetPropagated",
  "depsHostHost",
  "depsHostHostPropagated",
  "buildInputs",
  "propagatedBuildInputs",
  "depsTargetTarget",
  "depsTargetTargetPropagated",
  "checkInputs",
  "installCheckInputs",
  "nativeCheckInputs",
  "nativeInstallCheckInputs",
  "configureFlags",
  "cmakeFlags",
  "mesonFlags",
  "configurePlatforms",
  "hardeningEnable",
  "hardeningDisable",
  "enableParallelBuilding",
  "enableParallelChecking",
  "enableParallelInstalling",
  "realBuilder",
  "shellHook",
  "inputsFrom",
  "packages",
];

const EXACT = new Set([...NIX_ATTRIBUTES, ...MKDERIVATION_ARGUMENTS]);

const PATTERNS: [RegExp, string][] = [
  [/^__/, "Nix reads names starting with __ as build settings (__noChroot, __structuredAttrs, …)"],
  [/^outputHash/, "outputHash* makes a fixed-output derivation, which may use the network"],
  [/^(allowed|disallowed)(References|Requisites)$/, "it constrains the output's references"],
  [/(^p|P)hases?$/, "stdenv runs the phases these name"],
  [/^(pre|post)[A-Z]/, "stdenv runs it as a hook"],
  [/^(do|dont)[A-Z]/, "stdenv reads it to switch phases on or off"],
  [/^nixkit/, "nixkit passes the script under this prefix"],
];

/** Why `name` may not be an `env` entry, or undefined when it is a plain variable. */
export function derivationControlReason(name: string): string | undefined {
  if (EXACT.has(name)) return "Nix or nixpkgs' mkDerivation reads it as a derivation attribute";
  return PATTERNS.find(([pattern]) => pattern.test(name))?.[1];
}
