/**
 * One agent's permissions, as its AgentHost checks them on every publish, subscribe, `mqttGet`,
 * `window`, `sendTo` and `fetch` (issue 12 item 1; the topic rules are src/main/grants/
 * topic-rules.ts). The grant is the agent's bus grant as it was built (src/shared/grants.ts:
 * approvals' capabilities plus its declared topics); a grant that changes (an approval, a
 * revocation) restarts the agent, so it is fixed for the life of one instance.
 *
 * A refusal is: a PermissionError for the caller (awaited calls reject with it in the agent;
 * publish and subscribe are fire-and-forget in the sandbox, so for them the agent's own log says
 * it — every time: it is the agent's error, and the sandbox already caps how fast an agent sends),
 * and — once per (action, target) a minute, however often the agent retries — a warning in the
 * hub's (or node's) log and a refusal record for audit (the hub: approvals' refusal log).
 */
import type { Actor } from '../../core/actor.js';
import { actorIdFor } from '../../core/actor-id.js';
import type { ActorSystem } from '../../core/actor-system.js';
import type { Logger } from '../../base/logger.js';
import { TopicRules } from '../../grants/topic-rules.js';
import { ANY_ACTOR, FETCH_LOCAL_CAPABILITY, hubTargets, type BusGrant, type RefusedAction } from '../../../shared/grants.js';

/** Capabilities that grant `agent.fetch` (`http` and `network` are the original's words). */
export const FETCH_CAPABILITIES = ['fetch', 'http', 'network'] as const;

/** A refusal by the hub's permissions (its message says what and why). */
export class PermissionError extends Error {
  override name = 'PermissionError';
  readonly kind = 'forbidden';
}

/** Where refusals are recorded for audit. */
export type RefusalSink = (r: { agent: string; action: RefusedAction; target: string; message: string; node?: string }) => void;

export interface AgentPermissionsDeps {
  system: ActorSystem;
  /** This process's node name (absent on the hub): said with refusals. */
  node?: string;
  /** The hub's (or node's) log. */
  log?: Logger;
  refusals?: RefusalSink;
  /** Injected clock for the once-a-minute log (tests). */
  now?: () => number;
}

const REPEAT_MS = 60_000;

export class AgentPermissions {
  readonly rules: TopicRules;
  /** When each (action, target) was last said in the logs. */
  private readonly said = new Map<string, number>();

  constructor(
    private readonly deps: AgentPermissionsDeps,
    private readonly actor: Actor,
    readonly grant: BusGrant,
  ) {
    this.rules = new TopicRules({ id: actor.actorId, name: actor.name }, grant);
  }

  /** Throws a PermissionError unless the agent may publish on `topic` (retained: there). */
  checkPublish(topic: string, retain: boolean): void {
    const why = this.rules.checkPublish(topic, retain);
    if (why) this.refuse(retain && !this.rules.checkPublish(topic, false) ? 'retain' : 'publish', topic, `agent.publish(${topic}${retain ? ', retain' : ''}) refused: ${why}`);
  }

  /** Throws a PermissionError unless the agent may subscribe to `filter` (also `mqttGet`, `window`). */
  checkSubscribe(filter: string, what = 'subscribe'): void {
    const why = this.rules.checkSubscribe(filter);
    if (why) this.refuse('subscribe', filter, `agent.${what}(${filter}) refused: ${why}`);
  }

  /** Whether a delivered message may reach the agent (a wildcard subscription may match more than it may read). */
  readable(topic: string): boolean {
    return this.rules.readable(topic);
  }

  /**
   * Throws a PermissionError unless the agent may ask `target` (a name or an id): itself; a code
   * agent it declared in `send_to`; a hub actor (core, Home Assistant…) a person granted
   * (`hub_actors`), or one that checks the asker's capabilities itself (catalog, planner, timeseries).
   */
  checkSendTo(target: string, isCodeAgent: (a: Actor) => boolean): void {
    const local = this.deps.system.get(target);
    const name = local?.name ?? target;
    if (name === this.actor.name) return;
    const g = this.grant;
    if (local && !isCodeAgent(local)) {
      // One of the hub's own actors, here: a person's grant, or an actor that guards itself.
      if (hubTargets(g).has(name) || g.hub_actors.includes(ANY_ACTOR)) return;
      this.refuse('send_to', name, `agent.sendTo(${name}) refused: ${name} is one of the hub's actors: asking it needs a person's grant (declare it in send_to and have it approved)`);
    }
    // A code agent (here, or on a node: by name or id) — or no one: by declaration.
    const named = (list: readonly string[]): boolean => list.includes(ANY_ACTOR) || list.includes(name) || list.some((n) => actorIdFor(n) === target);
    if (named(g.send_to) || named(g.hub_actors)) return;
    this.refuse('send_to', name, `agent.sendTo(${name}) refused: ${name} is not among the agents it declared it asks (send_to: ${g.send_to.join(', ') || 'none'})`);
  }

  /** Whether `agent.fetch` is granted, and to this machine / private networks too. */
  fetchGrant(): { fetch: boolean; local: boolean } {
    const caps = new Set(this.grant.capabilities.map((c) => c.toLowerCase()));
    return { fetch: FETCH_CAPABILITIES.some((c) => caps.has(c)), local: caps.has(FETCH_LOCAL_CAPABILITY) };
  }

  /** Says it (once a minute per action and target), records it, throws. */
  refuse(action: RefusedAction, target: string, message: string): never {
    const now = (this.deps.now ?? Date.now)();
    const key = `${action} ${target}`;
    const last = this.said.get(key);
    this.deps.system.telemetry.log(this.actor, 'error', message);
    if (last === undefined || now - last >= REPEAT_MS) {
      if (this.said.size > 256) this.said.clear();
      this.said.set(key, now);
      const where = this.deps.node ? ` on node ${this.deps.node}` : '';
      this.deps.log?.('warning', `refused ${this.actor.name}${where}: ${message}`);
      try {
        this.deps.refusals?.({ agent: this.actor.name, action, target, message, ...(this.deps.node ? { node: this.deps.node } : {}) });
      } catch {
        // the audit's failure (a closed database at stop) must not turn a refusal into something else
      }
    }
    throw new PermissionError(message);
  }
}
