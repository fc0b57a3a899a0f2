/**
 * OpenAI chat completions through the `openai` SDK — also the road to NVIDIA NIM and Gemini, which
 * speak the same protocol at their own base URLs.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { z } from 'zod';
import type { CallControl } from './call-control.js';
import { PROVIDER_SPECS, type ProviderSpec } from './catalog.js';
import { parseWire, stopReasonOf } from './call-helpers.js';
import { callSite, completeCall, streamCall, type ProviderCallSite, type ProviderOptions, type StreamReader } from './provider-call.js';
import { mapSdkError, sdkRequestOptions, type SdkErrorClasses } from './sdk-errors.js';
import type { ChatMessage, LlmCallOptions, LlmCompletion, LlmProvider, LlmStopReason, LlmStreamEvent, LlmUsage } from './provider.js';

const SDK_ERRORS: SdkErrorClasses = { APIError, APIUserAbortError, APIConnectionError, APIConnectionTimeoutError };

export type OpenAiCompatibleName = 'openai' | 'nim' | 'gemini';

const usageSchema = z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).nullish();

const completionSchema = z.object({
  model: z.string().nullish(),
  choices: z
    .array(z.object({ message: z.object({ content: z.string().nullish() }), finish_reason: z.string().nullish() }))
    .min(1, 'no choices in the completion'),
  usage: usageSchema,
});

const chunkSchema = z.object({
  model: z.string().nullish(),
  choices: z.array(z.object({ delta: z.object({ content: z.string().nullish() }).nullish(), finish_reason: z.string().nullish() })),
  usage: usageSchema,
});

export interface OpenAiCompatibleOptions extends ProviderOptions {
  apiKey: string;
  baseUrl?: string;
}

function toUsage(u: z.infer<typeof usageSchema>): LlmUsage {
  return { inputTokens: u?.prompt_tokens ?? 0, outputTokens: u?.completion_tokens ?? 0 };
}

/** Text in each chunk's delta; the end is a finish_reason (the usage chunk may follow it). */
function openAiStreamReader(requestedModel: string): StreamReader {
  let usage: LlmUsage = { inputTokens: 0, outputTokens: 0 };
  let model = requestedModel;
  let stopReason: LlmStopReason | null = null;
  let sawFinish = false;
  return {
    read(raw, ctx) {
      const chunk = parseWire(chunkSchema, raw, ctx, 'stream chunk');
      if (chunk.model) model = chunk.model;
      if (chunk.usage) usage = toUsage(chunk.usage);
      const choice = chunk.choices[0];
      if (choice?.finish_reason) {
        sawFinish = true;
        stopReason = stopReasonOf(choice.finish_reason);
      }
      return { text: choice?.delta?.content };
    },
    end: () => (sawFinish ? { usage, model, stopReason } : { missing: 'the stream ended before the model finished (no finish_reason)' }),
  };
}

export class OpenAiCompatibleProvider implements LlmProvider {
  readonly configured = true;
  readonly name: OpenAiCompatibleName;
  readonly model: string;
  readonly baseUrl: string;
  private readonly spec: ProviderSpec;
  private readonly client: OpenAI;
  private readonly site: ProviderCallSite;

  constructor(name: OpenAiCompatibleName, opts: OpenAiCompatibleOptions) {
    this.name = name;
    this.spec = PROVIDER_SPECS[name];
    this.model = opts.model ?? this.spec.defaultModel;
    this.baseUrl = opts.baseUrl ?? this.spec.defaultBaseUrl;
    this.site = callSite(name, opts, {
      context: (attempts) => ({ spec: this.spec, model: this.model, baseUrl: this.baseUrl, attempts }),
      mapError: (err, control, ctx) => mapSdkError(err, SDK_ERRORS, control, ctx),
    });
    this.client = new OpenAI({
      apiKey: opts.apiKey,
      baseURL: this.baseUrl,
      timeout: this.site.timeoutMs,
      maxRetries: this.site.maxRetries,
      logLevel: 'off',
      // OPENAI_ORG_ID / OPENAI_PROJECT_ID belong to OpenAI; don't send them to Google or NVIDIA.
      ...(name === 'openai' ? {} : { organization: null, project: null }),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
  }

  complete(messages: readonly ChatMessage[], system?: string, opts: LlmCallOptions = {}): Promise<LlmCompletion> {
    return completeCall(this.site, messages, opts, async (valid, control, ctx) => {
      const raw = await this.client.chat.completions.create({ ...this.body(valid, system, opts), stream: false }, sdkRequestOptions(control, this.site.maxRetries));
      const res = parseWire(completionSchema, raw, ctx, 'chat completion');
      const choice = res.choices[0]!;
      return { text: choice.message.content ?? '', usage: toUsage(res.usage), model: res.model || this.model, stopReason: stopReasonOf(choice.finish_reason) };
    });
  }

  stream(messages: readonly ChatMessage[], system?: string, opts: LlmCallOptions = {}): AsyncGenerator<LlmStreamEvent> {
    const open = (valid: ChatMessage[], control: CallControl) =>
      this.client.chat.completions.create(
        // include_usage: the last chunk then carries the token counts (choices empty).
        { ...this.body(valid, system, opts), stream: true, stream_options: { include_usage: true } },
        sdkRequestOptions(control, this.site.maxRetries),
      );
    return streamCall(this.site, messages, opts, open, openAiStreamReader(this.model));
  }

  private body(messages: ChatMessage[], system: string | undefined, opts: LlmCallOptions) {
    const wire: Array<{ role: 'system' | 'user' | 'assistant'; content: string }> = [];
    if (system) wire.push({ role: 'system', content: system });
    for (const m of messages) wire.push({ role: m.role, content: m.content });
    return {
      model: this.model,
      messages: wire,
      // OpenAI itself deprecated max_tokens; NIM and Gemini's compatible endpoints still expect it.
      ...(opts.maxTokens === undefined
        ? {}
        : this.name === 'openai'
          ? { max_completion_tokens: opts.maxTokens }
          : { max_tokens: opts.maxTokens }),
      ...(opts.temperature === undefined ? {} : { temperature: opts.temperature }),
    };
  }

}
