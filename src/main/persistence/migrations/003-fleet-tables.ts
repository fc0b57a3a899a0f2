/**
 * Remote nodes (src/main/nodes): the hub's placements, durable command outbox, known nodes and
 * migrations; a node's own agent specs and the command ids it has already applied (so a command
 * redelivered by the broker has no second effect). A hub and a node each use their own database;
 * each simply leaves the other's tables empty.
 */
import type { Migration } from './migration.js';

export const fleetTables: Migration = {
  version: 3,
  name: 'fleet_tables',
  up(db) {
    db.exec(`
      -- node-agents.ts
      CREATE TABLE node_agent_specs (
        name       TEXT PRIMARY KEY,
        spec       TEXT NOT NULL,
        spec_hash  TEXT NOT NULL,
        issued_at  REAL NOT NULL DEFAULT 0,
        updated_at REAL NOT NULL
      );
      -- processed-commands.ts
      CREATE TABLE node_processed_commands (
        command_id   TEXT PRIMARY KEY,
        kind         TEXT NOT NULL,
        ok           INTEGER NOT NULL,
        result       TEXT,
        processed_at REAL NOT NULL
      );
      CREATE TABLE node_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      -- command-outbox.ts
      CREATE TABLE hub_node_outbox (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        command_id   TEXT NOT NULL UNIQUE,
        node         TEXT NOT NULL,
        kind         TEXT NOT NULL,
        payload      TEXT NOT NULL CHECK (json_valid(payload)),
        retain       INTEGER NOT NULL DEFAULT 0,
        created_at   REAL NOT NULL,
        attempts     INTEGER NOT NULL DEFAULT 0,
        last_sent_at REAL,
        acked_at     REAL,
        ok           INTEGER,
        error        TEXT
      );
      CREATE INDEX hub_node_outbox_pending ON hub_node_outbox (node, acked_at, seq);
      -- node-store.ts
      CREATE TABLE hub_node_placements (
        name       TEXT PRIMARY KEY,
        node       TEXT NOT NULL,
        spec       TEXT NOT NULL CHECK (json_valid(spec)),
        command_id TEXT NOT NULL,
        state      TEXT CHECK (state IS NULL OR json_valid(state)),
        issued_at  REAL NOT NULL,
        status     TEXT NOT NULL DEFAULT 'pending',
        error      TEXT,
        updated_at REAL NOT NULL
      );
      CREATE INDEX hub_node_placements_node ON hub_node_placements (node);
      CREATE TABLE hub_nodes (
        name       TEXT PRIMARY KEY,
        first_seen REAL NOT NULL,
        last_seen  REAL NOT NULL,
        heartbeat  TEXT CHECK (heartbeat IS NULL OR json_valid(heartbeat))
      );
      CREATE TABLE hub_node_migrations (
        command_id       TEXT PRIMARY KEY,
        name             TEXT NOT NULL,
        from_node        TEXT NOT NULL,
        to_node          TEXT NOT NULL,
        status           TEXT NOT NULL,
        error            TEXT,
        spawn_command_id TEXT,
        created_at       REAL NOT NULL,
        updated_at       REAL NOT NULL
      );
      CREATE TABLE hub_node_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `);
  },
};
