/**
 * Where the feed's events come from — read where they happen, without reaching into the parts
 * that make them happen:
 * - the actor system's events: spawned (with the code version and whether it is a restart),
 *   crashed / failed, stopped, deleted;
 * - deploys: an agent's heartbeat says `code_version`; when it changes, a new version went live
 *   (hot-swap, rollback, replace) — for the hub's agents and the nodes' alike;
 * - alerts: `agents/+/alert` (every actor's, the monitor's, the nodes' `node:{name}` alerts);
 * - installs: the installer's `installer/progress` (done, failed);
 * - nodes online and offline: the fleet's presence, looked at every `presenceMs`.
 * Approvals publish their own events through the FeedPublisher (src/main/feed/README.md).
 */
import { alertSchema, heartbeatSchema, parsePayload } from '../../shared/mqtt-payloads.js';
import { installerProgressSchema } from '../../shared/feed.js';
import { parseAgentTopic, topics } from '../../shared/topics.js';
import type { NodeInfo } from '../../shared/rest.js';
import type { Actor } from '../core/actor.js';
import type { ActorSystem } from '../core/actor-system.js';
import type { FeedPublisher } from './feed-publisher.js';

export interface FeedNodes {
  listNodes(): NodeInfo[];
}

export interface FeedSourcesOptions {
  system: ActorSystem;
  feed: FeedPublisher;
  nodes?: FeedNodes;
  /** How often node presence is looked at (default 2 s). */
  presenceMs?: number;
  now?: () => number;
}

const INSTALLER_PROGRESS = 'installer/progress';
const NODE_PREFIX = 'node:';

