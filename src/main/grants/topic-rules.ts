/**
 * Which topics agent code may touch (issue 12 item 1), whatever its grant says:
 * - **its own namespace** — `agents/{its id}/…` and `agents/{its name}/…` — always: publish
 *   (retained too) and subscribe; but not `…/commands` (an agent cannot command itself or be
 *   seen to) nor `…/manifest` (the hub's statement of what it is and may do);
 * - **never**: `$…` (broker), `io/…` (the user's chat), `nodes/…` (fleet commands),
 *   `system/…`, `wactorz/…` (reply topics: the host writes them), `agents/by-name/…` (tasks),
 *   other agents' namespaces for writing, Home Assistant's state topics for writing;
 * - **by grant**: a publish must match a granted `publishes` filter; a subscription must be
 *   covered by a granted `subscribes` filter *and* share no topic with a forbidden namespace —
 *   checked with filter intersection (topic-filters.ts), so `#` or `+/chat/#` never reach
 *   `io/chat`; other agents' `data/…`, `result` and `detections` are readable when declared;
 *   `homeassistant/…` needs `home_assistant`; retained messages only where `retained` allows
 *   (topics a person set in a recipe's config).
 * A subscription with `+` at the agent level (`agents/+/data/#`) is allowed; what it delivers
 * is filtered once more per message (`readable`), so `agents/by-name/data/…` never arrives.
 */
import { assertPublishTopic, assertTopicFilter } from '../broker/topic-validation.js';
import { HOME_ASSISTANT_CAPABILITY, type BusGrant } from '../../shared/grants.js';
import { filterCovers, filtersIntersect, hasWildcard } from './topic-filters.js';

/** Namespaces no grant opens to agent code, for reading or writing. */
export const FORBIDDEN_NAMESPACES = ['io/#', 'nodes/#', 'system/#', 'wactorz/#', 'agents/by-name/#'] as const;
/** Other agents' topics agent code may read (when declared). */
export const READABLE_AGENT_TOPICS = ['agents/+/data/#', 'agents/+/result', 'agents/+/result/#', 'agents/+/detections', 'agents/+/detections/#'] as const;
const READABLE_KINDS = new Set(['data', 'result', 'detections']);
/** Home Assistant's topics: reading needs `home_assistant`; its state topics are written by the hub's bridge only. */
export const HA_NAMESPACE = 'homeassistant/#';
export const HA_STATE_NAMESPACE = 'homeassistant/state_changes/#';
/** Own topics the hub writes for the agent. */
const HUB_OWNED_KINDS = new Set(['commands', 'manifest']);
const UUID_SHAPED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AgentIdentity {
  /** The actor id (`agents/{id}/…`). */
  id: string;
  name: string;
}

/** The grant parts the topic rules read. */
export type TopicGrant = Pick<BusGrant, 'publishes' | 'subscribes' | 'retained' | 'capabilities'>;

/** The agent's own namespace roots: `agents/{id}` and, unless the name could pose as an id or a system level, `agents/{name}`. */
export function ownRoots(who: AgentIdentity): string[] {
  const roots = [`agents/${who.id}`];
  if (who.name !== who.id && who.name !== 'by-name' && !UUID_SHAPED.test(who.name)) roots.push(`agents/${who.name}`);
  return roots;
}

/**
 * Why a declared topic can never be granted to agent code (undefined: it can), at spawn. A
 * declared filter must not reach where agent code may never go: `publishes: ["#"]` is refused,
 * not kept as "everything allowed"; a subscription is judged as the TopicRules would judge it
 * with Home Assistant granted (that capability is asked for separately).
 */
export function ungrantableTopic(kind: 'publishes' | 'subscribes' | 'retained', pattern: string, who: AgentIdentity): string | undefined {
  try {
    if (kind === 'subscribes' || hasWildcard(pattern)) assertTopicFilter(pattern);
    else assertPublishTopic(pattern);
  } catch (e) {
    return (e as Error).message;
  }
  if (pattern.startsWith('$')) return `${pattern} is a broker topic`;
  const own = ownRoots(who).map((r) => `${r}/#`);
  if (own.some((o) => filterCovers(o, pattern))) return undefined; // always granted: nothing to grant
  if (kind === 'subscribes') return new TopicRules(who, { publishes: [], subscribes: [pattern], retained: [], capabilities: [HOME_ASSISTANT_CAPABILITY] }).checkSubscribe(pattern);
  for (const ns of FORBIDDEN_NAMESPACES) if (filtersIntersect(ns, pattern)) return `${pattern} reaches ${ns.slice(0, -2)}/…, where agent code may never write`;
  if (filtersIntersect('agents/#', pattern)) return `${pattern} reaches other agents' namespaces: agents write only in their own (agents/{id}/…, agents/{name}/…)`;
  if (filtersIntersect(HA_STATE_NAMESPACE, pattern)) return `${pattern}: Home Assistant's state topics are written by the hub's bridge only`;
  return undefined;
}

/** One agent's topic permissions for one revision of its grant. */
export class TopicRules {
  private readonly own: string[];
  private readonly ownFilters: string[];
  private readonly ha: boolean;
  /** Publish verdicts by topic (agents publish on a few topics, many times). */
  private readonly publishCache = new Map<string, string | null>();
  private readonly subscribeCache = new Map<string, string | null>();

  constructor(
    private readonly who: AgentIdentity,
    private readonly grant: TopicGrant,
  ) {
    this.own = ownRoots(who);
    this.ownFilters = this.own.map((r) => `${r}/#`);
    this.ha = grant.capabilities.some((c) => c.toLowerCase() === HOME_ASSISTANT_CAPABILITY);
  }

