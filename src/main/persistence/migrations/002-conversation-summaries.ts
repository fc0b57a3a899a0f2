/**
 * Rolling summaries for LLM agents: one row per agent holding the summary of every turn up to
 * `folded_through` (a conversation_history id). Turns after it are sent verbatim. The transcript
 * itself stays in conversation_history (the UI feed); `folded_through` — not deleting rows — is
 * what marks a turn as summarised, so a crash between "summary written" and any cleanup can
 * never fold a turn twice.
 */
import type { Migration } from './migration.js';

export const conversationSummaries: Migration = {
  version: 2,
  name: 'conversation_summaries',
  up(db) {
    db.exec(`
      CREATE TABLE conversation_summaries (
        agent          TEXT PRIMARY KEY,
        summary        TEXT NOT NULL,
        folded_through INTEGER NOT NULL DEFAULT 0 CHECK (folded_through >= 0),
        turns_folded   INTEGER NOT NULL DEFAULT 0 CHECK (turns_folded >= 0),
        updated_at     REAL NOT NULL
      );
      -- "this agent's turns after id N, in order" is the LLM agents' hot query.
      CREATE INDEX conversation_history_agent_id ON conversation_history (agent, id);
    `);
  },
};
