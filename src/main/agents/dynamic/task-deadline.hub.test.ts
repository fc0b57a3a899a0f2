/**
 * Issue 15's bug: a task to a DynamicAgent failed at 30 s — the sandbox's per-call deadline — while
 * the one asking (REST, an @mention: 60 s) and the original (`handle_task` limit 60 s) wait a
 * minute. The deadline of an agent's call (awaits included) is now the original's 60 s; the asks
 * were already 60 s. A real hub, a task that takes 31 s through the REST route: answered, not
 * `timeout`. (One slow test on purpose: the sandbox's clock is the wall's, in a worker thread.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWactorz } from '../../wactorz.js';
import type { WactorzHandle } from '../../wactorz-handle.js';
import { silentLogger } from '../../base/logger.js';
import { DEFAULT_LIMITS } from './sandbox/index.js';

const SLOW = `export async function handleTask(agent, payload) { await agent.sleep(payload.seconds); return { slept: payload.seconds }; }`;

describe('a task to a DynamicAgent may take the original\'s minute', () => {
  let hub: WactorzHandle;
  let dir: string;
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${hub.restUrl!}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wz-deadline-'));
    hub = await startWactorz({ stateDir: dir, llm: { provider: 'none' }, interface: 'rest', restPort: 0, monitorPort: 0, mqtt: { port: 0 } }, { log: silentLogger, env: {} });
  });
  afterAll(async () => {
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the original handle_task limit by default', () => {
    expect(DEFAULT_LIMITS.callTimeoutMs).toBe(60_000);
  });

  it('answers a task that takes 31 s (the old deadline was 30 s)', async () => {
    expect((await post('/agents', { name: 'slowpoke', code: SLOW })).status).toBe(201);
    const t0 = Date.now();
    const r = await post('/agents/slowpoke/tasks', { payload: { seconds: 31 } });
    expect(r).toEqual({ status: 200, body: { result: { slept: 31 } } });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(31_000);
  }, 70_000);
});
