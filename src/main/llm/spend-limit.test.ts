/**
 * The spend limit on its own: periods (UTC, ISO weeks), counting, refusing, rolling over, raising,
 * resetting, alerts once, and the counters and run-time limit kept in a real SQLite state dir.
 * Time is an injected clock. The whole path through a hub (an LLM call refused before it goes out,
 * the alert on MQTT, the routes, a restart) is in server/original/monitor-routes.hub.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tempPersistences } from '../persistence/testing/temp-persistence.js';
import { CostTracker } from './cost-tracker.js';
import { periodKey, SpendLimit, spendLimitFromEnv, type SpendAlert } from './spend-limit.js';
import { withCostTracking } from './tracked-provider.js';
import { isLlmError } from './errors.js';
import { NotConfiguredProvider } from './not-configured-provider.js';

const at = (iso: string) => Date.parse(iso);
const temp = tempPersistences('wz-spend');
afterEach(() => temp.closeAll());
const persistence = (dir?: string) => temp.open(dir);
/** One priced call of `usd` dollars billed to `agent` (gpt-4o: $2.50 per million input tokens). */
const spendOn = (costs: CostTracker, usd: number, agent = 'writer') =>
  costs.record({ agent, provider: 'openai', model: 'gpt-4o', usage: { inputTokens: Math.round((usd / 2.5) * 1e6), outputTokens: 0 }, latencyMs: 1 });

describe('periodKey', () => {
  it('names UTC days, ISO weeks and months', () => {
    expect(periodKey('daily', at('2026-12-03T23:59:59Z'))).toBe('2026-12-03');
    expect(periodKey('daily', at('2026-12-04T00:00:00Z'))).toBe('2026-12-04');
    expect(periodKey('monthly', at('2026-12-31T12:00:00Z'))).toBe('2026-12');
    expect(periodKey('weekly', at('2026-12-03T12:00:00Z'))).toBe('2026-W49');
    // ISO weeks cross years: 2027-01-01 (a Friday) is in 2026's week 53; 2026-01-01 (a Thursday) in 2026-W01.
    expect(periodKey('weekly', at('2027-01-01T12:00:00Z'))).toBe('2026-W53');
    expect(periodKey('weekly', at('2026-01-01T12:00:00Z'))).toBe('2026-W01');
    expect(periodKey('weekly', at('2025-12-29T00:00:00Z'))).toBe('2026-W01');
  });
});

describe('spendLimitFromEnv', () => {
  it('reads LLM_COST_LIMIT_USD and LLM_COST_LIMIT_PERIOD; a bad value stops the start', () => {
    expect(spendLimitFromEnv({})).toEqual({ limitUsd: 0, period: 'monthly' });
    expect(spendLimitFromEnv({ LLM_COST_LIMIT_USD: '0.70', LLM_COST_LIMIT_PERIOD: 'Daily' })).toEqual({ limitUsd: 0.7, period: 'daily' });
    expect(() => spendLimitFromEnv({ LLM_COST_LIMIT_USD: 'ten' })).toThrow(/LLM_COST_LIMIT_USD must be a number/);
    expect(() => spendLimitFromEnv({ LLM_COST_LIMIT_USD: '-1' })).toThrow(/LLM_COST_LIMIT_USD/);
    expect(() => spendLimitFromEnv({ LLM_COST_LIMIT_PERIOD: 'yearly' })).toThrow('LLM_COST_LIMIT_PERIOD must be daily, weekly, or monthly (got "yearly")');
  });
});

