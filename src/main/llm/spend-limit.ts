/**
 * The hub-wide LLM spend limit (the original's `LLM_COST_LIMIT_USD` / `LLM_COST_LIMIT_PERIOD`,
 * `POST /api/cost/limit`, `POST /api/cost/reset`). Policy:
 *
 * - Every priced call's cost is added to a daily, an ISO-weekly and a monthly counter (UTC) and to
 *   an all-time one — always, limit or not, so a limit set mid-period sees what was already spent
 *   (the original's reason too). A counter whose period has passed reads 0: the period rolls over.
 * - With a limit (> 0) for the chosen period, a call is refused **before** it reaches the provider
 *   once that period's spend has reached the limit — every LLM call of the hub goes through
 *   withCostTracking, which asks the CostTracker's gates (this is one). The refusal is an LlmError
 *   of kind `cost_limit` whose message says how to go on. The first refusal of a period and the
 *   first call past 80 % raise an alert (`onAlert`), once each, not per call.
 * - The limit set at run time wins over the environment's until it is set again (0: no limit).
 * - Counters and the run-time limit survive restarts: saved in the durable tier a moment after a
 *   call (coalesced), at once after a change of limit or a reset. Only a person changes them: the
 *   routes are behind the token and the request policy, and agent code has no route to them.
 */
import { z } from 'zod';
import { SPEND_PERIODS, type SpendInfo, type SpendPeriod } from '../../shared/original-monitor.js';
import type { Persistence } from '../persistence/persistence.js';
import type { CostTracker } from './cost-tracker.js';

const OWNER = 'hub';
const KEY = 'durable:llm_spend';

/** What is saved (validated when read back: a damaged save starts the counters from 0 with a warning). */
const savedSchema = z.object({
  periods: z.partialRecord(z.enum(SPEND_PERIODS), z.object({ key: z.string(), usd: z.number().nonnegative() })).default({}),
  alltime_usd: z.number().nonnegative().default(0),
  override: z.object({ limit_usd: z.number().nonnegative(), period: z.enum(SPEND_PERIODS) }).nullable().default(null),
});
type Saved = z.infer<typeof savedSchema>;

export interface EnvSpendLimit {
  limitUsd: number;
  period: SpendPeriod;
}

/** LLM_COST_LIMIT_USD (0 or unset: none) and LLM_COST_LIMIT_PERIOD (default monthly). A bad value stops the start: money is not guessed. */
export function spendLimitFromEnv(env: NodeJS.ProcessEnv): EnvSpendLimit {
  const rawLimit = env.LLM_COST_LIMIT_USD?.trim() ?? '';
  const limitUsd = rawLimit === '' ? 0 : Number(rawLimit);
  if (!Number.isFinite(limitUsd) || limitUsd < 0) throw new Error(`LLM_COST_LIMIT_USD must be a number of US dollars, 0 for no limit (got "${rawLimit}")`);
  const rawPeriod = env.LLM_COST_LIMIT_PERIOD?.trim().toLowerCase() || 'monthly';
  if (!(SPEND_PERIODS as readonly string[]).includes(rawPeriod)) throw new Error(`LLM_COST_LIMIT_PERIOD must be daily, weekly, or monthly (got "${env.LLM_COST_LIMIT_PERIOD}")`);
  return { limitUsd, period: rawPeriod as SpendPeriod };
}

