/**
 * Approvals, refusals and grant reviews in SQLite (migration 005-approvals), so a pending request
 * survives a restart and every decision can be audited. Rows hold the shared contract's JSON
 * (src/shared/approvals.ts), validated when read back: a row written by hand or by a newer hub that
 * does not fit is skipped with a log line, never a crash.
 *
 * Bounded: decided approvals and refusals are kept up to `keep` each (oldest dropped); pending
 * ones are never dropped.
 */
import type { Database } from 'better-sqlite3';
import { approvalSchema, askerSchema, type Approval, type Asker, type Refusal } from '../../shared/approvals.js';
import { fromJson, nowSeconds, toJson } from '../persistence/stores/json-column.js';
import type { Logger } from '../base/logger.js';

interface ApprovalRow {
  id: string;
  doc: string;
  spec: string | null;
}

interface RefusalRow {
  id: number;
  at: number;
  agent: string;
  reason: string;
  doc: string;
}

export type RefusalInput = Omit<Refusal, 'id' | 'at'>;

export class ApprovalStore {
  constructor(
    private readonly db: Database,
    private readonly opts: { keep?: number; log?: Logger } = {},
  ) {}

  /** Adds a new approval (with the spawn spec of an agent that waits for it). */
  insert(a: Approval, spec?: unknown): void {
    this.db
      .prepare('INSERT INTO approvals (id, agent, state, doc, spec, created_at, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(a.id, a.agent, a.state, toJson(a, `approval ${a.id}`), spec === undefined ? null : toJson(spec, `approval ${a.id} spec`), a.created_at, a.decided_at);
  }

  update(a: Approval): void {
    this.db.prepare('UPDATE approvals SET state = ?, doc = ?, decided_at = ? WHERE id = ?').run(a.state, toJson(a, `approval ${a.id}`), a.decided_at, a.id);
    if (a.state !== 'pending') this.prune();
  }

  get(id: string): Approval | undefined {
    const row = this.db.prepare('SELECT id, doc, spec FROM approvals WHERE id = ?').get(id) as ApprovalRow | undefined;
    return row ? this.read(row) : undefined;
  }

  /** The spawn spec kept with an approval whose agent waits for it. */
  specOf(id: string): unknown {
    const row = this.db.prepare('SELECT spec FROM approvals WHERE id = ?').get(id) as { spec: string | null } | undefined;
    return row?.spec ? fromJson<unknown>(row.spec, `approval ${id} spec`) : undefined;
  }

  /** Newest first. */
  list(filter: { state?: Approval['state']; agent?: string; limit?: number } = {}): Approval[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.state) {
      where.push('state = ?');
      args.push(filter.state);
    }
    if (filter.agent) {
      where.push('agent = ?');
      args.push(filter.agent);
    }
    const sql = `SELECT id, doc, spec FROM approvals ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, filter.limit ?? 500) as ApprovalRow[];
    return rows.map((r) => this.read(r)).filter((a): a is Approval => a !== undefined);
  }

  pendingCount(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM approvals WHERE state = 'pending'").get() as { n: number }).n;
  }

  // ── refusals ──────────────────────────────────────────────────────────────

  refuse(r: RefusalInput): Refusal {
    const at = nowSeconds();
    const doc = { asked_by: r.asked_by, items: r.items, message: r.message, approval_id: r.approval_id, by: r.by };
    const info = this.db.prepare('INSERT INTO approval_refusals (at, agent, reason, doc) VALUES (?, ?, ?, ?)').run(at, r.agent, r.reason, toJson(doc, 'refusal'));
    this.pruneRefusals();
    return { id: Number(info.lastInsertRowid), at, ...r };
  }

  /** Newest first. */
  refusals(filter: { agent?: string; limit?: number } = {}): Refusal[] {
    const rows = (
      filter.agent
        ? this.db.prepare('SELECT * FROM approval_refusals WHERE agent = ? ORDER BY id DESC LIMIT ?').all(filter.agent, filter.limit ?? 200)
        : this.db.prepare('SELECT * FROM approval_refusals ORDER BY id DESC LIMIT ?').all(filter.limit ?? 200)
    ) as RefusalRow[];
    return rows.flatMap((row) => {
      try {
        const doc = fromJson<Record<string, unknown>>(row.doc, 'refusal');
        const asker = askerSchema.safeParse(doc.asked_by);
        return [
          {
            id: row.id,
            at: row.at,
            agent: row.agent,
            reason: row.reason as Refusal['reason'],
            asked_by: asker.success ? (asker.data as Asker) : null,
            items: Array.isArray(doc.items) ? doc.items.map(String) : [],
            message: String(doc.message ?? ''),
            approval_id: typeof doc.approval_id === 'string' ? doc.approval_id : null,
            by: typeof doc.by === 'string' ? doc.by : null,
          },
        ];
      } catch {
        return [];
      }
    });
  }

  // ── grant reviews (agents that existed at the upgrade) ────────────────────

  /** Agents whose grant a person should review. */
  reviews(): Set<string> {
    return new Set((this.db.prepare('SELECT agent FROM grant_reviews').all() as { agent: string }[]).map((r) => r.agent));
  }

  /** The person looked at it (or changed it): no longer listed for review. */
  reviewed(agent: string): boolean {
    return this.db.prepare('DELETE FROM grant_reviews WHERE agent = ?').run(agent).changes > 0;
  }

  private read(row: ApprovalRow): Approval | undefined {
    try {
      const parsed = approvalSchema.safeParse(fromJson<unknown>(row.doc, `approval ${row.id}`));
      if (parsed.success) return parsed.data;
      this.opts.log?.('warning', `approvals: skipped approval ${row.id}: ${parsed.error.issues[0]?.message ?? 'does not fit the schema'}`);
    } catch (e) {
      this.opts.log?.('warning', `approvals: skipped approval ${row.id}: ${(e as Error).message}`);
    }
    return undefined;
  }

  private prune(): void {
    const keep = this.opts.keep ?? 5_000;
    this.db
      .prepare(`DELETE FROM approvals WHERE state != 'pending' AND id NOT IN (SELECT id FROM approvals WHERE state != 'pending' ORDER BY decided_at DESC LIMIT ?)`)
      .run(keep);
  }

  private pruneRefusals(): void {
    const keep = this.opts.keep ?? 5_000;
    this.db.prepare('DELETE FROM approval_refusals WHERE id <= (SELECT MAX(id) FROM approval_refusals) - ?').run(keep);
  }
}
