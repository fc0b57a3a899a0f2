/**
 * The skeleton of every provider's complete() and stream(), written once: a provider only says how
 * to send its request and how to read its server's answer. The policy it keeps for all of them:
 * - messages are validated before anything is sent (a bad one throws bad_request, nothing leaves);
 * - one CallControl per call merges the caller's signal with our timeout — the whole call for
 *   complete(), each wait for stream() — and the clock stops while the consumer holds a text event;
 * - a stream whose end the server never marked is a bad_response, never a silently short answer;
 * - a consumer that stops reading early (or a failure) closes the HTTP stream at once;
 * - every failure leaves as an LlmError, mapped by the provider (it knows its SDK's errors).
 */
import { CallControl } from './call-control.js';
import { StreamTally, validateMessages } from './call-helpers.js';
import { badResponse, stoppedError, type ErrorContext } from './error-messages.js';
import type { LlmError } from './errors.js';
import type { ChatMessage, LlmCallOptions, LlmCompletion, LlmStopReason, LlmStreamEvent, LlmUsage } from './provider.js';

/** The options every provider takes beside its own (key, endpoint…). */
export interface ProviderOptions {
  model?: string;
  /** Default wait of a call, ms (120 s). */
  timeoutMs?: number;
  /** Retries of a failed request (2). */
  maxRetries?: number;
  /** For tests and proxies; defaults to global fetch. */
  fetch?: typeof fetch;
}

/** A provider's call site from its options, with the defaults every provider shares. */
export function callSite(name: string, opts: ProviderOptions, site: Pick<ProviderCallSite, 'context' | 'mapError'>): ProviderCallSite {
  return { name, timeoutMs: opts.timeoutMs ?? 120_000, maxRetries: opts.maxRetries ?? 2, context: site.context, mapError: site.mapError };
}

/** What the skeleton needs to know of a provider. */
export interface ProviderCallSite {
  readonly name: string;
  /** The wait when the caller gives no timeoutMs. */
  readonly timeoutMs: number;
  /** Retries the request gets (so a failure before any answer took maxRetries + 1 attempts). */
  readonly maxRetries: number;
  /** Who and what the error messages name, for a failure after `attempts` attempts. */
  context(attempts: number): ErrorContext;
  /** The provider's SDK errors → LlmError (an LlmError passes through). */
  mapError(err: unknown, control: CallControl, ctx: ErrorContext): LlmError | Promise<LlmError>;
}

/** A completion as the provider reads it; the skeleton adds the wall time. */
export type CompletionReading = Omit<LlmCompletion, 'latencyMs'>;

/** A blocking call: `send` makes the request (with `control.signal`) and reads the answer. */
export async function completeCall(
  site: ProviderCallSite,
  messages: readonly ChatMessage[],
  opts: LlmCallOptions,
  send: (valid: ChatMessage[], control: CallControl, ctx: ErrorContext) => Promise<CompletionReading>,
): Promise<LlmCompletion> {
  const valid = validateMessages(messages, site.name);
  const control = new CallControl(opts.signal, opts.timeoutMs ?? site.timeoutMs);
  const ctx = site.context(site.maxRetries + 1);
  const started = performance.now();
  try {
    control.arm();
    const reading = await send(valid, control, ctx);
    return { ...reading, latencyMs: performance.now() - started };
  } catch (err) {
    throw await site.mapError(err, control, ctx);
  } finally {
    control.dispose();
  }
}

/** Reads one provider's stream events; a fresh reader per call. */
export interface StreamReader {
  /** One raw event: the text it carries, if any, and whether the server sends nothing after it. */
  read(raw: unknown, ctx: ErrorContext): { text?: string | null | undefined; last?: boolean };
  /** The totals once the stream is over, or what was missing when it ended before its end marker. */
  end(): { usage: LlmUsage; model: string; stopReason: LlmStopReason | null } | { missing: string };
}

/** A streaming call: `open` makes the request (with `control.signal`) and returns its raw events. */
export async function* streamCall(
  site: ProviderCallSite,
  messages: readonly ChatMessage[],
  opts: LlmCallOptions,
  open: (valid: ChatMessage[], control: CallControl) => Promise<AsyncIterable<unknown>>,
  reader: StreamReader,
): AsyncGenerator<LlmStreamEvent> {
  const valid = validateMessages(messages, site.name);
  const control = new CallControl(opts.signal, opts.timeoutMs ?? site.timeoutMs);
  const tally = new StreamTally();
  let ctx = site.context(site.maxRetries + 1);
  let finished = false;
  try {
    control.arm();
    const events = await open(valid, control);
    ctx = site.context(1); // from here on a failure is not retried
    control.arm();
    for await (const raw of events) {
      const step = reader.read(raw, ctx);
      const out = tally.text(step.text);
      if (out) {
        control.pause();
        yield out;
      }
      control.arm();
      if (step.last) break;
    }
    // An SDK may end quietly when its request is aborted: check why the loop ended.
    const stopped = stoppedError(control, ctx);
    if (stopped) throw stopped;
    const totals = reader.end();
    if ('missing' in totals) throw badResponse(ctx, totals.missing);
    control.pause();
    finished = true;
    yield tally.done(totals.usage, totals.model, totals.stopReason);
  } catch (err) {
    throw await site.mapError(err, control, ctx);
  } finally {
    // The consumer stopped early (break/return) or we failed: close the HTTP stream now.
    if (!finished) control.abort();
    control.dispose();
  }
}
