/**
 * The grant an agent gets when it is spawned (or replaced): what it asked for (its manifest:
 * capabilities, publishes, subscribes, send_to, env names, limits; retained topics a person set
 * in a recipe's config), minus what agent code can never have (topic-rules.ts — refused and
 * recorded), split by a **policy** into what is granted at once and what waits for a person as a
 * grant request. The policy is the approval flow's seam: `grantAsAsked` (the default, and what a
 * person's or the hub's spawn gets) grants everything grantable; the approval flow plugs in the
 * safe default for LLM and agent origins.
 */
import {
  emptyGrantParts,
  grantPartsSchema,
  HOME_ASSISTANT_CAPABILITY,
  isEmptyGrantParts,
  type AgentGrant,
  type GrantOrigin,
  type GrantParts,
  type GrantPartsInput,
  type GrantRequest,
} from '../../shared/grants.js';
import type { GrantStore } from './grant-store.js';
import { HA_NAMESPACE, ungrantableTopic, type AgentIdentity } from './topic-rules.js';
import { filtersIntersect } from './topic-filters.js';
import { ANY_CODE_AGENT } from './upgrade-grants.js';

export interface SpawnGrantAsk {
  agent: AgentIdentity;
  asked: GrantPartsInput;
  origin: GrantOrigin;
  /** rest, dashboard, llm, writer, planner, catalog, node… */
  source: string;
  /** Why (the spawn's description): shown on an approval card. */
  reason?: string;
  /** The LLM, or the parent agent's name. */
  requestedBy?: string;
}

/** Splits what may be granted into now and later (pending a person). Must not grant more than `asked`. */
export type SpawnGrantPolicy = (ask: { asked: GrantParts; origin: GrantOrigin; source: string; agent: string; previous: AgentGrant | undefined }) => { grant: GrantParts; pending: GrantParts };

/** Everything grantable, at once (a person's spawn, a node applying its hub's command). */
export const grantAsAsked: SpawnGrantPolicy = ({ asked }) => ({ grant: asked, pending: emptyGrantParts() });

export interface Refused {
  part: 'publishes' | 'subscribes' | 'retained' | 'send_to';
  value: string;
  reason: string;
}

export interface SpawnGrantOutcome {
  grant: AgentGrant;
  /** Set when part of the ask waits for a person. */
  request?: GrantRequest;
  /** Asked for, never grantable (recorded as refusals). */
  refused: Refused[];
}

/** What of `asked` agent code can never be given (see topic-rules.ts), and the rest. */
export function withoutUngrantable(agent: AgentIdentity, asked: GrantPartsInput, origin: GrantOrigin): { parts: GrantParts; refused: Refused[] } {
  const parts = grantPartsSchema.parse(asked);
  const refused: Refused[] = [];
  for (const part of ['publishes', 'subscribes', 'retained'] as const) {
    parts[part] = parts[part].filter((pattern) => {
      const why = ungrantableTopic(part, pattern, agent);
      if (why) refused.push({ part, value: pattern, reason: why });
      return !why;
    });
  }
  // "any code agent" is what upgraded agents keep; a person may give it; an LLM or an agent may not ask for it.
  if ((origin === 'llm' || origin === 'agent') && parts.send_to.includes(ANY_CODE_AGENT)) {
    parts.send_to = parts.send_to.filter((n) => n !== ANY_CODE_AGENT);
    refused.push({ part: 'send_to', value: ANY_CODE_AGENT, reason: 'name the agents it asks; "*" is not granted to an LLM or an agent' });
  }
  return { parts, refused };
}

/** What a spawn will be granted, worked out before anything is stored (the agent is tried out under it first). */
export interface SpawnGrantPlan {
  ask: SpawnGrantAsk;
  /** Granted at once. */
  grant: GrantParts;
  /** Waits for a person (empty: nothing). */
  pending: GrantParts;
  refused: Refused[];
}

/**
 * What the agent asks for, from its declarations: a declared subscription that reaches Home
 * Assistant's topics asks for `home_assistant` too (so a recipe or a plan that reads HA state says
 * so once, and the policy sees it as the capability it is).
 */
export function impliedAsk(asked: GrantPartsInput): GrantParts {
  const parts = grantPartsSchema.parse(asked);
  if (!parts.capabilities.includes(HOME_ASSISTANT_CAPABILITY) && parts.subscribes.some((s) => filtersIntersect(s, HA_NAMESPACE) && !filtersIntersect(s, 'io/#'))) {
    parts.capabilities = [...parts.capabilities, HOME_ASSISTANT_CAPABILITY];
  }
  return parts;
}

/** Works out the grant of a spawn by `policy` (nothing is written). */
export function planSpawnGrant(store: GrantStore, ask: SpawnGrantAsk, policy: SpawnGrantPolicy = grantAsAsked): SpawnGrantPlan {
  const { parts, refused } = withoutUngrantable(ask.agent, impliedAsk(ask.asked), ask.origin);
  const split = policy({ asked: parts, origin: ask.origin, source: ask.source, agent: ask.agent.name, previous: store.get(ask.agent.name) });
  return { ask, grant: grantPartsSchema.parse(split.grant), pending: grantPartsSchema.parse(split.pending), refused };
}

/** Stores a planned grant (the spawn went through): the grant, its refusals, the pending request. */
export function commitSpawnGrant(store: GrantStore, plan: SpawnGrantPlan): SpawnGrantOutcome {
  const { ask } = plan;
  const name = ask.agent.name;
  for (const r of plan.refused) store.refuse({ agent: name, action: 'grant', target: `${r.part}: ${r.value}`, reason: r.reason });
  const by = ask.origin === 'person' ? ask.source || 'person' : ask.origin === 'hub' ? 'hub' : 'policy';
  const grant = store.set(name, plan.grant, { origin: ask.origin, source: ask.source, by, note: ask.reason?.slice(0, 500) ?? '' });
  // A replace asks afresh: what its previous version still had pending is superseded.
  for (const old of store.pending(name)) store.decide(old.id, { approve: false, by: 'policy', note: 'superseded by a new spawn of the agent' });
  const pending = isEmptyGrantParts(plan.pending)
    ? undefined
    : store.request({ agent: name, asked: plan.pending, reason: ask.reason ?? '', origin: ask.origin, source: ask.source, requestedBy: ask.requestedBy ?? ask.source });
  return { grant, refused: plan.refused, ...(pending ? { request: pending } : {}) };
}

/** Grants an agent being spawned what it asked for, by `policy`; records refusals and the pending rest. */
export function grantForSpawn(store: GrantStore, ask: SpawnGrantAsk, policy: SpawnGrantPolicy = grantAsAsked): SpawnGrantOutcome {
  return commitSpawnGrant(store, planSpawnGrant(store, ask, policy));
}

/** Where an agent's origin is not given: who its `source` is (rest, dashboard, cli, editor → a person; hub → hub; anything else → an LLM). */
export function originOfSource(source: string | undefined): GrantOrigin {
  const s = (source ?? '').toLowerCase();
  if (['rest', 'dashboard', 'editor', 'cli', 'person', 'user', 'test'].includes(s)) return 'person';
  if (s === 'hub') return 'hub';
  return 'llm';
}
