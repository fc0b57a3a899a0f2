/** The LLM layer's public surface: import from here, not from the files behind it. */
export type { ChatMessage, LlmCallOptions, LlmCompletion, LlmProvider, LlmStopReason, LlmStreamDone, LlmStreamEvent, LlmUsage } from './provider.js';
export { chatMessageSchema, chatMessagesSchema, collectStream } from './provider.js';
export { LLM_ERROR_KINDS, LlmError, isLlmError, type LlmErrorKind } from './errors.js';
export { PROVIDER_SPECS, DEFAULT_OLLAMA_HOST, type ProviderSpec, type ConcreteProviderName } from './catalog.js';
export { AnthropicProvider, type AnthropicProviderOptions } from './anthropic-provider.js';
export { OpenAiCompatibleProvider, type OpenAiCompatibleName, type OpenAiCompatibleOptions } from './openai-compatible-provider.js';
export { OllamaProvider, sameOllamaModel, type OllamaModelInfo, type OllamaProviderOptions } from './ollama-provider.js';
export { NotConfiguredProvider } from './not-configured-provider.js';
export { normalizeOllamaHost } from './ollama-host.js';
export { createLlmProvider, type ProviderOverrides } from './create-provider.js';
export { resolveLlmConfig, describeLlm, missingKeyReason, NO_LLM_MESSAGE, type LlmFlags, type LlmEnv } from './llm-config.js';
export { DEFAULT_PRICES, priceFor, costOf, type ModelPrice, type PriceTable, type PriceLookup, type CallCost } from './pricing.js';
export { CostTracker, type CostSummary, type CostSnapshot, type LlmCallRecord, type CostListener } from './cost-tracker.js';
export { withCostTracking } from './tracked-provider.js';
