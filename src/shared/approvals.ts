/**
 * Approvals (issue 12 item 6): what an LLM or an agent asked for beyond the safe default, waiting
 * for a person — one contract for REST (`/approvals…`, `/grants…`), the `system/approvals` MQTT
 * event, the dashboard's Approvals view and the desktop tray.
 *
 * Who asks decides what is granted at once:
 * - a **person** (REST with the user's credentials, the dashboard, the catalog's config form):
 *   as asked, limits clamped to the hub's maxima;
 * - an **LLM** (`<spawn>` block, the agent writer, the planner) or an **agent** (through the
 *   catalog or the planner): the safe default at once — persist/recall/log/alert, its own and its
 *   declared topics, `llm` within a per-agent budget, limits up to the safe ceilings — and every
 *   item beyond it is **pending** until a person approves or denies it.
 *
 * An item is named the way `/approve <id|agent> [item…]` takes it: a capability by its name
 * (`fetch`, `fetch_local`, `spawn_recipes`, `home_assistant`…), a declared secret as `env:NAME`,
 * a limit by its key (`memory_mb`, `call_timeout_ms`, `isolation`, `llm_budget_usd`), a hub actor
 * the agent asks with `sendTo` as `send_to:NAME` (core and Home Assistant actors), and `spawn`
 * for an agent that cannot do its job without its grant and so waits, not running, until approved.
 */
import { z } from 'zod';

/** The MQTT topic of approval events (hub → dashboard, tray, activity feed). Never granted to agent code. */
export const APPROVALS_TOPIC = 'system/approvals';

export const ASKER_KINDS = ['person', 'llm', 'agent'] as const;
export type AskerKind = (typeof ASKER_KINDS)[number];

/** Who asked for a spawn or a grant. */
export const askerSchema = z.object({
  kind: z.enum(ASKER_KINDS),
  /** person: the interface (rest, chat, dashboard); llm: the actor whose LLM wrote it (main, planner); agent: the agent's name. */
  name: z.string().min(1).max(200),
  /** How: spawn_block, agent_writer, planner, catalog, rest, approval… */
  via: z.string().min(1).max(100),
});
export type Asker = z.infer<typeof askerSchema>;

export const LIMIT_KEYS = ['memory_mb', 'call_timeout_ms', 'isolation', 'llm_budget_usd'] as const;
export type LimitKey = (typeof LIMIT_KEYS)[number];

/** An agent's limits; absent = the hub's default for that limit. */
export const agentLimitsSchema = z.object({
  /** Heap cap of the agent's engine, MB. */
  memory_mb: z.number().int().positive().optional(),
  /** Longest single call into the agent, ms. */
  call_timeout_ms: z.number().int().positive().optional(),
  /** `dedicated`: a sandbox worker of its own. */
  isolation: z.enum(['shared', 'dedicated']).optional(),
  /** What the agent's LLM calls may cost in total, USD. */
  llm_budget_usd: z.number().nonnegative().optional(),
});
export type AgentLimits = z.infer<typeof agentLimitsSchema>;

/** What an agent asks for (or holds): the parts of a grant that can wait for a person. */
export const grantAskSchema = z.object({
  capabilities: z.array(z.string()).default([]),
  /** Declared secret names (values come from the hub, never from the asker). */
  env_names: z.array(z.string()).default([]),
  limits: agentLimitsSchema.default({}),
  /**
   * Hub actors (core, Home Assistant — not other code agents, which are asked by declaration) the
   * agent may ask with `sendTo` (src/shared/grants.ts). Absent: none.
   */
  send_to: z.array(z.string()).optional(),
});
export type GrantAsk = z.infer<typeof grantAskSchema>;

