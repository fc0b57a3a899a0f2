/**
 * Local models through the `ollama` SDK and Ollama's native /api/chat (NDJSON streaming). No key,
 * no cost, works offline. The SDK has no retries and no per-request signal, so both live here.
 */
import { Ollama } from 'ollama';
import { z } from 'zod';
import { CallControl } from './call-control.js';
import { PROVIDER_SPECS } from './catalog.js';
import { parseWire, stopReasonOf } from './call-helpers.js';
import {
  badResponse,
  describeNetworkCause,
  errorForStatus,
  isNetworkFailure,
  networkCode,
  stoppedError,
  type ErrorContext,
} from './error-messages.js';
import { callSite, completeCall, streamCall, type ProviderCallSite, type ProviderOptions, type StreamReader } from './provider-call.js';
import { isLlmError, LlmError } from './errors.js';
import { normalizeOllamaHost } from './ollama-host.js';
import { withRetry } from './retry.js';
import type { ChatMessage, LlmCallOptions, LlmCompletion, LlmProvider, LlmStopReason, LlmStreamEvent, LlmUsage } from './provider.js';

const spec = PROVIDER_SPECS.ollama;

const chatResponseSchema = z.object({
  model: z.string().nullish(),
  message: z.object({ content: z.string().nullish() }).nullish(),
  done: z.boolean(),
  done_reason: z.string().nullish(),
  prompt_eval_count: z.number().nullish(),
  eval_count: z.number().nullish(),
});

const tagsSchema = z.object({
  models: z.array(
    z.object({
      name: z.string(),
      model: z.string().nullish(),
      size: z.number().nullish(),
      modified_at: z.union([z.string(), z.date()]).nullish(),
      details: z
        .object({ family: z.string().nullish(), parameter_size: z.string().nullish(), quantization_level: z.string().nullish() })
        .nullish(),
    }),
  ),
});

export interface OllamaModelInfo {
  /** As Ollama lists it, with tag: "llama3:latest". */
  name: string;
  sizeBytes: number | null;
  modifiedAt: string | null;
  family: string | null;
  parameterSize: string | null;
  quantization: string | null;
}

export interface OllamaProviderOptions extends ProviderOptions {
  /** --ollama-host / OLLAMA_HOST; default http://127.0.0.1:11434. */
  host?: string;
  /** First backoff delay (doubles per retry). */
  retryBaseDelayMs?: number;
  /** Sent as a Bearer token, for an Ollama behind an authenticating proxy. */
  apiKey?: string;
}

/** "llama3" and "llama3:latest" are the same model to Ollama. */
export function sameOllamaModel(a: string, b: string): boolean {
  const norm = (m: string): string => (m.includes(':') ? m : `${m}:latest`);
  return norm(a) === norm(b);
}

function ollamaStatus(err: unknown): number | undefined {
  const e = err as { name?: unknown; status_code?: unknown } | undefined;
  return e?.name === 'ResponseError' && typeof e.status_code === 'number' ? e.status_code : undefined;
}

function isRetryable(err: unknown): boolean {
  const status = ollamaStatus(err);
  if (status !== undefined) return status === 408 || status === 429 || status >= 500;
  return isNetworkFailure(err);
}

/** NDJSON lines of /api/chat: text in each line's message; the last line has done (and the counts). */
function ollamaStreamReader(requestedModel: string): StreamReader {
  let totals: { usage: LlmUsage; model: string; stopReason: LlmStopReason | null } | undefined;
  return {
    read(raw, ctx) {
      const part = parseWire(chatResponseSchema, raw, ctx, '/api/chat stream line');
      if (part.done) {
        // prompt_eval_count in, eval_count out.
        totals = { usage: { inputTokens: part.prompt_eval_count ?? 0, outputTokens: part.eval_count ?? 0 }, model: part.model || requestedModel, stopReason: stopReasonOf(part.done_reason) };
      }
      return { text: part.message?.content, last: part.done };
    },
    end: () => totals ?? { missing: 'the stream ended without its final "done" line' },
  };
}

