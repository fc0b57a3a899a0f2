/** Small pieces every provider uses: input validation, output parsing, and stream bookkeeping. */
import type { z } from 'zod';
import { LlmError } from './errors.js';
import { badResponse, type ErrorContext } from './error-messages.js';
import { chatMessagesSchema, type ChatMessage, type LlmStopReason, type LlmStreamDone, type LlmUsage } from './provider.js';

/** Messages come from agents and UIs: check them before they reach an SDK. */
export function validateMessages(messages: readonly ChatMessage[], provider: string): ChatMessage[] {
  const parsed = chatMessagesSchema.safeParse(messages);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LlmError(
      'bad_request',
      `invalid chat messages for ${provider}: ${issue ? `${issue.path.join('.') || 'messages'}: ${issue.message}` : 'malformed'} — each message must be {role: 'user' | 'assistant', content: string}`,
      { provider },
    );
  }
  if (parsed.data.length === 0) {
    throw new LlmError('bad_request', `no chat messages to send to ${provider} — add at least one user message`, { provider });
  }
  return parsed.data;
}

/** Parses an LLM server payload; a shape we can't read is a bad_response, never a crash. */
export function parseWire<S extends z.ZodType>(schema: S, value: unknown, ctx: ErrorContext, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw badResponse(ctx, `unexpected ${what}${issue ? `: ${issue.path.join('.') || '(root)'} ${issue.message}` : ''}`, parsed.error);
}

export function stopReasonOf(raw: string | null | undefined): LlmStopReason | null {
  if (raw === null || raw === undefined || raw === '') return null;
  switch (raw) {
    case 'end_turn':
    case 'stop':
      return 'end';
    case 'max_tokens':
    case 'length':
      return 'max_tokens';
    case 'stop_sequence':
      return 'stop_sequence';
    default:
      return 'other';
  }
}

/** Accumulates a stream's text and timing so every provider ends with the same `done` event. */
export class StreamTally {
  private readonly parts: string[] = [];
  private readonly startedAt = performance.now();
  private firstTokenAt: number | undefined;

  /** Records a chunk; returns the event to yield, or undefined for an empty chunk. */
  text(chunk: string | null | undefined): { type: 'text'; text: string } | undefined {
    if (!chunk) return undefined;
    this.firstTokenAt ??= performance.now();
    this.parts.push(chunk);
    return { type: 'text', text: chunk };
  }

  done(usage: LlmUsage, model: string, stopReason: LlmStopReason | null): LlmStreamDone {
    const now = performance.now();
    return {
      type: 'done',
      text: this.parts.join(''),
      usage,
      model,
      stopReason,
      latencyMs: now - this.startedAt,
      firstTokenMs: this.firstTokenAt === undefined ? null : this.firstTokenAt - this.startedAt,
    };
  }
}
