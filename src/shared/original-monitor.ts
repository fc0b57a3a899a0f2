/**
 * The original monitor server's remaining routes (waldiez/wactorz `monitor_server.py`), as this hub
 * serves them on the dashboard port (under /api/ and at /) and the REST port:
 *
 *   GET  /cost                  our totals + the original's spend-limit fields (`get_global_cost_info()`)
 *   POST /cost/limit            {limit_usd, period} → {ok, limit_usd, period}
 *   POST /cost/reset            → {ok, …get_global_cost_info()}
 *   GET  /actors/{id}/history   the agent's visible conversation turns [{role, content}]
 *   GET  /chats                 the chat log, newest first (agent, role, since, limit ≤ 1000)
 *   GET  /feed                  (dashboard root only) the original's feed seed: the last 50 chat turns, oldest first
 *   POST /reset                 {scope, agent?} → {status: "ok", scope, agent}
 *
 * Bodies are validated with these schemas; their errors keep the original's words
 * (`period must be daily, weekly, or monthly`, `scope must be one of [...]`).
 */
import { z } from 'zod';

export const SPEND_PERIODS = ['daily', 'weekly', 'monthly'] as const;
export type SpendPeriod = (typeof SPEND_PERIODS)[number];

/** `get_global_cost_info()`: this period's spend against the limit (null when there is none). */
export const spendInfoSchema = z.object({
  period: z.enum(SPEND_PERIODS),
  /** `2026-12-03` (daily), `2026-W49` (ISO week), `2026-12` (monthly); UTC. */
  period_key: z.string(),
  spend_usd: z.number().nonnegative(),
  limit_usd: z.number().positive().nullable(),
  pct_used: z.number().nullable(),
  limit_reached: z.boolean(),
  /** 80 % of the limit or more. */
  warning: z.boolean(),
  /** Ours: every call's cost since the last POST /cost/reset (never rolls over). */
  alltime_usd: z.number().nonnegative(),
  /** Ours: where the limit comes from — `env` (LLM_COST_LIMIT_USD), `runtime` (POST /cost/limit) or `none`. */
  limit_source: z.enum(['env', 'runtime', 'none']),
});
export type SpendInfo = z.infer<typeof spendInfoSchema>;

/**
 * POST /cost/limit. The original took `float(body.get("limit_usd", 0))` — a number or a numeric
 * string; 0 turns the limit off.
 */
export const costLimitRequestSchema = z.looseObject({
  limit_usd: z.preprocess(
    (v) => (v === undefined ? 0 : typeof v === 'string' && v.trim() !== '' ? Number(v) : v),
    z.number({ error: 'limit_usd must be a number' }).finite('limit_usd must be a number').nonnegative('limit_usd must be 0 (no limit) or more'),
  ),
  period: z.enum(SPEND_PERIODS, { error: 'period must be daily, weekly, or monthly' }).default('monthly'),
});
export type CostLimitRequest = z.infer<typeof costLimitRequestSchema>;

export const costLimitResponseSchema = z.object({ ok: z.literal(true), limit_usd: z.number(), period: z.enum(SPEND_PERIODS) });
export type CostLimitResponse = z.infer<typeof costLimitResponseSchema>;

export const costResetResponseSchema = spendInfoSchema.extend({ ok: z.literal(true) });
export type CostResetResponse = z.infer<typeof costResetResponseSchema>;

/** GET /actors/{id}/history: what the user and the agent said, oldest first (no system or tool turns). */
export const historyTurnSchema = z.object({ role: z.enum(['user', 'assistant']), content: z.string(), ts: z.number().describe('Ours: epoch seconds') });
export const historyResponseSchema = z.array(historyTurnSchema);
export type HistoryTurn = z.infer<typeof historyTurnSchema>;

/** One chat_log row, as the original's `query_chat_log` returned it. */
export const chatLogRowSchema = z.object({
  id: z.number().int(),
  ts: z.number(),
  /** The agent that answered (the user's own turns carry the agent they were addressed to). */
  agent_name: z.string(),
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  /** The interface and user it came from (`ws:user`, `api:api`, `telegram:42`…). */
  session_id: z.string(),
  attachments: z.array(z.unknown()),
});
export type ChatLogRow = z.infer<typeof chatLogRowSchema>;
export const chatLogResponseSchema = z.array(chatLogRowSchema);

export const CHAT_LOG_MAX_LIMIT = 1000;
/** GET /chats query: the original's (agent, role, since, limit — default 200, at most 1000). */
export const chatsQuerySchema = z.object({
  agent: z.string().min(1).optional(),
  role: z.enum(['user', 'assistant']).optional(),
  since: z.coerce.number().finite().optional(),
  limit: z.coerce.number().int().positive().default(200).transform((n) => Math.min(n, CHAT_LOG_MAX_LIMIT)),
});
export type ChatsQuery = z.infer<typeof chatsQuerySchema>;

/** GET /feed at the dashboard's root: the original's feed seed (chat turns, oldest first). */
export const feedSeedItemSchema = z.object({
  type: z.literal('chat'),
  label: z.string(),
  agentName: z.string(),
  role: z.string(),
  timestamp: z.number(),
  _seq: z.number().int(),
  _agent: z.string(),
});
export const feedSeedResponseSchema = z.array(feedSeedItemSchema);
export type FeedSeedItem = z.infer<typeof feedSeedItemSchema>;

export const RESET_SCOPES = ['chat', 'state', 'metrics', 'spawns', 'logs', 'all'] as const;
export type ResetScope = (typeof RESET_SCOPES)[number];
/** The original's words for a bad scope: Python's `sorted(valid)` in its f-string. */
export const RESET_SCOPE_ERROR = `scope must be one of [${[...RESET_SCOPES]
  .sort()
  .map((s) => `'${s}'`)
  .join(', ')}]`;

export const resetRequestSchema = z.looseObject({
  scope: z.enum(RESET_SCOPES, { error: RESET_SCOPE_ERROR }),
  /** One agent by name; absent, null or "" → every agent (the original's `body.get("agent") or None`). */
  agent: z.preprocess((v) => (v === '' || v === null ? undefined : v), z.string().min(1).max(200).optional()),
});
export type ResetRequest = z.infer<typeof resetRequestSchema>;

export const resetResponseSchema = z.object({
  status: z.literal('ok'),
  scope: z.enum(RESET_SCOPES),
  agent: z.string().nullable(),
  /** Ours: what each part cleared, and what a scope leaves alone on purpose (docs/compatibility.md). */
  cleared: z.record(z.string(), z.union([z.number(), z.string()])),
});
export type ResetResponse = z.infer<typeof resetResponseSchema>;
