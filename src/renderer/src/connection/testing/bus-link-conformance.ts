/**
 * What every BusLink must do, against a real aedes broker over WebSocket (the hub's transport):
 * go online only once subscribed, hand over everything that arrived as ONE validated update per
 * frame (malformed payloads counted, never thrown), publish while online and refuse while not,
 * report a refused token, and go quiet after stop. bus-link.test.ts runs it for the inline link
 * and for the worker link (worker side served over a MessageChannel — the same protocol the
 * browser's Worker carries; the e2e checks the real Worker).
 */
// eslint-disable-next-line no-restricted-imports
import { createServer, type Server } from 'node:http';
// eslint-disable-next-line no-restricted-imports
import type { AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { BusLink, BusLinkOptions } from '../bus-link.js';
import type { FrameScheduler } from '../frame-batcher.js';
import type { LinkState } from '../mqtt-link.js';
import type { DashboardUpdate } from '../topic-router.js';

export const CONFORMANCE_TOKEN = 'bus-token';

/** Frames the test fires by hand; `inFrame` tells a callback whether a frame is running. */
export function manualFrames() {
  const pending = new Set<() => void>();
  let inFrame = false;
  const scheduler: FrameScheduler = {
    schedule(cb) {
      pending.add(cb);
      return () => pending.delete(cb);
    },
  };
  return {
    scheduler,
    get inFrame() {
      return inFrame;
    },
    frame() {
      const cbs = [...pending];
      pending.clear();
      inFrame = true;
      try {
        for (const cb of cbs) cb();
      } finally {
        inFrame = false;
      }
    },
  };
}

export function busLinkConformance(name: string, make: (o: BusLinkOptions) => BusLink): void {
  describe(`BusLink conformance: ${name}`, () => {
    let broker: Aedes;
    let http: Server;
    let wss: WebSocketServer;
    let url: string;

    beforeAll(async () => {
      broker = await Aedes.createBroker({
        authenticate(_client, _username, password, done) {
          if (password?.toString() === CONFORMANCE_TOKEN) return done(null, true);
          const err = new Error('bad token') as AuthenticateError;
          err.returnCode = 5;
          done(err, false);
        },
      });
      http = createServer();
      wss = new WebSocketServer({ server: http, path: '/mqtt' });
      wss.on('connection', (ws, req) => broker.handle(createWebSocketStream(ws) as never, req as never));
      await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
      url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/mqtt`;
    });

    afterAll(async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => http.close(() => r()));
      await new Promise<void>((r) => broker.close(() => r()));
    });

    const publish = (topic: string, payload: unknown) =>
      new Promise<void>((resolve) => broker.publish({ cmd: 'publish', topic, payload: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)), qos: 0, retain: false, dup: false }, () => resolve()));

    function open(token: string | null) {
      const frames = manualFrames();
      const states: LinkState[] = [];
      const updates: DashboardUpdate[] = [];
      // Updates handed over outside a frame, and frames that handed over more than one: both must stay 0.
      let outsideFrames = 0;
      let doubleFrames = 0;
      let unauthorized = 0;
      const link = make({
        url,
        token,
        clientId: `conf-${Math.random().toString(16).slice(2)}`,
        subscriptions: ['agents/+/heartbeat', 'agents/+/logs'],
        onUpdate: (u) => {
          if (!frames.inFrame) outsideFrames++;
          updates.push(u);
        },
        onState: (s) => states.push(s),
        onUnauthorized: () => unauthorized++,
        scheduler: frames.scheduler,
      });
      /** Fires frames until `n` log lines were handed over; checks that no frame produced more than one update. */
      const collectLogs = async (n: number) => {
        await vi.waitFor(
          () => {
            const before = updates.length;
            frames.frame();
            if (updates.length - before > 1) doubleFrames++;
            const lines = updates.reduce((k, u) => k + u.logs.length, 0);
            if (lines < n) throw new Error(`${lines} of ${n} log lines so far`);
          },
          { timeout: 15_000, interval: 20 },
        );
        expect(doubleFrames, 'a frame handed over more than one update').toBe(0);
      };
      return { link, frames, states, updates, unauthorized: () => unauthorized, outsideFrames: () => outsideFrames, collectLogs };
    }

    it('goes online once subscribed, and hands a burst over as one validated update per frame', async () => {
      const t = open(CONFORMANCE_TOKEN);
      t.link.start();
      await expect.poll(() => t.states.at(-1), { message: 'online' }).toBe('online');
      expect(t.states[0]).toBe('connecting');
      // Nothing is handed over between frames, however much arrives.
      await Promise.all(Array.from({ length: 200 }, (_, i) => publish(`agents/a${i % 7}/logs`, { type: i % 10 === 0 ? 'error' : 'info', message: `line ${i}`, timestamp: 1_700_000_000 + i })));
      await publish('agents/a1/heartbeat', { actor_id: 'a1', name: 'one', timestamp: 1_700_000_000, state: 'running', cpu: 1, memory_mb: 2, task: null, protected: false });
      await publish('agents/a1/heartbeat', '{"not": "a heartbeat"}');
      await publish('agents/a1/logs', 'not json at all');
      // Nothing is handed over between frames: no update so far, and none (checked at the end) ever
      // outside one, however much arrives.
      expect(t.updates).toEqual([]);
      await t.collectLogs(200);
      await vi.waitFor(
        () => {
          t.frames.frame();
          expect(t.updates.reduce((k, u) => k + u.rejected.length, 0)).toBeGreaterThanOrEqual(2);
          expect(t.updates.some((u) => u.heartbeats.length > 0)).toBe(true);
        },
        { timeout: 15_000, interval: 20 },
      );
      expect(t.outsideFrames(), 'updates handed over outside a frame').toBe(0);
      const logs = t.updates.flatMap((u) => u.logs);
      // In arrival order, with the level derived from the payload's type.
      expect(logs.map((l) => l.message)).toEqual(Array.from({ length: 200 }, (_, i) => `line ${i}`));
      expect(logs[0]).toMatchObject({ actorId: 'a0', level: 'error', message: 'line 0' });
      expect(t.updates.flatMap((u) => u.heartbeats)[0]).toMatchObject({ actorId: 'a1', value: { name: 'one', state: 'running' } });
      expect(t.updates.flatMap((u) => u.rejected).map((r) => r.topic).sort()).toEqual(['agents/a1/heartbeat', 'agents/a1/logs']);
      await t.link.stop();
    });

    it('publishes while online and says false when not', async () => {
      const t = open(CONFORMANCE_TOKEN);
      expect(await t.link.publish('io/chat', { content: 'too early' })).toBe(false);
      t.link.start();
      await expect.poll(() => t.states.at(-1), { message: 'online' }).toBe('online');
      const got: string[] = [];
      const onPublish = (packet: { topic: string; payload: Buffer | string }) => {
        if (packet.topic === 'io/chat') got.push(packet.payload.toString());
      };
      broker.on('publish', onPublish);
      expect(await t.link.publish('io/chat', { from: 'dashboard', content: 'hi' })).toBe(true);
      await expect.poll(() => got.length, { message: 'our publish' }).toBe(1);
      broker.off('publish', onPublish);
      expect(JSON.parse(got[0]!)).toEqual({ from: 'dashboard', content: 'hi' });
      await t.link.stop();
      expect(t.states.at(-1)).toBe('offline');
      expect(await t.link.publish('io/chat', { content: 'too late' })).toBe(false);
    });

    it('reports a refused token and stops retrying', async () => {
      const t = open('wrong');
      t.link.start();
      await expect.poll(() => t.unauthorized(), { message: 'the refusal' }).toBeGreaterThan(0);
      await expect.poll(() => t.states.at(-1), { message: 'offline' }).toBe('offline');
      await t.link.stop();
    });

    it('hands nothing over after stop', async () => {
      const t = open(CONFORMANCE_TOKEN);
      t.link.start();
      await expect.poll(() => t.states.at(-1), { message: 'online' }).toBe('online');
      await publish('agents/b/logs', { type: 'info', message: 'before stop', timestamp: 1 });
      await t.collectLogs(1);
      await t.link.stop();
      // Gone from the broker: nothing published now can reach it; a frame hands nothing over.
      await expect.poll(() => broker.connectedClients, { message: 'the link gone from the broker' }).toBe(0);
      const seen = t.updates.length;
      await publish('agents/b/logs', { type: 'info', message: 'after stop', timestamp: 2 });
      t.frames.frame();
      expect(t.updates.length).toBe(seen);
      expect(t.outsideFrames(), 'updates handed over outside a frame').toBe(0);
    });
  });
}
