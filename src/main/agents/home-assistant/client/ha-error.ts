/**
 * One error type for everything that can go wrong talking to Home Assistant, with a `kind` that
 * callers branch on and a message written for the person who has to fix it.
 */
export const HA_ERROR_KINDS = [
  'not_configured',
  /** The token was refused (401 / auth_invalid). Retrying cannot help. */
  'auth',
  /** HA could not be reached (refused, DNS, timeout, restarting). Retrying may help. */
  'unreachable',
  'not_found',
  /** HA refused the request as invalid (400, invalid_format, a service error). */
  'bad_request',
  /** HA answered something we could not understand. */
  'bad_response',
  'timeout',
  /** The WebSocket dropped while a command was in flight. */
  'connection_lost',
  /** Any other HTTP status / WebSocket error code. */
  'failed',
] as const;
export type HaErrorKind = (typeof HA_ERROR_KINDS)[number];

export class HaError extends Error {
  constructor(
    readonly kind: HaErrorKind,
    message: string,
    readonly detail?: { status?: number; code?: string; body?: unknown },
  ) {
    super(message);
    this.name = 'HaError';
  }
}

export const isHaError = (e: unknown): e is HaError => e instanceof HaError;

/** The message to show for a failed fetch/WebSocket connect, naming the URL and the cause. */
export function unreachableMessage(url: string, cause: unknown): string {
  const err = cause as { code?: string; cause?: { code?: string; message?: string }; message?: string };
  const code = err?.cause?.code ?? err?.code;
  const why =
    code === 'ECONNREFUSED'
      ? 'connection refused — is Home Assistant running?'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'host not found — check HA_URL'
        : code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT'
          ? 'timed out'
          : (err?.cause?.message ?? err?.message ?? String(cause));
  return `Home Assistant is not reachable at ${url} (${why})`;
}

/** The sentence for a refused token, the same everywhere so the user sees one clear message. */
export function authErrorMessage(url: string, haMessage?: string): string {
  return (
    `Home Assistant at ${url} rejected the access token${haMessage ? ` (${haMessage})` : ''}. ` +
    'Create a long-lived access token in your Home Assistant profile (Security tab) and set HA_TOKEN — ' +
    'Wactorz will not retry with this token.'
  );
}
