// The marker lines of a cached environment script (rc.ts writes them), apart from rc.ts so the
// warm path reads them without loading node:crypto.

/** The first line: the environment's GC root (its store path). */
export const RC_ROOT_PREFIX = "# nixkit-env-root: ";
/** The second line: the environment's own bash (macOS's /bin/bash is 3.2, older than the environment expects). */
export const RC_BASH_PREFIX = "# nixkit-bash: ";
/** The last line's start: the length and hash of what comes before it. */
export const RC_END_PREFIX = "# nixkit-env-end: ";
