import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../../../shared/message.js';
import { alertSchema, systemHealthSchema, type Alert, type Heartbeat } from '../../../shared/mqtt-payloads.js';
import { Actor } from '../../core/actor.js';
import { actorIdFor } from '../../core/actor-id.js';
import { createTestSystem, type TestSystem } from '../../core/testing/test-system.js';
import { DEFAULT_MONITOR_TIMING, MonitorAgent } from './monitor-agent.js';
import { isMonitorAlert, type MonitorAlertMessage } from './monitor-alert.js';
import { waitUntil } from '../../testing/wait.js';

/** Stands in for main: records what the monitor sends it. */
class FakeMain extends Actor {
  received: MonitorAlertMessage[] = [];
  other: Message[] = [];
  constructor() {
    super({ name: 'main' });
  }
  protected override handleMessage(msg: Message): void {
    if (msg.type === 'COMMAND' && isMonitorAlert(msg.payload)) this.received.push(msg.payload);
    else this.other.push(msg);
  }
}

class Idle extends Actor {}

/** Timings in ms of virtual time; heartbeats of real actors come every 20 ms. */
const fast = { checkMs: 10, warnMs: 80, criticalMs: 200, healthMs: 25 };

let t: TestSystem;
beforeEach(async () => {
  // The monitor's checks, the actors' heartbeats and the clock they read run on virtual time, so a
  // loaded machine can neither skip a warning nor fake a silence (the scheduler's setImmediate stays real).
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  t = await createTestSystem({ heartbeatMs: 20 });
});
afterEach(async () => {
  await t.close();
  vi.useRealTimers();
});

/** Lets `ms` of virtual time pass, running every timer due meanwhile. */
const advance = (ms: number): Promise<void> => vi.advanceTimersByTimeAsync(ms).then(() => undefined);

/** A heartbeat as an actor on a remote node would publish it. */
function beat(name: string, state: Heartbeat['state'] = 'running', extra: Partial<Heartbeat> = {}): void {
  const hb: Heartbeat = { actor_id: actorIdFor(name), name, timestamp: Date.now() / 1000, state, cpu: 0, memory_mb: 10, task: null, protected: false, ...extra };
  t.bus.publish(`agents/${actorIdFor(name)}/heartbeat`, hb);
}

const alertsFor = (name: string): Alert[] => t.bus.messages(`agents/${actorIdFor(name)}/alert`).map((a) => alertSchema.parse(a));
const monitorLogs = (): string => t.bus.messages<{ message: string }>(`agents/${actorIdFor('monitor')}/logs`).map((l) => l.message).join('\n');

