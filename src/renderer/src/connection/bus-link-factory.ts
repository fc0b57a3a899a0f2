/**
 * Picks the bus link's home: a Web Worker where the page can start one, else the main thread.
 * A worker that fails before it has said anything (a page opened from a file, a policy that
 * forbids workers) is replaced by the inline link, so the dashboard connects either way.
 */
import { InlineBusLink, type BusLink, type BusLinkOptions } from './bus-link.js';
import type { PortLike } from './bus-worker-protocol.js';
import { WorkerBusLink } from './worker-bus-link.js';

export interface WorkerLike extends PortLike {
  addEventListener(type: 'message' | 'error', listener: (e: { data: unknown }) => void): void;
  terminate(): void;
}

function startWorker(): WorkerLike | null {
  if (typeof Worker !== 'function') return null;
  try {
    // Vite bundles the worker from this exact expression.
    return new Worker(new URL('./bus.worker.ts', import.meta.url), { type: 'module', name: 'wactorz-bus' }) as unknown as WorkerLike;
  } catch {
    return null;
  }
}

class WorkerWithFallback implements BusLink {
  private inner: BusLink;
  private heard = false;
  private started = false;

  constructor(o: BusLinkOptions, worker: WorkerLike) {
    const heard = () => {
      this.heard = true;
    };
    this.inner = new WorkerBusLink(
      {
        ...o,
        onState: (s, d) => {
          heard();
          o.onState(s, d);
        },
      },
      worker,
      () => worker.terminate(),
    );
    worker.addEventListener('error', () => {
      if (this.heard || this.inner.mode !== 'worker') return;
      worker.terminate();
      this.inner = new InlineBusLink(o);
      if (this.started) this.inner.start();
    });
  }

  get mode(): BusLink['mode'] {
    return this.inner.mode;
  }

  start(): void {
    this.started = true;
    this.inner.start();
  }

  publish(topic: string, payload: unknown, qos?: 0 | 1): Promise<boolean> {
    return this.inner.publish(topic, payload, qos);
  }

  stop(): Promise<void> {
    this.started = false;
    return this.inner.stop();
  }
}

/** The bus link, in a worker when `start` gives one (tests pass their own `start`). */
export function createBusLink(o: BusLinkOptions, start: () => WorkerLike | null = startWorker): BusLink {
  const worker = start();
  return worker ? new WorkerWithFallback(o, worker) : new InlineBusLink(o);
}
