import { describe, expect, it } from 'vitest';
import { estimateTokens, type ConversationState, type StoredTurn } from './conversation-store.js';
import { resolvePolicy, turnsToFold, verbatimTurns } from './rolling-summary.js';

function state(contents: string[], summary = ''): ConversationState {
  const turns: StoredTurn[] = contents.map((content, i) => ({ id: i + 1, role: i % 2 === 0 ? 'user' : 'assistant', content, tokens: estimateTokens(content) }));
  return { summary, foldedThrough: 0, turnsFolded: 0, turns };
}

describe('rolling summary policy', () => {
  it('keeps an even number of recent turns, so the verbatim part starts with the user', () => {
    expect(resolvePolicy({ keepRecentTurns: 3 }).keepRecentTurns).toBe(4);
    expect(resolvePolicy({ keepRecentTurns: 0 }).keepRecentTurns).toBe(0);
  });

  it('folds nothing within budget, and everything but the recent turns past it', () => {
    const policy = resolvePolicy({ tokenBudget: 30, keepRecentTurns: 2 });
    expect(turnsToFold(state(['a', 'b']), policy)).toBeNull();
    const long = state(['x'.repeat(40), 'y'.repeat(40), 'z'.repeat(40), 'w'.repeat(40)]);
    expect(turnsToFold(long, policy)!.map((t) => t.id)).toEqual([1, 2]);
    // Past the budget but nothing older than the recent turns: nothing to fold.
    expect(turnsToFold(state(['x'.repeat(200), 'y'.repeat(200)]), policy)).toBeNull();
  });

  it('leaves the oldest exchanges out of a request when folding is far behind (never the recent ones)', () => {
    const policy = resolvePolicy({ tokenBudget: 20, keepRecentTurns: 2 });
    const s = state(Array.from({ length: 10 }, (_, i) => `${i}`.repeat(60)));
    const sent = verbatimTurns(s, policy);
    expect(sent.length).toBe(2);
    expect(sent[0]).toEqual({ role: 'user', content: '8'.repeat(60) });
    expect(verbatimTurns(state(['a', 'b', 'c', 'd']), policy)).toHaveLength(4);
  });
});