describe('MonitorAgent', () => {
  it('is the protected core actor "monitor", with the config timings by default', () => {
    const m = new MonitorAgent();
    expect(m).toMatchObject({ name: 'monitor', isProtected: true, kind: 'core' });
    expect(m.timing).toEqual({ checkMs: 15_000, warnMs: 60_000, criticalMs: 120_000, healthMs: 15_000 });
    expect(DEFAULT_MONITOR_TIMING).toEqual(m.timing);
    expect(() => new MonitorAgent({ warnMs: 500, criticalMs: 100 })).toThrow(/criticalMs/);
    expect(() => new MonitorAgent({ checkMs: 0 })).toThrow(/checkMs/);
  });

  it('raises a warning, then a critical alert for a silent actor — on the bus and to main — and clears it when it is back', async () => {
    const main = await t.system.spawn(new FakeMain());
    await t.system.spawn(new MonitorAgent({ ...fast, warnMs: 100, criticalMs: 500 }));
    beat('remote-sensor');
    await advance(100 + fast.checkMs);
    expect(alertsFor('remote-sensor').map((a) => a.severity)).toEqual(['warning']);
    await advance(400);
    await waitUntil(() => alertsFor('remote-sensor').some((a) => a.severity === 'critical'), 'critical alert', 3000);
    const raised = alertsFor('remote-sensor');
    expect(raised.map((a) => a.severity)).toEqual(['warning', 'critical']);
    expect(raised[0]).toMatchObject({ actor_id: actorIdFor('remote-sensor'), name: 'remote-sensor', message: expect.stringMatching(/remote-sensor has not sent a heartbeat for [\d.]+ s/) });
    expect(raised.some((a) => a.resolved)).toBe(false);
    await waitUntil(() => main.received.length === 2, 'alerts delivered to main', 2000);
    expect(main.received.map((m) => [m.event, m.alert.severity])).toEqual([
      ['raise', 'warning'],
      ['raise', 'critical'],
    ]);

    beat('remote-sensor');
    const all = alertsFor('remote-sensor');
    expect(all).toHaveLength(3);
    expect(all[2]).toMatchObject({ severity: 'info', resolved: true, message: expect.stringContaining('responding again') });
    await waitUntil(() => main.received.length === 3, 'resolve delivered to main', 2000);
    expect(main.received[2]).toMatchObject({ event: 'resolve', alert: { resolved: true, name: 'remote-sensor' } });

    // Quiet again after it recovered: the cycle restarts from a warning.
    await advance(100 + fast.checkMs);
    await waitUntil(() => alertsFor('remote-sensor').length === 4, 'a new warning', 3000);
    expect(alertsFor('remote-sensor')[3]!.severity).toBe('warning');
  });

  it('does not alert on actors that keep beating (real actors, real heartbeats)', async () => {
    await t.system.spawn(new Idle({ name: 'worker' }));
    // Heartbeats every 20 ms against a 600 ms threshold: only a broken watchdog would alert.
    await t.system.spawn(new MonitorAgent({ ...fast, warnMs: 600, criticalMs: 1200 }));
    await advance(2000);
    expect(t.bus.messages('agents/+/alert')).toEqual([]);
  });

  it('works without a main actor (alerts stay on the bus) and never crashes', async () => {
    const monitor = await t.system.spawn(new MonitorAgent(fast));
    beat('lonely');
    await advance(fast.warnMs + fast.checkMs);
    await waitUntil(() => alertsFor('lonely').length === 1, 'the warning', 3000);
    expect(monitor.state).toBe('running');
  });

  it('never alerts on actors stopped or deleted on purpose, and resolves an open alert when they are', async () => {
    const main = await t.system.spawn(new FakeMain());
    await t.system.spawn(new Idle({ name: 'quitter' }));
    await t.system.spawn(new Idle({ name: 'deleted' }));
    const monitor = await t.system.spawn(new MonitorAgent(fast));
    await t.system.stop('quitter');
    await t.system.remove('deleted');
    // A remote actor whose last word was "stopped", and one that was alerting when it stopped.
    beat('remote-stopped', 'stopped');
    beat('remote-late');
    await advance(fast.warnMs + fast.checkMs);
    await waitUntil(() => alertsFor('remote-late').length === 1, 'the warning', 3000);
    beat('remote-late', 'stopped');
    await advance(fast.criticalMs * 2);

    expect(alertsFor('quitter')).toEqual([]);
    expect(alertsFor('deleted')).toEqual([]);
    expect(alertsFor('remote-stopped')).toEqual([]);
    // warning, then resolved — and nothing after.
    const late = alertsFor('remote-late');
    expect(late[0]!.severity).toBe('warning');
    expect(late.at(-1)).toMatchObject({ severity: 'info', resolved: true, message: expect.stringMatching(/stopped/) });
    expect(late.filter((a) => a.resolved)).toHaveLength(1);
    const health = monitor.health();
    expect(health.actors.find((a) => a.name === 'deleted')).toBeUndefined();
    expect(health.actors.find((a) => a.name === 'quitter')).toMatchObject({ state: 'stopped' });
    expect(main.received[0]!.event).toBe('raise');
    expect(main.received.at(-1)!.event).toBe('resolve');
    expect(main.received.every((m) => m.alert.name === 'remote-late')).toBe(true);
  });

  it('reports a failed actor to main once, and adds no alert of its own on the bus', async () => {
    class Crasher extends Actor {
      protected override handleTask(): unknown {
        this.crash(new Error('boom'));
        return null;
      }
    }
    const main = await t.system.spawn(new FakeMain());
    await t.system.spawn(new Crasher({ name: 'crasher' }));
    await t.system.spawn(new MonitorAgent(fast));
    await t.system.ask('crasher', 'go').catch(() => {});
    await waitUntil(() => main.received.length === 1, 'failure report', 3000);
    expect(main.received[0]).toMatchObject({ event: 'failed', alert: { name: 'crasher', severity: 'critical' } });
    // Failed actors keep heartbeating (state failed); several checks later, still one report.
    await advance(fast.criticalMs * 2);
    expect(main.received).toHaveLength(1);
    // The only alert on the bus is the actor system's own (unsupervised crash).
    expect(alertsFor('crasher')).toEqual([expect.objectContaining({ severity: 'critical', message: expect.stringContaining('crashed') })]);
    expect(alertsFor('crasher')[0]).not.toHaveProperty('source');
  });

  it('logs and drops malformed heartbeats and statuses, and keeps working', async () => {
    const monitor = await t.system.spawn(new MonitorAgent(fast));
    const id = actorIdFor('ghost');
    t.bus.publish(`agents/${id}/heartbeat`, 'not json {');
    t.bus.publish(`agents/${id}/heartbeat`, { actor_id: id, name: 'ghost' });
    t.bus.publish(`agents/${id}/heartbeat`, { actor_id: id, name: 'ghost', timestamp: 1, state: 'dancing', cpu: 0, memory_mb: 1, task: null, protected: false });
    t.bus.publish(`agents/${id}/heartbeat`, '');
    t.bus.publish(`agents/${id}/status`, [1, 2, 3]);
    // Well-formed, but published under another actor's id.
    t.bus.publish(`agents/${actorIdFor('someone-else')}/heartbeat`, { actor_id: id, name: 'ghost', timestamp: 1, state: 'running', cpu: 0, memory_mb: 1, task: null, protected: false });
    const logs = monitorLogs();
    expect(logs.match(/dropped a malformed heartbeat/g)).toHaveLength(4);
    expect(logs).toMatch(/dropped a malformed status/);
    expect(logs).toMatch(/its actor_id is/);
    expect(monitor.health().actors.find((a) => a.name === 'ghost')).toBeUndefined();
    expect(monitor.state).toBe('running');
    beat('ghost');
    expect(monitor.health().actors.find((a) => a.name === 'ghost')).toMatchObject({ state: 'running' });
  });

  it('publishes system/health every healthMs and answers {action:"health"} with the same document', async () => {
    await t.system.spawn(new FakeMain());
    await t.system.spawn(new Idle({ name: 'worker' }));
    await t.system.spawn(new Idle({ name: 'paused-one' }));
    await t.system.command('paused-one', 'pause');
    await t.system.spawn(new Idle({ name: 'stopped-one' }));
    await t.system.stop('stopped-one');
    await t.system.spawn(new MonitorAgent(fast));
    beat('silent-remote');
    await advance(3 * fast.healthMs + fast.warnMs);
    await waitUntil(() => t.bus.messages('system/health').length >= 3, 'three health documents', 3000);
    await waitUntil(() => alertsFor('silent-remote').length >= 1, 'a degraded actor', 3000);
    await waitUntil(() => systemHealthSchema.parse(t.bus.messages('system/health').at(-1)).degraded === 1, 'health shows it', 3000);

    const published = systemHealthSchema.parse(t.bus.messages('system/health').at(-1));
    const names = published.actors.map((a) => a.name).sort();
    expect(names).toEqual(['main', 'monitor', 'paused-one', 'silent-remote', 'stopped-one', 'worker']);
    expect(published).toMatchObject({ total_actors: 6, stopped: 1, failed: 0, degraded: 1, paused: 1 });
    // main, monitor, worker run; silent-remote's last word was "running".
    expect(published.running).toBe(4);
    const worker = published.actors.find((a) => a.name === 'worker')!;
    expect(worker.last_seen).toBeGreaterThan(Date.now() / 1000 - 5);
    expect(published.actors.find((a) => a.name === 'silent-remote')).toMatchObject({ alert: expect.stringMatching(/warning|critical/) });

    const answered = systemHealthSchema.parse(await t.system.ask('monitor', { action: 'health' }));
    const shape = (h: typeof published) => ({ ...h, timestamp: 0, actors: h.actors.map((a) => [a.actor_id, a.name, a.state, a.alert]) });
    expect(shape(answered)).toEqual(shape(published));
    await expect(t.system.ask('monitor', { action: 'explode' })).rejects.toMatchObject({ kind: 'bad_input' });
  });
});
