/**
 * The original monitor server's remaining routes (contract: src/shared/original-monitor.ts), on
 * both ports — under /api/ and at the dashboard's root, as the original served them, and at the
 * REST port's root:
 *
 *   GET  /cost, POST /cost/limit, POST /cost/reset   the spend limit (llm/spend-limit.ts)
 *   GET  /actors/{id}/history                         an agent's visible conversation turns
 *   GET  /chats                                       the chat log
 *   POST /reset                                       {scope, agent?} (hub/hub-reset.ts)
 *   GET  /feed  (the dashboard's root only)           the original's feed seed; /api/feed is our
 *                                                     activity feed (feed/), whose shape is another
 *
 * Who may call them is every route's rule (http-app.ts): the access token when one is set, the
 * request policy's Host/Origin and JSON-body checks — a page of another origin cannot post here,
 * and the root aliases refuse it outright. Agent code has no way in but `agent.fetch`, which
 * refuses this machine unless a person granted `fetch_local`, and then still needs the token.
 * Errors keep the original's words (`period must be daily, weekly, or monthly`,
 * `scope must be one of [...]`, `invalid JSON`).
 */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import {
  chatsQuerySchema,
  costLimitRequestSchema,
  resetRequestSchema,
  type ChatLogRow,
  type ChatsQuery,
  type CostLimitResponse,
  type CostResetResponse,
  type FeedSeedItem,
  type HistoryTurn,
  type ResetResponse,
  type ResetScope,
  type SpendInfo,
  type SpendPeriod,
} from '../../../shared/original-monitor.js';
import type { CostResponse } from '../../../shared/rest.js';
import type { RoutePlugin } from '../http-app.js';
import { HttpError } from '../http-error.js';
import { isJsonObject } from './reply-style.js';

export interface OriginalMonitorApi {
  /** Ours and the original's fields. */
  cost(): CostResponse;
  spend: {
    setLimit(limitUsd: number, period: SpendPeriod): Promise<void>;
    reset(): Promise<SpendInfo>;
  };
  /** By id or name; [] for an agent without a conversation (as the original). */
  history(idOrName: string): HistoryTurn[];
  chats(q: ChatsQuery): ChatLogRow[];
  reset(scope: ResetScope, agent: string | undefined): Promise<Record<string, number | string>>;
}

/** The first issue's message as the original's `{error}`, every issue in `detail`. */
function parseOr400<T>(schema: z.ZodType<T>, body: unknown): T {
  if (!isJsonObject(body)) throw new HttpError(400, 'invalid JSON', 'the body must be a JSON object');
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  throw new HttpError(400, r.error.issues[0]!.message, r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
}

/** The original's feed seed from the chat log: its newest 50 turns, oldest first. */
export function feedSeed(rows: ChatLogRow[]): FeedSeedItem[] {
  return [...rows].reverse().map((r, i) => ({ type: 'chat', label: r.content, agentName: r.agent_name, role: r.role, timestamp: r.ts, _seq: i, _agent: r.agent_name }));
}

export function originalMonitorRoutes(api: OriginalMonitorApi, opts: { feedSeed?: boolean } = {}): RoutePlugin {
  return async (app: FastifyInstance) => {
    app.get('/cost', async (): Promise<CostResponse> => api.cost());

    app.post('/cost/limit', async (req): Promise<CostLimitResponse> => {
      const body = parseOr400(costLimitRequestSchema, req.body);
      await api.spend.setLimit(body.limit_usd, body.period);
      return { ok: true, limit_usd: body.limit_usd, period: body.period };
    });

    app.post('/cost/reset', async (): Promise<CostResetResponse> => ({ ok: true, ...(await api.spend.reset()) }));

    app.get<{ Params: { id: string } }>('/actors/:id/history', async (req): Promise<HistoryTurn[]> => api.history(req.params.id));

    app.get('/chats', async (req): Promise<ChatLogRow[]> => {
      const q = chatsQuerySchema.safeParse(req.query);
      if (!q.success) throw new HttpError(400, 'invalid query', q.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
      return api.chats(q.data);
    });

    app.post('/reset', async (req): Promise<ResetResponse> => {
      const body = parseOr400(resetRequestSchema, req.body);
      const cleared = await api.reset(body.scope, body.agent);
      return { status: 'ok', scope: body.scope, agent: body.agent ?? null, cleared };
    });

    if (opts.feedSeed) app.get('/feed', async (): Promise<FeedSeedItem[]> => feedSeed(api.chats({ limit: 50 })));
  };
}
