/** The factory the composition root calls: an LlmConfig in, a ready provider out (never null). */
import type { LlmConfig } from '../config/config.js';
import { AnthropicProvider } from './anthropic-provider.js';
import { PROVIDER_SPECS } from './catalog.js';
import { missingKeyReason, NO_LLM_MESSAGE } from './llm-config.js';
import { NotConfiguredProvider } from './not-configured-provider.js';
import { OllamaProvider } from './ollama-provider.js';
import { OpenAiCompatibleProvider } from './openai-compatible-provider.js';
import type { LlmProvider } from './provider.js';

export interface ProviderOverrides {
  /** Replaces global fetch in the SDKs (proxies, instrumentation). */
  fetch?: typeof fetch;
  /** First retry delay for Ollama (the hosted SDKs schedule their own). */
  retryBaseDelayMs?: number;
}

/**
 * Provider 'none' or a hosted provider without its key gives a NotConfiguredProvider
 * (`configured: false`): the hub starts, and each call fails with a message saying what to set.
 */
export function createLlmProvider(config: LlmConfig, overrides: ProviderOverrides = {}): LlmProvider {
  if (config.provider === 'none') return new NotConfiguredProvider('none', '', '', NO_LLM_MESSAGE);
  const spec = PROVIDER_SPECS[config.provider];
  const model = config.model ?? spec.defaultModel;
  const missing = missingKeyReason(config);
  if (missing) return new NotConfiguredProvider(config.provider, model, config.baseUrl ?? spec.defaultBaseUrl, missing);
  const common = {
    model,
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
  };
  switch (config.provider) {
    case 'anthropic':
      return new AnthropicProvider({ ...common, apiKey: config.apiKey!, baseUrl: config.baseUrl ?? spec.defaultBaseUrl });
    case 'openai':
    case 'nim':
    case 'gemini':
      return new OpenAiCompatibleProvider(config.provider, {
        ...common,
        apiKey: config.apiKey!,
        baseUrl: config.baseUrl ?? spec.defaultBaseUrl,
      });
    case 'ollama':
      return new OllamaProvider({
        ...common,
        host: config.baseUrl,
        ...(config.apiKey ? { apiKey: config.apiKey } : {}),
        ...(overrides.retryBaseDelayMs === undefined ? {} : { retryBaseDelayMs: overrides.retryBaseDelayMs }),
      });
  }
}
