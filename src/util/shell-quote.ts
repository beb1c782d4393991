// A word for bash: single-quoted, with ' written as '\''.
export const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;
