/**
 * Agent grants (src/main/grants): each agent's effective grant, pending grant requests, and every
 * decision and refusal kept for audit. `grant_meta.upgrade_pending` tells the GrantStore, once,
 * to give the agents that existed before grants what they had, flagged for review (done in
 * TypeScript by the store: it reads the spawn registry's JSON configs).
 */
import type { Migration } from './migration.js';

export const agentGrants: Migration = {
  version: 4,
  name: 'agent_grants',
  up(db) {
    db.exec(`
      CREATE TABLE agent_grants (
        agent      TEXT PRIMARY KEY,
        parts      TEXT NOT NULL CHECK (json_valid(parts)),
        origin     TEXT NOT NULL,
        source     TEXT NOT NULL DEFAULT '',
        review     INTEGER NOT NULL DEFAULT 0,
        revision   INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
      );
      CREATE TABLE grant_requests (
        id           TEXT PRIMARY KEY,
        agent        TEXT NOT NULL,
        asked        TEXT NOT NULL CHECK (json_valid(asked)),
        reason       TEXT NOT NULL DEFAULT '',
        origin       TEXT NOT NULL,
        source       TEXT NOT NULL DEFAULT '',
        requested_by TEXT NOT NULL DEFAULT '',
        status       TEXT NOT NULL DEFAULT 'pending',
        created_at   REAL NOT NULL,
        decided_at   REAL
      );
      CREATE INDEX grant_requests_status ON grant_requests (status, created_at);
      CREATE INDEX grant_requests_agent ON grant_requests (agent, status);
      CREATE TABLE grant_decisions (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        agent      TEXT NOT NULL,
        request_id TEXT,
        decision   TEXT NOT NULL,
        parts      TEXT NOT NULL CHECK (json_valid(parts)),
        decided_by TEXT NOT NULL,
        note       TEXT NOT NULL DEFAULT '',
        at         REAL NOT NULL
      );
      CREATE INDEX grant_decisions_agent ON grant_decisions (agent, seq);
      CREATE TABLE grant_refusals (
        seq    INTEGER PRIMARY KEY AUTOINCREMENT,
        agent  TEXT NOT NULL,
        node   TEXT NOT NULL DEFAULT '',
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        reason TEXT NOT NULL,
        count  INTEGER NOT NULL DEFAULT 1,
        at     REAL NOT NULL
      );
      CREATE INDEX grant_refusals_agent ON grant_refusals (agent, seq);
      CREATE TABLE grant_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      INSERT INTO grant_meta (key, value) VALUES ('upgrade_pending', '1');
    `);
  },
};
