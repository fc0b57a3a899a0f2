import { describe, expect, it } from 'vitest';
import { costOf, priceFor } from './pricing.js';

describe('priceFor', () => {
  it('knows the default models of the hosted providers', () => {
    expect(priceFor('anthropic', 'claude-sonnet-4-6')).toEqual({ price: { input: 3, output: 15 }, priced: true });
    expect(priceFor('openai', 'gpt-4o')).toEqual({ price: { input: 2.5, output: 10 }, priced: true });
    expect(priceFor('gemini', 'gemini-2.5-flash')).toEqual({ price: { input: 0.3, output: 2.5 }, priced: true });
  });

  it('prices dated snapshots like their model, and never a sibling as its prefix', () => {
    expect(priceFor('openai', 'gpt-4o-2024-08-06').price).toEqual({ input: 2.5, output: 10 });
    expect(priceFor('openai', 'gpt-4o-mini').price).toEqual({ input: 0.15, output: 0.6 });
    expect(priceFor('openai', 'gpt-4o-mini-2024-07-18').price).toEqual({ input: 0.15, output: 0.6 });
    expect(priceFor('anthropic', 'claude-sonnet-4-5-20250929').price).toEqual({ input: 3, output: 15 });
    expect(priceFor('anthropic', 'claude-opus-4-7')).toEqual({ price: { input: 0, output: 0 }, priced: false });
  });

  it('local Ollama models and the NIM free tier cost 0 and count as priced', () => {
    expect(priceFor('ollama', 'llama3:latest')).toEqual({ price: { input: 0, output: 0 }, priced: true });
    expect(priceFor('nim', 'meta/llama-3.3-70b-instruct').priced).toBe(true);
  });

  it('an unknown hosted model is 0 but flagged priced: false', () => {
    expect(priceFor('openai', 'my-finetune')).toEqual({ price: { input: 0, output: 0 }, priced: false });
    expect(priceFor('somewhere', 'x').priced).toBe(false);
  });

  it('accepts a custom table', () => {
    expect(priceFor('openai', 'local-model', { openai: { 'local-model': { input: 1, output: 2 } } }).price).toEqual({ input: 1, output: 2 });
  });
});

describe('costOf', () => {
  it('is tokens × USD per 1M', () => {
    expect(costOf('openai', 'gpt-4o', { inputTokens: 1_000_000, outputTokens: 500_000 })).toEqual({ usd: 2.5 + 5, priced: true });
    expect(costOf('ollama', 'llama3', { inputTokens: 9_999, outputTokens: 9_999 })).toEqual({ usd: 0, priced: true });
  });
});
