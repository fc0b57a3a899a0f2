/**
 * The one redaction every surface uses before a string is seen — log lines, API answers, error
 * messages, MQTT payloads the hub writes: credentials written into URLs are replaced by `***`.
 *
 * - userinfo: `http://user:pass@host` → `http://user:***@host`; `https://TOKEN@host` →
 *   `https://***@host` (a lone userinfo is as often a token as a name);
 * - query parameters that carry keys: `?key=…`, `api_key`, `token`, `access_token`, `password`,
 *   `secret`, `sig`… → `?key=***`.
 *
 * Works on free text (an SDK's error message quoting a URL) as well as on a bare URL, is
 * idempotent, and leaves text without credentials byte for byte as it was. A URL is taken to end
 * at whitespace, a quote or `<>`: a password containing one of those is not recognised (write it
 * percent-encoded, as URLs require anyway).
 */

export const REDACTED = '***';

// scheme://userinfo@ — the userinfo runs to the last `@` before the path, query or fragment.
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'`<>@]*(?:@[^\s/?#"'`<>@]*)*)@(?=[^\s@])/gi;
const SECRET_PARAM = /([?&;](?:api[_-]?key|key|apikey|token|access[_-]?token|refresh[_-]?token|id[_-]?token|auth|authorization|password|passwd|pwd|pass|secret|client[_-]?secret|sig|signature|x-amz-signature|x-goog-signature)=)([^&#\s"'`<>]+)/gi;

function redactUserinfo(userinfo: string): string {
  if (userinfo === '') return userinfo;
  const colon = userinfo.indexOf(':');
  if (colon < 0) return userinfo === REDACTED ? userinfo : REDACTED;
  return `${userinfo.slice(0, colon)}:${REDACTED}`;
}

/** `text` with every credential in a URL replaced by `***`. */
export function redact(text: string): string {
  if (!text.includes('://') && !text.includes('=')) return text; // the common case: nothing to scan
  return text.replace(USERINFO, (_m, scheme: string, userinfo: string) => `${scheme}${redactUserinfo(userinfo)}@`).replace(SECRET_PARAM, (_m, head: string) => `${head}${REDACTED}`);
}

/** `redact` for a value that may be absent (a base URL that is not set). */
export function redactOptional<T extends string | null | undefined>(value: T): T {
  return (typeof value === 'string' ? redact(value) : value) as T;
}

/** Strings anywhere in a JSON-like value redacted (error details, payloads); other values as they are. */
export function redactDeep<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redact(value) as T;
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1)) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, depth + 1)])) as T;
}

/** A logger whose every line is redacted first (wrap the hub's logger once, at the root). */
export function redactingLogger<L extends string>(log: (level: L, message: string) => void): (level: L, message: string) => void {
  return (level, message) => log(level, redact(message));
}
