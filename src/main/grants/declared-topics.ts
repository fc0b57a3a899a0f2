/**
 * What an agent's declarations become at spawn: its declared topics (`publishes`, `subscribes`,
 * `retained`) and `send_to`, less what agent code can never have (topic-rules.ts) — each such
 * part is refused, said in the log and recorded, never silently kept — and what they imply:
 * a subscription that reaches Home Assistant's topics asks for `home_assistant`, and `send_to`
 * names that are not code agents (core and Home Assistant actors) are asked of approvals as
 * `hub_actors` (a person decides; src/main/approvals). Retained topics are what a person set in a
 * recipe's config: from an LLM or an agent they are refused.
 *
 * Pure: the caller says who asks and which names are code agents.
 */
import { ANY_ACTOR, HOME_ASSISTANT_CAPABILITY, type RefusedAction } from '../../shared/grants.js';
import { filtersIntersect } from './topic-filters.js';
import { HA_NAMESPACE, ungrantableTopic, type AgentIdentity } from './topic-rules.js';

export interface Declarations {
  capabilities: readonly string[];
  publishes?: readonly string[] | undefined;
  subscribes?: readonly string[] | undefined;
  retained?: readonly string[] | undefined;
  send_to?: readonly string[] | undefined;
  /** Given by the hub to a node (its decision): kept as is. Absent: worked out from `send_to`. */
  hub_actors?: readonly string[] | undefined;
}

export interface DeclaredGrant {
  capabilities: string[];
  publishes?: string[];
  subscribes?: string[];
  retained?: string[];
  send_to?: string[];
  /** Hub actors it asks (a person's grant: approvals). */
  hub_actors: string[];
}

export interface RefusedPart {
  action: RefusedAction;
  part: 'publishes' | 'subscribes' | 'retained' | 'send_to';
  value: string;
  reason: string;
}

export interface DeclareContext {
  agent: AgentIdentity;
  /** A person asked (REST, the dashboard, a catalog spawn with the config form), or the hub for its node. */
  byPerson: boolean;
  /** Whether `name` is a code agent (asked by declaration; anything else is a hub actor). */
  isCodeAgent: (name: string) => boolean;
}

/** See the file comment. Undefined lists stay undefined (a replaced agent keeps what it had). */
export function declareGrant(d: Declarations, ctx: DeclareContext): { grant: DeclaredGrant; refused: RefusedPart[] } {
  const refused: RefusedPart[] = [];
  const topics = (part: 'publishes' | 'subscribes' | 'retained', list: readonly string[] | undefined): string[] | undefined => {
    if (!list) return undefined;
    return [...new Set(list)].filter((pattern) => {
      const why = part === 'retained' && !ctx.byPerson ? 'retained topics are set by a person in a recipe\'s config; an LLM or an agent publishes them without retain' : ungrantableTopic(part, pattern, ctx.agent);
      if (why) refused.push({ action: part === 'subscribes' ? 'subscribe' : part === 'retained' ? 'retain' : 'publish', part, value: pattern, reason: why });
      return !why;
    });
  };
  const publishes = topics('publishes', d.publishes);
  const subscribes = topics('subscribes', d.subscribes);
  const retained = topics('retained', d.retained);
  let sendTo = d.send_to ? [...new Set(d.send_to)].filter((n) => n !== ctx.agent.name) : undefined;
  if (sendTo?.includes(ANY_ACTOR) && !ctx.byPerson) {
    sendTo = sendTo.filter((n) => n !== ANY_ACTOR);
    refused.push({ action: 'send_to', part: 'send_to', value: ANY_ACTOR, reason: 'name the actors it asks: "*" is not granted to an LLM or an agent' });
  }
  const hubActors = d.hub_actors ? [...d.hub_actors] : (sendTo ?? []).filter((n) => n === ANY_ACTOR || !ctx.isCodeAgent(n));
  const capabilities = [...d.capabilities];
  if (!capabilities.some((c) => c.toLowerCase() === HOME_ASSISTANT_CAPABILITY) && (subscribes ?? []).some((s) => filtersIntersect(s, HA_NAMESPACE))) capabilities.push(HOME_ASSISTANT_CAPABILITY);
  return {
    grant: {
      capabilities,
      ...(publishes ? { publishes } : {}),
      ...(subscribes ? { subscribes } : {}),
      ...(retained ? { retained } : {}),
      ...(sendTo ? { send_to: sendTo } : {}),
      hub_actors: hubActors,
    },
    refused,
  };
}
