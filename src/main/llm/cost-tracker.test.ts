import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicProvider } from './anthropic-provider.js';
import { CostTracker } from './cost-tracker.js';
import { OllamaProvider } from './ollama-provider.js';
import { withCostTracking } from './tracked-provider.js';
import { drain, expectLlmError } from './testing/provider-conformance.js';
import { reply, startScriptedLlmServer, type ScriptedLlmServer } from './testing/index.js';

describe('CostTracker', () => {
  it('accumulates per agent and in total', () => {
    const t = new CostTracker();
    t.record({ agent: 'main', provider: 'openai', model: 'gpt-4o', usage: { inputTokens: 1_000, outputTokens: 100 }, latencyMs: 100 });
    t.record({ agent: 'main', provider: 'openai', model: 'gpt-4o', usage: { inputTokens: 3_000, outputTokens: 300 }, latencyMs: 300 });
    t.record({ agent: 'planner', provider: 'openai', model: 'mystery', usage: { inputTokens: 10, outputTokens: 10 }, latencyMs: 50 });
    t.recordFailure('planner', 'timeout');

    const main = t.forAgent('main');
    expect(main).toMatchObject({ calls: 2, failures: 0, inputTokens: 4_000, outputTokens: 400, unpricedCalls: 0, totalLatencyMs: 400, avgLatencyMs: 200 });
    expect(main.costUsd).toBeCloseTo((4_000 * 2.5 + 400 * 10) / 1e6, 12);
    expect(t.forAgent('planner')).toMatchObject({ calls: 1, failures: 1, unpricedCalls: 1, costUsd: 0 });
    expect(t.total()).toMatchObject({ calls: 3, failures: 1, inputTokens: 4_010, outputTokens: 410, unpricedCalls: 1 });
    expect(t.total().costUsd).toBeCloseTo(main.costUsd, 12);
    expect(Object.keys(t.snapshot().agents).sort()).toEqual(['main', 'planner']);
    expect(t.forAgent('nobody')).toMatchObject({ calls: 0, costUsd: 0, avgLatencyMs: 0 });
  });

  it('returned summaries are copies; reset forgets', () => {
    const t = new CostTracker();
    t.record({ agent: 'a', provider: 'ollama', model: 'llama3', usage: { inputTokens: 1, outputTokens: 1 }, latencyMs: 1 });
    t.forAgent('a').calls = 99;
    expect(t.forAgent('a').calls).toBe(1);
    t.reset('a');
    expect(t.forAgent('a').calls).toBe(0);
    expect(t.total().calls).toBe(1);
    t.reset();
    expect(t.total().calls).toBe(0);
  });

  it('notifies listeners with the cost of each call', () => {
    const t = new CostTracker();
    const seen: number[] = [];
    const off = t.onRecord((_rec, cost) => seen.push(cost.usd));
    t.record({ agent: 'a', provider: 'anthropic', model: 'claude-sonnet-4-6', usage: { inputTokens: 1e6, outputTokens: 0 }, latencyMs: 1 });
    off();
    t.record({ agent: 'a', provider: 'anthropic', model: 'claude-sonnet-4-6', usage: { inputTokens: 1e6, outputTokens: 0 }, latencyMs: 1 });
    expect(seen).toEqual([3]);
  });
});

describe('withCostTracking (real providers against the scripted server)', () => {
  let server: ScriptedLlmServer;
  beforeAll(async () => {
    server = await startScriptedLlmServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('bills blocking and streamed calls, and counts failures', async () => {
    const tracker = new CostTracker();
    const p = withCostTracking(new AnthropicProvider({ apiKey: 'k', baseUrl: server.url, maxRetries: 0 }), tracker, 'main');
    server.script('anthropic', [
      reply.text('one', { usage: { inputTokens: 1_000, outputTokens: 200 } }),
      reply.text('two', { usage: { inputTokens: 500, outputTokens: 100 } }),
      reply.error(401),
    ]);
    await p.complete([{ role: 'user', content: 'hi' }]);
    await drain(p.stream([{ role: 'user', content: 'hi' }]));
    await expectLlmError(p.complete([{ role: 'user', content: 'hi' }]));
    const s = tracker.forAgent('main');
    expect(s).toMatchObject({ calls: 2, failures: 1, inputTokens: 1_500, outputTokens: 300, unpricedCalls: 0 });
    expect(s.costUsd).toBeCloseTo((1_500 * 3 + 300 * 15) / 1e6, 12);
    expect(s.totalLatencyMs).toBeGreaterThan(0);
    expect(p.name).toBe('anthropic');
  });

  it('a local Ollama call costs nothing', async () => {
    const tracker = new CostTracker();
    const p = withCostTracking(new OllamaProvider({ host: server.url }), tracker, 'local');
    server.script('ollama', reply.text('free', { usage: { inputTokens: 5_000, outputTokens: 5_000 } }));
    await p.complete([{ role: 'user', content: 'hi' }]);
    expect(tracker.forAgent('local')).toMatchObject({ calls: 1, inputTokens: 5_000, costUsd: 0, unpricedCalls: 0 });
  });
});
