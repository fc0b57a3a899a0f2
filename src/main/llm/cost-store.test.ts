/**
 * LLM cost totals survive a restart (they used to start again at 0): through a real hub (SQLite
 * state dir, the scripted OpenAI-compatible server billing gpt-4o), and the store on its own
 * (coalesced writes, a damaged save).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWactorz } from '../wactorz.js';
import { silentLogger } from '../base/logger.js';
import { json } from '../testing/http.js';
import { reply, startScriptedLlmServer, type ScriptedLlmServer } from './testing/index.js';
import { CostTracker } from './cost-tracker.js';
import { openCostStore } from './cost-store.js';
import { openPersistence } from '../persistence/open-persistence.js';

let llm: ScriptedLlmServer;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'wz-costs-'));
  dirs.push(d);
  return d;
};
beforeAll(async () => {
  llm = await startScriptedLlmServer();
});
afterAll(async () => {
  await llm.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('LLM cost totals', () => {
  it('are the same after the hub restarts (GET /cost, /actors/main/metrics, /metrics)', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const config = { stateDir: dir, llm: { provider: 'openai' as const, model: 'gpt-4o', apiKey: 'sk-test', baseUrl: llm.urls.openai }, interface: 'rest' as const, restPort: 0, monitorPort: null, mqtt: { port: 0 } };
    llm.respond('openai', reply.text('A priced answer', { usage: { inputTokens: 40_000, outputTokens: 2_000 } }));
    let before: { total: number; main: number; tokens: number };
    const hub = await startWactorz(config, { log: silentLogger, env: {} });
    try {
      expect(await hub.processUserInput('spend some money', { interface: 'test' })).toContain('A priced answer');
      const cost = await json(fetch(`${hub.restUrl}/cost`));
      before = { total: cost.total.cost_usd, main: cost.agents.main.cost_usd, tokens: cost.total.tokens_in };
      expect(before.total).toBeGreaterThan(0.1); // 40k input tokens of gpt-4o at least
    } finally {
      await hub.stop();
    }
    llm.respond('openai', undefined);
    const again = await startWactorz(config, { log: silentLogger, env: {} });
    try {
      const cost = await json(fetch(`${again.restUrl}/cost`));
      expect(cost.total.cost_usd).toBeCloseTo(before.total, 9);
      expect(cost.total.tokens_in).toBe(before.tokens);
      expect(cost.agents.main.cost_usd).toBeCloseTo(before.main, 9);
      expect((await json(fetch(`${again.restUrl}/actors/main/metrics`))).llm_cost_usd).toBeCloseTo(before.main, 9);
      expect(await (await fetch(`${again.restUrl}/metrics`)).text()).toMatch(new RegExp(`^wactorz_llm_cost_usd_total\\{actor_name="main"\\} ${before.main}$`, 'm'));
    } finally {
      await again.stop();
    }
  });

  it('coalesces writes, flushes what is pending on close, and skips a damaged save', async () => {
    const dir = tempDir();
    const p = await openPersistence({ stateDir: dir, log: () => {} });
    try {
      const costs = new CostTracker();
      const store = await openCostStore(costs, p, { debounceMs: 60_000 });
      for (let i = 0; i < 50; i++) costs.record({ agent: 'a', provider: 'openai', model: 'gpt-4o', usage: { inputTokens: 1000, outputTokens: 10 }, latencyMs: 1 });
      costs.recordFailure('b');
      expect(await p.recall('hub', 'durable:llm_costs')).toBeUndefined(); // nothing written yet: one write per interval
      await store.close();
      const restored = new CostTracker();
      await (await openCostStore(restored, p)).close();
      expect(restored.forAgent('a')).toEqual(costs.forAgent('a'));
      expect(restored.total()).toEqual(costs.total());
      expect(restored.forAgent('b').failures).toBe(1);

      await p.persist('hub', 'durable:llm_costs', { total: { calls: 'lots' }, agents: { ok: costs.forAgent('a'), bad: { calls: 1 } } });
      const partial = new CostTracker();
      await (await openCostStore(partial, p)).close();
      expect(Object.keys(partial.snapshot().agents)).toEqual(['ok']);
      expect(partial.total().calls).toBe(0);
    } finally {
      await p.close();
    }
  });
});
