/**
 * Restore after a restart, over a real SQLite file and real sandboxes: a hub's agents written to
 * the spawn registry, the hub gone, a new ActorSystem over the same state dir. The restore brings
 * them back a window at a time with their saved state, a task for one still waiting makes it jump
 * the line (answered, not `not_found`), progress adds up from the first report to `done`, and an
 * agent that cannot start is counted as failed, not waited for.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestoreProgress } from '../../../shared/mqtt-payloads.js';
import { restoreProgressSchema } from '../../../shared/mqtt-payloads.js';
import { ActorSystem } from '../../core/actor-system.js';
import { MemoryBus } from '../../core/testing/memory-bus.js';
import { createLlmProvider } from '../../llm/create-provider.js';
import { CostTracker } from '../../llm/cost-tracker.js';
import { openPersistence } from '../../persistence/open-persistence.js';
import type { Persistence } from '../../persistence/persistence.js';
import { DynamicAgentService, type DynamicAgentServiceOptions } from './dynamic-agent-service.js';

const llm = createLlmProvider({ provider: 'none', timeoutMs: 1_000, maxRetries: 0 });
const N = 12;
const COUNTER = 'export async function setup(agent) { agent.state.starts = (agent.state.starts ?? 0) + 1; }\nexport async function handleTask(agent) { return { starts: agent.state.starts }; }';

interface Hub {
  system: ActorSystem;
  persistence: Persistence;
  service: DynamicAgentService;
  close(): Promise<void>;
}

async function startHub(stateDir: string, opts: Partial<DynamicAgentServiceOptions> = {}): Promise<Hub> {
  const persistence = await openPersistence({ stateDir });
  const system = new ActorSystem({ bus: new MemoryBus(), persistence, heartbeatMs: 60_000 });
  const service = new DynamicAgentService({ system, llm, costs: new CostTracker(), ...opts });
  service.start();
  return {
    system,
    persistence,
    service,
    close: async () => {
      service.stopRestoring();
      await system.shutdown();
      await service.close();
      await persistence.close();
    },
  };
}

let stateDir: string;
beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'wz-restore-'));
  const first = await startHub(stateDir);
  for (let i = 0; i < N; i++) await first.service.create({ name: `agent-${i}`, code: COUNTER });
  // Registered, but its setup throws: it cannot come back.
  first.service.registry.upsert({ name: 'broken', kind: 'dynamic', code: 'export async function setup() { throw new Error("no"); }', language: 'javascript', config: { max_restarts: 0 } });
  await first.close();
});
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

describe('restore after a restart (real SQLite file)', () => {
  it('brings every agent back a window at a time with its saved state; asked-for agents first; progress to done', async () => {
    const progress: RestoreProgress[] = [];
    const hub = await startHub(stateDir, { restoreConcurrency: 2, restoreProgressMs: 0, onRestoreProgress: (p) => progress.push(p) });
    try {
      const restoring = hub.service.restore();
      // The last in registry order, asked for at once: it jumps the line and answers.
      const last = await hub.system.ask<{ starts: number }>(`agent-${N - 1}`, {}, 30_000);
      expect(last).toEqual({ starts: 2 });
      expect(hub.service.restoreProgress()).toMatchObject({ state: 'restoring', total: N + 1 });
      expect(hub.service.restoreProgress().restored).toBeLessThan(N);

      const report = await restoring;
      expect(report.restored.sort()).toEqual(Array.from({ length: N }, (_, i) => `agent-${i}`).sort());
      expect(report.failed.map((f) => f.name)).toEqual(['broken']);
      expect(report.pending).toEqual([]);
      for (let i = 0; i < N; i++) expect(await hub.system.ask(`agent-${i}`, {})).toEqual({ starts: 2 });

      // Reports: valid payloads, adding up, never going back, one `done` at the end.
      expect(progress[0]).toMatchObject({ state: 'restoring', total: N + 1, restored: 0, failed: 0, pending: N + 1 });
      for (const [i, p] of progress.entries()) {
        expect(restoreProgressSchema.safeParse(p).success).toBe(true);
        expect(p.restored + p.failed + p.pending).toBe(p.total);
        if (i > 0) expect(p.restored + p.failed).toBeGreaterThanOrEqual(progress[i - 1]!.restored + progress[i - 1]!.failed);
      }
      expect(progress.at(-1)).toMatchObject({ state: 'done', total: N + 1, restored: N, failed: 1, pending: 0 });
      expect(progress.filter((p) => p.state === 'done')).toHaveLength(1);
      expect(hub.service.restoreProgress()).toEqual(progress.at(-1));

      // A second restore finds everything up (broken stays failed, tried again).
      const again = await hub.service.restore();
      expect(again.restored).toEqual([]);
      expect(again.failed.map((f) => f.name)).toEqual(['broken']);
    } finally {
      await hub.close();
    }
  });

  it('a restore stopped at shutdown leaves the rest for the next start', async () => {
    const hub = await startHub(stateDir, { restoreConcurrency: 1 });
    const restoring = hub.service.restore();
    hub.service.stopRestoring();
    const report = await restoring;
    expect(report.restored.length + report.failed.length).toBeLessThanOrEqual(1);
    expect(report.pending.length).toBeGreaterThanOrEqual(N);
    await hub.close();

    const next = await startHub(stateDir);
    try {
      const all = await next.service.restore();
      expect(all.restored.length).toBe(N);
      expect(next.service.restoreProgress()).toMatchObject({ state: 'done', restored: N, failed: 1 });
    } finally {
      await next.close();
    }
  });
});
