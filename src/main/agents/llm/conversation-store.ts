/**
 * An LLM agent's memory in SQLite: the transcript in `conversation_history` (one row per turn) and
 * its rolling summary in `conversation_summaries` (migration 002). A turn is "folded" when its id
 * is ≤ the summary's `folded_through`; only unfolded turns are sent to the LLM verbatim.
 *
 * Bound: the hub runs all day, so the transcript may not grow forever. When a summary is saved,
 * folded turns beyond the newest `keepTurns` of the agent (1,000: what GET /api/actors/{id}/history
 * shows) are deleted — the summary already holds them. Unfolded turns are never deleted here: the
 * LLM still needs them, and the summary's token budget keeps them few.
 */
import type { Database } from 'better-sqlite3';

export interface StoredTurn {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  /** Estimated tokens (see estimateTokens). */
  tokens: number;
}

export interface ConversationState {
  summary: string;
  /** conversation_history id of the last turn folded into the summary (0: none). */
  foldedThrough: number;
  turnsFolded: number;
  /** Unfolded turns, oldest first. */
  turns: StoredTurn[];
}

/**
 * A deliberately simple estimate (≈ 4 characters per token, plus a little per message) — close
 * enough to keep a budget, the same for every provider, and free.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4) + 4;
}

const nowSeconds = (): number => Date.now() / 1000;

/** Turns kept per agent once folded (see the file comment). */
export const KEEP_TURNS = 1_000;

export class ConversationStore {
  private readonly insertTurn;
  private readonly selectTurns;
  private readonly selectSummary;
  private readonly upsertSummary;
  private readonly deleteOldFolded;

  constructor(
    private readonly db: Database,
    private readonly keepTurns = KEEP_TURNS,
  ) {
    this.insertTurn = db.prepare('INSERT INTO conversation_history (agent, role, content, ts, tokens) VALUES (?, ?, ?, ?, ?)');
    this.selectTurns = db.prepare('SELECT id, role, content, tokens FROM conversation_history WHERE agent = ? AND id > ? ORDER BY id');
    this.selectSummary = db.prepare('SELECT summary, folded_through, turns_folded FROM conversation_summaries WHERE agent = ?');
    this.upsertSummary = db.prepare(
      `INSERT INTO conversation_summaries (agent, summary, folded_through, turns_folded, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (agent) DO UPDATE SET summary = excluded.summary, folded_through = excluded.folded_through,
         turns_folded = excluded.turns_folded, updated_at = excluded.updated_at`,
    );
    this.deleteOldFolded = db.prepare(
      `DELETE FROM conversation_history WHERE agent = ? AND id <= ? AND id NOT IN (
         SELECT id FROM conversation_history WHERE agent = ? ORDER BY id DESC LIMIT ?)`,
    );
  }

  load(agent: string): ConversationState {
    const s = this.selectSummary.get(agent) as { summary: string; folded_through: number; turns_folded: number } | undefined;
    const foldedThrough = s?.folded_through ?? 0;
    const rows = this.selectTurns.all(agent, foldedThrough) as { id: number; role: string; content: string; tokens: number | null }[];
    const turns: StoredTurn[] = [];
    for (const r of rows) {
      // Other writers may have stored system/tool rows for the UI; the LLM only gets the dialogue.
      if (r.role !== 'user' && r.role !== 'assistant') continue;
      turns.push({ id: r.id, role: r.role, content: r.content, tokens: r.tokens ?? estimateTokens(r.content) });
    }
    return { summary: s?.summary ?? '', foldedThrough, turnsFolded: s?.turns_folded ?? 0, turns };
  }

  /** One exchange, written together so the dialogue always alternates user → assistant. */
  appendExchange(agent: string, user: string, assistant: string): void {
    const ts = nowSeconds();
    this.db.transaction(() => {
      this.insertTurn.run(agent, 'user', user, ts, estimateTokens(user));
      this.insertTurn.run(agent, 'assistant', assistant, ts, estimateTokens(assistant));
    })();
  }

  /** Saves the rolling summary and deletes the folded turns past the newest `keepTurns`. */
  saveSummary(agent: string, summary: string, foldedThrough: number, turnsFolded: number): void {
    this.db.transaction(() => {
      this.upsertSummary.run(agent, summary, foldedThrough, turnsFolded, nowSeconds());
      this.deleteOldFolded.run(agent, foldedThrough, agent, this.keepTurns);
    })();
  }

  /** Forgets the agent's conversation: transcript and summary. Returns the turns removed. */
  clear(agent: string): number {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM conversation_summaries WHERE agent = ?').run(agent);
      return this.db.prepare('DELETE FROM conversation_history WHERE agent = ?').run(agent).changes;
    })();
  }
}
