/**
 * The page's side of the bus worker: the same BusLink as InlineBusLink, with the MQTT client in a
 * Web Worker. Updates from the worker are merged into one per animation frame; the link state is
 * mirrored so `publish` answers at once (false) when the bus is down and the caller can use REST.
 */
import { mergeUpdates, type BusLink, type BusLinkOptions } from './bus-link.js';
import { fromWorkerSchema, type PortLike, type ToWorker } from './bus-worker-protocol.js';
import { FrameBatcher } from './frame-batcher.js';
import type { LinkState } from './mqtt-link.js';
import type { DashboardUpdate } from './topic-router.js';

/** A publish the worker has not confirmed within this time counts as not sent. */
const PUBLISH_REPLY_MS = 5_000;
const STOP_REPLY_MS = 3_000;

export class WorkerBusLink implements BusLink {
  readonly mode = 'worker';
  private readonly batcher: FrameBatcher<DashboardUpdate>;
  private state: LinkState = 'offline';
  private nextId = 1;
  private readonly pending = new Map<number, (ok: boolean) => void>();
  private stopped: (() => void) | null = null;
  private readonly listener = (e: { data: unknown }) => this.receive(e.data);

  constructor(
    private readonly o: BusLinkOptions,
    private readonly port: PortLike,
    /** Ends the worker after stop (Worker.terminate); not called for a plain port. */
    private readonly terminate: () => void = () => undefined,
  ) {
    this.batcher = new FrameBatcher<DashboardUpdate>((items) => o.onUpdate(mergeUpdates(items)), o.scheduler);
    port.addEventListener('message', this.listener);
    port.start?.();
  }

  private post(m: ToWorker): void {
    this.port.postMessage(m);
  }

  private receive(data: unknown): void {
    const r = fromWorkerSchema.safeParse(data);
    if (!r.success) return;
    const m = r.data;
    switch (m.t) {
      case 'update':
        this.batcher.push(m.u);
        return;
      case 'state':
        this.state = m.state;
        this.o.onState(m.state, m.detail);
        return;
      case 'unauthorized':
        this.o.onUnauthorized?.();
        return;
      case 'published':
        this.pending.get(m.id)?.(m.ok);
        this.pending.delete(m.id);
        return;
      case 'stopped':
        this.stopped?.();
        return;
    }
  }

  start(): void {
    this.post({ t: 'start', url: this.o.url, token: this.o.token, clientId: this.o.clientId, subscriptions: [...this.o.subscriptions] });
  }

  publish(topic: string, payload: unknown, qos: 0 | 1 = 1): Promise<boolean> {
    if (this.state !== 'online') return Promise.resolve(false);
    const id = this.nextId++;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(false);
      }, PUBLISH_REPLY_MS);
      this.pending.set(id, (ok) => {
        clearTimeout(timer);
        resolve(ok);
      });
      this.post({ t: 'publish', id, topic, payload, qos });
    });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, STOP_REPLY_MS);
      this.stopped = () => {
        clearTimeout(timer);
        resolve();
      };
      this.post({ t: 'stop' });
    });
    this.port.removeEventListener?.('message', this.listener);
    for (const done of this.pending.values()) done(false);
    this.pending.clear();
    this.batcher.flush();
    this.batcher.dispose();
    this.terminate();
    this.state = 'offline';
    this.o.onState('offline');
  }
}
