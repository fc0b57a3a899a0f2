/**
 * The spawn caps on a real hub (the attack: an agent spawned 40 more through the catalog). An
 * agent a person gave `spawn_recipes` spawns recipes in a loop: past the per-parent rate it gets a
 * clear error naming the cap, and the refusal is listed for audit; past the total, a person's
 * REST spawn is refused with 409 and what to do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Refusal } from '../../shared/approvals.js';
import type { Json } from '../testing/http.js';
import { startTestHub, type TestHub } from '../testing/test-hub.js';

const SPAWNER = `
export async function handleTask(agent, p) {
  const out = [];
  for (let i = 0; i < p.count; i++) {
    try {
      const r = await agent.sendTo('catalog', { action: 'spawn', recipe: 'cron-publisher', name: 'tick-' + i, config: { schedule: '@daily', topic: 'schedules/tick-' + i } }, 30);
      out.push(r.status);
    } catch (e) { out.push(String(e.message ?? e)); }
  }
  return out;
}`;

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub({ env: { WACTORZ_SPAWNS_PER_MINUTE: '3', WACTORZ_MAX_AGENTS: '6' } });
}, 60_000);
afterAll(() => t?.stop());

describe('spawn caps', () => {
  it('an agent spawning through the catalog is cut off past its rate, with a clear error, recorded', async () => {
    expect((await t.rest('POST', '/agents', { name: 'spawner', code: SPAWNER, capabilities: ['spawn_recipes'] })).status).toBe(201);
    const r = await t.rest<Json>('POST', '/agents/spawner/tasks', { payload: { count: 6 } });
    const out = r.body.result as string[];
    expect(out.slice(0, 3)).toEqual(['spawned', 'spawned', 'spawned']);
    for (const line of out.slice(3)) expect(line).toMatch(/spawner spawned 3 agents within a minute, the cap \(WACTORZ_SPAWNS_PER_MINUTE=3\); try again in \d+ s/);
    const refusals = (await t.rest<{ refusals: Refusal[] }>('GET', '/approvals/refusals?limit=10')).body.refusals;
    expect(refusals.filter((x) => x.reason === 'rate_limited')).toHaveLength(3);
    expect(refusals[0]).toMatchObject({ reason: 'rate_limited', items: ['spawn'], asked_by: { kind: 'agent', name: 'spawner' } });
  });

  it('past the total, a person is refused too (409, what to do); replacing an agent is not a new one', async () => {
    // spawner + tick-0..2 = 4 agents; two more reach the cap of 6.
    for (const name of ['p1', 'p2']) expect((await t.rest('POST', '/agents', { name, code: SPAWNER })).status).toBe(201);
    const refused = await t.rest<Json>('POST', '/agents', { name: 'p3', code: SPAWNER });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/the hub has 6 agents, its cap \(WACTORZ_MAX_AGENTS=6\); delete one or raise the cap/);
    expect((await t.rest('POST', '/agents', { name: 'p2', code: `${SPAWNER}\n// v2`, replace: true })).status).toBe(201);
    expect((await t.rest('DELETE', '/agents/p1')).status).toBe(200);
    expect((await t.rest('POST', '/agents', { name: 'p3', code: SPAWNER })).status).toBe(201);
  });
});
