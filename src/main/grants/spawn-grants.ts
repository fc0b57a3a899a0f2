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
  isEmptyGrantParts,
  type AgentGrant,
  type GrantOrigin,
  type GrantParts,
  type GrantPartsInput,
  type GrantRequest,
} from '../../shared/grants.js';
import type { GrantStore } from './grant-store.js';
import { ungrantableTopic, type AgentIdentity } from './topic-rules.js';
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

/** Grants an agent being spawned what it asked for, by `policy`; records refusals and the pending rest. */
export function grantForSpawn(store: GrantStore, ask: SpawnGrantAsk, policy: SpawnGrantPolicy = grantAsAsked): SpawnGrantOutcome {
  const name = ask.agent.name;
  const { parts, refused } = withoutUngrantable(ask.agent, ask.asked, ask.origin);
  for (const r of refused) store.refuse({ agent: name, action: 'grant', target: `${r.part}: ${r.value}`, reason: r.reason });
  const split = policy({ asked: parts, origin: ask.origin, source: ask.source, agent: name, previous: store.get(name) });
  const by = ask.origin === 'person' ? ask.source || 'person' : ask.origin === 'hub' ? 'hub' : 'policy';
  const grant = store.set(name, split.grant, { origin: ask.origin, source: ask.source, by, note: ask.reason?.slice(0, 500) ?? '' });
  const pending = isEmptyGrantParts(split.pending)
    ? undefined
    : store.request({ agent: name, asked: split.pending, reason: ask.reason ?? '', origin: ask.origin, source: ask.source, requestedBy: ask.requestedBy ?? ask.source });
  return { grant, refused, ...(pending ? { request: pending } : {}) };
}
