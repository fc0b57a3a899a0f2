/**
 * The GrantStore: every agent's effective grant, the requests waiting for a person, and the audit
 * trail (decisions, refusals), in SQLite (migration 004). Reads come from memory (a publish is
 * checked against the grant thousands of times a second); every write goes to SQLite first, then
 * to memory, then to listeners (`on`) — the approval flow, the dashboard feed and the agent hosts
 * (which re-check live subscriptions when an agent's `revision` moves).
 *
 * Policy lives elsewhere: what is granted at once and what waits is spawn-grants.ts's (and the
 * approval flow's); which topics agent code may touch whatever its grant is topic-rules.ts's.
 * Refusals repeat (an agent publishing on a forbidden topic in a loop): one row per (agent,
 * action, target) per minute, its `count` bumped — the audit stays small and the hub's log says
 * it once.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import {
  agentGrantSchema,
  emptyGrantParts,
  grantPartsSchema,
  mergeGrantParts,
  subtractGrantParts,
  type AgentGrant,
  type GrantDecision,
  type GrantDecisionKind,
  type GrantOrigin,
  type GrantParts,
  type GrantPartsInput,
  type GrantRequest,
  type GrantRequestStatus,
  type RefusalRecord,
  type RefusedAction,
} from '../../shared/grants.js';
import { upgradeExistingAgents } from './upgrade-grants.js';

export type GrantEvent =
  /** The agent's effective grant changed (undefined: removed with the agent). */
  | { type: 'grant'; agent: string; grant: AgentGrant | undefined }
  /** A request was made, or its status changed. */
  | { type: 'request'; request: GrantRequest }
  | { type: 'decision'; decision: GrantDecision }
  /** A new refusal record (repeats within its minute only bump `count`, with no event). */
  | { type: 'refusal'; refusal: RefusalRecord };

export interface GrantWho {
  /** Who decided: dashboard, chat, rest, policy, upgrade, hub… */
  by: string;
  note?: string;
}

export interface SetGrantInput extends GrantWho {
  origin: GrantOrigin;
  source?: string;
  review?: boolean;
  /** The audit entry's kind (default `granted`). */
  decision?: GrantDecisionKind;
  requestId?: string | null;
}

export interface RequestInput {
  agent: string;
  asked: GrantPartsInput;
  reason?: string;
  origin: GrantOrigin;
  source?: string;
  requestedBy?: string;
}

export interface RefusalInput {
  agent: string;
  node?: string;
  action: RefusedAction;
  target: string;
  reason: string;
}

export interface GrantStoreOptions {
  /** Epoch seconds (tests pass a clock). */
  now?: () => number;
  /** Refusal rows kept (oldest pruned). Default 20 000. */
  maxRefusals?: number;
}

interface GrantRow {
  agent: string;
  parts: string;
  origin: string;
  source: string;
  review: number;
  revision: number;
  created_at: number;
  updated_at: number;
}
interface RequestRow {
  id: string;
  agent: string;
  asked: string;
  reason: string;
  origin: string;
  source: string;
  requested_by: string;
  status: string;
  created_at: number;
  decided_at: number | null;
}
interface DecisionRow {
  seq: number;
  agent: string;
  request_id: string | null;
  decision: string;
  parts: string;
  decided_by: string;
  note: string;
  at: number;
}

const REFUSAL_WINDOW_S = 60;

export class GrantStore {
  private readonly grants = new Map<string, AgentGrant>();
  private readonly listeners = new Set<(e: GrantEvent) => void>();
  /** (agent, action, target) → the refusal row of the current minute. */
  private readonly recentRefusals = new Map<string, RefusalRecord>();
  private readonly now: () => number;
  private readonly maxRefusals: number;
  private refusalsSincePrune = 0;
  /** Agents given their old permissions at this start (empty on every later start). */
  readonly upgraded: string[];

  constructor(
    private readonly db: Database,
    opts: GrantStoreOptions = {},
  ) {
    this.now = opts.now ?? (() => Date.now() / 1000);
    this.maxRefusals = opts.maxRefusals ?? 20_000;
    const upgraded = upgradeExistingAgents(db, this.now());
    for (const row of db.prepare('SELECT * FROM agent_grants').all() as GrantRow[]) this.grants.set(row.agent, toGrant(row));
    this.upgraded = upgraded;
  }

