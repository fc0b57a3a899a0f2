/** HubRunner and the tray's bus watcher against the real hub (startWactorz: embedded broker, SQLite, HTTP). */
import { createServer, type Server } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { WactorzConfigInput } from '../config/config.js';
import { startWactorz } from '../wactorz.js';
import { dynamicAgentCommands } from './agent-commands.js';
import { portOf } from './app-origin.js';
import { watchBus } from './bus-watcher.js';
import { HubRunner, isPortInUse } from './hub-runner.js';
import { HubStatus } from './hub-status.js';
import { NotificationPolicy, type NotificationRequest } from './notification-policy.js';

let dir: string;
let blocker: Server;
let takenPort: number;
const runners: HubRunner[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wactorz-runner-'));
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  takenPort = (blocker.address() as { port: number }).port;
});
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});
afterAll(async () => {
  await new Promise<void>((resolve) => blocker.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

const quiet = () => undefined;
function runner(): HubRunner {
  const r = new HubRunner({ start: (c) => startWactorz(c, { log: quiet, env: {} }), log: quiet });
  runners.push(r);
  return r;
}
let n = 0;
function config(over: Partial<WactorzConfigInput> = {}): WactorzConfigInput {
  return {
    stateDir: join(dir, `state-${n++}`),
    llm: { provider: 'none' },
    interface: 'none',
    monitorPort: 0,
    mqtt: { port: 0 },
    timing: { heartbeatMs: 200, monitorCheckMs: 60_000, monitorWarnMs: 60_000, monitorCriticalMs: 120_000, healthMs: 60_000 },
    ...over,
  };
}

describe('HubRunner', () => {
  it('starts the hub once, stops it gracefully, and is idempotent', async () => {
    const r = runner();
    const h = await r.start(config());
    expect(await r.start(config())).toBe(h);
    expect(h.dashboardUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${h.dashboardUrl}/api/health`)).status).toBe(200);
    await r.stop();
    await r.stop();
    expect(r.handle).toBeNull();
    await expect(fetch(`${h.dashboardUrl}/api/health`)).rejects.toThrow();
  });

  it('falls back to OS-picked ports when the dashboard port is taken', async () => {
    const r = runner();
    const h = await r.start(config({ monitorPort: takenPort }));
    expect(r.portFallback).toBe(true);
    expect(portOf(h.dashboardUrl!)).not.toBe(takenPort);
    expect((await fetch(`${h.dashboardUrl}/api/health`)).status).toBe(200);
  });

  it('falls back when the MQTT port is taken', async () => {
    const r = runner();
    const h = await r.start(config({ mqtt: { port: takenPort } }));
    expect(r.portFallback).toBe(true);
    expect(h.mqttPort).not.toBe(takenPort);
  });

  it('keeps an OS-picked dashboard port across restarts (the window origin stays valid)', async () => {
    const r = runner();
    const first = await r.start(config());
    const url = first.dashboardUrl;
    const second = await r.restart(config());
    expect(second).not.toBe(first);
    expect(second.dashboardUrl).toBe(url);
    expect(r.portFallback).toBe(false);
  });

  it('reports a start failure that is not about ports', async () => {
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    const r = runner();
    await expect(r.start(config({ stateDir: file }))).rejects.toThrow();
    expect(r.lastError).toBeInstanceOf(Error);
    expect(r.handle).toBeNull();
    // A later good start clears it.
    await r.start(config());
    expect(r.lastError).toBeNull();
  });

  it('recognises "address in use" through cause chains', () => {
    expect(isPortInUse(Object.assign(new Error('x'), { code: 'EADDRINUSE' }))).toBe(true);
    expect(isPortInUse(new Error('wrapped', { cause: new Error('listen EADDRINUSE: address already in use 127.0.0.1:8888') }))).toBe(true);
    expect(isPortInUse(new Error('MQTT port 1883 is already in use on 127.0.0.1'))).toBe(true);
    expect(isPortInUse(new Error('EACCES'))).toBe(false);
  });
});

describe('tray bus watcher on a real hub', () => {
  it("knows the hub's agents at once, before their next heartbeat", async () => {
    const r = runner();
    const h = await r.start(config({ timing: { heartbeatMs: 3_600_000, monitorCheckMs: 60_000, monitorWarnMs: 60_000, monitorCriticalMs: 120_000, healthMs: 60_000 } }));
    const status = new HubStatus();
    const stop = watchBus({
      bus: h.bus,
      status,
      policy: new NotificationPolicy(),
      prefs: () => ({ alerts: true, jobs: true }),
      windowFocused: () => false,
      notify: () => undefined,
      onChange: () => undefined,
      initialAgents: () => h.system.list().map((a) => ({ actorId: a.actorId, name: a.name, state: a.state, kind: a.kind })),
    });
    try {
      const live = h.system.list().filter((a) => a.state !== 'stopped');
      expect(live.length).toBeGreaterThan(0);
      expect(status.snapshot().agentCount).toBe(live.length);
    } finally {
      stop();
    }
  });

  it('counts the hub agents, follows alerts, notifies, pauses dynamic agents, drops bad payloads', async () => {
    const r = runner();
    const h = await r.start(config());
    const status = new HubStatus();
    const notes: NotificationRequest[] = [];
    let changes = 0;
    const stop = watchBus({
      bus: h.bus,
      status,
      policy: new NotificationPolicy(),
      prefs: () => ({ alerts: true, jobs: true }),
      windowFocused: () => false,
      notify: (x) => notes.push(x),
      onChange: () => changes++,
      pollMs: 50,
    });
    try {
      // The hub's own actors heartbeat every 200 ms here.
      await vi.waitFor(() => expect(status.snapshot().agentCount).toBeGreaterThan(0), { timeout: 15_000, interval: 50 });
      expect(status.snapshot().connection).toBe('connected');
      expect(status.snapshot().trayState).toBe('ok');

      const ts = Date.now() / 1000;
      h.bus.publish('agents/dyn-1/heartbeat', { actor_id: 'dyn-1', name: 'scraper', timestamp: ts, state: 'running', cpu: 0, memory_mb: 1, task: null, protected: false, kind: 'dynamic' });
      h.bus.publish('agents/dyn-1/alert', '{not json');
      h.bus.publish('agents/dyn-1/alert', { actor_id: 'dyn-1', name: 'scraper', message: 'silent for 60 s', severity: 'warning', timestamp: ts });
      h.bus.publish('agents/dyn-1/logs', { type: 'info', message: 'just a line', timestamp: ts });
      h.bus.publish('agents/dyn-1/logs', { type: 'job_done', message: 'pipeline built', timestamp: ts, job_kind: 'pipeline', duration_s: 45 });
      await vi.waitFor(() => expect(notes).toHaveLength(2), { timeout: 10_000, interval: 50 });
      expect(notes[0]).toMatchObject({ title: 'Warning: scraper', body: 'silent for 60 s' });
      expect(notes[1]).toMatchObject({ title: 'Pipeline finished — scraper', body: 'pipeline built' });
      expect(status.snapshot().trayState).toBe('alert');
      expect(changes).toBeGreaterThan(0);

      const received: string[] = [];
      const unsub = h.bus.subscribe('agents/+/commands', (topic, raw) => received.push(`${topic} ${raw.toString()}`));
      await h.bus.ready();
      for (const m of dynamicAgentCommands(status.snapshot(), 'pause')) h.bus.publish(m.topic, m.payload, { qos: 1 });
      await vi.waitFor(() => expect(received).toEqual(['agents/dyn-1/commands {"command":"pause"}']), { timeout: 10_000, interval: 50 });
      unsub();

      h.bus.publish('agents/dyn-1/alert', { actor_id: 'dyn-1', name: 'scraper', message: 'back', severity: 'warning', timestamp: ts, resolved: true });
      await vi.waitFor(() => expect(status.snapshot().trayState).toBe('ok'), { timeout: 10_000, interval: 50 });
    } finally {
      stop();
    }
    // Hub gone → the tray goes offline.
    const status2 = new HubStatus();
    const h2 = await r.restart(config());
    const stop2 = watchBus({ bus: h2.bus, status: status2, policy: new NotificationPolicy(), prefs: () => ({ alerts: true, jobs: true }), windowFocused: () => false, notify: () => undefined, onChange: () => undefined, pollMs: 50 });
    await r.stop();
    await vi.waitFor(() => expect(status2.snapshot().trayState).toBe('offline'), { timeout: 10_000, interval: 50 });
    stop2();
  });
});
