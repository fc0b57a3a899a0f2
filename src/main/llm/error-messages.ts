/**
 * Turns whatever went wrong into an LlmError whose message says what to do. Shared by every
 * provider: the HTTP-status wording here, the SDK-specific detection in each provider.
 */
import { LlmError } from './errors.js';
import type { CallControl } from './call-control.js';
import type { ProviderSpec } from './catalog.js';

export interface ErrorContext {
  spec: ProviderSpec;
  model: string;
  baseUrl: string;
  /** Requests made (1 + retries) when the last one failed; used in "still after N attempts". */
  attempts: number;
}

export function subjectOf(ctx: ErrorContext): { provider: string; label: string } {
  return { provider: ctx.spec.name, label: ctx.spec.local ? `${ctx.spec.label} at ${ctx.baseUrl}` : ctx.spec.label };
}

function said(serverMessage: string | undefined): string {
  return serverMessage ? ` (server said: ${serverMessage})` : '';
}

function after(ctx: ErrorContext): string {
  return ctx.attempts > 1 ? `, still after ${ctx.attempts} attempts` : '';
}

/** An HTTP error status from the provider. */
export function errorForStatus(status: number, serverMessage: string | undefined, ctx: ErrorContext, cause?: unknown): LlmError {
  const { spec } = ctx;
  const opts = { provider: spec.name, status, cause };
  const keyHint = spec.keyEnv ?? 'the API key';
  if (status === 401) {
    return new LlmError('auth', `the API key was rejected by ${spec.label}: check ${keyHint}${said(serverMessage)}`, opts);
  }
  if (status === 403) {
    return new LlmError(
      'auth',
      `${spec.label} refused the request (403): the key in ${keyHint} may lack access to ${ctx.model} — check its permissions${said(serverMessage)}`,
      opts,
    );
  }
  if (status === 404) {
    const flag = spec.modelFlag ? ` (${spec.modelFlag})` : '';
    return new LlmError(
      'model_not_found',
      `model ${ctx.model} was not found at ${spec.label} (${ctx.baseUrl}) — check the model name${flag} and, if you set ${spec.baseUrlEnv}, the base URL${said(serverMessage)}`,
      opts,
    );
  }
  if (status === 429) {
    return new LlmError(
      'rate_limit',
      `${spec.label} is rate limiting requests (429)${after(ctx)} — wait a minute and try again, or check your plan's limits${said(serverMessage)}`,
      opts,
    );
  }
  if (status >= 500) {
    return new LlmError('server', `${spec.label} had a server error (${status})${after(ctx)} — try again later${said(serverMessage)}`, opts);
  }
  return new LlmError('bad_request', `${spec.label} rejected the request (${status})${said(serverMessage)}`, opts);
}

export function connectionError(ctx: ErrorContext, cause: unknown): LlmError {
  const { spec } = ctx;
  const why = describeNetworkCause(cause);
  return new LlmError(
    'connection',
    `cannot reach ${spec.label} at ${ctx.baseUrl}${why ? ` (${why})` : ''}${after(ctx)} — check your network connection, or ${spec.baseUrlEnv} if you set it`,
    { provider: spec.name, cause },
  );
}

export function badResponse(ctx: ErrorContext, detail: string, cause?: unknown): LlmError {
  const { spec } = ctx;
  return new LlmError(
    'bad_response',
    `${spec.label} sent a response Wactorz could not read (${detail}) — try again; if ${spec.baseUrlEnv} points at a proxy or compatible server, check that it speaks the ${spec.label} API`,
    { provider: spec.name, cause },
  );
}

/** Ends a call that our timeout/cancel stopped, else returns undefined. */
export function stoppedError(control: CallControl, ctx: ErrorContext, cause?: unknown): LlmError | undefined {
  return control.stopError(subjectOf(ctx), cause);
}

/** The innermost system error code in a fetch failure chain (ECONNREFUSED, ENOTFOUND, …). */
export function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    if (typeof e === 'object' && e !== null) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
      // AggregateError (happy-eyeballs) keeps the real errors in `errors`.
      const errors = (e as { errors?: unknown }).errors;
      if (Array.isArray(errors) && errors.length > 0) {
        const inner = networkCode(errors[0]);
        if (inner) return inner;
      }
      e = (e as { cause?: unknown }).cause;
    } else break;
  }
  return undefined;
}

/** True for a request that failed below HTTP: fetch's "fetch failed" or a system error code. */
export function isNetworkFailure(err: unknown): boolean {
  if (networkCode(err) !== undefined) return true;
  return err instanceof TypeError && /fetch failed/i.test(err.message);
}

export function describeNetworkCause(err: unknown): string | undefined {
  const code = networkCode(err);
  if (code === undefined) {
    const cause = (err as { cause?: unknown } | undefined)?.cause;
    return cause instanceof Error ? cause.message : undefined;
  }
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'ECONNRESET':
      return 'connection reset';
    case 'ETIMEDOUT':
      return 'connection timed out';
    default:
      return code;
  }
}

/** A short human description of any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