  /** Why publishing on `topic` is refused (undefined: allowed). Throws a TopicError for a malformed topic. */
  checkPublish(topic: string, retain = false): string | undefined {
    const key = retain ? `r:${topic}` : topic;
    const cached = this.publishCache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const why = this.publishVerdict(topic, retain);
    if (this.publishCache.size > 512) this.publishCache.clear();
    this.publishCache.set(key, why ?? null);
    return why;
  }

  private publishVerdict(topic: string, retain: boolean): string | undefined {
    assertPublishTopic(topic);
    if (topic.startsWith('$')) return `agents may not publish on ${topic} (broker topics)`;
    const root = this.ownRoot(topic);
    if (root !== undefined) {
      const kind = topic.slice(root.length + 1).split('/')[0];
      if (topic.length > root.length && HUB_OWNED_KINDS.has(kind ?? '')) return `agents may not publish ${kind} (${topic}): the hub writes them`;
      return undefined;
    }
    const system = this.systemNamespace(topic);
    if (system) return `agents may not publish on ${topic} (${system})`;
    if (topicIn(HA_STATE_NAMESPACE, topic)) return `agents may not publish on ${topic}: Home Assistant's state topics are written by the hub's bridge`;
    if (topicIn(HA_NAMESPACE, topic) && !this.ha) return `publishing on ${topic} needs the "${HOME_ASSISTANT_CAPABILITY}" grant`;
    if (!this.grant.publishes.some((p) => topicIn(p, topic))) return `${topic} is not among the topics this agent declared it publishes (publishes: ${list(this.grant.publishes)})`;
    if (retain && !this.grant.retained.some((p) => topicIn(p, topic))) return `retained messages are allowed only in the agent's own namespace (${this.own[0]}/…) and on topics a person set in its config; publish ${topic} without retain`;
    return undefined;
  }

  /** Why subscribing to `filter` is refused (undefined: allowed). Throws a TopicError for a malformed filter. */
  checkSubscribe(filter: string): string | undefined {
    const cached = this.subscribeCache.get(filter);
    if (cached !== undefined) return cached ?? undefined;
    const why = this.subscribeVerdict(filter);
    if (this.subscribeCache.size > 512) this.subscribeCache.clear();
    this.subscribeCache.set(filter, why ?? null);
    return why;
  }

  private subscribeVerdict(filter: string): string | undefined {
    assertTopicFilter(filter);
    if (filter.startsWith('$')) return `agents may not subscribe to ${filter} (broker topics)`;
    if (this.ownFilters.some((o) => filterCovers(o, filter))) return undefined;
    for (const ns of FORBIDDEN_NAMESPACES) {
      if (filter.split('/')[1] === '+' && ns === 'agents/by-name/#' && filter.startsWith('agents/')) continue; // `agents/+/…`: filtered per message
      if (filtersIntersect(filter, ns)) return `agents may not subscribe to ${filter}: it reaches ${ns.slice(0, -2)}/…, which agent code may never read`;
    }
    if (filtersIntersect(filter, 'agents/#') && !READABLE_AGENT_TOPICS.some((r) => filterCovers(r, filter))) {
      return `agents may not subscribe to ${filter}: it reaches other agents' topics (only their data/…, result and detections can be read)`;
    }
    if (!this.ha && filtersIntersect(filter, HA_NAMESPACE)) return `subscribing to ${filter} reaches Home Assistant's topics: that needs the "${HOME_ASSISTANT_CAPABILITY}" grant`;
    if (!this.grant.subscribes.some((g) => filterCovers(g, filter))) return `${filter} is not among the topics this agent declared it subscribes to (subscribes: ${list(this.grant.subscribes)})`;
    return undefined;
  }

  /** Whether a message on `topic` may reach the agent (the per-message check behind wildcard subscriptions). */
  readable(topic: string): boolean {
    if (this.ownRoot(topic) !== undefined) return true;
    if (topic.startsWith('$') || this.systemNamespace(topic, true)) return false;
    if (!this.ha && topicIn(HA_NAMESPACE, topic)) return false;
    return true;
  }

  private ownRoot(topic: string): string | undefined {
    return this.own.find((r) => topic === r || topic.startsWith(`${r}/`));
  }

  /** Which never-granted namespace `topic` lies in (reading: other agents' readable kinds excepted). */
  private systemNamespace(topic: string, reading = false): string | undefined {
    const slash = topic.indexOf('/');
    const root = slash < 0 ? topic : topic.slice(0, slash);
    switch (root) {
      case 'io':
        return "io/… is the user's chat";
      case 'nodes':
        return 'nodes/… carries the fleet\'s commands';
      case 'system':
        return 'system/… is the hub\'s';
      case 'wactorz':
        return 'wactorz/… carries replies, written by the host only';
      case 'agents': {
        const [, id, kind] = topic.split('/');
        if (id === 'by-name') return 'agents/by-name/… carries tasks';
        if (reading && READABLE_KINDS.has(kind ?? '')) return undefined;
        return `it is another agent's namespace (agents/${id ?? ''}/…)`;
      }
      default:
        return undefined;
    }
  }
}

/** MQTT match of a concrete topic against a filter. */
export function topicIn(filter: string, topic: string): boolean {
  return filterCovers(filter, topic);
}

const list = (xs: readonly string[]): string => (xs.length ? xs.join(', ') : 'none');
