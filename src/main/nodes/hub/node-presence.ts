/**
 * Which nodes the hub knows and whether they are online: a node is online when it was heard from
 * (a heartbeat) since this hub started and within the online window. Nodes known from before a hub
 * restart (SQLite `hub_nodes`) start silent — an alert comes after the window unless they speak.
 * The last heartbeat is kept in memory and saved now and then (every 30 s, or when its agents change).
 */
import type { NodeHeartbeat } from '../../../shared/node-protocol.js';
import type { NodeStore } from './node-store.js';

interface SeenNode {
  lastSeenMs: number;
  heartbeat: NodeHeartbeat | null;
  lastSavedMs: number;
}

const HEARTBEAT_SAVE_MS = 30_000;

export class NodePresence {
  readonly startedMs = Date.now();
  private readonly seen = new Map<string, SeenNode>();
  /** Nodes heard from since this hub started (only those can be online). */
  private readonly heard = new Set<string>();

  constructor(
    private readonly store: NodeStore,
    readonly onlineWindowMs: number,
  ) {
    for (const n of store.knownNodes()) this.seen.set(n.name, { lastSeenMs: this.startedMs, heartbeat: n.heartbeat, lastSavedMs: 0 });
  }

  /** A node the hub addresses before it has heard from it (silent from now on). */
  expect(node: string): void {
    this.store.addNode(node);
    if (!this.seen.has(node)) this.seen.set(node, { lastSeenMs: Date.now(), heartbeat: null, lastSavedMs: 0 });
  }

  online(node: string): boolean {
    const s = this.seen.get(node);
    return s !== undefined && this.heard.has(node) && Date.now() - s.lastSeenMs <= this.onlineWindowMs;
  }

  known(node: string): boolean {
    return this.seen.has(node);
  }

  names(): string[] {
    return [...this.seen.keys()];
  }

  heartbeat(node: string): NodeHeartbeat | null {
    return this.seen.get(node)?.heartbeat ?? null;
  }

  /** When it was last heard from (ms; the hub's start for one not heard from since). */
  lastSeenMs(node: string): number {
    return this.seen.get(node)?.lastSeenMs ?? this.startedMs;
  }

  /** Epoch seconds of its last heartbeat, this run or a saved one; null when never heard from. */
  lastSeen(node: string): number | null {
    if (this.heard.has(node)) return this.seen.get(node)!.lastSeenMs / 1000;
    const known = this.store.knownNodes().find((k) => k.name === node);
    return known && known.lastSeen > 0 ? known.lastSeen : null;
  }

  /** Records a heartbeat; true when the node was not online before it (new, or back). */
  record(hb: NodeHeartbeat): boolean {
    const now = Date.now();
    const prev = this.seen.get(hb.node);
    const wasOnline = this.online(hb.node);
    const entry: SeenNode = { lastSeenMs: now, heartbeat: hb, lastSavedMs: prev?.lastSavedMs ?? 0 };
    this.seen.set(hb.node, entry);
    this.heard.add(hb.node);
    if (!prev?.heartbeat || now - entry.lastSavedMs > HEARTBEAT_SAVE_MS || prev.heartbeat.agents.join() !== hb.agents.join()) {
      entry.lastSavedMs = now;
      this.store.saveHeartbeat(hb, now / 1000);
    }
    return !wasOnline;
  }
}
