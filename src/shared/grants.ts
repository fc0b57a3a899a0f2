/**
 * What an agent may do beyond running its own code: its **grant** (issue 12; the model is
 * /work/coord/grants.md and docs/security.md). The hub checks every bus call, `sendTo`, `fetch`
 * and capability of agent code against the agent's *effective* grant; an LLM's or an agent's
 * request beyond the safe default waits as a **grant request** until a person decides; every
 * **decision** and every **refusal** is kept for audit. Field names are snake_case like every
 * wire format here.
 *
 * Always granted, never stored: the agent's own namespace (`agents/{its id}/…` and
 * `agents/{its name}/…`, except `commands` and `manifest`), persist/recall/log/alert.
 * Never grantable to agent code (src/main/grants/topic-rules.ts enforces it, whatever a grant
 * says): `io/…`, `nodes/…`, `system/…`, `$…`, `wactorz/…` (reply topics: written by the host
 * only), `agents/by-name/…`, other agents' namespaces for writing (reading their `data/…`,
 * `result`, `detections` by declared subscription is fine), Home Assistant's state topics without
 * `home_assistant`, and writing them at all.
 */
import { z } from 'zod';
import { AGENT_NAME_PATTERN } from './agent-name.js';

// ── capability names (the ones the hub itself checks; agents may declare others) ─────────────

/** `agent.fetch` to public addresses (`http` and `network` are the original's synonyms). */
export const FETCH_CAPABILITY = 'fetch';
/** Lifts `agent.fetch`'s refusal of this machine and private networks (never metadata addresses). */
export const FETCH_LOCAL_CAPABILITY = 'fetch_local';
/** Calls the LLM (billed to the agent, within its budget). */
export const LLM_CAPABILITY = 'llm';
/** Reads Home Assistant's state topics (`homeassistant/…`). */
export const HOME_ASSISTANT_CAPABILITY = 'home_assistant';
/** What an `ha_actuator` is granted: calls Home Assistant services when its topics fire. */
export const HA_ACTUATOR_CAPABILITY = 'ha_actuator';
/** Asks the catalog to spawn recipes. */
export const SPAWN_RECIPES_CAPABILITY = 'spawn_recipes';
/** Asks the planner to build or delete pipelines. */
export const PLAN_PIPELINES_CAPABILITY = 'plan_pipelines';
/** Writes time series through the `timeseries` actor. */
export const TIMESERIES_CAPABILITY = 'timeseries';

/**
 * Core actors a capability lets an agent `sendTo` (its point is asking them): holding the
 * capability is the grant to ask that actor.
 */
export const CAPABILITY_TARGETS: Readonly<Record<string, readonly string[]>> = {
  [SPAWN_RECIPES_CAPABILITY]: ['catalog'],
  [PLAN_PIPELINES_CAPABILITY]: ['planner'],
  [TIMESERIES_CAPABILITY]: ['timeseries'],
};

/**
 * Capabilities inside the safe default (granted at once, whoever asks): none of the hub's
 * checked capabilities besides `llm` (within the per-agent budget) — anything else an LLM or an
 * agent asks for waits for a person.
 */
export const SAFE_CAPABILITIES: readonly string[] = [LLM_CAPABILITY];

// ── the parts of a grant ─────────────────────────────────────────────────────────────────────

const word = z.string().trim().min(1).max(200);
const list = z.array(word).max(200);
/** An MQTT topic or filter (`+`, `#`); checked for shape and namespace by src/main/grants. */
const topicPattern = z.string().min(1).max(1_024);
const topicList = z.array(topicPattern).max(200);
const agentRef = z.string().min(1).max(200);

/** Limits a grant carries (clamped to the hub's maxima where they are applied). */
export const grantLimitsSchema = z.looseObject({
  memory_mb: z.number().int().positive().optional(),
  call_timeout_ms: z.number().int().positive().optional(),
  isolation: z.enum(['shared', 'dedicated']).optional(),
  /** LLM spend the agent may run up, USD (trust-approvals: the per-agent budget). */
  llm_budget_usd: z.number().nonnegative().optional(),
});
export type GrantLimits = z.infer<typeof grantLimitsSchema>;

