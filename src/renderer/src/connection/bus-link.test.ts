/** Both homes of the bus link pass the one conformance suite, plus the per-frame merge. */
import { describe, expect, it, vi } from 'vitest';
import { InlineBusLink, mergeUpdates, type BusLinkOptions } from './bus-link.js';
import { createBusLink, type WorkerLike } from './bus-link-factory.js';
import { serveBusLink } from './bus-worker-host.js';
import type { PortLike } from './bus-worker-protocol.js';
import { busLinkConformance } from './testing/bus-link-conformance.js';
import { emptyUpdate } from './topic-router.js';
import { WorkerBusLink } from './worker-bus-link.js';

busLinkConformance('inline', (o) => new InlineBusLink(o));

busLinkConformance('worker protocol', (o) => {
  const { port1, port2 } = new MessageChannel();
  serveBusLink(port2 as unknown as PortLike);
  return new WorkerBusLink(o, port1 as unknown as PortLike, () => {
    port1.close();
    port2.close();
  });
});

describe('mergeUpdates', () => {
  it('concatenates in arrival order and keeps the newest health', () => {
    const a = { ...emptyUpdate(), logs: [{ actorId: 'x', level: 'info' as const, type: 'info', message: '1', timestamp: 1 }] };
    const b = { ...emptyUpdate(), logs: [{ actorId: 'y', level: 'info' as const, type: 'info', message: '2', timestamp: 2 }], rejected: [{ topic: 't', error: 'e' }] };
    const m = mergeUpdates([a, b]);
    expect(m.logs.map((l) => l.message)).toEqual(['1', '2']);
    expect(m.rejected).toHaveLength(1);
    expect(m.health).toBeNull();
    expect(mergeUpdates([a])).toBe(a);
  });
});

describe('createBusLink', () => {
  const options = (states: string[]): BusLinkOptions => ({
    url: 'ws://127.0.0.1:9/mqtt', // nothing listens: the inline link keeps retrying, which is fine here
    token: null,
    clientId: 'factory-test',
    subscriptions: [],
    onUpdate: () => undefined,
    onState: (s) => states.push(s),
  });

  /** A worker whose script fails to load: it emits `error` and never says anything. */
  function failingWorker(): WorkerLike & { fail(): void; terminated: boolean } {
    const errorListeners: ((e: { data: unknown }) => void)[] = [];
    return {
      terminated: false,
      postMessage: () => undefined,
      addEventListener(type: string, l: (e: { data: unknown }) => void) {
        if (type === 'error') errorListeners.push(l);
      },
      terminate() {
        this.terminated = true;
      },
      fail() {
        for (const l of errorListeners) l({ data: undefined });
      },
    };
  }

  it('runs inline where no worker can be started', async () => {
    const link = createBusLink(options([]), () => null);
    expect(link.mode).toBe('inline');
    await link.stop();
  });

  it('falls back to the inline link when the worker fails before it said anything', async () => {
    const states: string[] = [];
    const worker = failingWorker();
    const link = createBusLink(options(states), () => worker);
    expect(link.mode).toBe('worker');
    link.start();
    worker.fail();
    expect(worker.terminated).toBe(true);
    expect(link.mode).toBe('inline');
    // The inline link started in its place.
    expect(states[0]).toBe('connecting');
    await link.stop();
  });
});

describe('the bus worker protocol', () => {
  it('ignores messages of any other shape, on both ends', async () => {
    const { port1, port2 } = new MessageChannel();
    serveBusLink(port2 as unknown as PortLike);
    const replies: unknown[] = [];
    port1.addEventListener('message', (e) => replies.push(e.data));
    port1.start();
    for (const junk of [null, 'start', 42, { t: 'eval', code: 'x' }, { t: 'publish', id: 'x', topic: 5 }, { t: 'start', url: 1 }]) port1.postMessage(junk);
    // A well-formed publish before start is answered (not sent): the junk before it was dropped.
    port1.postMessage({ t: 'publish', id: 7, topic: 'io/chat', payload: {}, qos: 1 });
    await vi.waitFor(() => expect(replies).toEqual([{ t: 'published', id: 7, ok: false }]));

    // The page side drops what is not one of the worker's messages.
    const updates: unknown[] = [];
    const states: string[] = [];
    const { port1: page, port2: fakeWorker } = new MessageChannel();
    const link = new WorkerBusLink({ url: 'ws://x', token: null, clientId: 'c', subscriptions: [], onUpdate: (u) => updates.push(u), onState: (s) => states.push(s), scheduler: { schedule: (cb) => (cb(), () => undefined) } }, page as unknown as PortLike);
    for (const junk of [{ t: 'update', u: 'nope' }, { t: 'state', state: 'hacked' }, { t: 'published', id: 'x' }]) fakeWorker.postMessage(junk);
    fakeWorker.postMessage({ t: 'state', state: 'online' });
    await vi.waitFor(() => expect(states).toEqual(['online']));
    expect(updates).toEqual([]);
    page.close();
    fakeWorker.close();
    port1.close();
    port2.close();
    expect(link.mode).toBe('worker');
  });
});
