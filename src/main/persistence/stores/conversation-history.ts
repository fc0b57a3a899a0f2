/** Per-agent chat turns (conversation_history), for LLM agents' memory and the UI feed. */
import type { Database } from 'better-sqlite3';
import { nowSeconds } from './json-column.js';

export interface ConversationTurn {
  id: number;
  agent: string;
  /** user | assistant | system | tool … */
  role: string;
  content: string;
  /** Epoch seconds. */
  ts: number;
  tokens: number | null;
}

export interface NewTurn {
  role: string;
  content: string;
  ts?: number;
  tokens?: number | null;
}

export class ConversationHistory {
  constructor(private readonly db: Database) {}

  append(agent: string, turn: NewTurn): ConversationTurn {
    const ts = turn.ts ?? nowSeconds();
    const tokens = turn.tokens ?? null;
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO conversation_history (agent, role, content, ts, tokens) VALUES (?, ?, ?, ?, ?)')
      .run(agent, turn.role, turn.content, ts, tokens);
    return { id: Number(lastInsertRowid), agent, role: turn.role, content: turn.content, ts, tokens };
  }

  /** The last `limit` turns of `agent`, oldest first (ready to send to an LLM). */
  recent(agent: string, limit = 50): ConversationTurn[] {
    const rows = this.db
      .prepare('SELECT * FROM conversation_history WHERE agent = ? ORDER BY ts DESC, id DESC LIMIT ?')
      .all(agent, limit) as ConversationTurn[];
    return rows.reverse();
  }

  count(agent: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM conversation_history WHERE agent = ?').get(agent) as { n: number }).n;
  }

  /** Keeps only the newest `keep` turns (after a rolling summary). Returns how many were removed. */
  trim(agent: string, keep: number): number {
    return this.db
      .prepare(
        `DELETE FROM conversation_history WHERE agent = ? AND id NOT IN (
           SELECT id FROM conversation_history WHERE agent = ? ORDER BY ts DESC, id DESC LIMIT ?)`,
      )
      .run(agent, agent, Math.max(0, keep)).changes;
  }

  clear(agent: string): number {
    return this.db.prepare('DELETE FROM conversation_history WHERE agent = ?').run(agent).changes;
  }
}
