/**
 * The chat log (the original's `chat_log` table, served by GET /api/chats and the original
 * dashboard's feed seed): every turn of a chat with the hub — what the user typed and what came
 * back, from every interface — in one table, newest rows kept (stores/chat-log.ts bounds it).
 */
import type { Migration } from './migration.js';

export const chatLog: Migration = {
  version: 6,
  name: 'chat_log',
  up(db) {
    db.exec(`
      CREATE TABLE chat_log (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        ts          REAL NOT NULL,
        agent_name  TEXT NOT NULL,
        role        TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        content     TEXT NOT NULL,
        session_id  TEXT NOT NULL DEFAULT '',
        attachments TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(attachments))
      );
      CREATE INDEX chat_log_ts ON chat_log (ts, id);
      CREATE INDEX chat_log_agent_ts ON chat_log (agent_name, ts, id);
    `);
  },
};
