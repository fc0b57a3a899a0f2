import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnAnnouncementSchema, spawnedSchema } from '../../shared/mqtt-payloads.js';
import { Actor } from './actor.js';
import { announceSpawns } from './spawn-announcer.js';
import { waitUntil } from '../testing/wait.js';
import { createTestSystem, type TestSystem } from './testing/test-system.js';

class Worker extends Actor {
  protected override handleTask(p: unknown): unknown {
    if (p === 'crash') this.crash(new Error(`${this.name} broke`));
    return 'ok';
  }
}

let t: TestSystem;
let stop: () => void;
beforeEach(async () => {
  t = await createTestSystem();
  stop = announceSpawns(t.system, { now: () => 1_700_000_000 });
});
afterEach(async () => {
  stop();
  await t.close();
});

const onTopic = (topic: string) => t.bus.published.filter((m) => m.topic === topic).map((m) => JSON.parse(m.payload.toString()) as unknown);

describe('announceSpawns', () => {
  it("announces every actor on agents/{id}/spawn, and a non-core actor on its parent's agents/{parent}/spawned", async () => {
    const main = await t.system.spawn(new Worker({ name: 'main', kind: 'core' }));
    const child = await t.system.spawn(new Worker({ name: 'weather', kind: 'dynamic' }));
    expect(onTopic(`agents/${main.actorId}/spawn`).map((p) => spawnAnnouncementSchema.parse(p))).toEqual([
      { agentId: main.actorId, agentName: 'main', agentType: 'orchestrator', timestamp: 1_700_000_000 },
    ]);
    expect(onTopic(`agents/${child.actorId}/spawn`)).toEqual([{ agentId: child.actorId, agentName: 'weather', agentType: 'dynamic', timestamp: 1_700_000_000 }]);
    // The original's payload, on the parent's topic; built-in actors have no parent.
    expect(onTopic(`agents/${main.actorId}/spawned`).map((p) => spawnedSchema.parse(p))).toEqual([{ child_id: child.actorId, child_name: 'weather', timestamp: 1_700_000_000 }]);
    expect(t.bus.published.filter((m) => m.topic.endsWith('/spawned'))).toHaveLength(1);
    expect(t.bus.published.filter((m) => m.topic.endsWith('/spawn') || m.topic.endsWith('/spawned')).every((m) => !m.retain)).toBe(true);
  });

  it('says nothing when the supervisor restarts an actor, and announces a fresh spawn of the same name again', async () => {
    const main = await t.system.spawn(new Worker({ name: 'main', kind: 'core' }));
    t.system.supervise('flaky', () => new Worker({ name: 'flaky', kind: 'dynamic' }), { restartDelayMs: 5 });
    await t.system.startSupervised();
    const first = t.system.get('flaky')!;
    await t.system.ask('flaky', 'crash').catch(() => {});
    await waitUntil(() => t.system.get('flaky') !== first && t.system.get('flaky')?.state === 'running', 'flaky restarted');
    expect(onTopic(`agents/${main.actorId}/spawned`)).toHaveLength(1);
    await t.system.remove('flaky');
    await t.system.spawn(new Worker({ name: 'flaky', kind: 'dynamic' }));
    expect(onTopic(`agents/${main.actorId}/spawned`)).toHaveLength(2);
  });

  it('has no parent to name when main is not running (the child still announces itself)', async () => {
    const lone = await t.system.spawn(new Worker({ name: 'lone', kind: 'llm' }));
    expect(onTopic(`agents/${lone.actorId}/spawn`)).toHaveLength(1);
    expect(t.bus.published.some((m) => m.topic.endsWith('/spawned'))).toBe(false);
  });
});