  /** Listens to every change; returns the unsubscribe. A listener's error never breaks a write. */
  on(listener: (e: GrantEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ── effective grants ──────────────────────────────────────────────────────

  get(agent: string): AgentGrant | undefined {
    return this.grants.get(agent);
  }

  list(): AgentGrant[] {
    return [...this.grants.values()];
  }

  /** Grants flagged for a person's review (agents that existed at upgrade). */
  forReview(): AgentGrant[] {
    return this.list().filter((g) => g.review);
  }

  /** Replaces the agent's effective grant (a spawn, a replace), recorded as a decision. */
  set(agent: string, parts: GrantPartsInput, input: SetGrantInput): AgentGrant {
    const p = grantPartsSchema.parse(parts);
    const t = this.now();
    const previous = this.grants.get(agent);
    const grant = agentGrantSchema.parse({
      ...p,
      agent,
      origin: input.origin,
      source: input.source ?? '',
      review: input.review ?? false,
      revision: (previous?.revision ?? 0) + 1,
      created_at: previous?.created_at ?? t,
      updated_at: t,
    });
    const decision = this.db.transaction(() => {
      this.writeGrant(grant);
      return this.writeDecision(agent, input.decision ?? 'granted', p, input, input.requestId ?? null, t);
    })();
    this.grants.set(agent, grant);
    this.emit({ type: 'grant', agent, grant });
    this.emit({ type: 'decision', decision });
    return grant;
  }

  /** Adds parts to the effective grant (an approval). Creates the grant when there is none. */
  add(agent: string, parts: GrantPartsInput, who: GrantWho & { decision?: GrantDecisionKind; requestId?: string | null; origin?: GrantOrigin }): AgentGrant {
    const current = this.grants.get(agent);
    const merged = mergeGrantParts(current ? partsOf(current) : emptyGrantParts(), parts);
    return this.change(agent, merged, grantPartsSchema.parse(parts), who.decision ?? 'approved', who, who.requestId ?? null, current?.origin ?? who.origin ?? 'person');
  }

  /** Takes parts back (exact strings). Undefined when the agent has no grant. */
  revoke(agent: string, parts: GrantPartsInput, who: GrantWho): AgentGrant | undefined {
    const current = this.grants.get(agent);
    if (!current) return undefined;
    return this.change(agent, subtractGrantParts(partsOf(current), parts), grantPartsSchema.parse(parts), 'revoked', who, null, current.origin);
  }

  /** Clears the review flag. */
  markReviewed(agent: string, who: GrantWho): AgentGrant | undefined {
    const current = this.grants.get(agent);
    if (!current) return undefined;
    const grant = { ...current, review: false, revision: current.revision + 1, updated_at: this.now() };
    const decision = this.db.transaction(() => {
      this.writeGrant(grant);
      return this.writeDecision(agent, 'reviewed', emptyGrantParts(), who, null, grant.updated_at);
    })();
    this.grants.set(agent, grant);
    this.emit({ type: 'grant', agent, grant });
    this.emit({ type: 'decision', decision });
    return grant;
  }

  /** The agent is gone for good: its grant goes, its pending requests are withdrawn; the audit stays. */
  remove(agent: string): void {
    const t = this.now();
    const withdrawn = this.db.transaction(() => {
      this.db.prepare('DELETE FROM agent_grants WHERE agent = ?').run(agent);
      const ids = (this.db.prepare("SELECT id FROM grant_requests WHERE agent = ? AND status = 'pending'").all(agent) as { id: string }[]).map((r) => r.id);
      this.db.prepare("UPDATE grant_requests SET status = 'withdrawn', decided_at = ? WHERE agent = ? AND status = 'pending'").run(t, agent);
      return ids;
    })();
    const had = this.grants.delete(agent);
    if (had) this.emit({ type: 'grant', agent, grant: undefined });
    for (const id of withdrawn) {
      const r = this.getRequest(id);
      if (r) this.emit({ type: 'request', request: r });
    }
  }

  // ── requests ──────────────────────────────────────────────────────────────

  /** Records parts asked for beyond what was granted: pending until `decide`. */
  request(input: RequestInput): GrantRequest {
    const request: GrantRequest = {
      id: randomUUID(),
      agent: input.agent,
      asked: grantPartsSchema.parse(input.asked),
      reason: input.reason ?? '',
      origin: input.origin,
      source: input.source ?? '',
      requested_by: input.requestedBy ?? '',
      status: 'pending',
      created_at: this.now(),
      decided_at: null,
    };
    this.db
      .prepare('INSERT INTO grant_requests (id, agent, asked, reason, origin, source, requested_by, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(request.id, request.agent, JSON.stringify(request.asked), request.reason, request.origin, request.source, request.requested_by, 'pending', request.created_at);
    this.emit({ type: 'request', request });
    return request;
  }

  getRequest(id: string): GrantRequest | undefined {
    const row = this.db.prepare('SELECT * FROM grant_requests WHERE id = ?').get(id) as RequestRow | undefined;
    return row && toRequest(row);
  }

  /** Pending requests, oldest first (of one agent, or all). They survive restarts. */
  pending(agent?: string): GrantRequest[] {
    const rows = (agent === undefined
      ? this.db.prepare("SELECT * FROM grant_requests WHERE status = 'pending' ORDER BY created_at, rowid").all()
      : this.db.prepare("SELECT * FROM grant_requests WHERE status = 'pending' AND agent = ? ORDER BY created_at, rowid").all(agent)) as RequestRow[];
    return rows.map(toRequest);
  }

  /**
   * Approves (all asked, or `parts` of it) or denies a pending request. An approval adds the parts
   * to the agent's grant. Throws when the request is unknown or decided already.
   */
  decide(id: string, verdict: GrantWho & { approve: boolean; parts?: GrantPartsInput }): { request: GrantRequest; grant: AgentGrant | undefined } {
    const request = this.getRequest(id);
    if (!request) throw new Error(`no grant request ${id}`);
    if (request.status !== 'pending') throw new Error(`grant request ${id} was ${request.status} already`);
    const status: GrantRequestStatus = verdict.approve ? 'approved' : 'denied';
    const t = this.now();
    this.db.prepare('UPDATE grant_requests SET status = ?, decided_at = ? WHERE id = ?').run(status, t, id);
    const decided = { ...request, status, decided_at: t };
    let grant = this.grants.get(request.agent);
    if (verdict.approve) {
      grant = this.add(request.agent, verdict.parts ?? request.asked, { ...verdict, decision: 'approved', requestId: id, origin: request.origin });
    } else {
      const decision = this.writeDecision(request.agent, 'denied', request.asked, verdict, id, t);
      this.emit({ type: 'decision', decision });
    }
    this.emit({ type: 'request', request: decided });
    return { request: decided, grant };
  }

  // ── audit ─────────────────────────────────────────────────────────────────

  /** Decisions, newest first. */
  decisions(opts: { agent?: string; limit?: number } = {}): GrantDecision[] {
    const limit = opts.limit ?? 100;
    const rows = (opts.agent === undefined
      ? this.db.prepare('SELECT * FROM grant_decisions ORDER BY seq DESC LIMIT ?').all(limit)
      : this.db.prepare('SELECT * FROM grant_decisions WHERE agent = ? ORDER BY seq DESC LIMIT ?').all(opts.agent, limit)) as DecisionRow[];
    return rows.map(toDecision);
  }

  /**
   * Records a refusal. `fresh` is false when the same (agent, action, target) was refused in the
   * last minute: the row's count is bumped and callers should not log it again.
   */
  refuse(input: RefusalInput): { record: RefusalRecord; fresh: boolean } {
    const t = this.now();
    const key = `${input.agent}\u0000${input.node ?? ''}\u0000${input.action}\u0000${input.target}`;
    const recent = this.recentRefusals.get(key);
    if (recent && t - recent.at < REFUSAL_WINDOW_S) {
      recent.count++;
      this.db.prepare('UPDATE grant_refusals SET count = ? WHERE seq = ?').run(recent.count, recent.seq);
      return { record: { ...recent }, fresh: false };
    }
    const target = input.target.slice(0, 2_000);
    const reason = input.reason.slice(0, 2_000);
    const info = this.db
      .prepare('INSERT INTO grant_refusals (agent, node, action, target, reason, count, at) VALUES (?, ?, ?, ?, ?, 1, ?)')
      .run(input.agent, input.node ?? '', input.action, target, reason, t);
    const record: RefusalRecord = { seq: Number(info.lastInsertRowid), agent: input.agent, node: input.node ?? '', action: input.action, target, reason, count: 1, at: t };
    if (this.recentRefusals.size > 1_000) this.recentRefusals.clear();
    this.recentRefusals.set(key, record);
    if (++this.refusalsSincePrune >= 500) this.prune();
    this.emit({ type: 'refusal', refusal: record });
    return { record: { ...record }, fresh: true };
  }

  /** Refusals, newest first. */
  refusals(opts: { agent?: string; limit?: number } = {}): RefusalRecord[] {
    const limit = opts.limit ?? 100;
    const rows = (opts.agent === undefined
      ? this.db.prepare('SELECT * FROM grant_refusals ORDER BY seq DESC LIMIT ?').all(limit)
      : this.db.prepare('SELECT * FROM grant_refusals WHERE agent = ? ORDER BY seq DESC LIMIT ?').all(opts.agent, limit)) as RefusalRecord[];
    return rows.map((r) => ({ ...r }));
  }

  // ── internals ─────────────────────────────────────────────────────────────

  private change(agent: string, parts: GrantParts, delta: GrantParts, kind: GrantDecisionKind, who: GrantWho, requestId: string | null, origin: GrantOrigin): AgentGrant {
    const current = this.grants.get(agent);
    const t = this.now();
    const grant = agentGrantSchema.parse({
      ...parts,
      agent,
      origin,
      source: current?.source ?? '',
      review: current?.review ?? false,
      revision: (current?.revision ?? 0) + 1,
      created_at: current?.created_at ?? t,
      updated_at: t,
    });
    const decision = this.db.transaction(() => {
      this.writeGrant(grant);
      return this.writeDecision(agent, kind, delta, who, requestId, t);
    })();
    this.grants.set(agent, grant);
    this.emit({ type: 'grant', agent, grant });
    this.emit({ type: 'decision', decision });
    return grant;
  }

  private writeGrant(g: AgentGrant): void {
    this.db
      .prepare(
        `INSERT INTO agent_grants (agent, parts, origin, source, review, revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (agent) DO UPDATE SET parts = excluded.parts, origin = excluded.origin, source = excluded.source, review = excluded.review,
           revision = excluded.revision, updated_at = excluded.updated_at`,
      )
      .run(g.agent, JSON.stringify(partsOf(g)), g.origin, g.source, g.review ? 1 : 0, g.revision, g.created_at, g.updated_at);
  }

  private writeDecision(agent: string, kind: GrantDecisionKind, parts: GrantParts, who: GrantWho, requestId: string | null, t: number): GrantDecision {
    const info = this.db
      .prepare('INSERT INTO grant_decisions (agent, request_id, decision, parts, decided_by, note, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(agent, requestId, kind, JSON.stringify(parts), who.by, who.note ?? '', t);
    return { seq: Number(info.lastInsertRowid), agent, request_id: requestId, decision: kind, parts, by: who.by, note: who.note ?? '', at: t };
  }

  private prune(): void {
    this.refusalsSincePrune = 0;
    this.db.prepare('DELETE FROM grant_refusals WHERE seq <= (SELECT MAX(seq) FROM grant_refusals) - ?').run(this.maxRefusals);
  }

  private emit(e: GrantEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // a listener's failure is its own
      }
    }
  }
}

/** The parts of a grant (without its bookkeeping). */
export function partsOf(g: AgentGrant): GrantParts {
  return { capabilities: g.capabilities, publishes: g.publishes, subscribes: g.subscribes, retained: g.retained, send_to: g.send_to, env_names: g.env_names, limits: g.limits };
}

function toGrant(row: GrantRow): AgentGrant {
  const parts = grantPartsSchema.catch(emptyGrantParts()).parse(safeJson(row.parts));
  return agentGrantSchema.parse({ ...parts, agent: row.agent, origin: row.origin, source: row.source, review: row.review === 1, revision: row.revision, created_at: row.created_at, updated_at: row.updated_at });
}

function toRequest(row: RequestRow): GrantRequest {
  return {
    id: row.id,
    agent: row.agent,
    asked: grantPartsSchema.catch(emptyGrantParts()).parse(safeJson(row.asked)),
    reason: row.reason,
    origin: row.origin as GrantOrigin,
    source: row.source,
    requested_by: row.requested_by,
    status: row.status as GrantRequestStatus,
    created_at: row.created_at,
    decided_at: row.decided_at,
  };
}

function toDecision(row: DecisionRow): GrantDecision {
  return {
    seq: row.seq,
    agent: row.agent,
    request_id: row.request_id,
    decision: row.decision as GrantDecisionKind,
    parts: grantPartsSchema.catch(emptyGrantParts()).parse(safeJson(row.parts)),
    by: row.decided_by,
    note: row.note,
    at: row.at,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