/** What a grant is made of; a request asks for parts, a decision grants or denies parts. */
export const grantPartsSchema = z.object({
  capabilities: list.default([]),
  /** Topics (MQTT filters) it may publish on, beyond its own namespace. */
  publishes: topicList.default([]),
  /** Topics (MQTT filters) it may subscribe to / `mqttGet` / `window`, beyond its own namespace. */
  subscribes: topicList.default([]),
  /** Topics (filters) where it may publish retained messages beyond its own namespace: those a person set in a recipe's config at spawn. */
  retained: topicList.default([]),
  /** Actors it may `sendTo`, by name (core and Home Assistant actors only with a person's grant). */
  send_to: z.array(agentRef).max(200).default([]),
  /** Secret names it may read as `agent.env`. */
  env_names: list.default([]),
  limits: grantLimitsSchema.default({}),
});
export type GrantParts = z.infer<typeof grantPartsSchema>;
export type GrantPartsInput = z.input<typeof grantPartsSchema>;

/** Keys of the list parts (everything but `limits`). */
export const GRANT_LIST_PARTS = ['capabilities', 'publishes', 'subscribes', 'retained', 'send_to', 'env_names'] as const;
export type GrantListPart = (typeof GRANT_LIST_PARTS)[number];

export const emptyGrantParts = (): GrantParts => grantPartsSchema.parse({});

/**
 * Who asked for it, which decides what is granted at once:
 * - `person`: REST with the user's credentials, the dashboard, the editor, a catalog spawn with the
 *   config form, the CLI — granted as asked (clamped);
 * - `llm`: a `<spawn>` block, the agent writer, the planner — safe default at once, the rest pending;
 * - `agent`: an agent asked (catalog `spawn_recipes`, planner `plan_pipelines`) — like `llm`;
 * - `hub`: a node applying its hub's spawn command (the hub decided already) — as sent;
 * - `upgrade`: an agent that existed before grants, given what it had, flagged for review.
 */
export const GRANT_ORIGINS = ['person', 'llm', 'agent', 'hub', 'upgrade'] as const;
export const grantOriginSchema = z.enum(GRANT_ORIGINS);
export type GrantOrigin = z.infer<typeof grantOriginSchema>;

const epochSeconds = z.number().nonnegative();
const agentName = z.string().regex(AGENT_NAME_PATTERN, 'an agent name is letters, digits, - and _ (up to 63)');

/** An agent's effective grant: what the hub lets it do now. */
export const agentGrantSchema = grantPartsSchema.extend({
  agent: agentName,
  origin: grantOriginSchema,
  /** Where the spawn came from in more detail: rest, dashboard, llm, writer, planner, catalog, node… */
  source: z.string().max(200).default(''),
  /** Shown for a person's review (agents that existed at upgrade); cleared when reviewed. */
  review: z.boolean().default(false),
  /** Bumped on every change (the host re-checks live subscriptions when it moves). */
  revision: z.number().int().nonnegative().default(0),
  created_at: epochSeconds,
  updated_at: epochSeconds,
});
export type AgentGrant = z.infer<typeof agentGrantSchema>;

export const GRANT_REQUEST_STATUSES = ['pending', 'approved', 'denied', 'withdrawn'] as const;
export type GrantRequestStatus = (typeof GRANT_REQUEST_STATUSES)[number];

/** Parts an LLM or an agent asked for beyond what was granted at once: pending until decided. */
export const grantRequestSchema = z.object({
  id: z.string().min(1).max(100),
  agent: agentName,
  asked: grantPartsSchema,
  /** Why, in the asker's words (the spawn's description, the LLM's reason) — shown on the card. */
  reason: z.string().max(4_000).default(''),
  origin: grantOriginSchema,
  source: z.string().max(200).default(''),
  /** Who asked: `llm`, the parent agent's name, `planner`… */
  requested_by: z.string().max(200).default(''),
  status: z.enum(GRANT_REQUEST_STATUSES),
  created_at: epochSeconds,
  decided_at: epochSeconds.nullable().default(null),
});
export type GrantRequest = z.infer<typeof grantRequestSchema>;

