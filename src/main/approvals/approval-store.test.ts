/**
 * The approval store on a real SQLite file: migration 005 lists the agents that existed at the
 * upgrade for review; pending approvals survive reopening; a row that does not fit is skipped, not
 * a crash; decided approvals and refusals are bounded, pending ones never dropped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Approval } from '../../shared/approvals.js';
import { migrations } from '../persistence/migrations/index.js';
import { applyMigrations } from '../persistence/sqlite/migrate.js';
import { ApprovalStore } from './approval-store.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wz-approval-store-'));
  file = join(dir, 'wactorz.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const approval = (id: string, agent: string, state: Approval['state'] = 'pending', at = 1): Approval => ({
  id,
  agent,
  agent_kind: 'dynamic',
  asked_by: { kind: 'llm', name: 'main', via: 'spawn_block' },
  reason: 'because',
  state,
  items: [{ key: 'fetch', kind: 'capability', label: 'make HTTP requests', state: state === 'pending' ? 'pending' : 'approved' }],
  waiting: false,
  created_at: at,
  decided_at: state === 'pending' ? null : at,
  decided_by: state === 'pending' ? null : 'rest',
});

describe('ApprovalStore', () => {
  it('at the upgrade, agents already registered are listed for review; later ones are not', () => {
    const db = new Database(file);
    applyMigrations(db, migrations.filter((m) => m.version < 5));
    db.prepare("INSERT INTO spawn_registry (name, kind, created_at, updated_at) VALUES ('old-agent', 'dynamic', 1, 1)").run();
    applyMigrations(db, migrations);
    db.prepare("INSERT INTO spawn_registry (name, kind, created_at, updated_at) VALUES ('new-agent', 'dynamic', 2, 2)").run();
    const store = new ApprovalStore(db);
    expect([...store.reviews()]).toEqual(['old-agent']);
    expect(store.reviewed('old-agent')).toBe(true);
    expect(store.reviewed('old-agent')).toBe(false);
    expect(store.reviews().size).toBe(0);
    db.close();
  });

  it('pending approvals and their waiting spec survive reopening; a bad row is skipped with a log line', () => {
    let db = new Database(file);
    applyMigrations(db, migrations);
    new ApprovalStore(db).insert(approval('ap-1', 'a'), { name: 'a', code: 'x' });
    db.prepare("INSERT INTO approvals (id, agent, state, doc, created_at) VALUES ('ap-bad', 'b', 'pending', '{\"id\": 3}', 0)").run();
    db.close();

    db = new Database(file);
    const logs: string[] = [];
    const store = new ApprovalStore(db, { log: (_l, m) => logs.push(m) });
    expect(store.list({ state: 'pending' }).map((a) => a.id)).toEqual(['ap-1']);
    expect(store.specOf('ap-1')).toEqual({ name: 'a', code: 'x' });
    expect(store.pendingCount()).toBe(2);
    expect(logs.join('\n')).toMatch(/skipped approval ap-bad/);
    store.update({ ...approval('ap-1', 'a', 'approved', 5) });
    expect(store.get('ap-1')).toMatchObject({ state: 'approved', decided_by: 'rest' });
    expect(store.list({ agent: 'a', state: 'pending' })).toEqual([]);
    db.close();
  });

  it('keeps `keep` decided approvals and refusals; pending ones are never dropped', () => {
    const db = new Database(file);
    applyMigrations(db, migrations);
    const store = new ApprovalStore(db, { keep: 2 });
    store.insert(approval('ap-p', 'p'));
    for (let i = 0; i < 5; i++) {
      store.insert(approval(`ap-${i}`, 'x', 'pending', i));
      store.update(approval(`ap-${i}`, 'x', 'denied', 10 + i));
    }
    expect(store.list().map((a) => a.id).sort()).toEqual(['ap-3', 'ap-4', 'ap-p']);
    for (let i = 0; i < 4; i++) store.refuse({ agent: `r${i}`, asked_by: null, reason: 'denied', items: ['fetch'], message: `no ${i}`, approval_id: null, by: 'chat' });
    const refusals = store.refusals();
    expect(refusals.map((r) => r.agent)).toEqual(['r3', 'r2']);
    expect(refusals[0]).toMatchObject({ reason: 'denied', items: ['fetch'], message: 'no 3', by: 'chat', asked_by: null });
    expect(store.refusals({ agent: 'r2' })).toHaveLength(1);
    db.close();
  });
});