export class OllamaProvider implements LlmProvider {
  readonly name = 'ollama' as const;
  readonly configured = true;
  readonly model: string;
  readonly baseUrl: string;
  private readonly retryBaseDelayMs: number;
  private readonly headers: Record<string, string>;
  private readonly baseFetch: typeof fetch;
  private readonly site: ProviderCallSite;

  constructor(opts: OllamaProviderOptions = {}) {
    this.model = opts.model ?? spec.defaultModel;
    this.baseUrl = normalizeOllamaHost(opts.host);
    this.retryBaseDelayMs = opts.retryBaseDelayMs ?? 500;
    this.headers = opts.apiKey ? { Authorization: `Bearer ${opts.apiKey}` } : {};
    this.baseFetch = opts.fetch ?? fetch;
    this.site = callSite(this.name, opts, {
      context: (attempts) => this.context(attempts),
      mapError: (err, control, ctx) => this.mapErrorWithModels(err, control, ctx),
    });
  }

  /** The models installed in this Ollama (GET /api/tags). */
  async listModels(opts: Pick<LlmCallOptions, 'signal' | 'timeoutMs'> = {}): Promise<OllamaModelInfo[]> {
    const control = new CallControl(opts.signal, opts.timeoutMs ?? this.site.timeoutMs);
    const ctx = this.context(this.site.maxRetries + 1);
    try {
      control.arm();
      const client = this.client(control);
      const raw = await withRetry(() => client.list(), this.retryPolicy(control));
      return parseWire(tagsSchema, raw, ctx, '/api/tags listing').models.map((m) => ({
        name: m.name,
        sizeBytes: m.size ?? null,
        modifiedAt: m.modified_at == null ? null : new Date(m.modified_at).toISOString(),
        family: m.details?.family ?? null,
        parameterSize: m.details?.parameter_size ?? null,
        quantization: m.details?.quantization_level ?? null,
      }));
    } catch (err) {
      throw this.mapError(err, control, ctx);
    } finally {
      control.dispose();
    }
  }

  /** Throws model_not_found (naming what is installed) unless the configured model is pulled. */
  async checkModel(opts: Pick<LlmCallOptions, 'signal' | 'timeoutMs'> = {}): Promise<void> {
    const models = await this.listModels(opts);
    if (!models.some((m) => sameOllamaModel(m.name, this.model))) throw this.notPulled(models.map((m) => m.name));
  }

  complete(messages: readonly ChatMessage[], system?: string, opts: LlmCallOptions = {}): Promise<LlmCompletion> {
    return completeCall(this.site, messages, opts, async (valid, control, ctx) => {
      const client = this.client(control);
      const request = this.request(valid, system, opts);
      const raw = await withRetry(() => client.chat({ ...request, stream: false }), this.retryPolicy(control));
      const res = parseWire(chatResponseSchema, raw, ctx, '/api/chat response');
      return {
        text: res.message?.content ?? '',
        usage: { inputTokens: res.prompt_eval_count ?? 0, outputTokens: res.eval_count ?? 0 },
        model: res.model || this.model,
        stopReason: stopReasonOf(res.done_reason),
      };
    });
  }

  stream(messages: readonly ChatMessage[], system?: string, opts: LlmCallOptions = {}): AsyncGenerator<LlmStreamEvent> {
    const open = (valid: ChatMessage[], control: CallControl) => {
      const client = this.client(control);
      const request = this.request(valid, system, opts);
      return withRetry(() => client.chat({ ...request, stream: true }), this.retryPolicy(control));
    };
    return streamCall(this.site, messages, opts, open, ollamaStreamReader(this.model));
  }

