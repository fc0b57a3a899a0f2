/**
 * REST for the LLM layer (mounted beside the original routes; under /api/ on the dashboard):
 *   GET /llm         → {provider, model, base_url, configured, summary}
 *   GET /llm/models  → Ollama: the installed models (GET /api/tags) and whether the configured one
 *                      is among them; 503 with what to do when Ollama isn't reachable. Others: the
 *                      configured model.
 *
 * GET /cost (our totals beside the original's spend-limit fields) is served with the original
 * monitor's routes (hub/original-monitor.ts); costTotals() here builds our part of it.
 */
import type { FastifyInstance } from 'fastify';
import type { RoutePlugin } from '../server/http-app.js';
import { HttpError } from '../server/http-error.js';
import type { CostSnapshot, CostSummary } from '../llm/cost-tracker.js';
import { isLlmError } from '../llm/errors.js';
import { OllamaProvider, sameOllamaModel } from '../llm/ollama-provider.js';
import { NotConfiguredProvider } from '../llm/not-configured-provider.js';
import type { LlmProvider } from '../llm/provider.js';
import type { CostEntry, CostResponse, LlmInfoResponse, LlmModelsResponse } from '../../shared/rest.js';
import type { SpendInfo } from '../../shared/original-monitor.js';
import { redact } from '../base/redact.js';

export interface LlmRoutesDeps {
  /** The hub's provider (it may be switched at run time: every request reads it afresh). */
  llm: LlmProvider;
  /** The startup line for the current provider (a function when the provider can change). */
  llmSummary: string | (() => string);
}

/**
 * Who can list the installed models: the provider itself when it is an OllamaProvider, otherwise
 * (a wrapper around Ollama, e.g. the switchable provider) a lister on the same host — GET
 * /api/tags needs no more than the host, and no retries: a listing should answer fast.
 */
function ollamaLister(llm: LlmProvider): OllamaProvider | undefined {
  if (llm instanceof OllamaProvider) return llm;
  return llm.name === 'ollama' && llm.configured ? new OllamaProvider({ host: llm.baseUrl, model: llm.model, maxRetries: 0 }) : undefined;
}

/** LLM calls, tokens and USD per agent and in total (snake_case, like the metrics payloads: tokens_in, tokens_out, cost_usd). */
export function costTotals(snap: CostSnapshot, summary: string, spend: SpendInfo): CostResponse {
  return {
    total: costEntry(snap.total),
    agents: Object.fromEntries(Object.entries(snap.agents).map(([name, s]) => [name, costEntry(s)])),
    summary,
    ...spend,
  };
}

function costEntry(s: CostSummary): CostEntry {
  return {
    calls: s.calls,
    failures: s.failures,
    tokens_in: s.inputTokens,
    tokens_out: s.outputTokens,
    cost_usd: s.costUsd,
    unpriced_calls: s.unpricedCalls,
    avg_latency_ms: s.avgLatencyMs,
  };
}

async function ollamaModels(llm: OllamaProvider): Promise<LlmModelsResponse> {
  try {
    const models = await llm.listModels({ timeoutMs: 5_000 });
    const installed = models.some((m) => sameOllamaModel(m.name, llm.model));
    return {
      provider: 'ollama',
      model: llm.model,
      configured: true,
      installed,
      models: models.map((m) => ({
        name: m.name,
        size_bytes: m.sizeBytes,
        modified_at: m.modifiedAt,
        family: m.family,
        parameter_size: m.parameterSize,
        quantization: m.quantization,
      })),
      ...(installed ? {} : { note: `model ${llm.model} is not pulled — run \`ollama pull ${llm.model}\`` }),
    };
  } catch (e) {
    if (isLlmError(e)) throw new HttpError(e.kind === 'connection' || e.kind === 'timeout' ? 503 : 502, e.message, { kind: e.kind, base_url: redact(llm.baseUrl) });
    throw e;
  }
}

export function llmRoutes(d: LlmRoutesDeps): RoutePlugin {
  const summary = (): string => (typeof d.llmSummary === 'function' ? d.llmSummary() : d.llmSummary);
  return async (app: FastifyInstance) => {
    app.get('/llm', async (): Promise<LlmInfoResponse> => ({
      provider: d.llm.name,
      model: d.llm.model || null,
      base_url: d.llm.baseUrl ? redact(d.llm.baseUrl) : null,
      configured: d.llm.configured,
      summary: summary(),
    }));

    app.get('/llm/models', async (): Promise<LlmModelsResponse> => {
      const ollama = ollamaLister(d.llm);
      if (ollama) return ollamaModels(ollama);
      if (!d.llm.configured) {
        const note = d.llm instanceof NotConfiguredProvider ? d.llm.reason : summary();
        return { provider: d.llm.name, model: d.llm.model || null, configured: false, installed: null, models: [], note };
      }
      return { provider: d.llm.name, model: d.llm.model, configured: true, installed: null, models: [{ name: d.llm.model }] };
    });
  };
}
