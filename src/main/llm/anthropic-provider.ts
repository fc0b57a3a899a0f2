/** Anthropic Messages API through @anthropic-ai/sdk (blocking and SSE streaming). */
import Anthropic, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { z } from 'zod';
import type { CallControl } from './call-control.js';
import { PROVIDER_SPECS } from './catalog.js';
import { parseWire, stopReasonOf } from './call-helpers.js';
import { callSite, completeCall, streamCall, type ProviderCallSite, type ProviderOptions, type StreamReader } from './provider-call.js';
import { mapSdkError, sdkRequestOptions, type SdkErrorClasses } from './sdk-errors.js';
import type { ChatMessage, LlmCallOptions, LlmCompletion, LlmProvider, LlmStopReason, LlmStreamEvent } from './provider.js';

const SDK_ERRORS: SdkErrorClasses = { APIError, APIUserAbortError, APIConnectionError, APIConnectionTimeoutError };
const spec = PROVIDER_SPECS.anthropic;
/** The API requires max_tokens; this leaves room for long answers without being unbounded. */
const DEFAULT_MAX_TOKENS = 4096;

const messageSchema = z.object({
  model: z.string(),
  content: z.array(z.object({ type: z.string(), text: z.string().optional() })),
  stop_reason: z.string().nullish(),
  usage: z.object({ input_tokens: z.number(), output_tokens: z.number() }),
});

const streamEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message_start'),
    message: z.object({ model: z.string(), usage: z.object({ input_tokens: z.number(), output_tokens: z.number().nullish() }) }),
  }),
  z.object({ type: z.literal('content_block_delta'), delta: z.object({ type: z.string(), text: z.string().optional() }) }),
  z.object({
    type: z.literal('message_delta'),
    delta: z.object({ stop_reason: z.string().nullish() }),
    usage: z.object({ output_tokens: z.number(), input_tokens: z.number().nullish() }),
  }),
  z.object({ type: z.literal('message_stop') }),
  z.object({ type: z.enum(['content_block_start', 'content_block_stop', 'ping']) }),
]);

/** Text comes in content_block_delta; usage in message_start and message_delta; the end is message_stop. */
function anthropicStreamReader(requestedModel: string): StreamReader {
  let inputTokens = 0;
  let outputTokens = 0;
  let model = requestedModel;
  let stopReason: LlmStopReason | null = null;
  let sawStop = false;
  return {
    read(raw, ctx) {
      const ev = parseWire(streamEventSchema, raw, ctx, 'stream event');
      if (ev.type === 'message_start') {
        model = ev.message.model;
        inputTokens = ev.message.usage.input_tokens;
        outputTokens = ev.message.usage.output_tokens ?? 0;
      } else if (ev.type === 'content_block_delta') {
        return { text: ev.delta.type === 'text_delta' ? ev.delta.text : undefined };
      } else if (ev.type === 'message_delta') {
        // message_delta carries the final, cumulative output count (and input, on newer APIs).
        outputTokens = ev.usage.output_tokens;
        if (typeof ev.usage.input_tokens === 'number') inputTokens = ev.usage.input_tokens;
        stopReason = stopReasonOf(ev.delta.stop_reason);
      } else if (ev.type === 'message_stop') {
        sawStop = true;
      }
      return {};
    },
    end: () => (sawStop ? { usage: { inputTokens, outputTokens }, model, stopReason } : { missing: 'the stream ended before message_stop' }),
  };
}

export interface AnthropicProviderOptions extends ProviderOptions {
  apiKey: string;
  baseUrl?: string;
}

export class AnthropicProvider implements LlmProvider {
  readonly name = 'anthropic' as const;
  readonly configured = true;
  readonly model: string;
  readonly baseUrl: string;
  private readonly client: Anthropic;
  private readonly site: ProviderCallSite;

  constructor(opts: AnthropicProviderOptions) {
    this.model = opts.model ?? spec.defaultModel;
    this.baseUrl = opts.baseUrl ?? spec.defaultBaseUrl;
    this.site = callSite(this.name, opts, {
      context: (attempts) => ({ spec, model: this.model, baseUrl: this.baseUrl, attempts }),
      mapError: (err, control, ctx) => mapSdkError(err, SDK_ERRORS, control, ctx),
    });
    this.client = new Anthropic({
      apiKey: opts.apiKey,
      baseURL: this.baseUrl,
      timeout: this.site.timeoutMs,
      maxRetries: this.site.maxRetries,
      // Errors reach the caller as LlmError; the SDK's own console logging would only duplicate them.
      logLevel: 'off',
      openTelemetry: false,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
  }

  complete(messages: readonly ChatMessage[], system?: string, opts: LlmCallOptions = {}): Promise<LlmCompletion> {
    return completeCall(this.site, messages, opts, async (valid, control, ctx) => {
      const raw = await this.client.messages.create({ ...this.params(valid, system, opts), stream: false }, sdkRequestOptions(control, this.site.maxRetries));
      const msg = parseWire(messageSchema, raw, ctx, 'message');
      return {
        text: msg.content.flatMap((b) => (b.type === 'text' && b.text ? [b.text] : [])).join(''),
        usage: { inputTokens: msg.usage.input_tokens, outputTokens: msg.usage.output_tokens },
        model: msg.model,
        stopReason: stopReasonOf(msg.stop_reason),
      };
    });
  }

  stream(messages: readonly ChatMessage[], system?: string, opts: LlmCallOptions = {}): AsyncGenerator<LlmStreamEvent> {
    const open = (valid: ChatMessage[], control: CallControl) =>
      this.client.messages.create({ ...this.params(valid, system, opts), stream: true }, sdkRequestOptions(control, this.site.maxRetries));
    return streamCall(this.site, messages, opts, open, anthropicStreamReader(this.model));
  }

  private params(messages: ChatMessage[], system: string | undefined, opts: LlmCallOptions) {
    return {
      model: this.model,
      max_tokens: opts.maxTokens ?? DEFAULT_MAX_TOKENS,
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      ...(system ? { system } : {}),
      ...(opts.temperature === undefined ? {} : { temperature: opts.temperature }),
    };
  }

}
