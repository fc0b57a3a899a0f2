/**
 * Approvals (src/main/approvals): what an LLM or an agent asked for beyond the safe default and
 * the decisions taken on it; refusals (denials, revocations, spawn caps) for audit; and agents to
 * review — every agent registered when this migration runs (an upgrade) kept its grant and is
 * listed for a person to look at.
 */
import type { Migration } from './migration.js';

export const approvalTables: Migration = {
  version: 5,
  name: 'approvals',
  up(db) {
    db.exec(`
      CREATE TABLE approvals (
        id         TEXT PRIMARY KEY,
        agent      TEXT NOT NULL,
        state      TEXT NOT NULL,
        doc        TEXT NOT NULL CHECK (json_valid(doc)),
        spec       TEXT CHECK (spec IS NULL OR json_valid(spec)),
        created_at REAL NOT NULL,
        decided_at REAL
      );
      CREATE INDEX approvals_agent ON approvals (agent, state);
      CREATE INDEX approvals_state ON approvals (state, created_at);
      CREATE TABLE approval_refusals (
        id     INTEGER PRIMARY KEY AUTOINCREMENT,
        at     REAL NOT NULL,
        agent  TEXT NOT NULL,
        reason TEXT NOT NULL,
        doc    TEXT NOT NULL CHECK (json_valid(doc))
      );
      CREATE INDEX approval_refusals_agent ON approval_refusals (agent, id);
      CREATE TABLE grant_reviews (
        agent TEXT PRIMARY KEY,
        since REAL NOT NULL
      );
      INSERT INTO grant_reviews (agent, since) SELECT name, CAST(strftime('%s', 'now') AS REAL) FROM spawn_registry;
    `);
  },
};