  /** A client whose every request carries this call's signal (the SDK has no per-request one). */
  private client(control: CallControl): Ollama {
    const baseFetch = this.baseFetch;
    const signalled: typeof fetch = (input, init) =>
      baseFetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, control.signal]) : control.signal });
    return new Ollama({ host: this.baseUrl, fetch: signalled, headers: this.headers });
  }

  private request(messages: ChatMessage[], system: string | undefined, opts: LlmCallOptions) {
    // The system prompt is the first message of /api/chat (as the seed does), blocking and streaming.
    const wire: Array<{ role: string; content: string }> = [];
    if (system) wire.push({ role: 'system', content: system });
    for (const m of messages) wire.push({ role: m.role, content: m.content });
    const options: { temperature?: number; num_predict?: number } = {};
    if (opts.temperature !== undefined) options.temperature = opts.temperature;
    if (opts.maxTokens !== undefined) options.num_predict = opts.maxTokens;
    return { model: this.model, messages: wire, ...(Object.keys(options).length ? { options } : {}) };
  }

  private retryPolicy(control: CallControl) {
    return { maxRetries: this.site.maxRetries, baseDelayMs: this.retryBaseDelayMs, signal: control.signal, isRetryable };
  }

  private context(attempts: number): ErrorContext {
    return { spec, model: this.model, baseUrl: this.baseUrl, attempts };
  }

  private notPulled(installed: string[] | undefined): LlmError {
    const list =
      installed === undefined ? '' : installed.length ? ` (installed: ${installed.join(', ')})` : ' (no models are installed yet)';
    return new LlmError('model_not_found', `model ${this.model} is not pulled — run \`ollama pull ${this.model}\`${list}`, {
      provider: this.name,
      status: 404,
    });
  }

  /** Like mapError, but a missing model also names the installed ones (best effort, 2 s). */
  private async mapErrorWithModels(err: unknown, control: CallControl, ctx: ErrorContext): Promise<LlmError> {
    const mapped = this.mapError(err, control, ctx);
    if (mapped.kind !== 'model_not_found' || !/not pulled/.test(mapped.message)) return mapped;
    try {
      const models = await this.listModels({ timeoutMs: 2_000 });
      return this.notPulled(models.map((m) => m.name));
    } catch {
      return mapped;
    }
  }

  private mapError(err: unknown, control: CallControl, ctx: ErrorContext): LlmError {
    if (isLlmError(err)) return err;
    const stopped = stoppedError(control, ctx, err);
    if (stopped) return stopped;
    const message = err instanceof Error ? err.message : String(err);
    const status = ollamaStatus(err);
    if (status === 404 && /model/i.test(message)) return this.notPulled(undefined);
    if (status !== undefined) return errorForStatus(status, message, ctx, err);
    const code = networkCode(err);
    if (code === 'ECONNREFUSED') {
      return new LlmError(
        'connection',
        `Ollama is not running at ${this.baseUrl} — start it with \`ollama serve\` (or point --ollama-host / OLLAMA_HOST at where it runs)`,
        { provider: this.name, cause: err },
      );
    }
    if (isNetworkFailure(err)) {
      const why = describeNetworkCause(err);
      return new LlmError(
        'connection',
        `cannot reach Ollama at ${this.baseUrl}${why ? ` (${why})` : ''} — check --ollama-host / OLLAMA_HOST and that \`ollama serve\` is running there`,
        { provider: this.name, cause: err },
      );
    }
    if (/did not receive done/i.test(message)) return badResponse(ctx, 'the stream ended without its final "done" line', err);
    if (/not found/i.test(message) && /model/i.test(message)) return this.notPulled(undefined);
    if (err instanceof SyntaxError) return badResponse(ctx, `malformed JSON: ${message}`, err);
    // An {"error": …} line in the middle of a stream (the SDK throws its text).
    return new LlmError('server', `Ollama reported an error while generating — try again (server said: ${message})`, {
      provider: this.name,
      cause: err,
    });
  }
}