export const GRANT_DECISION_KINDS = [
  /** Granted without a request (a person's spawn, the safe default, an upgrade). */
  'granted',
  /** A pending request approved (whole or in part). */
  'approved',
  /** A pending request denied. */
  'denied',
  /** Parts taken back from an effective grant. */
  'revoked',
  /** A grant marked as reviewed. */
  'reviewed',
  /** Refused at once because it can never be granted to agent code (system namespaces…). */
  'refused',
] as const;
export type GrantDecisionKind = (typeof GRANT_DECISION_KINDS)[number];

/** One change to a grant, kept for audit. */
export const grantDecisionSchema = z.object({
  seq: z.number().int().nonnegative(),
  agent: agentName,
  request_id: z.string().nullable().default(null),
  decision: z.enum(GRANT_DECISION_KINDS),
  parts: grantPartsSchema,
  /** Who decided: `dashboard`, `chat`, `rest`, `policy` (the safe default), `upgrade`… */
  by: z.string().max(200),
  note: z.string().max(4_000).default(''),
  at: epochSeconds,
});
export type GrantDecision = z.infer<typeof grantDecisionSchema>;

export const REFUSED_ACTIONS = ['publish', 'retain', 'subscribe', 'send_to', 'fetch', 'capability', 'spawn', 'grant'] as const;
export type RefusedAction = (typeof REFUSED_ACTIONS)[number];

/** Something agent code tried and the hub refused, kept for audit (repeats within a minute are counted, not stored again). */
export const refusalRecordSchema = z.object({
  seq: z.number().int().nonnegative(),
  agent: z.string().max(200),
  /** Where the agent runs: '' for this hub, else the node's name. */
  node: z.string().max(200).default(''),
  action: z.enum(REFUSED_ACTIONS),
  /** The topic, actor, URL or capability. */
  target: z.string().max(2_000),
  reason: z.string().max(2_000),
  /** Times it was refused in this record's minute. */
  count: z.number().int().positive().default(1),
  at: epochSeconds,
});
export type RefusalRecord = z.infer<typeof refusalRecordSchema>;

// ── pure helpers ─────────────────────────────────────────────────────────────────────────────

const uniq = (xs: readonly string[]): string[] => [...new Set(xs)];

/** a ∪ b, part by part (limits: b's values win). */
export function mergeGrantParts(a: GrantParts, b: GrantPartsInput): GrantParts {
  const bb = grantPartsSchema.parse(b);
  const out = emptyGrantParts();
  for (const k of GRANT_LIST_PARTS) out[k] = uniq([...a[k], ...bb[k]]);
  out.limits = { ...a.limits, ...bb.limits };
  return out;
}

/** a \ b, part by part (exact strings; limits named in b are dropped). */
export function subtractGrantParts(a: GrantParts, b: GrantPartsInput): GrantParts {
  const bb = grantPartsSchema.parse(b);
  const out = emptyGrantParts();
  for (const k of GRANT_LIST_PARTS) out[k] = a[k].filter((x) => !bb[k].includes(x));
  out.limits = Object.fromEntries(Object.entries(a.limits).filter(([k]) => !(k in bb.limits)));
  return out;
}

/** True when no part asks for anything. */
export function isEmptyGrantParts(p: GrantParts): boolean {
  return GRANT_LIST_PARTS.every((k) => p[k].length === 0) && Object.keys(p.limits).length === 0;
}

/** Actors a grant lets the agent ask: its `send_to` plus what its capabilities imply (CAPABILITY_TARGETS). */
export function sendTargets(p: Pick<GrantParts, 'capabilities' | 'send_to'>): Set<string> {
  const out = new Set(p.send_to);
  for (const c of p.capabilities) for (const t of CAPABILITY_TARGETS[c.toLowerCase()] ?? []) out.add(t);
  return out;
}
