/**
 * What agent code may touch on the bus, and whom it may ask (issue 12 item 1; the model is
 * /work/coord/grants.md and docs/security.md). An agent's **bus grant** is its effective
 * capabilities (what approvals admitted: src/shared/approvals.ts) plus the topic parts it declared
 * — `publishes`, `subscribes`, `retained` (topics a person set in a recipe's config), `send_to` —
 * less what agent code can never have. The hub checks every publish, subscribe, `mqttGet`,
 * `window`, `sendTo` and `fetch` of agent code against it (src/main/grants/topic-rules.ts,
 * src/main/agents/dynamic/agent-permissions.ts), on the hub and on remote nodes alike, whatever
 * the broker (embedded or external: agent code never holds a broker connection of its own).
 *
 * Always granted, never stored: the agent's own namespace (`agents/{its id}/…` and
 * `agents/{its name}/…`, except `commands` and `manifest`), persist/recall/log/alert.
 * Never granted to agent code, whatever it declares: `io/…`, `nodes/…`, `system/…`, `$…`,
 * `wactorz/…` (reply topics: written by the host only), `agents/by-name/…`, other agents'
 * namespaces for writing (reading their `data/…`, `result`, `detections` by declared subscription
 * is fine), Home Assistant's topics without `home_assistant`, and its state topics for writing.
 * Field names are snake_case like every wire format here.
 */
import { z } from 'zod';

// ── capability names the hub checks (agents may declare others: they grant nothing) ───────────

/** `agent.fetch` to public addresses (`http` and `network` are the original's synonyms). */
export const FETCH_CAPABILITY = 'fetch';
/** Lifts `agent.fetch`'s refusal of this machine and private networks (never metadata addresses). */
export const FETCH_LOCAL_CAPABILITY = 'fetch_local';
/** Calls the LLM (billed to the agent, within its budget). */
export const LLM_CAPABILITY = 'llm';
/** Reads Home Assistant's topics (`homeassistant/…`). */
export const HOME_ASSISTANT_CAPABILITY = 'home_assistant';
/** Asks the catalog to spawn recipes. */
export const SPAWN_RECIPES_CAPABILITY = 'spawn_recipes';
/** Asks the planner to build or delete pipelines. */
export const PLAN_PIPELINES_CAPABILITY = 'plan_pipelines';
/** Writes time series through the `timeseries` actor. */
export const TIMESERIES_CAPABILITY = 'timeseries';

/**
 * Hub actors that check the asker's capabilities themselves, action by action (the catalog's
 * spawn needs `spawn_recipes`, the planner's build `plan_pipelines`, a time-series write
 * `timeseries`; listing needs none): any agent may ask them, and they answer or refuse.
 */
export const CAPABILITY_TARGETS: Readonly<Record<string, readonly string[]>> = {
  [SPAWN_RECIPES_CAPABILITY]: ['catalog'],
  [PLAN_PIPELINES_CAPABILITY]: ['planner'],
  [TIMESERIES_CAPABILITY]: ['timeseries'],
};
export const SELF_GUARDED_ACTORS: readonly string[] = [...new Set(Object.values(CAPABILITY_TARGETS).flat())];

/**
 * In `send_to`: any actor. Only agents that existed before grants hold it (they keep what they
 * had, listed for review); a person may give it; an LLM's or agent's ask for it is refused.
 */
export const ANY_ACTOR = '*';

/** An MQTT topic or filter (`+`, `#`); checked for shape and namespace by src/main/grants. */
const topicList = z.array(z.string().min(1).max(1_024)).max(200);

/** What one agent may do on the bus (see the file comment). */
export const busGrantSchema = z.object({
  /** Effective capabilities (approvals' grant): `home_assistant`, `fetch`, `timeseries`… */
  capabilities: z.array(z.string()).max(200).default([]),
  /** Topics (MQTT filters) it may publish on, beyond its own namespace. */
  publishes: topicList.default([]),
  /** Topics (MQTT filters) it may subscribe to / `mqttGet` / `window`, beyond its own namespace. */
  subscribes: topicList.default([]),
  /** Topics (filters) where it may publish retained messages beyond its own namespace. */
  retained: topicList.default([]),
  /** Code agents it may `sendTo`, by name: declared (`*`: any actor — see ANY_ACTOR). */
  send_to: z.array(z.string().min(1).max(200)).max(200).default([]),
  /** Hub actors (core, Home Assistant…) it may `sendTo`: what a person granted (approvals' `send_to:NAME` items). */
  hub_actors: z.array(z.string().min(1).max(200)).max(200).default([]),
});
export type BusGrant = z.infer<typeof busGrantSchema>;
export type BusGrantInput = z.input<typeof busGrantSchema>;

export const emptyBusGrant = (): BusGrant => busGrantSchema.parse({});

/**
 * What an agent stored before declared topics existed keeps (an upgrade): every topic outside the
 * never-granted namespaces (Home Assistant's included, as before), and asking any actor — listed
 * for a person's review by approvals.
 */
export const legacyBusGrant = (capabilities: readonly string[]): BusGrant => ({ capabilities: [...new Set([...capabilities, HOME_ASSISTANT_CAPABILITY])], publishes: ['#'], subscribes: ['#'], retained: ['#'], send_to: [ANY_ACTOR], hub_actors: [ANY_ACTOR] });

/** What agent code tried and the hub refused (recorded for audit: approvals' refusal log, as its reason). */
export const REFUSED_ACTIONS = ['publish', 'retain', 'subscribe', 'send_to', 'fetch'] as const;
export type RefusedAction = (typeof REFUSED_ACTIONS)[number];

/** Hub actors a grant lets the agent ask: its `hub_actors` plus those that guard themselves (SELF_GUARDED_ACTORS). */
export function hubTargets(g: Pick<BusGrant, 'hub_actors'>): Set<string> {
  return new Set([...g.hub_actors, ...SELF_GUARDED_ACTORS]);
}