/** The code version a DynamicAgent runs (others have none). */
function versionOf(a: Actor): number | undefined {
  const v = (a as { spec?: { version?: unknown } }).spec?.version;
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

function agentSubject(a: Pick<Actor, 'name' | 'actorId'>): { type: 'agent'; name: string; id: string } {
  return { type: 'agent', name: a.name, id: a.actorId };
}

export class FeedSources {
  private offs: (() => void)[] = [];
  private readonly versions = new Map<string, number>();
  /** Agent name → when a spawn with its version was said (a deploy right after is the same news). */
  private readonly spawnedAt = new Map<string, { version: number; ms: number }>();
  private presence: Map<string, boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: FeedSourcesOptions) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (this.offs.length) return;
    const { system, feed } = this.opts;
    const ev = system.events;
    this.offs.push(
      ev.on('spawned', (a) => {
        const version = versionOf(a);
        const restart = a.restartCount > 0;
        if (version !== undefined) {
          this.versions.set(a.actorId, version);
          this.spawnedAt.set(a.name, { version, ms: this.now() });
        }
        feed.publish({
          kind: 'spawned',
          subject: agentSubject(a),
          text: `${a.name} ${restart ? 'restarted' : 'spawned'}${version !== undefined ? ` (version ${version})` : ''}`,
          detail: { ...(version !== undefined ? { version } : {}), ...(restart ? { restart } : {}), agent_kind: a.kind },
        });
      }),
      ev.on('crashed', (a, e) => feed.publish({ kind: 'failed', subject: agentSubject(a), text: `${a.name} crashed: ${e.message}`, detail: { error: e.message } })),
      ev.on('failed', (a, e) => feed.publish({ kind: 'failed', subject: agentSubject(a), text: `${a.name} failed and will not be restarted: ${e.message}`, detail: { error: e.message } })),
      ev.on('stopped', (a) => feed.publish({ kind: 'stopped', subject: agentSubject(a), text: `${a.name} stopped`, detail: {} })),
      ev.on('deleted', (a) => {
        this.versions.delete(a.actorId);
        feed.publish({ kind: 'deleted', subject: agentSubject(a), text: `${a.name} deleted`, detail: {} });
      }),
      system.bus.subscribe(topics.allAgents('heartbeat'), (topic, raw) => this.onHeartbeat(topic, raw)),
      system.bus.subscribe(topics.allAgents('alert'), (topic, raw) => this.onAlert(topic, raw)),
      system.bus.subscribe(INSTALLER_PROGRESS, (_topic, raw) => this.onInstall(raw)),
    );
    if (this.opts.nodes) {
      this.lookAtNodes();
      this.timer = setInterval(() => this.lookAtNodes(), this.opts.presenceMs ?? 2_000);
      this.timer.unref();
    }
  }

  stop(): void {
    clearInterval(this.timer);
    for (const off of this.offs.splice(0)) off();
  }

  /** Compares the fleet's presence with the last look (the first look only remembers). Public for tests. */
  lookAtNodes(): void {
    const nodes = this.opts.nodes?.listNodes() ?? [];
    const first = this.presence === undefined;
    const prev = this.presence ?? new Map<string, boolean>();
    const next = new Map<string, boolean>();
    for (const n of nodes) {
      next.set(n.name, n.online);
      const was = prev.get(n.name);
      if (first || was === n.online || (was === undefined && !n.online)) continue;
      this.opts.feed.publish(
        n.online
          ? { kind: 'node_online', subject: { type: 'node', name: n.name }, text: `node ${n.name} is online (${n.agents.length} agent${n.agents.length === 1 ? '' : 's'})`, detail: { agents: n.agents.length } }
          : { kind: 'node_offline', subject: { type: 'node', name: n.name }, text: `node ${n.name} went offline`, detail: {} },
      );
    }
    this.presence = next;
  }

  private onHeartbeat(topic: string, raw: Buffer): void {
    const t = parseAgentTopic(topic);
    if (!t) return;
    const r = parsePayload(heartbeatSchema, raw);
    if (!r.ok) return;
    const v = (r.value as { code_version?: unknown }).code_version;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return;
    const prev = this.versions.get(t.actorId);
    if (prev === undefined && this.versions.size >= 5_000) return;
    this.versions.set(t.actorId, v);
    if (prev === undefined || prev === v) return;
    const name = r.value.name;
    const spawned = this.spawnedAt.get(name);
    if (spawned && spawned.version === v && this.now() - spawned.ms < 5_000) return; // said with the spawn
    const node = r.value.node;
    this.opts.feed.publish({
      kind: 'deployed',
      subject: { type: 'agent', name, id: t.actorId, ...(node ? { node } : {}) },
      text: `${name}: version ${v} deployed (was ${prev})${node ? ` on ${node}` : ''}`,
      detail: { version: v, previous: prev },
    });
  }

  private onAlert(topic: string, raw: Buffer): void {
    const t = parseAgentTopic(topic);
    if (!t) return;
    const r = parsePayload(alertSchema, raw);
    if (!r.ok) return;
    const a = r.value;
    const subject = a.name.startsWith(NODE_PREFIX) ? { type: 'node' as const, name: a.name.slice(NODE_PREFIX.length) || a.name } : { type: 'agent' as const, name: a.name, id: a.actor_id };
    this.opts.feed.publish({
      kind: 'alert',
      subject,
      text: a.resolved ? `resolved: ${a.message}` : a.message,
      detail: { severity: a.severity, ...(a.resolved ? { resolved: true } : {}) },
    });
  }

  private onInstall(raw: Buffer): void {
    const r = parsePayload(installerProgressSchema, raw);
    if (!r.ok) return;
    const p = r.value;
    if (p.status !== 'done' && p.status !== 'failed') return;
    const what = p.packages.join(', ') || 'packages';
    const forWhom = p.agent ? ` for ${p.agent}` : p.recipe ? ` for recipe ${p.recipe}` : '';
    this.opts.feed.publish(
      p.status === 'done'
        ? { kind: 'installed', subject: { type: 'package', name: what }, text: `installed ${what}${forWhom}`, detail: { packages: p.packages, job_id: p.job_id } }
        : { kind: 'install_failed', subject: { type: 'package', name: what }, text: p.message ? p.message : `installing ${what} failed${forWhom}`, detail: { packages: p.packages, job_id: p.job_id } },
    );
  }
}
