/** The LLM agents' transcript on a real SQLite file: folded turns are bounded, unfolded ones never lost. */
import { afterEach, describe, expect, it } from 'vitest';
import type { Persistence } from '../../persistence/persistence.js';
import { tempPersistences } from '../../persistence/testing/temp-persistence.js';
import { ConversationStore } from './conversation-store.js';

const temp = tempPersistences('wz-conversation');
afterEach(() => temp.closeAll());
const open = async (): Promise<Persistence> => (await temp.open()).p;
const turnsOf = (db: Persistence['db'], agent: string): string[] =>
  db.prepare('SELECT content FROM conversation_history WHERE agent = ? ORDER BY id').pluck().all(agent) as string[];

describe('ConversationStore', () => {
  it('keeps the newest turns of an agent once folded into its summary, and every unfolded one', async () => {
    const { db } = await open();
    const store = new ConversationStore(db, 6);
    for (let i = 1; i <= 10; i++) store.appendExchange('a', `u${i}`, `a${i}`);
    store.appendExchange('b', 'other', 'agent');
    expect(turnsOf(db, 'a')).toHaveLength(20);

    // Fold the first 8 exchanges (16 turns): only the newest 6 turns of `a` stay, the 4 unfolded among them.
    const state = store.load('a');
    store.saveSummary('a', 'summary of 1..8', state.turns[15]!.id, 16);
    expect(turnsOf(db, 'a')).toEqual(['u8', 'a8', 'u9', 'a9', 'u10', 'a10']);
    expect(store.load('a')).toMatchObject({ summary: 'summary of 1..8', turnsFolded: 16, turns: [{ content: 'u9' }, { content: 'a9' }, { content: 'u10' }, { content: 'a10' }] });
    expect(turnsOf(db, 'b')).toEqual(['other', 'agent']); // another agent's transcript is untouched

    // More unfolded turns than the bound: none is deleted before it is folded.
    for (let i = 11; i <= 15; i++) store.appendExchange('a', `u${i}`, `a${i}`);
    store.saveSummary('a', 'summary of 1..9', store.load('a').turns[1]!.id, 18);
    const left = turnsOf(db, 'a');
    expect(left.slice(-12)).toEqual(['u10', 'a10', 'u11', 'a11', 'u12', 'a12', 'u13', 'a13', 'u14', 'a14', 'u15', 'a15']);
    expect(left).toHaveLength(12);
  });
});
