// The generated flake's attribute layout and the derivation names under it: the one place
// nixkit spells them. nix/lib builds this layout and takes the derivation names from the
// generated data (generate/flake-data.ts), so the two cannot drift apart.
export const flakeAttrs = {
  devShell: (system: string) => `devShells.${system}.default`,
  builds: (system: string) => `packages.${system}`,
  build: (system: string, name: string) => `packages.${system}.${name}`,
  /** Test reports record a failing test instead of failing (nixkit test reads them). */
  testReports: (system: string) => `legacyPackages.${system}.nixkit.testReports`,
  testReport: (system: string, name: string) => `legacyPackages.${system}.nixkit.testReports.${name}`,
  imageRoots: (system: string) => `legacyPackages.${system}.nixkit.images`,
  imageRoot: (system: string, name: string) => `legacyPackages.${system}.nixkit.images.${name}`,
  /** The node fields' installs, each with the downloads it needs (nix/lib/node.nix). */
  npmInstalls: (system: string) => `legacyPackages.${system}.nixkit.npmInstalls`,
};

export const TEST_REPORT_PREFIX = "nixkit-test-";
const IMAGE_ROOT_PREFIX = "nixkit-image-";

/** Derivation names: a build is named after itself; reports and image roots carry a prefix. */
export const derivationNames = {
  build: (name: string) => name,
  testReport: (name: string) => `${TEST_REPORT_PREFIX}${name}`,
  imageRoot: (name: string) => `${IMAGE_ROOT_PREFIX}${name}`,
  /** A build name that would collide with a test report's derivation name. */
  isReserved: (name: string) => name.startsWith(TEST_REPORT_PREFIX),
};

/** "/nix/store/<hash>-app.drv" -> "app" */
export const drvName = (drvPath: string): string => drvPath.replace(/^.*\/[0-9a-z]{32}-/, "").replace(/\.drv$/, "");

/** How a derivation is named in progress and log prefixes: reports as "test NAME". */
export const displayName = (drvPath: string): string => {
  const name = drvName(drvPath);
  return name.startsWith(TEST_REPORT_PREFIX) ? `test ${name.slice(TEST_REPORT_PREFIX.length)}` : name;
};
