/**
 * The one error type every provider throws. `kind` is what callers branch on; `message` is written
 * for the person running Wactorz and always says what to do next.
 */
import { redact } from '../base/redact.js';

export const LLM_ERROR_KINDS = [
  'auth',
  'rate_limit',
  'server',
  'connection',
  'timeout',
  'cancelled',
  'model_not_found',
  'bad_request',
  'bad_response',
  'not_configured',
  /** The hub's spend limit refused the call before it went out (spend-limit.ts). */
  'cost_limit',
] as const;
export type LlmErrorKind = (typeof LLM_ERROR_KINDS)[number];

/** Kinds that may succeed if the same call is simply tried again later. */
const TRANSIENT: ReadonlySet<LlmErrorKind> = new Set(['rate_limit', 'server', 'connection', 'timeout']);

export interface LlmErrorOptions {
  /** Provider name ('anthropic', 'ollama', …); 'none' when nothing is configured. */
  provider: string;
  /** HTTP status when the server answered with one. */
  status?: number;
  cause?: unknown;
}

export class LlmError extends Error {
  override readonly name = 'LlmError';
  readonly kind: LlmErrorKind;
  readonly provider: string;
  readonly status: number | undefined;

  constructor(kind: LlmErrorKind, message: string, opts: LlmErrorOptions) {
    // Messages quote base URLs and what servers said: credentials in them never go further.
    super(redact(message), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.kind = kind;
    this.provider = opts.provider;
    this.status = opts.status;
  }

  /** True when retrying later may succeed (rate limit, server trouble, network, timeout). */
  get transient(): boolean {
    return TRANSIENT.has(this.kind);
  }

  /** A plain object for logs and ERROR payloads (Error fields don't survive JSON.stringify). */
  toJSON(): { name: string; kind: LlmErrorKind; provider: string; status?: number; message: string } {
    return {
      name: this.name,
      kind: this.kind,
      provider: this.provider,
      ...(this.status === undefined ? {} : { status: this.status }),
      message: this.message,
    };
  }
}

export function isLlmError(err: unknown): err is LlmError {
  return err instanceof LlmError;
}
