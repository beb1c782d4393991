// The global options before a command, read by hand for the fast paths of main.ts (no commander
// there): -C/--directory, --nixpkgs and -q. Anything else ends them; test/unit/warm-parity.test.ts
// holds every line a fast path takes against commander's reading of it.

export interface LeadingOptions {
  directory?: string;
  nixpkgs?: string;
  /** The index of the first argument that is not one of these options (the command). */
  next: number;
}

export function leadingOptions(argv: string[], env: NodeJS.ProcessEnv): LeadingOptions {
  let directory: string | undefined;
  let nixpkgs = env.NIXKIT_NIXPKGS || undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if ((arg === "-C" || arg === "--directory") && i + 1 < argv.length) directory = argv[++i]!;
    else if (arg.startsWith("--directory=")) directory = arg.slice(12);
    else if (arg === "--nixpkgs" && i + 1 < argv.length) nixpkgs = argv[++i]!;
    else if (arg.startsWith("--nixpkgs=")) nixpkgs = arg.slice(10);
    else if (arg === "-q" || arg === "--quiet") continue;
    else break;
  }
  return { directory, nixpkgs, next: i };
}
