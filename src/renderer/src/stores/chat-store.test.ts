import { afterEach, describe, expect, it, vi } from 'vitest';
import { emptyUpdate, type DashboardUpdate } from '../connection/topic-router.js';
import { MemoryStorage } from '../lib/storage.js';
import { CHAT_HISTORY_KEY, CHAT_KEPT, createChatStore } from './chat-store.js';

const chunk = (content: string, message_id?: string, done = false, extra: object = {}): DashboardUpdate => {
  const u = emptyUpdate();
  u.chatResponses.push({ from: 'main', content, done, timestamp: 1, ...(message_id ? { message_id } : {}), ...extra });
  return u;
};

describe('chat store', () => {
  afterEach(() => vi.useRealTimers());

  it('streams a reply into the placeholder and replaces it with the final text', () => {
    const store = createChatStore(new MemoryStorage());
    store.getState().addOutgoing('hello', 'm1');
    expect(store.getState().messages.map((m) => [m.role, m.streaming ?? false])).toEqual([
      ['user', false],
      ['assistant', true],
    ]);
    store.getState().applyUpdate(chunk('Hel', 'm1'));
    store.getState().applyUpdate(chunk('lo!', 'm1'));
    expect(store.getState().messages[1]!.content).toBe('Hello!');
    store.getState().applyUpdate(chunk('Hello there!', 'm1', true));
    expect(store.getState().messages[1]).toMatchObject({ content: 'Hello there!', streaming: false, role: 'assistant' });
    // A late chunk does not reopen a finished reply.
    store.getState().applyUpdate(chunk('zzz', 'm1'));
    expect(store.getState().messages[1]!.content).toBe('Hello there!');
  });

  it('keeps concurrent replies apart by message_id', () => {
    const store = createChatStore(new MemoryStorage());
    store.getState().addOutgoing('one', 'a');
    store.getState().addOutgoing('two', 'b');
    store.getState().applyUpdate(chunk('B', 'b'));
    store.getState().applyUpdate(chunk('A', 'a'));
    const replies = store.getState().messages.filter((m) => m.role === 'assistant');
    expect(replies.map((m) => [m.messageId, m.content])).toEqual([
      ['a', 'A'],
      ['b', 'B'],
    ]);
  });

  it('shows the agents/{main}/chat copy of a reply only once', () => {
    const store = createChatStore(new MemoryStorage());
    store.getState().addOutgoing('hi', 'm1');
    const copy = emptyUpdate();
    copy.agentChats.push({ actorId: 'main-id', value: { from: 'main', to: 'dashboard', content: 'Hi!', timestamp: 2, role: 'assistant', message_id: 'm1' } });
    store.getState().applyUpdate(copy);
    store.getState().applyUpdate(chunk('Hi!', 'm1', true));
    expect(store.getState().messages.map((m) => m.content)).toEqual(['hi', 'Hi!']);
    // Without a message_id, a recent identical reply is not shown twice either.
    const again = emptyUpdate();
    again.agentChats.push({ actorId: 'main-id', value: { from: 'main', content: 'Hi!', timestamp: 3 } });
    store.getState().applyUpdate(again);
    expect(store.getState().messages).toHaveLength(2);
  });

  it('shows what agents say to the user, and other clients’ chats, but not agent-to-agent talk or our own echo', () => {
    const store = createChatStore(new MemoryStorage());
    store.getState().addOutgoing('mine', 'own-1');
    const u = emptyUpdate();
    u.chatRequests.push({ from: 'dashboard', content: 'mine', message_id: 'own-1' }, { from: 'cli', content: 'from the terminal', message_id: 'cli-1' });
    u.agentChats.push(
      { actorId: 'w', value: { from: 'weather', to: 'user', content: 'Rain at 5', timestamp: 1 } },
      { actorId: 'w', value: { from: 'weather', to: 'planner', content: 'internal', timestamp: 1 } },
    );
    store.getState().applyUpdate(u);
    const msgs = store.getState().messages;
    expect(msgs.map((m) => [m.role, m.from, m.content])).toEqual([
      ['user', 'you', 'mine'],
      ['assistant', 'main', ''],
      ['user', 'cli', 'from the terminal'],
      ['agent', 'weather', 'Rain at 5'],
    ]);
  });

  it('turns a failed reply into an error message', () => {
    const store = createChatStore(new MemoryStorage());
    store.getState().addOutgoing('hi', 'm1');
    store.getState().applyUpdate(chunk('Error: main is not running', 'm1', true, { error: true }));
    expect(store.getState().messages[1]).toMatchObject({ role: 'error', streaming: false });
    store.getState().addOutgoing('again', 'm2');
    store.getState().fail('m2', 'No reply');
    expect(store.getState().messages[3]).toMatchObject({ role: 'error', content: 'No reply' });
  });

  it('keeps history across reloads, capped, and ends replies that were streaming', async () => {
    vi.useFakeTimers();
    const storage = new MemoryStorage();
    const a = createChatStore(storage, 10);
    for (let i = 0; i < CHAT_KEPT; i++) a.getState().addOutgoing(`q${i}`, `id${i}`);
    a.getState().applyUpdate(chunk('partial', `id${CHAT_KEPT - 1}`));
    await vi.advanceTimersByTimeAsync(50);
    const saved = JSON.parse(storage.getItem(CHAT_HISTORY_KEY)!) as unknown[];
    expect(saved).toHaveLength(CHAT_KEPT);
    const b = createChatStore(storage);
    const msgs = b.getState().messages;
    expect(msgs).toHaveLength(CHAT_KEPT);
    expect(msgs.some((m) => m.streaming)).toBe(false);
    expect(msgs.at(-1)!.content).toBe('partial');
    expect(msgs.at(-3)!.content).toBe('(interrupted)');
  });

  it('saves a finished reply at once, without waiting for the debounce', () => {
    const storage = new MemoryStorage();
    const store = createChatStore(storage, 60_000);
    store.getState().addOutgoing('hi', 'm1');
    store.getState().applyUpdate(chunk('Hel', 'm1'));
    // Still streaming: not saved yet (the debounce is a minute here).
    expect(JSON.parse(storage.getItem(CHAT_HISTORY_KEY) ?? '[]')).toHaveLength(0);
    store.getState().applyUpdate(chunk('Hello!', 'm1', true));
    const saved = JSON.parse(storage.getItem(CHAT_HISTORY_KEY)!) as { content: string }[];
    expect(saved.map((m) => m.content)).toEqual(['hi', 'Hello!']);
  });

  it('ignores a corrupt saved history', () => {
    const storage = new MemoryStorage();
    storage.setItem(CHAT_HISTORY_KEY, '{not json');
    expect(createChatStore(storage).getState().messages).toEqual([]);
    storage.setItem(CHAT_HISTORY_KEY, JSON.stringify([{ role: 'hacker' }]));
    expect(createChatStore(storage).getState().messages).toEqual([]);
  });
});
