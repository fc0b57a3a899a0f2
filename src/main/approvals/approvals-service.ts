/**
 * Approvals: the spawn gate (grant-policy.ts decides, spawn-caps.ts caps), the pending requests
 * (approval-store.ts, so they survive restarts), and the decisions a person takes on them —
 * approve or deny some items or all, review and revoke grants. Every change is an ApprovalEvent
 * for listeners (MQTT `system/approvals`, the activity feed, the tray).
 *
 * Invariants:
 * - nothing an LLM or agent asked beyond the safe default is granted without a person's decision;
 * - one decision at a time (decisions apply grants and restart agents: they are serialized);
 * - an agent has at most one pending approval: a new spawn of that name cancels the older one
 *   (it asked again, with whatever it asks now);
 * - every denial, revocation and cap refusal is a refusal record.
 */
import { randomBytes } from 'node:crypto';
import { describeItems, type AgentGrant, type Approval, type ApprovalEvent, type ApprovalItem, type Asker, type Refusal, type RefusalReason } from '../../shared/approvals.js';
import { nowSeconds } from '../persistence/stores/json-column.js';
import type { Logger } from '../base/logger.js';
import type { ApprovalStore } from './approval-store.js';
import { ApprovalError, type Admission, type ApprovalTarget, type SpawnAsk, type SpawnGate } from './approval-types.js';
import { decideGrant, revocableItems, type ApprovalLimits } from './grant-policy.js';
import { applyDecision, revokeGrant, type DecisionOutcome } from './decisions.js';
import { SpawnCaps, SpawnRefusedError } from './spawn-caps.js';

export interface ApprovalsOptions {
  store: ApprovalStore;
  limits: ApprovalLimits;
  log?: Logger;
  now?: () => number;
}

export type ApprovalListener = (event: ApprovalEvent) => void;

export class Approvals implements SpawnGate {
  readonly limits: ApprovalLimits;
  private readonly caps: SpawnCaps;
  private readonly listeners = new Set<ApprovalListener>();
  private targetRef: ApprovalTarget | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** agent|reason|items → when it was last recorded (one row a minute for a refusal repeated in a loop). */
  private readonly recentRefusals = new Map<string, number>();

  constructor(private readonly opts: ApprovalsOptions) {
    this.limits = opts.limits;
    this.caps = new SpawnCaps(opts.limits, opts.now);
  }

  get store(): ApprovalStore {
    return this.opts.store;
  }

  /** The DynamicAgent service (set by the composition root once both exist). */
  attach(target: ApprovalTarget): void {
    this.targetRef = target;
  }

