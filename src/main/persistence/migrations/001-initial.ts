/**
 * The initial schema: the generic durable key-value table behind persist/recall, and the
 * structured tables the original Wactorz keeps in SQLite. Timestamps are epoch seconds (REAL),
 * like every `timestamp` on the bus. JSON columns are TEXT checked with json_valid().
 */
import type { Migration } from './migration.js';

export const initialSchema: Migration = {
  version: 1,
  name: 'initial_schema',
  up(db) {
    db.exec(`
      -- persist/recall for durable keys, one namespace per actor.
      CREATE TABLE kv (
        actor      TEXT NOT NULL,
        key        TEXT NOT NULL,
        value      TEXT NOT NULL CHECK (json_valid(value)),
        updated_at REAL NOT NULL,
        PRIMARY KEY (actor, key)
      ) WITHOUT ROWID;

      -- Every spawned agent (dynamic, llm, catalog…): re-spawned on start.
      CREATE TABLE spawn_registry (
        name       TEXT PRIMARY KEY,
        kind       TEXT NOT NULL,
        code       TEXT,
        language   TEXT,
        version    INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
        config     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
        node       TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
      );

      -- Every deployed version of a DynamicAgent's code, so a bad hot-swap can be rolled back.
      CREATE TABLE agent_code_versions (
        name       TEXT NOT NULL REFERENCES spawn_registry (name) ON DELETE CASCADE ON UPDATE CASCADE,
        version    INTEGER NOT NULL CHECK (version >= 1),
        code       TEXT NOT NULL,
        language   TEXT NOT NULL,
        created_at REAL NOT NULL,
        note       TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (name, version)
      );

      CREATE TABLE conversation_history (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        agent   TEXT NOT NULL,
        role    TEXT NOT NULL,
        content TEXT NOT NULL,
        ts      REAL NOT NULL,
        tokens  INTEGER
      );
      CREATE INDEX conversation_history_agent_ts ON conversation_history (agent, ts, id);

      -- Durable facts about the user, extracted from conversations.
      CREATE TABLE user_facts (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at REAL NOT NULL
      );

      -- Numeric samples (sensors, detections, HA states…) for charts and ML agents.
      CREATE TABLE time_series (
        id     INTEGER PRIMARY KEY,
        series TEXT NOT NULL,
        ts     REAL NOT NULL,
        value  REAL,
        attrs  TEXT CHECK (attrs IS NULL OR json_valid(attrs))
      );
      CREATE INDEX time_series_series_ts ON time_series (series, ts);

      -- What each agent publishes/subscribes to (the TopicBus registry), surviving restarts.
      CREATE TABLE topic_contracts (
        name            TEXT PRIMARY KEY,
        actor_id        TEXT NOT NULL DEFAULT '',
        node            TEXT NOT NULL DEFAULT '',
        publishes       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(publishes)),
        subscribes      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(subscribes)),
        triggers_when   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(triggers_when)),
        produces_schema TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(produces_schema)),
        consumes_schema TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(consumes_schema)),
        updated_at      REAL NOT NULL
      );

      -- Reactive pipelines built by the planner: the request and the agents that implement it.
      CREATE TABLE pipeline_rules (
        rule_id    TEXT PRIMARY KEY,
        task       TEXT NOT NULL,
        agents     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(agents)),
        enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
      );
    `);
  },
};
