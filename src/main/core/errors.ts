/** Errors the actor runtime raises or understands. Each carries an ErrorPayload `kind`. */
import type { ErrorPayload } from '../../shared/message.js';
import { redact } from '../base/redact.js';

/** Known ERROR kinds (ErrorPayload.kind). Handlers may use others. */
export type ErrorKind =
  | 'timeout'
  | 'crash'
  | 'out_of_memory'
  | 'bad_input'
  | 'not_found'
  | 'refused'
  | 'overflow'
  | 'stopped';

/**
 * Throw from `handleTask` to answer with a specific ERROR kind (e.g. `bad_input`). Any other
 * thrown value is answered as kind `crash` (the handler crashed on that task — the actor lives on).
 */
export class TaskError extends Error {
  override name = 'TaskError';
  constructor(
    message: string,
    readonly kind: ErrorKind | (string & {}) = 'crash',
    readonly detail?: unknown,
  ) {
    super(message);
  }
}

/** `ask` failed: the recipient answered with ERROR, the ask timed out, or the message could not be delivered. */
export class AskError extends Error {
  override name = 'AskError';
  readonly kind: string;
  readonly detail: unknown;
  constructor(
    readonly recipient: string,
    readonly payload: ErrorPayload,
  ) {
    super(`ask ${recipient} failed (${payload.kind ?? 'error'}): ${payload.error}`);
    this.kind = payload.kind ?? 'error';
    this.detail = payload.detail;
  }
}

/**
 * Thrown from a message handler (or passed to `crash()`), it fails the whole actor so that its
 * supervisor restarts it, instead of being counted as one failed message.
 */
export class ActorCrashError extends Error {
  override name = 'ActorCrashError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A destructive operation (stop, pause, delete) on a protected actor without `force`. */
export class ProtectedActorError extends Error {
  override name = 'ProtectedActorError';
  readonly kind = 'refused';
  constructor(
    readonly actorName: string,
    readonly operation: string,
  ) {
    super(`${actorName} is protected: refusing to ${operation} it`);
  }
}

export class ActorNotFoundError extends Error {
  override name = 'ActorNotFoundError';
  readonly kind = 'not_found';
  constructor(readonly nameOrId: string) {
    super(`no actor named or with id "${nameOrId}"`);
  }
}

/** Normalises any thrown value to an Error. */
export function toError(e: unknown): Error {
  if (e instanceof Error) return e;
  return new Error(typeof e === 'string' ? e : safeString(e));
}

function safeString(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** The ERROR payload answering a task that threw `e`. */
export function errorPayloadFrom(e: unknown): ErrorPayload {
  // ERROR replies reach REST callers and MQTT: credentials quoted from a URL are redacted.
  if (e instanceof TaskError) {
    return e.detail === undefined ? { error: redact(e.message), kind: e.kind } : { error: redact(e.message), kind: e.kind, detail: e.detail };
  }
  if (e instanceof AskError) return { error: redact(e.message), kind: e.kind };
  const err = toError(e);
  const kind = (err as { kind?: unknown }).kind;
  return { error: redact(err.message), kind: typeof kind === 'string' ? kind : 'crash' };
}
