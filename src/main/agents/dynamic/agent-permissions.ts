/**
 * One agent's permissions, as its AgentHost checks them on every bus call, `sendTo`, `fetch`
 * (issue 12 item 1; the rules are src/main/grants/topic-rules.ts). The grant is read live from
 * the GrantStore — an approval or a revocation applies to the next call — except while a new agent
 * is tried out before it is stored: then it runs under its planned grant (`provisional`).
 *
 * A refusal is: an Error for the caller (the host turns publish's into a log line, since publish
 * is fire-and-forget in the agent), a refusal record for audit, and — once per (action, target)
 * per minute, however often the agent retries — one warning in the hub's log and one in the
 * agent's own log.
 */
import type { Actor } from '../../core/actor.js';
import type { ActorSystem } from '../../core/actor-system.js';
import type { Logger } from '../../base/logger.js';
import type { GrantStore } from '../../grants/grant-store.js';
import { TopicRules, type AgentIdentity } from '../../grants/topic-rules.js';
import { ANY_CODE_AGENT } from '../../grants/upgrade-grants.js';
import { emptyGrantParts, FETCH_LOCAL_CAPABILITY, sendTargets, type GrantParts, type RefusedAction } from '../../../shared/grants.js';

/** Capabilities that grant `agent.fetch` (`http` and `network` are the original's words). */
export const FETCH_CAPABILITIES = ['fetch', 'http', 'network'] as const;

/** A refusal by the hub's permissions (its message says what and why). */
export class PermissionError extends Error {
  override name = 'PermissionError';
  readonly kind = 'forbidden';
}

export interface AgentPermissionsDeps {
  system: ActorSystem;
  grants: GrantStore;
  /** This process's node name ('' on the hub): recorded with refusals. */
  node?: string;
  /** The hub's (or node's) log. */
  log?: Logger;
}

export class AgentPermissions {
  private rules: TopicRules | undefined;
  private rulesRevision = -1;
  private provisional: GrantParts | undefined;
  private readonly who: AgentIdentity;

  constructor(
    private readonly deps: AgentPermissionsDeps,
    private readonly actor: Actor,
    /** The planned grant of an agent not stored yet (see the file comment). */
    provisional?: GrantParts,
  ) {
    this.who = { id: actor.actorId, name: actor.name };
    this.provisional = provisional;
  }

  /** The agent is stored: read its grant from the store from now on. */
  commit(): void {
    this.provisional = undefined;
    this.rules = undefined;
    this.rulesRevision = -1;
  }

  /** The effective grant's parts (none when the store has none: own namespace only). */
  grant(): GrantParts {
    return this.provisional ?? this.deps.grants.get(this.actor.name) ?? emptyGrantParts();
  }

  /** Changes with every change of the grant (cheap: read per delivered message). */
  get revision(): number {
    return this.provisional ? -2 : (this.deps.grants.get(this.actor.name)?.revision ?? -3);
  }

  topicRules(): TopicRules {
    const rev = this.revision;
    if (!this.rules || rev !== this.rulesRevision) {
      this.rules = new TopicRules(this.who, this.grant());
      this.rulesRevision = rev;
    }
    return this.rules;
  }

  /** Throws a PermissionError (recorded, logged once a minute) unless the agent may publish on `topic`. */
  checkPublish(topic: string, retain: boolean): void {
    const why = this.topicRules().checkPublish(topic, retain);
    if (why) this.refuse(retain && !this.topicRules().checkPublish(topic, false) ? 'retain' : 'publish', topic, why);
  }

  /** Throws a PermissionError unless the agent may subscribe to `filter` (also `mqttGet`, `window`). */
  checkSubscribe(filter: string, what = 'subscribe'): void {
    const why = this.topicRules().checkSubscribe(filter);
    if (why) this.refuse('subscribe', filter, what === 'subscribe' ? why : `agent.${what}: ${why}`);
  }

  /** Whether a delivered message may reach the agent (wildcard subscriptions, grants revoked since). */
  readable(topic: string, filter: string): boolean {
    const rules = this.topicRules();
    return rules.readable(topic) && rules.checkSubscribe(filter) === undefined;
  }

  /**
   * Throws a PermissionError unless the agent may ask `target` (name or id): itself; actors its
   * grant names in `send_to` or its capabilities imply (catalog for spawn_recipes…); any code agent
   * with `*` (upgraded agents) — never a core or Home Assistant actor without its name granted.
   */
  checkSendTo(target: string, isCodeAgent: (a: Actor) => boolean): void {
    const local = this.deps.system.get(target);
    const name = local?.name ?? target;
    if (name === this.actor.name) return;
    const grant = this.grant();
    if (sendTargets(grant).has(name)) return;
    if (grant.send_to.includes(ANY_CODE_AGENT) && (!local || isCodeAgent(local))) return;
    const what = local && !isCodeAgent(local) ? `${name} is a ${local.kind === 'core' ? 'core' : 'hub'} actor: asking it needs a person's grant` : `${name} is not among the agents it declared it asks (send_to: ${grant.send_to.join(', ') || 'none'})`;
    this.refuse('send_to', name, `agent.sendTo(${name}) refused: ${what}`);
  }

  /** Whether `agent.fetch` is granted, and to this machine / private networks too. */
  fetchGrant(): { fetch: boolean; local: boolean } {
    const caps = new Set(this.grant().capabilities.map((c) => c.toLowerCase()));
    return { fetch: FETCH_CAPABILITIES.some((c) => caps.has(c)), local: caps.has(FETCH_LOCAL_CAPABILITY) };
  }

  /** Records, logs (once a minute per target) and throws. */
  refuse(action: RefusedAction, target: string, reason: string): never {
    const message = reason;
    let fresh = true;
    try {
      fresh = this.deps.grants.refuse({ agent: this.actor.name, node: this.deps.node ?? '', action, target, reason }).fresh;
    } catch {
      // the audit's failure (a closed database at stop) must not turn a refusal into something else
    }
    if (fresh) {
      const where = this.deps.node ? ` on node ${this.deps.node}` : '';
      this.deps.log?.('warning', `refused ${this.actor.name}${where}: ${action} ${target}: ${reason}`);
      this.deps.system.telemetry.log(this.actor, 'warning', `refused: ${message}`);
    }
    throw new PermissionError(message);
  }
}
