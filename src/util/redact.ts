// A URL as it may be shown: credentials in it (https://user:token@host/…) are replaced.
export const redactUrl = (url: string): string => url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i, "$1***@");
