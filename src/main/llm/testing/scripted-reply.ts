/**
 * What the scripted LLM server can be told to answer. One vocabulary for all three wire protocols:
 * the server renders each reply in the protocol of the request it answers.
 */

export type WireProtocol = 'anthropic' | 'openai' | 'ollama';

export interface ReplyTiming {
  /** Wait this long before sending the response headers. */
  delayMs?: number;
  /** Extra response headers (e.g. `retry-after-ms` on a 429). */
  headers?: Record<string, string>;
}

export interface TextReply extends ReplyTiming {
  kind: 'text';
  text: string;
  /** How a stream splits the text (default: word by word); joined they should equal `text`. */
  chunks?: string[];
  /** Token counts to report; defaults: input ≈ request characters / 4, output = number of chunks. */
  usage?: { inputTokens?: number; outputTokens?: number };
  /** Model name to answer with (default: the one requested). */
  model?: string;
  /** The protocol's own stop value ('end_turn', 'stop', 'length', 'max_tokens'…); default: normal end. */
  stopReason?: string;
  /** Wait between stream chunks. */
  chunkDelayMs?: number;
}

export interface ErrorReply extends ReplyTiming {
  kind: 'error';
  status: number;
  /** Goes into the protocol's error body; a default per status otherwise. */
  message?: string;
  /** Replaces the whole error body. */
  body?: unknown;
}

/** Streams: valid start, the text, then a line of broken JSON and the end. Blocking: invalid JSON. */
export interface MalformedReply extends ReplyTiming {
  kind: 'malformed';
  text?: string;
}

/** Streams the text, then closes without the protocol's end marker (no message_stop / finish / done). */
export interface TruncatedReply extends ReplyTiming {
  kind: 'truncated';
  text: string;
}

/**
 * Never finishes. Without `text` nothing is sent (not even headers); with `text` a stream sends its
 * start and those chunks, then goes silent. Ends when the client disconnects or the server closes.
 */
export interface HangReply extends ReplyTiming {
  kind: 'hang';
  text?: string;
}

/** Streams the text, then the protocol's in-stream error (Anthropic `event: error`, …). */
export interface StreamErrorReply extends ReplyTiming {
  kind: 'stream_error';
  text?: string;
  message?: string;
  /** Anthropic error type, e.g. 'overloaded_error' (default) or 'rate_limit_error'. */
  errorType?: string;
}

/** Destroys the connection without any response: a transport error for the client. */
export interface DropReply extends ReplyTiming {
  kind: 'drop';
}

export type ScriptedReply = TextReply | ErrorReply | MalformedReply | TruncatedReply | HangReply | StreamErrorReply | DropReply;

/** A plain string is shorthand for `reply.text(string)`. */
export type ReplySpec = ScriptedReply | string;

export interface RecordedLlmRequest {
  /** 1-based, in arrival order across all protocols. */
  id: number;
  protocol: WireProtocol;
  method: string;
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The parsed JSON body (undefined for GET). */
  body: unknown;
  /** body.model, when there is one. */
  model: string | undefined;
  /** Whether the client asked for a stream (Ollama streams unless told `stream: false`). */
  stream: boolean;
  /** The reply the server chose (undefined for /api/tags and other fixed routes). */
  reply: ScriptedReply | undefined;
  /** performance.now() stamps, comparable with the test's own clock (same process). */
  timing: { receivedAt: number; headersSentAt?: number; firstTextAt?: number; endedAt?: number; closedAt?: number };
  /** Resolves when the connection for this request is closed (finished, aborted or dropped). */
  closed: Promise<void>;
}

/** Decides a reply from the request (e.g. by its system prompt). */
export type Responder = (req: RecordedLlmRequest) => ReplySpec;

export const reply = {
  text: (text: string, opts: Omit<TextReply, 'kind' | 'text'> = {}): TextReply => ({ kind: 'text', text, ...opts }),
  error: (status: number, opts: Omit<ErrorReply, 'kind' | 'status'> = {}): ErrorReply => ({ kind: 'error', status, ...opts }),
  malformed: (opts: Omit<MalformedReply, 'kind'> = {}): MalformedReply => ({ kind: 'malformed', ...opts }),
  truncated: (text: string, opts: Omit<TruncatedReply, 'kind' | 'text'> = {}): TruncatedReply => ({ kind: 'truncated', text, ...opts }),
  hang: (opts: Omit<HangReply, 'kind'> = {}): HangReply => ({ kind: 'hang', ...opts }),
  streamError: (opts: Omit<StreamErrorReply, 'kind'> = {}): StreamErrorReply => ({ kind: 'stream_error', ...opts }),
  drop: (opts: Omit<DropReply, 'kind'> = {}): DropReply => ({ kind: 'drop', ...opts }),
};

export function toReply(spec: ReplySpec): ScriptedReply {
  return typeof spec === 'string' ? reply.text(spec) : spec;
}

/** Word-by-word chunks that join back to the text. */
export function defaultChunks(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
}
