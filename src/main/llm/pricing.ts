/**
 * What a call costs: USD per 1M input / output tokens by provider and model. Local Ollama models
 * cost 0. A hosted model we have no price for also counts 0 but is reported `priced: false`, so a
 * dashboard can say "cost unknown" instead of pretending it was free.
 */
import type { LlmUsage } from './provider.js';

export interface ModelPrice {
  /** USD per 1M input tokens. */
  input: number;
  /** USD per 1M output tokens. */
  output: number;
}

/** provider → model (or model prefix) → price. A provider entry `'*'` prices every model. */
export type PriceTable = Readonly<Record<string, Readonly<Record<string, ModelPrice>>>>;

/** List prices (standard tier, short context) as published by each vendor; update as they change. */
export const DEFAULT_PRICES: PriceTable = {
  anthropic: {
    'claude-opus-4-5': { input: 5, output: 25 },
    'claude-opus-4-1': { input: 15, output: 75 },
    'claude-opus-4': { input: 15, output: 75 },
    'claude-sonnet-4-6': { input: 3, output: 15 },
    'claude-sonnet-4-5': { input: 3, output: 15 },
    'claude-sonnet-4': { input: 3, output: 15 },
    'claude-3-7-sonnet': { input: 3, output: 15 },
    'claude-haiku-4-5': { input: 1, output: 5 },
    'claude-3-5-haiku': { input: 0.8, output: 4 },
    'claude-3-haiku': { input: 0.25, output: 1.25 },
  },
  openai: {
    'gpt-4o': { input: 2.5, output: 10 },
    'gpt-4o-mini': { input: 0.15, output: 0.6 },
    'gpt-4.1': { input: 2, output: 8 },
    'gpt-4.1-mini': { input: 0.4, output: 1.6 },
    'gpt-4.1-nano': { input: 0.1, output: 0.4 },
    'gpt-5': { input: 1.25, output: 10 },
    'gpt-5-mini': { input: 0.25, output: 2 },
    'gpt-5-nano': { input: 0.05, output: 0.4 },
    o3: { input: 2, output: 8 },
    'o3-mini': { input: 1.1, output: 4.4 },
    'o4-mini': { input: 1.1, output: 4.4 },
  },
  gemini: {
    'gemini-2.5-pro': { input: 1.25, output: 10 },
    'gemini-2.5-flash': { input: 0.3, output: 2.5 },
    'gemini-2.5-flash-lite': { input: 0.1, output: 0.4 },
    'gemini-2.0-flash': { input: 0.1, output: 0.4 },
    'gemini-2.0-flash-lite': { input: 0.075, output: 0.3 },
  },
  // build.nvidia.com's hosted NIM endpoints are a free (credit-based) tier.
  nim: { '*': { input: 0, output: 0 } },
  // Local models: the electricity is on the user.
  ollama: { '*': { input: 0, output: 0 } },
};

export interface PriceLookup {
  price: ModelPrice;
  /** False when the model is not in the table (the cost is then reported as 0). */
  priced: boolean;
}

/** What may follow a priced name and still be the same model: a date snapshot, -latest, @version. */
const SNAPSHOT_SUFFIX = /^(-\d{4}-?\d{2}-?\d{2}|-latest|@.+)$/;

/**
 * Exact model first, then a dated snapshot of a priced one ("gpt-4o-2024-08-06",
 * "claude-sonnet-4-5-20250929"). Anything else — "gpt-4o-mini" against "gpt-4o", a newer
 * "claude-opus-4-7" against "claude-opus-4" — is a different model and stays unpriced.
 */
export function priceFor(provider: string, model: string, table: PriceTable = DEFAULT_PRICES): PriceLookup {
  const models = table[provider];
  if (!models) return { price: { input: 0, output: 0 }, priced: false };
  const exact = models[model];
  if (exact) return { price: exact, priced: true };
  for (const key of Object.keys(models)) {
    if (key !== '*' && model.startsWith(key) && SNAPSHOT_SUFFIX.test(model.slice(key.length))) {
      return { price: models[key]!, priced: true };
    }
  }
  const any = models['*'];
  if (any) return { price: any, priced: true };
  return { price: { input: 0, output: 0 }, priced: false };
}

export interface CallCost {
  usd: number;
  priced: boolean;
}

export function costOf(provider: string, model: string, usage: LlmUsage, table: PriceTable = DEFAULT_PRICES): CallCost {
  const { price, priced } = priceFor(provider, model, table);
  return { usd: (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000, priced };
}
