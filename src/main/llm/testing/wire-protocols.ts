/**
 * How each provider puts a reply on the wire, byte for byte as the real services do: Anthropic
 * Messages (JSON / SSE events), OpenAI chat completions (JSON / SSE `data:` chunks + `[DONE]`),
 * Ollama /api/chat (JSON / NDJSON lines).
 */
import type { WireProtocol } from './scripted-reply.js';

/** A reply resolved against the request it answers. */
export interface TextOutcome {
  id: string;
  text: string;
  chunks: string[];
  model: string;
  inputTokens: number;
  outputTokens: number;
  stopReason: string | undefined;
  /** OpenAI: the request asked for stream_options.include_usage. */
  includeUsage: boolean;
}

export interface WireProtocolCodec {
  streamContentType: string;
  blockingBody(o: TextOutcome): unknown;
  errorBody(status: number, message: string): unknown;
  /** Frames before the first text chunk. */
  streamHead(o: TextOutcome): string[];
  streamChunk(o: TextOutcome, text: string): string;
  /** Frames after the last chunk, including the end marker. */
  streamTail(o: TextOutcome): string[];
  streamError(message: string, errorType: string): string;
  /** A frame whose JSON is cut off. */
  malformedFrame(o: TextOutcome): string;
}

const sse = (event: string | undefined, data: unknown): string =>
  `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

const ANTHROPIC_ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const anthropic: WireProtocolCodec = {
  streamContentType: 'text/event-stream; charset=utf-8',
  blockingBody: (o) => ({
    id: o.id,
    type: 'message',
    role: 'assistant',
    model: o.model,
    content: [{ type: 'text', text: o.text }],
    stop_reason: o.stopReason ?? 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: o.inputTokens, output_tokens: o.outputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  }),
  errorBody: (status, message) => ({
    type: 'error',
    error: { type: ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message },
    request_id: 'req_scripted',
  }),
  streamHead: (o) => [
    sse('message_start', {
      type: 'message_start',
      message: {
        id: o.id,
        type: 'message',
        role: 'assistant',
        model: o.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: o.inputTokens, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    }),
    sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    sse('ping', { type: 'ping' }),
  ],
  streamChunk: (_o, text) => sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
  streamTail: (o) => [
    sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
    sse('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: o.stopReason ?? 'end_turn', stop_sequence: null },
      usage: { output_tokens: o.outputTokens },
    }),
    sse('message_stop', { type: 'message_stop' }),
  ],
  streamError: (message, errorType) => sse('error', { type: 'error', error: { type: errorType, message } }),
  malformedFrame: () => sse('content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"text_del'),
};

const OPENAI_ERRORS: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory' },
  404: { type: 'invalid_request_error', code: 'model_not_found' },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
  500: { type: 'server_error', code: null },
  503: { type: 'server_error', code: null },
};

const created = (): number => Math.floor(Date.now() / 1000);

const openaiChunk = (o: TextOutcome, choices: unknown[], usage: unknown = null): unknown => ({
  id: o.id,
  object: 'chat.completion.chunk',
  created: created(),
  model: o.model,
  system_fingerprint: 'fp_scripted',
  choices,
  ...(o.includeUsage ? { usage } : {}),
});

const openaiUsage = (o: TextOutcome) => ({
  prompt_tokens: o.inputTokens,
  completion_tokens: o.outputTokens,
  total_tokens: o.inputTokens + o.outputTokens,
});

const openai: WireProtocolCodec = {
  streamContentType: 'text/event-stream; charset=utf-8',
  blockingBody: (o) => ({
    id: o.id,
    object: 'chat.completion',
    created: created(),
    model: o.model,
    system_fingerprint: 'fp_scripted',
    choices: [{ index: 0, message: { role: 'assistant', content: o.text, refusal: null }, logprobs: null, finish_reason: o.stopReason ?? 'stop' }],
    usage: openaiUsage(o),
  }),
  errorBody: (status, message) => {
    const e = OPENAI_ERRORS[status] ?? { type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null };
    return { error: { message, type: e.type, param: null, code: e.code } };
  },
  streamHead: (o) => [sse(undefined, openaiChunk(o, [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]))],
  streamChunk: (o, text) => sse(undefined, openaiChunk(o, [{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }])),
  streamTail: (o) => [
    sse(undefined, openaiChunk(o, [{ index: 0, delta: {}, logprobs: null, finish_reason: o.stopReason ?? 'stop' }])),
    ...(o.includeUsage ? [sse(undefined, openaiChunk(o, [], openaiUsage(o)))] : []),
    sse(undefined, '[DONE]'),
  ],
  streamError: (message) => sse(undefined, { error: { message, type: 'server_error', param: null, code: null } }),
  malformedFrame: (o) => `data: {"id":"${o.id}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"oo\n\n`,
};

const ollamaTimes = { total_duration: 1_500_000, load_duration: 200_000, prompt_eval_duration: 300_000, eval_duration: 1_000_000 };

const ollama: WireProtocolCodec = {
  streamContentType: 'application/x-ndjson',
  blockingBody: (o) => ({
    model: o.model,
    created_at: new Date().toISOString(),
    message: { role: 'assistant', content: o.text },
    done_reason: o.stopReason ?? 'stop',
    done: true,
    total_duration: ollamaTimes.total_duration,
    load_duration: ollamaTimes.load_duration,
    prompt_eval_count: o.inputTokens,
    prompt_eval_duration: ollamaTimes.prompt_eval_duration,
    eval_count: o.outputTokens,
    eval_duration: ollamaTimes.eval_duration,
  }),
  errorBody: (_status, message) => ({ error: message }),
  streamHead: () => [],
  streamChunk: (o, text) =>
    `${JSON.stringify({ model: o.model, created_at: new Date().toISOString(), message: { role: 'assistant', content: text }, done: false })}\n`,
  streamTail: (o) => [
    `${JSON.stringify({
      model: o.model,
      created_at: new Date().toISOString(),
      message: { role: 'assistant', content: '' },
      done_reason: o.stopReason ?? 'stop',
      done: true,
      ...ollamaTimes,
      prompt_eval_count: o.inputTokens,
      eval_count: o.outputTokens,
    })}\n`,
  ],
  streamError: (message) => `${JSON.stringify({ error: message })}\n`,
  malformedFrame: (o) => `{"model":"${o.model}","message":{"role":"assistant","content":"oo\n`,
};

export const WIRE: Readonly<Record<WireProtocol, WireProtocolCodec>> = { anthropic, openai, ollama };

export function defaultErrorMessage(protocol: WireProtocol, status: number): string {
  if (status === 401) return protocol === 'openai' ? 'Incorrect API key provided.' : 'invalid x-api-key';
  if (status === 403) return 'Your API key does not have permission to use the specified resource.';
  if (status === 404) return 'model not found';
  if (status === 429) return protocol === 'anthropic' ? 'Number of requests has exceeded your rate limit' : 'Rate limit reached for requests';
  if (status === 529) return 'Overloaded';
  if (status >= 500) return protocol === 'ollama' ? 'llama runner process has terminated' : 'Internal server error';
  return 'invalid request';
}