export const ITEM_KINDS = ['capability', 'env', 'limit', 'send_to', 'spawn'] as const;
export const ITEM_STATES = ['pending', 'approved', 'denied', 'cancelled'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

/** One thing asked. */
export const approvalItemSchema = z.object({
  /** `fetch_local`, `env:WEATHER_KEY`, `memory_mb`, `spawn`. */
  key: z.string().min(1).max(200),
  kind: z.enum(ITEM_KINDS),
  /** For people: "reach this machine and private networks (fetch_local)". */
  label: z.string(),
  /** Limits: the value granted on approval (already clamped to the hub's maximum). */
  value: z.union([z.number(), z.string()]).optional(),
  /** Limits: what was asked, when clamping changed it. */
  asked: z.union([z.number(), z.string()]).optional(),
  /** Limits: what the agent runs with until then. */
  meanwhile: z.union([z.number(), z.string()]).optional(),
  state: z.enum(ITEM_STATES),
});
export type ApprovalItem = z.infer<typeof approvalItemSchema>;

export const APPROVAL_STATES = ['pending', 'approved', 'denied', 'partial', 'cancelled'] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

export const approvalSchema = z.object({
  /** `ap-…`, short enough to type in `/approve`. */
  id: z.string().min(1).max(40),
  agent: z.string(),
  /** dynamic, catalog, manual, llm, ha_actuator… */
  agent_kind: z.string(),
  asked_by: askerSchema,
  /** Why, in the asker's words: the `<spawn>` block's description, the recipe's, the planner's role. */
  reason: z.string().max(2_000),
  /**
   * pending (some item still pending), approved (all approved), denied (all denied), partial
   * (decided, some approved and some denied), cancelled (the agent was deleted or asked again).
   */
  state: z.enum(APPROVAL_STATES),
  items: z.array(approvalItemSchema),
  /** The agent is not running until this is approved (it cannot do its job without it). */
  waiting: z.boolean(),
  created_at: z.number(),
  decided_at: z.number().nullable(),
  /** chat, rest… (the last decision). */
  decided_by: z.string().nullable(),
});
export type Approval = z.infer<typeof approvalSchema>;

export const approvalListSchema = z.object({ approvals: z.array(approvalSchema), pending: z.number().int().nonnegative() });
export type ApprovalList = z.infer<typeof approvalListSchema>;

/** `POST /approvals/{id}/approve|deny`: some items (keys), or all pending ones when absent. */
export const approvalDecisionBodySchema = z
  .object({
    items: z.array(z.string().min(1).max(200)).max(100).optional(),
  })
  .strict();
export type ApprovalDecisionBody = z.infer<typeof approvalDecisionBodySchema>;

/** The answer of `POST /approvals/{id}/approve|deny` (and what `/approve` in chat says). */
export const approvalOutcomeSchema = z.object({
  approvals: z.array(approvalSchema),
  /** Keys approved / denied by this decision. */
  approved: z.array(z.string()),
  denied: z.array(z.string()),
  /** What happened, for the person. */
  message: z.string(),
});
export type ApprovalOutcome = z.infer<typeof approvalOutcomeSchema>;

/** An agent's grant as it stands, for review. */
export const agentGrantSchema = z.object({
  agent: z.string(),
  agent_kind: z.string(),
  /** Who created it (rest, llm, writer, catalog:…, planner:…). */
  source: z.string(),
  capabilities: z.array(z.string()),
  env_names: z.array(z.string()),
  limits: agentLimitsSchema,
  /** Hub actors it may ask with `sendTo` (absent: none). */
  send_to: z.array(z.string()).optional(),
  /** Items of it that a person can take back (capabilities, env:NAME, raised limits). */
  revocable: z.array(z.string()),
  /** The agent existed when approvals came in: it kept what it had; a person should look at it. */
  review: z.boolean(),
  /** Ids of its approvals still pending. */
  pending: z.array(z.string()),
});
export type AgentGrant = z.infer<typeof agentGrantSchema>;

export const grantListSchema = z.object({ grants: z.array(agentGrantSchema) });

/** `POST /grants/{agent}/revoke`. */
export const revokeBodySchema = z.object({ items: z.array(z.string().min(1).max(200)).min(1).max(100) }).strict();

/**
 * denied / revoked: a person's decision; too_many_agents / rate_limited: the spawn caps; the rest
 * are the hub refusing agent code something it was not granted (recorded by the bus enforcement
 * through `Approvals.recordRefusal`).
 */
export const REFUSAL_REASONS = ['denied', 'revoked', 'too_many_agents', 'rate_limited', 'publish', 'retain', 'subscribe', 'send_to', 'fetch', 'capability'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** What was refused, by whom or by which cap — for audit (`GET /approvals/refusals`). */
export const refusalSchema = z.object({
  id: z.number().int(),
  at: z.number(),
  agent: z.string(),
  asked_by: askerSchema.nullable(),
  reason: z.enum(REFUSAL_REASONS),
  /** The items, or the spawn. */
  items: z.array(z.string()),
  /** A sentence: what happened. */
  message: z.string(),
  approval_id: z.string().nullable(),
  by: z.string().nullable(),
});
export type Refusal = z.infer<typeof refusalSchema>;

export const refusalListSchema = z.object({ refusals: z.array(refusalSchema) });

/** `system/approvals`: something changed; `pending` is the count now. Readers fetch GET /approvals for the cards. */
export const approvalEventSchema = z.object({
  event: z.enum(['requested', 'decided', 'cancelled', 'revoked', 'snapshot']),
  /** The approval the event is about (absent for a snapshot or a revoke). */
  approval: approvalSchema.optional(),
  /** revoke: the agent and the items taken back. */
  agent: z.string().optional(),
  items: z.array(z.string()).optional(),
  pending: z.number().int().nonnegative(),
  timestamp: z.number(),
});
export type ApprovalEvent = z.infer<typeof approvalEventSchema>;

/** One line for a person: "fetch_local, env:WEATHER_KEY, memory_mb 512 (asked 2048)". */
export function describeItems(items: readonly Pick<ApprovalItem, 'key' | 'kind' | 'value' | 'asked'>[]): string {
  return items
    .map((i) => {
      if (i.kind !== 'limit') return i.key;
      const asked = i.asked !== undefined && i.asked !== i.value ? ` (asked ${i.asked})` : '';
      return `${i.key} ${i.value ?? ''}${asked}`.trim();
    })
    .join(', ');
}
