/**
 * The dashboard's end of the hub's bus, as one interface with two homes:
 *
 * - `WorkerBusLink` (the default in a browser): the MQTT client, the JSON parsing and the zod
 *   validation of every payload run in a dedicated Web Worker (`bus.worker.ts`). At 1,000 log
 *   lines/s that is ~1,000 WebSocket message events and their parsing a second that no longer
 *   compete with rendering on the page's main thread; the page receives one already-routed
 *   `DashboardUpdate` per frame.
 * - `InlineBusLink`: the same pipeline on the calling thread — where there is no Worker (Node
 *   tests), and the fallback when the worker cannot start.
 *
 * Either way updates reach the stores at most once per animation frame (`FrameBatcher`), and
 * `bus-link-conformance.ts` is the one suite both pass.
 */
import { FrameBatcher, type FrameScheduler } from './frame-batcher.js';
import { MqttLink, type LinkState } from './mqtt-link.js';
import { routeMessages, type DashboardUpdate, type RawMessage } from './topic-router.js';

export interface BusLinkOptions {
  url: string;
  token: string | null;
  clientId: string;
  subscriptions: readonly string[];
  /** One call per frame with everything that arrived since the last one (validated, routed). */
  onUpdate: (u: DashboardUpdate) => void;
  onState: (state: LinkState, detail?: string) => void;
  /** The broker refused our credentials: retrying will not help until the token changes. */
  onUnauthorized?: () => void;
  /** Tests: when frames are delivered (default: animation frames). */
  scheduler?: FrameScheduler;
}

export interface BusLink {
  /** Where the MQTT client runs (shown in diagnostics and checked by the browser tests). */
  readonly mode: 'worker' | 'inline';
  start(): void;
  /** Publishes JSON; false when the link is not connected (the caller falls back to REST). */
  publish(topic: string, payload: unknown, qos?: 0 | 1): Promise<boolean>;
  stop(): Promise<void>;
}

export class InlineBusLink implements BusLink {
  readonly mode = 'inline';
  private readonly link: MqttLink;
  private readonly batcher: FrameBatcher<RawMessage>;

  constructor(o: BusLinkOptions) {
    this.batcher = new FrameBatcher<RawMessage>((items) => o.onUpdate(routeMessages(items)), o.scheduler);
    this.link = new MqttLink({
      url: o.url,
      token: o.token,
      clientId: o.clientId,
      subscriptions: o.subscriptions,
      onMessage: (topic, payload) => this.batcher.push({ topic, payload }),
      onState: o.onState,
      ...(o.onUnauthorized ? { onUnauthorized: o.onUnauthorized } : {}),
    });
  }

  start(): void {
    this.link.start();
  }

  publish(topic: string, payload: unknown, qos: 0 | 1 = 1): Promise<boolean> {
    return Promise.resolve(this.link.publish(topic, payload, qos));
  }

  async stop(): Promise<void> {
    this.batcher.flush();
    this.batcher.dispose();
    await this.link.stop();
  }
}

/** Several updates as one (arrival order kept; the newest health and restore progress win). */
export function mergeUpdates(updates: readonly DashboardUpdate[]): DashboardUpdate {
  if (updates.length === 1) return updates[0]!;
  const [first, ...rest] = updates;
  const out: DashboardUpdate = { ...first! };
  const keys = Object.keys(out) as (keyof DashboardUpdate)[];
  for (const u of rest) {
    for (const k of keys) {
      if (k === 'health') {
        if (u.health) out.health = u.health;
        continue;
      }
      if (k === 'restore') {
        if (u.restore) out.restore = u.restore;
        continue;
      }
      const add = u[k] as unknown[];
      if (add.length > 0) (out as unknown as Record<string, unknown[]>)[k] = (out[k] as unknown[]).concat(add);
    }
  }
  return out;
}