/** The period a moment belongs to, in UTC: `2026-12-03`, `2026-W49` (ISO week), `2026-12`. */
export function periodKey(period: SpendPeriod, atMs: number): string {
  const d = new Date(atMs);
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (period === 'daily') return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (period === 'monthly') return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
  // ISO week: the week (Mon–Sun) that holds the Thursday; its year is the Thursday's.
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  t.setUTCDate(t.getUTCDate() + 4 - (t.getUTCDay() || 7));
  const week = Math.ceil(((t.getTime() - Date.UTC(t.getUTCFullYear(), 0, 1)) / 86_400_000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${pad(week)}`;
}

export type SpendAlert = { level: 'warning' | 'reached'; agent: string; info: SpendInfo; message: string };

export interface SpendLimitOptions {
  costs: CostTracker;
  persistence: Pick<Persistence, 'persist' | 'recall'>;
  env: EnvSpendLimit;
  now?: () => number;
  debounceMs?: number;
  log?: (level: 'warning', message: string) => void;
}

const round6 = (n: number): number => Math.round(n * 1e6) / 1e6;
const usd = (n: number): string => `$${n.toFixed(2)}`;

export class SpendLimit {
  private readonly now: () => number;
  private readonly alertListeners = new Set<(a: SpendAlert) => void>();
  /** period_key + limit of the alerts already raised (once each). */
  private readonly alerted = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly offs: (() => void)[] = [];

  private constructor(
    private readonly o: SpendLimitOptions,
    private saved: Saved,
  ) {
    this.now = o.now ?? Date.now;
    this.offs.push(o.costs.onRecord((_rec, cost) => this.add(cost.usd)));
    this.offs.push(o.costs.addGate((agent) => this.refusal(agent)));
  }

  /** Reads the saved counters and limit, then counts and guards every call billed to `costs`. */
  static async open(o: SpendLimitOptions): Promise<SpendLimit> {
    const raw = await o.persistence.recall(OWNER, KEY);
    const parsed = savedSchema.safeParse(raw ?? {});
    if (!parsed.success) o.log?.('warning', `the saved LLM spend counters are unreadable; counting from 0 (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    return new SpendLimit(o, parsed.success ? parsed.data : savedSchema.parse({}));
  }

  /** The original's `get_global_cost_info()`, plus ours (`alltime_usd`, `limit_source`). */
  info(): SpendInfo {
    const { limit, period, source } = this.limit();
    const key = periodKey(period, this.now());
    const current = this.saved.periods[period];
    const spend = round6(current && current.key === key ? current.usd : 0);
    return {
      period,
      period_key: key,
      spend_usd: spend,
      limit_usd: limit > 0 ? limit : null,
      pct_used: limit > 0 ? Math.round((spend / limit) * 1000) / 10 : null,
      limit_reached: limit > 0 && spend >= limit,
      warning: limit > 0 && spend >= limit * 0.8,
      alltime_usd: round6(this.saved.alltime_usd),
      limit_source: source,
    };
  }

  /** Sets the run-time limit (0: none) and its period; kept across restarts, wins over the environment. */
  async setLimit(limitUsd: number, period: SpendPeriod): Promise<void> {
    this.saved = { ...this.saved, override: { limit_usd: limitUsd, period } };
    await this.save(true);
  }

  /** Zeroes every period's counter and the all-time one (the limit stays); returns the new info. */
  async reset(): Promise<SpendInfo> {
    const at = this.now();
    this.saved = {
      ...this.saved,
      periods: Object.fromEntries(SPEND_PERIODS.map((p) => [p, { key: periodKey(p, at), usd: 0 }])) as Saved['periods'],
      alltime_usd: 0,
    };
    this.alerted.clear();
    await this.save(true);
    return this.info();
  }

  /** Called with an alert the first time a period passes 80 % and the first time a call is refused. */
  onAlert(listener: (a: SpendAlert) => void): () => void {
    this.alertListeners.add(listener);
    return () => this.alertListeners.delete(listener);
  }

  /** Writes what is pending and stops counting. */
  async close(): Promise<void> {
    for (const off of this.offs) off();
    if (this.timer) await this.save();
    await this.writing;
  }

  private limit(): { limit: number; period: SpendPeriod; source: SpendInfo['limit_source'] } {
    const o = this.saved.override;
    if (o) return { limit: o.limit_usd, period: o.period, source: o.limit_usd > 0 ? 'runtime' : 'none' };
    const e = this.o.env;
    return { limit: e.limitUsd, period: e.period, source: e.limitUsd > 0 ? 'env' : 'none' };
  }

  /** Why a call billed to `agent` may not go out now, or undefined. */
  private refusal(agent: string): string | undefined {
    const info = this.info();
    if (!info.limit_reached || info.limit_usd === null) return undefined;
    const message =
      `LLM cost limit of ${usd(info.limit_usd)} reached for ${info.period_key} (${usd(info.spend_usd)} spent). Blocking further LLM calls ` +
      `until the ${info.period} period rolls over — or a person raises the limit (POST /api/cost/limit) or resets the totals (POST /api/cost/reset).`;
    this.alertOnce('reached', agent, info, message);
    return message;
  }

  private add(costUsd: number): void {
    if (!(costUsd > 0)) return;
    const at = this.now();
    const periods = { ...this.saved.periods };
    for (const p of SPEND_PERIODS) {
      const key = periodKey(p, at);
      const cur = periods[p];
      periods[p] = { key, usd: round6((cur && cur.key === key ? cur.usd : 0) + costUsd) };
    }
    this.saved = { ...this.saved, periods, alltime_usd: round6(this.saved.alltime_usd + costUsd) };
    const info = this.info();
    if (info.warning && !info.limit_reached && info.limit_usd !== null) {
      this.alertOnce('warning', 'hub', info, `${info.pct_used}% of the ${info.period} LLM budget of ${usd(info.limit_usd)} used (${usd(info.spend_usd)} for ${info.period_key})`);
    }
    this.scheduleSave();
  }

  private alertOnce(level: SpendAlert['level'], agent: string, info: SpendInfo, message: string): void {
    const key = `${level}:${info.period_key}:${info.limit_usd}`;
    if (this.alerted.has(key)) return;
    this.alerted.add(key);
    for (const l of this.alertListeners) l({ level, agent, info, message });
  }

  private scheduleSave(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.save(), this.o.debounceMs ?? 1000);
    this.timer.unref();
  }

  /** Saves now; `strict` (a person's change) rejects when the write fails, a coalesced save logs it. */
  private save(strict = false): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const snapshot = this.saved;
    const write = this.writing.then(() => this.o.persistence.persist(OWNER, KEY, snapshot));
    this.writing = write.catch((e: unknown) => this.o.log?.('warning', `could not save the LLM spend counters: ${(e as Error).message}`));
    return strict ? write : this.writing;
  }
}
