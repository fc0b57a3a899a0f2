/**
 * Maps errors of the two Stainless-generated SDKs (@anthropic-ai/sdk and openai share the same
 * error classes by shape) to LlmError. Each provider passes its own SDK's classes.
 */
import { isLlmError, LlmError } from './errors.js';
import type { CallControl } from './call-control.js';
import {
  badResponse,
  connectionError,
  describeError,
  errorForStatus,
  stoppedError,
  type ErrorContext,
} from './error-messages.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- SDK error constructors take varied args
type ErrorClass = abstract new (...args: any[]) => Error;

export interface SdkErrorClasses {
  APIError: ErrorClass;
  APIUserAbortError: ErrorClass;
  APIConnectionError: ErrorClass;
  APIConnectionTimeoutError: ErrorClass;
}

/** Per-request options of both SDKs: this call's signal and wait, and the provider's retries. */
export function sdkRequestOptions(control: CallControl, maxRetries: number): { signal: AbortSignal; timeout: number; maxRetries: number } {
  return { signal: control.signal, timeout: control.timeoutMs, maxRetries };
}

/** The message the server put in its error body, whichever of the usual shapes it used. */
export function serverMessageOf(err: unknown): string | undefined {
  const e = err as { error?: unknown; apiMessage?: unknown } | undefined;
  if (typeof e?.apiMessage === 'string' && e.apiMessage) return e.apiMessage;
  const body = e?.error as { message?: unknown; error?: { message?: unknown } } | string | undefined;
  if (typeof body === 'string') return body;
  if (typeof body?.error?.message === 'string') return body.error.message;
  if (typeof body?.message === 'string') return body.message;
  return undefined;
}

function errorTypeOf(err: unknown): string | undefined {
  const body = (err as { error?: { type?: unknown; error?: { type?: unknown } } }).error;
  const type = body?.error?.type ?? body?.type ?? (err as { type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
}

export function mapSdkError(err: unknown, sdk: SdkErrorClasses, control: CallControl, ctx: ErrorContext): LlmError {
  if (isLlmError(err)) return err;
  const stopped = stoppedError(control, ctx, err);
  if (stopped) return stopped;
  if (err instanceof sdk.APIConnectionTimeoutError) {
    return new LlmError(
      'timeout',
      `${ctx.spec.label} did not answer in time${ctx.attempts > 1 ? ` (${ctx.attempts} attempts)` : ''} — try again, or raise the timeout`,
      { provider: ctx.spec.name, cause: err },
    );
  }
  if (err instanceof sdk.APIUserAbortError) {
    return new LlmError('cancelled', `the ${ctx.spec.label} request was aborted`, { provider: ctx.spec.name, cause: err });
  }
  if (err instanceof sdk.APIConnectionError) return connectionError(ctx, err);
  if (err instanceof sdk.APIError) {
    const status = (err as { status?: unknown }).status;
    const message = serverMessageOf(err);
    if (typeof status === 'number') return errorForStatus(status, message, ctx, err);
    // No status: the server sent an error event in the middle of a stream.
    const type = errorTypeOf(err);
    const kind = type === 'rate_limit_error' ? 'rate_limit' : 'server';
    return new LlmError(
      kind,
      `${ctx.spec.label} reported an error while streaming${type ? ` (${type})` : ''} — try again${message ? ` (server said: ${message})` : ''}`,
      { provider: ctx.spec.name, cause: err },
    );
  }
  if (err instanceof SyntaxError) return badResponse(ctx, `malformed JSON: ${err.message}`, err);
  return badResponse(ctx, describeError(err), err);
}