describe('SpendLimit', () => {
  it('counts every call, refuses once the period reaches the limit, alerts once, and rolls over with the period', async () => {
    const { p } = await persistence();
    let now = at('2026-12-03T10:00:00Z');
    const costs = new CostTracker();
    const spend = await SpendLimit.open({ costs, persistence: p, env: { limitUsd: 1, period: 'daily' }, now: () => now });
    const alerts: SpendAlert[] = [];
    spend.onAlert((a) => alerts.push(a));

    spendOn(costs, 0.5);
    expect(spend.info()).toMatchObject({ period: 'daily', period_key: '2026-12-03', spend_usd: 0.5, limit_usd: 1, pct_used: 50, limit_reached: false, warning: false, limit_source: 'env' });
    expect(costs.refusal('writer')).toBeUndefined();
    spendOn(costs, 0.35);
    expect(spend.info()).toMatchObject({ spend_usd: 0.85, warning: true, limit_reached: false });
    spendOn(costs, 0.01);
    expect(alerts.map((a) => a.level)).toEqual(['warning']); // once, not per call
    spendOn(costs, 0.2);
    expect(spend.info()).toMatchObject({ spend_usd: 1.06, limit_reached: true, pct_used: 106 });

    // Refused before it goes out: a provider that would throw if called is never reached.
    const llm = withCostTracking(new NotConfiguredProvider('openai', 'gpt-4o', '', 'must not be called'), costs, 'writer');
    const err = await llm.complete([{ role: 'user', content: 'hi' }]).catch((e: unknown) => e);
    expect(isLlmError(err) && err.kind).toBe('cost_limit');
    expect((err as Error).message).toMatch(/^LLM cost limit of \$1\.00 reached for 2026-12-03 \(\$1\.06 spent\)\. Blocking further LLM calls/);
    expect((err as Error).message).toMatch(/POST \/api\/cost\/limit/);
    await expect(llm.complete([{ role: 'user', content: 'again' }])).rejects.toMatchObject({ kind: 'cost_limit' });
    const streamed = llm.stream([{ role: 'user', content: 'streamed' }])[Symbol.asyncIterator]();
    await expect(streamed.next()).rejects.toMatchObject({ kind: 'cost_limit' });
    expect(costs.total().failures).toBe(0); // a refusal is not a provider failure
    expect(alerts.map((a) => [a.level, a.agent])).toEqual([['warning', 'hub'], ['reached', 'writer']]);

    // The weekly and monthly counters saw the same calls; the daily one starts again tomorrow.
    now = at('2026-12-04T00:00:01Z');
    expect(spend.info()).toMatchObject({ period_key: '2026-12-04', spend_usd: 0, limit_reached: false });
    expect(costs.refusal('writer')).toBeUndefined();
    await spend.setLimit(1, 'monthly');
    expect(spend.info()).toMatchObject({ period: 'monthly', period_key: '2026-12', spend_usd: 1.06, limit_reached: true, limit_source: 'runtime' });
    expect(spend.info().alltime_usd).toBe(1.06);
    await spend.close();
  });

  it('a person raises the limit, turns it off (0) or resets the totals; the run-time limit and the counters survive a restart', async () => {
    const { p, dir } = await persistence();
    const now = at('2026-12-03T10:00:00Z');
    const costs = new CostTracker();
    const spend = await SpendLimit.open({ costs, persistence: p, env: { limitUsd: 0.5, period: 'monthly' }, now: () => now, debounceMs: 60_000 });
    spendOn(costs, 0.6);
    expect(costs.refusal('a')).toMatch(/cost limit of \$0\.50/);
    await spend.setLimit(2, 'weekly');
    expect(costs.refusal('a')).toBeUndefined();
    expect(spend.info()).toMatchObject({ period: 'weekly', period_key: '2026-W49', limit_usd: 2, spend_usd: 0.6 });
    await spend.close(); // the pending coalesced save is written
    await temp.close(p);

    const { p: p2 } = await persistence(dir);
    const costs2 = new CostTracker();
    const again = await SpendLimit.open({ costs: costs2, persistence: p2, env: { limitUsd: 0.5, period: 'monthly' }, now: () => now });
    expect(again.info()).toMatchObject({ period: 'weekly', limit_usd: 2, limit_source: 'runtime', spend_usd: 0.6, alltime_usd: 0.6 });
    spendOn(costs2, 1.5);
    expect(costs2.refusal('a')).toMatch(/cost limit of \$2\.00 reached for 2026-W49/);
    expect(await again.reset()).toMatchObject({ spend_usd: 0, alltime_usd: 0, limit_usd: 2, limit_reached: false });
    expect(costs2.refusal('a')).toBeUndefined();
    await again.setLimit(0, 'monthly');
    spendOn(costs2, 5);
    expect(again.info()).toMatchObject({ limit_usd: null, pct_used: null, limit_reached: false, warning: false, limit_source: 'none', spend_usd: 5 });
    expect(costs2.refusal('a')).toBeUndefined();
    await again.close();
  });

  it('starts from 0 (with a warning) when the saved counters are damaged, and rejects a change it could not save', async () => {
    const { p } = await persistence();
    await p.persist('hub', 'durable:llm_spend', { periods: { daily: { key: 1, usd: 'lots' } } });
    const warnings: string[] = [];
    const spend = await SpendLimit.open({ costs: new CostTracker(), persistence: p, env: { limitUsd: 1, period: 'daily' }, log: (_l, m) => warnings.push(m) });
    expect(spend.info()).toMatchObject({ spend_usd: 0, alltime_usd: 0 });
    expect(warnings[0]).toMatch(/unreadable/);
    const failing = await SpendLimit.open({
      costs: new CostTracker(),
      persistence: { recall: async () => undefined, persist: async () => Promise.reject(new Error('disk full')) },
      env: { limitUsd: 0, period: 'monthly' },
    });
    await expect(failing.setLimit(3, 'daily')).rejects.toThrow('disk full');
    await spend.close();
    await failing.close();
  });
});
