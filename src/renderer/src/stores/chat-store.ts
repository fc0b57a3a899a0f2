/**
 * The conversation with main (and anything agents say to the user). Replies stream in as chunks on
 * `io/chat/response` and end with one `done` message that carries the whole text; the same reply
 * may also arrive on `agents/{main}/chat`, so that copy completes the pending reply instead of
 * showing twice. History survives reloads (localStorage, capped).
 */
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import { z } from 'zod';
import type { DashboardUpdate } from '../connection/topic-router.js';
import { randomId } from '../lib/ids.js';
import { browserStorage, type StorageLike } from '../lib/storage.js';

export const CHAT_HISTORY_KEY = 'wactorz.chat.v1';
export const CHAT_KEPT = 500;
/** Our own client name on `io/chat`. */
export const DASHBOARD_SENDER = 'dashboard';

const chatMessageSchema = z.object({
  id: z.string(),
  role: z.enum(['user', 'assistant', 'agent', 'system', 'error']),
  from: z.string(),
  content: z.string(),
  timestamp: z.number(),
  messageId: z.string().optional(),
  streaming: z.boolean().optional(),
  own: z.boolean().optional(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export interface ChatState {
  messages: ChatMessage[];
  /** message_ids this dashboard sent (their echo on io/chat is ignored). */
  ownIds: string[];
  /** Adds the user's message and a streaming placeholder for the reply. */
  addOutgoing(content: string, messageId: string, to?: string): void;
  appendChunk(messageId: string, chunk: string, from?: string): void;
  finish(messageId: string, content: string, from?: string): void;
  fail(messageId: string, error: string): void;
  applyUpdate(u: DashboardUpdate): void;
  clear(): void;
}

const nowS = () => Date.now() / 1000;

type Msgs = ChatMessage[];

function replyIndex(msgs: Msgs, messageId: string | undefined): number {
  if (messageId !== undefined) {
    for (let i = msgs.length - 1; i >= 0; i--) {
      const m = msgs[i]!;
      if (m.messageId === messageId && m.role !== 'user') return i;
    }
    return -1;
  }
  // No correlation id: the oldest reply still streaming.
  return msgs.findIndex((m) => m.streaming === true);
}

function update(msgs: Msgs, i: number, patch: Partial<ChatMessage>): Msgs {
  const next = msgs.slice();
  next[i] = { ...msgs[i]!, ...patch };
  return next;
}

function push(msgs: Msgs, m: ChatMessage): Msgs {
  const next = msgs.concat(m);
  return next.length > CHAT_KEPT ? next.slice(next.length - CHAT_KEPT) : next;
}

export function applyChunk(msgs: Msgs, messageId: string | undefined, chunk: string, from: string): Msgs {
  const i = replyIndex(msgs, messageId);
  if (i === -1) {
    // A reply to a message another client sent: show it as it streams.
    const m: ChatMessage = { id: randomId(), role: 'assistant', from, content: chunk, timestamp: nowS(), streaming: true };
    if (messageId !== undefined) m.messageId = messageId;
    return push(msgs, m);
  }
  const cur = msgs[i]!;
  if (!cur.streaming) return msgs; // already complete; late chunks change nothing
  return update(msgs, i, { content: cur.content + chunk, from: from || cur.from, role: 'assistant' });
}

/** The final reply (the whole text) replaces what streamed; `isError` when the hub could not answer. */
export function applyFinal(msgs: Msgs, messageId: string | undefined, content: string, from: string, isError = false): Msgs {
  const role: ChatMessage['role'] = isError ? 'error' : 'assistant';
  const i = replyIndex(msgs, messageId);
  if (i === -1) {
    if (isRecentDuplicate(msgs, content)) return msgs;
    const m: ChatMessage = { id: randomId(), role, from, content, timestamp: nowS() };
    if (messageId !== undefined) m.messageId = messageId;
    return push(msgs, m);
  }
  return update(msgs, i, { content, from: from || msgs[i]!.from, streaming: false, role, timestamp: nowS() });
}

function isRecentDuplicate(msgs: Msgs, content: string): boolean {
  const since = nowS() - 120;
  for (let i = msgs.length - 1; i >= 0 && i >= msgs.length - 20; i--) {
    const m = msgs[i]!;
    if (m.timestamp < since) break;
    if ((m.role === 'assistant' || m.role === 'agent') && m.content === content) return true;
  }
  return false;
}

const MAIN_NAMES = new Set(['main', 'io']);

export function reduceChat(st: Pick<ChatState, 'messages' | 'ownIds'>, u: DashboardUpdate): Pick<ChatState, 'messages'> {
  let msgs = st.messages;
  for (const req of u.chatRequests) {
    if (req.message_id !== undefined && st.ownIds.includes(req.message_id)) continue;
    const m: ChatMessage = { id: randomId(), role: 'user', from: req.from, content: req.content, timestamp: nowS() };
    if (req.message_id !== undefined) m.messageId = req.message_id;
    msgs = push(msgs, m);
  }
  for (const r of u.chatResponses) {
    const isError = (r as { error?: unknown }).error === true;
    msgs = r.done ? applyFinal(msgs, r.message_id, r.content, r.from, isError) : applyChunk(msgs, r.message_id, r.content, r.from);
  }
  for (const { value: c } of u.agentChats) {
    if (c.role === 'user' || c.from === DASHBOARD_SENDER || c.from === 'user') continue;
    const messageId = (c as { message_id?: unknown }).message_id;
    if (typeof messageId === 'string') {
      // The copy of a reply that io/chat/response also carries: complete it, never show it twice.
      const i = replyIndex(msgs, messageId);
      if (i === -1) msgs = applyFinal(msgs, messageId, c.content, c.from);
      else if (msgs[i]!.streaming) msgs = update(msgs, i, { content: c.content, streaming: false, from: c.from, role: 'assistant' });
      continue;
    }
    if (c.to !== undefined && !['user', 'dashboard', 'ui', 'all'].includes(c.to)) continue; // agent-to-agent talk
    const fromMain = MAIN_NAMES.has(c.from);
    const pending = fromMain ? replyIndex(msgs, undefined) : -1;
    if (pending !== -1) {
      msgs = update(msgs, pending, { content: c.content, streaming: false, from: c.from, role: 'assistant' });
      continue;
    }
    if (isRecentDuplicate(msgs, c.content)) continue;
    msgs = push(msgs, { id: randomId(), role: fromMain ? 'assistant' : 'agent', from: c.from, content: c.content, timestamp: c.timestamp || nowS() });
  }
  return { messages: msgs };
}

function loadHistory(storage: StorageLike): ChatMessage[] {
  try {
    const raw = storage.getItem(CHAT_HISTORY_KEY);
    if (!raw) return [];
    const parsed = z.array(chatMessageSchema).safeParse(JSON.parse(raw));
    if (!parsed.success) return [];
    // A reply that was streaming when the page closed will not resume.
    return parsed.data.slice(-CHAT_KEPT).map((m) => (m.streaming ? { ...m, streaming: false, content: m.content || '(interrupted)' } : m));
  } catch {
    return [];
  }
}

export function createChatStore(storage: StorageLike, saveDelayMs = 400): UseBoundStore<StoreApi<ChatState>> {
  const store = create<ChatState>((set) => ({
    messages: loadHistory(storage),
    ownIds: [],
    addOutgoing(content, messageId, to) {
      set((st) => {
        let msgs = push(st.messages, { id: randomId(), role: 'user', from: 'you', content, timestamp: nowS(), messageId, own: true });
        msgs = push(msgs, { id: randomId(), role: 'assistant', from: to ?? 'main', content: '', timestamp: nowS(), messageId, streaming: true });
        return { messages: msgs, ownIds: st.ownIds.concat(messageId).slice(-200) };
      });
    },
    appendChunk(messageId, chunk, from = '') {
      set((st) => ({ messages: applyChunk(st.messages, messageId, chunk, from) }));
    },
    finish(messageId, content, from = '') {
      set((st) => ({ messages: applyFinal(st.messages, messageId, content, from) }));
    },
    fail(messageId, error) {
      set((st) => {
        const i = replyIndex(st.messages, messageId);
        if (i === -1) return st;
        const cur = st.messages[i]!;
        if (!cur.streaming) return st;
        if (cur.content) return { messages: update(st.messages, i, { streaming: false }) };
        return { messages: update(st.messages, i, { streaming: false, role: 'error', from: 'dashboard', content: error }) };
      });
    },
    applyUpdate(u) {
      if (u.chatRequests.length + u.chatResponses.length + u.agentChats.length === 0) return;
      set((st) => reduceChat(st, u));
    },
    clear() {
      set({ messages: [] });
    },
  }));
  // Streaming chunks arrive many times a second: while a reply streams, save after changes
  // settle; once nothing streams (a reply just ended), save at once, so a reload right after a
  // reply keeps all of it. Leaving the page saves whatever is pending.
  let timer: ReturnType<typeof setTimeout> | null = null;
  const save = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    try {
      storage.setItem(CHAT_HISTORY_KEY, JSON.stringify(store.getState().messages));
    } catch {
      // quota exceeded: keep the history in memory only
    }
  };
  store.subscribe((st, prev) => {
    if (st.messages === prev.messages) return;
    if (!st.messages.some((m) => m.streaming)) {
      save();
      return;
    }
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, saveDelayMs);
  });
  globalThis.addEventListener?.('pagehide', () => {
    if (timer) save();
  });
  return store;
}

export const useChatStore = createChatStore(browserStorage('local'));
