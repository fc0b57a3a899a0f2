/**
 * Running totals of LLM use per agent and overall: calls, tokens, USD, latency. LLM agents feed it
 * after every call; heartbeats/metrics, `/cost` and REST read it. The totals outlive the process:
 * cost-store.ts saves them on every change and restores them at start.
 */
import type { LlmErrorKind } from './errors.js';
import { costOf, DEFAULT_PRICES, type CallCost, type PriceTable } from './pricing.js';
import type { LlmUsage } from './provider.js';

export interface LlmCallRecord {
  /** Agent (actor name) the call is billed to. */
  agent: string;
  provider: string;
  model: string;
  usage: LlmUsage;
  latencyMs: number;
}

export interface CostSummary {
  calls: number;
  /** Calls that ended in an LlmError (not counted in `calls`). */
  failures: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Calls whose model had no price (their cost counted as 0). */
  unpricedCalls: number;
  totalLatencyMs: number;
  /** Mean latency of successful calls; 0 before the first. */
  avgLatencyMs: number;
}

export interface CostSnapshot {
  total: CostSummary;
  agents: Record<string, CostSummary>;
}

function emptySummary(): CostSummary {
  return { calls: 0, failures: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, unpricedCalls: 0, totalLatencyMs: 0, avgLatencyMs: 0 };
}

function add(into: CostSummary, rec: LlmCallRecord, cost: CallCost): void {
  into.calls += 1;
  into.inputTokens += rec.usage.inputTokens;
  into.outputTokens += rec.usage.outputTokens;
  into.costUsd += cost.usd;
  if (!cost.priced) into.unpricedCalls += 1;
  into.totalLatencyMs += rec.latencyMs;
  into.avgLatencyMs = into.totalLatencyMs / into.calls;
}

export type CostListener = (rec: LlmCallRecord, cost: CallCost) => void;
/** Says why a call billed to `agent` may not go out now (the spend limit), or undefined. */
export type SpendGate = (agent: string) => string | undefined;

const isCostSummary = (x: unknown): x is CostSummary =>
  typeof x === 'object' && x !== null && (['calls', 'failures', 'inputTokens', 'outputTokens', 'costUsd', 'unpricedCalls', 'totalLatencyMs', 'avgLatencyMs'] as const).every((k) => Number.isFinite((x as Record<string, unknown>)[k]));

export class CostTracker {
  private readonly perAgent = new Map<string, CostSummary>();
  private totals = emptySummary();
  private readonly listeners = new Set<CostListener>();
  private readonly changeListeners = new Set<() => void>();
  private readonly gates = new Set<SpendGate>();

  constructor(private readonly prices: PriceTable = DEFAULT_PRICES) {}

  /** Adds one successful call; returns what it cost. */
  record(rec: LlmCallRecord): CallCost {
    const cost = costOf(rec.provider, rec.model, rec.usage, this.prices);
    add(this.agentSummary(rec.agent), rec, cost);
    add(this.totals, rec, cost);
    for (const l of this.listeners) l(rec, cost);
    this.changed();
    return cost;
  }

  /** Counts a failed call (by error kind it is only a count: a failed call has no usage). */
  recordFailure(agent: string, _kind?: LlmErrorKind): void {
    this.agentSummary(agent).failures += 1;
    this.totals.failures += 1;
    this.changed();
  }

  forAgent(agent: string): CostSummary {
    return { ...(this.perAgent.get(agent) ?? emptySummary()) };
  }

  total(): CostSummary {
    return { ...this.totals };
  }

  /** A JSON-ready copy of everything (for REST and `/cost`). */
  snapshot(): CostSnapshot {
    const agents: Record<string, CostSummary> = {};
    for (const [name, s] of this.perAgent) agents[name] = { ...s };
    return { total: this.total(), agents };
  }

  /** Forgets one agent (its share stays in the total) or, with no argument, everything. */
  reset(agent?: string): void {
    if (agent === undefined) {
      this.perAgent.clear();
      this.totals = emptySummary();
    } else this.perAgent.delete(agent);
    this.changed();
  }

  /**
   * Replaces everything with a saved snapshot (at start, before any call). Entries that are not
   * whole summaries are skipped, so a damaged save loses those, never the hub.
   */
  restore(snap: CostSnapshot): void {
    this.perAgent.clear();
    for (const [name, s] of Object.entries(snap.agents)) if (isCostSummary(s)) this.perAgent.set(name, { ...s });
    this.totals = isCostSummary(snap.total) ? { ...snap.total } : emptySummary();
  }

  /** Called after anything changes (a call, a failure, a reset); returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.changeListeners) l();
  }

  /** Adds a gate every call billed here passes first (withCostTracking asks); returns the removal function. */
  addGate(gate: SpendGate): () => void {
    this.gates.add(gate);
    return () => this.gates.delete(gate);
  }

  /** The first gate's reason to refuse a call billed to `agent`, or undefined when it may go out. */
  refusal(agent: string): string | undefined {
    for (const gate of this.gates) {
      const why = gate(agent);
      if (why !== undefined) return why;
    }
    return undefined;
  }

  /** Called after every recorded call; returns the unsubscribe function. */
  onRecord(listener: CostListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private agentSummary(agent: string): CostSummary {
    let s = this.perAgent.get(agent);
    if (!s) this.perAgent.set(agent, (s = emptySummary()));
    return s;
  }
}
