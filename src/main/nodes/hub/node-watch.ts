/**
 * The MonitorAgent of nodes: a node silent longer than `onlineWindowMs` (45 s: its heartbeat comes
 * every 10 s) gets a warning, longer than `criticalMs` a critical alert; its next heartbeat resolves
 * it (severity info, `resolved: true`). Alerts use the standard alert schema on the bus, on
 * `agents/{id}/alert` of the node's pseudo-actor `node:{name}` (nodeActorId), so the dashboard's
 * alert list and toasts show them, with an extra `node` field; and they go to main the way the
 * MonitorAgent's do (a COMMAND `{kind:'alert', event, alert}`), so `/alerts` lists them.
 */
import { topics } from '../../../shared/topics.js';
import type { Alert } from '../../../shared/mqtt-payloads.js';
import type { Bus } from '../../core/bus.js';
import type { ActorSystem } from '../../core/actor-system.js';
import { makeMessage } from '../../core/message-factory.js';
import { nodeActorName } from '../../../shared/node-protocol.js';
import { nodeActorId } from '../protocol.js';

export interface NodeWatchOptions {
  bus: Bus;
  /** To tell main (optional). */
  system?: ActorSystem;
  onlineWindowMs: number;
  criticalMs: number;
  checkMs: number;
  /** Nodes to watch, with when each was last heard from (ms; the hub's start for one not heard since). */
  nodes: () => { name: string; lastSeenMs: number; agents: string[]; everSeen: boolean }[];
  log?: (level: 'debug' | 'info' | 'warning' | 'error', message: string) => void;
}

type Level = 'warning' | 'critical';

export class NodeWatch {
  private readonly alerted = new Map<string, Level>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: NodeWatchOptions) {}

  start(): void {
    this.timer ??= setInterval(() => this.check(), this.opts.checkMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The alert level a node is at (null when it is fine). */
  level(node: string): Level | null {
    return this.alerted.get(node) ?? null;
  }

  /** Checks every node now (also run every `checkMs`). */
  check(now = Date.now()): void {
    for (const n of this.opts.nodes()) {
      const silentMs = now - n.lastSeenMs;
      const level: Level | undefined = silentMs > this.opts.criticalMs ? 'critical' : silentMs > this.opts.onlineWindowMs ? 'warning' : undefined;
      if (!level || this.alerted.get(n.name) === level) continue;
      this.alerted.set(n.name, level);
      const seconds = Math.round(silentMs / 1000);
      const agents = n.agents.length ? ` Its agents (${n.agents.join(', ')}) are unreachable; commands for it wait in the outbox.` : '';
      const what = n.everSeen ? `went silent: no heartbeat for ${seconds} s` : `has not been heard from (${seconds} s): is it running, with this name, on this broker?`;
      this.emit(n.name, `Node ${n.name} ${what}.${agents}`, level, 'raise');
    }
  }

  /** A heartbeat from `node`: resolves its alert, if it had one. */
  seen(node: string): void {
    if (!this.alerted.has(node)) return;
    this.alerted.delete(node);
    this.emit(node, `Node ${node} is back online.`, 'info', 'resolve');
  }

  private emit(node: string, message: string, severity: Alert['severity'], event: 'raise' | 'resolve'): void {
    const alert: Alert & { node: string } = {
      actor_id: nodeActorId(node),
      name: nodeActorName(node),
      message,
      severity,
      timestamp: Date.now() / 1000,
      ...(event === 'resolve' ? { resolved: true } : {}),
      node,
    };
    this.opts.bus.publish(topics.agent(alert.actor_id, 'alert'), alert, { qos: 1 });
    this.opts.system?.deliver(makeMessage('COMMAND', 'node-watch', 'main', { kind: 'alert', event, alert }));
    this.opts.log?.(event === 'raise' ? 'warning' : 'info', message);
  }
}
