// URLs as they may be shown: credentials in them (https://user:token@host/…) and secret-looking
// query values (?token=…, X-Amz-Signature=…) are replaced by ***. The logger and the error
// printer pass every line through redactUrls, so no message nixkit prints carries them.
// user:password@ in any URL; a bare user@ only in http(s) URLs (a token), not ssh://root@host.
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/?#@\s'":]+:[^/?#@\s'"]*@|\b(https?:\/\/)[^/?#@\s'"]+@/gi;
const SECRET_QUERY = /([?&](?:[^=&#\s'"]*(?:token|auth|key|sig|secret|pass|credential|session)[^=&#\s'"]*|X-Amz-[A-Za-z-]+)=)[^&#\s'"]+/gi;

export const redactUrls = (text: string): string =>
  text.includes("://") || text.includes("=")
    ? text.replace(USERINFO, (_, scheme?: string, http?: string) => `${scheme ?? http}***@`).replace(SECRET_QUERY, "$1***")
    : text;