  onEvent(listener: ApprovalListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ── the gate ──────────────────────────────────────────────────────────────

  admit(ask: SpawnAsk): Admission {
    try {
      this.caps.check(ask.asker, this.targetRef?.registered() ?? 0, ask.newName);
    } catch (e) {
      if (e instanceof SpawnRefusedError) {
        this.refuse({ agent: ask.agent, asked_by: ask.asker, reason: e.kind, items: ['spawn'], message: e.message, approval_id: null, by: null });
      }
      throw e;
    }
    const decision = decideGrant(ask.ask, ask.asker, ask.kind, this.limits);
    let committed = false;
    return {
      grant: decision.now,
      pending: decision.pending,
      waiting: decision.waiting,
      notes: decision.notes,
      commit: () => {
        if (committed) throw new Error('an admission is committed once');
        committed = true;
        this.caps.record(ask.asker);
        this.cancelPending(ask.agent, 'it was spawned again');
        if (!decision.pending.length) return undefined;
        return this.request(ask, decision.pending, decision.waiting);
      },
    };
  }

  forget(agent: string): void {
    this.cancelPending(agent, 'the agent was deleted');
    this.opts.store.reviewed(agent);
  }

  // ── reading ───────────────────────────────────────────────────────────────

  list(filter: { state?: Approval['state']; agent?: string; limit?: number } = {}): Approval[] {
    return this.opts.store.list(filter);
  }

  get(id: string): Approval | undefined {
    return this.opts.store.get(id);
  }

  pendingCount(): number {
    return this.opts.store.pendingCount();
  }

  refusals(filter: { agent?: string; limit?: number } = {}): Refusal[] {
    return this.opts.store.refusals(filter);
  }

  /** One agent's grant as it stands (what it runs with), or undefined when no such agent is registered. */
  grantOf(agent: string): AgentGrant | undefined {
    return this.grants().find((g) => g.agent === agent);
  }

  /**
   * Records that the hub refused agent code something (for audit: GET /approvals/refusals, the
   * dashboard). The same agent, reason and items within a minute are recorded once — an agent
   * retrying in a loop does not fill the table. Answers whether a row was written.
   */
  recordRefusal(r: { agent: string; reason: RefusalReason; items: string[]; message: string; by?: string | null }): boolean {
    const key = `${r.agent}|${r.reason}|${r.items.join(',')}`;
    const now = (this.opts.now ?? Date.now)();
    const last = this.recentRefusals.get(key);
    if (last !== undefined && now - last < 60_000) return false;
    this.recentRefusals.set(key, now);
    if (this.recentRefusals.size > 5_000) for (const [k, at] of this.recentRefusals) if (now - at >= 60_000) this.recentRefusals.delete(k);
    this.refuse({ agent: r.agent, asked_by: null, reason: r.reason, items: r.items, message: r.message, approval_id: null, by: r.by ?? null });
    return true;
  }

  /** Every registered agent's grant, with what can be taken back and whether it awaits review. */
  grants(): AgentGrant[] {
    const target = this.target();
    const reviews = this.opts.store.reviews();
    const pending = new Map<string, string[]>();
    for (const a of this.opts.store.list({ state: 'pending', limit: 10_000 })) pending.set(a.agent, [...(pending.get(a.agent) ?? []), a.id]);
    return target.agents().flatMap((agent) => {
      const held = target.grantOf(agent);
      if (!held) return [];
      return [
        {
          agent,
          agent_kind: held.kind,
          source: held.source,
          capabilities: held.grant.capabilities,
          env_names: held.grant.env_names,
          send_to: held.grant.send_to ?? [],
          limits: held.grant.limits,
          revocable: revocableItems(held.grant, this.limits),
          review: reviews.has(agent),
          pending: pending.get(agent) ?? [],
        },
      ];
    });
  }

  // ── decisions ─────────────────────────────────────────────────────────────

  /**
   * Approves or denies items (all pending ones when `items` is empty) of the approval `ref` — an
   * id, or an agent's name (its pending approvals). `by`: who decided (chat, rest…).
   */
  decide(ref: string, decision: 'approve' | 'deny', items: readonly string[], by: string): Promise<DecisionOutcome> {
    return this.serialized(async () => {
      const approvals = this.resolve(ref);
      const outcome = await applyDecision({ approvals, decision, items, by, target: this.target(), store: this.opts.store, limits: this.limits, log: (l, m) => this.log(l, m) });
      for (const a of outcome.approvals) this.emit({ event: 'decided', approval: a });
      return outcome;
    });
  }

  /** Takes items back from an agent's grant (it restarts without them). */
  revoke(agent: string, items: readonly string[], by: string): Promise<AgentGrant> {
    return this.serialized(async () => {
      const target = this.target();
      const grant = await revokeGrant({ agent, items, by, target, store: this.opts.store, limits: this.limits });
      this.emit({ event: 'revoked', agent, items: [...items] });
      return this.grants().find((g) => g.agent === agent) ?? { ...grant, agent };
    });
  }

  /** A person looked at an agent's grant: it leaves the review list. */
  markReviewed(agent: string): boolean {
    if (!this.target().grantOf(agent)) throw new ApprovalError('not_found', `no agent named "${agent}"`);
    return this.opts.store.reviewed(agent);
  }

  /** Tells listeners how many approvals wait (at start, so a fresh dashboard or tray knows). */
  announce(): void {
    this.emit({ event: 'snapshot' });
  }

  // ── internals ─────────────────────────────────────────────────────────────

  private request(ask: SpawnAsk, items: ApprovalItem[], waiting: boolean): Approval {
    const approval: Approval = {
      id: this.newId(),
      agent: ask.agent,
      agent_kind: ask.kind,
      asked_by: ask.asker,
      reason: ask.reason.slice(0, 2_000),
      state: 'pending',
      items,
      waiting,
      created_at: nowSeconds(),
      decided_at: null,
      decided_by: null,
    };
    this.opts.store.insert(approval, waiting ? ask.spec : undefined);
    this.log('info', `${approval.id}: ${describeAsker(ask.asker)} asks for ${ask.agent}: ${describeItems(items)}${waiting ? ' (it waits, not running, until then)' : ''}`);
    this.emit({ event: 'requested', approval });
    return approval;
  }

  private cancelPending(agent: string, why: string): void {
    for (const a of this.opts.store.list({ agent, state: 'pending' })) {
      const cancelled: Approval = { ...a, state: 'cancelled', items: a.items.map((i) => (i.state === 'pending' ? { ...i, state: 'cancelled' } : i)), decided_at: nowSeconds(), decided_by: null };
      this.opts.store.update(cancelled);
      this.log('info', `${a.id} cancelled: ${why}`);
      this.emit({ event: 'cancelled', approval: cancelled });
    }
  }

  private resolve(ref: string): Approval[] {
    const byId = this.opts.store.get(ref);
    if (byId) return [byId];
    const byAgent = this.opts.store.list({ agent: ref, state: 'pending' });
    if (byAgent.length) return byAgent;
    const pending = this.opts.store.list({ state: 'pending', limit: 20 });
    throw new ApprovalError('not_found', `no pending approval "${ref}"${pending.length ? ` (pending: ${pending.map((a) => `${a.id} for ${a.agent}`).join(', ')})` : ' (none is pending)'}`);
  }

  private refuse(r: Omit<Refusal, 'id' | 'at'>): void {
    this.opts.store.refuse(r);
    this.log('warning', `refused for ${r.agent}: ${r.message}`);
  }

  private emit(e: Omit<ApprovalEvent, 'pending' | 'timestamp'>): void {
    const event: ApprovalEvent = { ...e, pending: this.opts.store.pendingCount(), timestamp: nowSeconds() };
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.log('warning', `an approval listener failed: ${(err as Error).message}`);
      }
    }
  }

  private target(): ApprovalTarget {
    if (!this.targetRef) throw new ApprovalError('unavailable', 'the DynamicAgent service is not attached to approvals');
    return this.targetRef;
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private newId(): string {
    for (;;) {
      const id = `ap-${randomBytes(4).readUInt32BE(0).toString(36).padStart(6, '0').slice(-6)}`;
      if (!this.opts.store.get(id)) return id;
    }
  }

  private log(level: 'info' | 'warning', message: string): void {
    this.opts.log?.(level, `approvals: ${message}`);
  }
}

export function describeAsker(a: Asker): string {
  switch (a.kind) {
    case 'person':
      return `a person (${a.via})`;
    case 'llm':
      return `${a.name}'s LLM (${a.via.replace(/_/g, ' ')})`;
    case 'agent':
      return `agent ${a.name} (through the ${a.via})`;
  }
}
