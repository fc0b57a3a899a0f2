/**
 * The rolling-summary policy, kept free of I/O so it is easy to reason about: when the summary plus
 * the verbatim turns pass the token budget, every turn except the newest `keepRecentTurns` is folded
 * into the summary by one LLM call; what is sent to the LLM is the summary (in the system prompt)
 * and the unfolded turns verbatim.
 */
import type { ChatMessage } from '../../llm/provider.js';
import { estimateTokens, type ConversationState, type StoredTurn } from './conversation-store.js';

export interface HistoryPolicy {
  /** Summary + verbatim turns above this many (estimated) tokens → fold. Default 2000. */
  tokenBudget: number;
  /** Turns (user and assistant messages) always kept verbatim. Even; default 6 (three exchanges). */
  keepRecentTurns: number;
  /** Upper bound for the summary the LLM writes. Default 400 tokens. */
  summaryMaxTokens: number;
}

export const DEFAULT_HISTORY_POLICY: HistoryPolicy = { tokenBudget: 2000, keepRecentTurns: 6, summaryMaxTokens: 400 };

export function resolvePolicy(p: Partial<HistoryPolicy> = {}): HistoryPolicy {
  const merged = { ...DEFAULT_HISTORY_POLICY, ...p };
  // Exchanges are stored in pairs; an even count keeps the verbatim part starting with a user turn.
  const keep = Math.max(0, Math.ceil(merged.keepRecentTurns / 2) * 2);
  return { tokenBudget: Math.max(1, merged.tokenBudget), keepRecentTurns: keep, summaryMaxTokens: Math.max(16, merged.summaryMaxTokens) };
}

export const SUMMARY_SYSTEM_PROMPT = `You maintain the running summary of a conversation between a user and an AI assistant.
Merge the previous summary and the new turns into one concise summary in the third person.
Keep what matters later: facts about the user, names, decisions, requests and their outcomes, open questions.
Drop small talk. Write only the summary, no preamble.`;

export function historyTokens(state: Pick<ConversationState, 'summary' | 'turns'>): number {
  return (state.summary ? estimateTokens(state.summary) : 0) + state.turns.reduce((n, t) => n + t.tokens, 0);
}

/** The turns to fold now, or null when the history is within budget (or too short to fold). */
export function turnsToFold(state: ConversationState, policy: HistoryPolicy): StoredTurn[] | null {
  if (historyTokens(state) <= policy.tokenBudget) return null;
  const cut = state.turns.length - policy.keepRecentTurns;
  return cut > 0 ? state.turns.slice(0, cut) : null;
}

/** The request that folds `turns` into `summary`. */
export function foldRequest(summary: string, turns: readonly StoredTurn[]): ChatMessage[] {
  const transcript = turns.map((t) => `${t.role === 'user' ? 'User' : 'Assistant'}: ${t.content}`).join('\n');
  return [{ role: 'user', content: `Previous summary:\n${summary || '(none yet)'}\n\nNew turns:\n${transcript}\n\nWrite the updated summary.` }];
}

/**
 * The unfolded turns to send with a new message. If folding is behind (it failed, or a burst of
 * long messages), the oldest exchanges beyond twice the budget are left out of the request — never
 * out of the store — so one bad call cannot make every later request too big.
 */
export function verbatimTurns(state: ConversationState, policy: HistoryPolicy): ChatMessage[] {
  const limit = policy.tokenBudget * 2;
  let turns = state.turns;
  let total = historyTokens(state);
  while (total > limit && turns.length > policy.keepRecentTurns && turns.length >= 2) {
    total -= turns[0]!.tokens + turns[1]!.tokens;
    turns = turns.slice(2);
  }
  return turns.map((t) => ({ role: t.role, content: t.content }));
}

/** The summary as a system-prompt section ('' when there is none). */
export function summarySection(summary: string): string {
  return summary ? `Summary of the earlier conversation (older turns, folded):\n${summary}` : '';
}
