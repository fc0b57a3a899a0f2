/**
 * The provider contract: every LLM backend (Anthropic, OpenAI, Ollama, NIM, Gemini) is used through
 * this interface, so agents never see an SDK. Calls either resolve or throw an LlmError.
 */
import { z } from 'zod';
import type { LlmProviderName } from '../config/config.js';

export const chatMessageSchema = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.string(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;
export const chatMessagesSchema = z.array(chatMessageSchema);

export interface LlmCallOptions {
  /** Abort the call; a stream stops at once and throws LlmError kind 'cancelled'. */
  signal?: AbortSignal;
  /**
   * How long to wait for the provider, in ms (default: the provider's configured timeout).
   * complete(): the whole call, retries included. stream(): each wait — for the first event and
   * for every gap between events — so a long answer that keeps flowing is never cut off.
   */
  timeoutMs?: number;
  /** Upper bound on generated tokens (Anthropic requires one; default 4096 there). */
  maxTokens?: number;
  temperature?: number;
}

export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
}

/** Why generation ended, normalised across providers. */
export type LlmStopReason = 'end' | 'max_tokens' | 'stop_sequence' | 'other';

export interface LlmCompletion {
  text: string;
  usage: LlmUsage;
  /** The model that answered, as the server names it (may be a dated snapshot of the one asked). */
  model: string;
  stopReason: LlmStopReason | null;
  /** Wall time of the call, retries included. */
  latencyMs: number;
}

/** A stream is zero or more `text` events, then exactly one `done` event (unless it throws). */
export type LlmStreamEvent =
  | { type: 'text'; text: string }
  | {
      type: 'done';
      /** The whole answer, i.e. every `text` event joined. */
      text: string;
      usage: LlmUsage;
      model: string;
      stopReason: LlmStopReason | null;
      latencyMs: number;
      /** Time from the call to the first text event; null when the answer was empty. */
      firstTokenMs: number | null;
    };

export type LlmStreamDone = Extract<LlmStreamEvent, { type: 'done' }>;

export interface LlmProvider {
  readonly name: LlmProviderName;
  readonly model: string;
  /** The endpoint in use (after defaults), for startup lines and errors. */
  readonly baseUrl: string;
  /** False for the stand-in used when no provider/key is configured: every call throws. */
  readonly configured: boolean;
  complete(messages: readonly ChatMessage[], system?: string, opts?: LlmCallOptions): Promise<LlmCompletion>;
  stream(messages: readonly ChatMessage[], system?: string, opts?: LlmCallOptions): AsyncIterable<LlmStreamEvent>;
}

/** Drains a stream into a completion (for callers that stream to a UI and also want the total). */
export async function collectStream(
  events: AsyncIterable<LlmStreamEvent>,
  onText?: (text: string) => void,
): Promise<LlmCompletion> {
  for await (const ev of events) {
    if (ev.type === 'text') onText?.(ev.text);
    else return { text: ev.text, usage: ev.usage, model: ev.model, stopReason: ev.stopReason, latencyMs: ev.latencyMs };
  }
  throw new Error('LLM stream ended without its final event');
}
