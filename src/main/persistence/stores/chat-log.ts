/**
 * The chat log (chat_log, migration 006): one row per turn of a chat with the hub, whatever the
 * interface. Bounded: past `maxRows` the oldest rows go (checked every `pruneEvery` writes, so a
 * write stays one INSERT). Read newest first (GET /api/chats) or as the original dashboard's feed seed.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { ChatLogRow, ChatsQuery } from '../../../shared/original-monitor.js';
import { nowSeconds } from './json-column.js';

export interface ChatLogEntry {
  agent: string;
  role: 'user' | 'assistant';
  content: string;
  /** `<interface>:<user>`. */
  session?: string;
  ts?: number;
}

export interface ChatLogOptions {
  /** Rows kept (default 10 000). */
  maxRows?: number;
  /** Writes between two prunes (default 100). */
  pruneEvery?: number;
}

type Row = Omit<ChatLogRow, 'attachments'> & { attachments: string };

export class ChatLog {
  private readonly insert: Statement;
  private readonly prune: Statement;
  private readonly maxRows: number;
  private readonly pruneEvery: number;
  private writes = 0;

  constructor(
    private readonly db: Database,
    opts: ChatLogOptions = {},
  ) {
    this.maxRows = opts.maxRows ?? 10_000;
    this.pruneEvery = Math.max(1, opts.pruneEvery ?? 100);
    this.insert = db.prepare('INSERT INTO chat_log (ts, agent_name, role, content, session_id) VALUES (?, ?, ?, ?, ?)');
    this.prune = db.prepare('DELETE FROM chat_log WHERE id <= (SELECT id FROM chat_log ORDER BY id DESC LIMIT 1 OFFSET ?)');
  }

  append(e: ChatLogEntry): void {
    this.insert.run(e.ts ?? nowSeconds(), e.agent, e.role, e.content, e.session ?? '');
    if (++this.writes % this.pruneEvery === 0) this.prune.run(this.maxRows);
  }

  /** Newest first, filtered as the original's query_chat_log. */
  query(q: Partial<ChatsQuery> = {}): ChatLogRow[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const when = (clause: string, value: string | number): void => {
      where.push(clause);
      params.push(value);
    };
    if (q.agent) when('agent_name = ?', q.agent);
    if (q.role) when('role = ?', q.role);
    if (q.since !== undefined) when('ts > ?', q.since);
    const sql = `SELECT id, ts, agent_name, role, content, session_id, attachments FROM chat_log${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ts DESC, id DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, q.limit ?? 200) as Row[];
    return rows.map((r) => ({ ...r, attachments: JSON.parse(r.attachments) as unknown[] }));
  }

  /** Removes one agent's rows, or every row; returns how many. */
  clear(agent?: string): number {
    return (agent ? this.db.prepare('DELETE FROM chat_log WHERE agent_name = ?').run(agent) : this.db.prepare('DELETE FROM chat_log').run()).changes;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM chat_log').get() as { n: number }).n;
  }
}
