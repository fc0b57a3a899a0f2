/**
 * A local server that speaks the Telegram Bot API as far as the adapter uses it — getMe,
 * deleteWebhook, getUpdates (long polling with offsets: updates below the offset are confirmed and
 * dropped), sendMessage (4096-character limit, as Telegram enforces), sendChatAction — so the real
 * grammY client runs against it through its `apiRoot` option.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMessage {
  chat_id: number | string;
  text: string;
  reply_to?: number;
}

interface Update {
  update_id: number;
  message: Record<string, unknown>;
}

interface Waiter {
  offset: number;
  limit: number;
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

export interface TelegramApiServer {
  readonly apiRoot: string;
  readonly sent: SentMessage[];
  readonly chatActions: { chat_id: number | string; action: string }[];
  /** Every getUpdates offset the client asked with, in order. */
  readonly offsets: number[];
  /** Methods called, in order. */
  readonly calls: string[];
  /** Queues a text message from a user in a chat, as Telegram would deliver it; returns its update_id. */
  pushText(chat: { id: number; type?: 'private' | 'group' | 'supergroup' }, from: { id: number; username?: string }, text: string): number;
  pushUpdate(message: Record<string, unknown>): number;
  /** Updates not yet confirmed by a higher offset. */
  pending(): number;
  close(): Promise<void>;
}

export async function startTelegramApiServer(opts: { token: string; botUsername?: string }): Promise<TelegramApiServer> {
  const botUsername = opts.botUsername ?? 'wactorz_test_bot';
  const updates: Update[] = [];
  const waiters = new Set<Waiter>();
  const sent: SentMessage[] = [];
  const chatActions: { chat_id: number | string; action: string }[] = [];
  const offsets: number[] = [];
  const calls: string[] = [];
  let nextUpdateId = 1000;
  let nextMessageId = 1;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const ok = (res: ServerResponse, result: unknown) => send(res, 200, { ok: true, result });
  const fail = (res: ServerResponse, code: number, description: string) => send(res, code, { ok: false, error_code: code, description });

  const confirm = (offset: number) => {
    while (updates.length && updates[0]!.update_id < offset) updates.shift();
  };
  const flushWaiters = () => {
    for (const w of [...waiters]) {
      const ready = updates.filter((u) => u.update_id >= w.offset).slice(0, w.limit);
      if (ready.length) {
        waiters.delete(w);
        clearTimeout(w.timer);
        ok(w.res, ready);
      }
    }
  };

  const handle = (method: string, p: Record<string, unknown>, res: ServerResponse) => {
    calls.push(method);
    switch (method) {
      case 'getMe':
        return ok(res, { id: 424242, is_bot: true, first_name: 'Wactorz', username: botUsername, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });
      case 'deleteWebhook':
        return ok(res, true);
      case 'getUpdates': {
        const offset = Number(p.offset ?? 0);
        const limit = Math.min(Number(p.limit ?? 100), 100);
        const timeout = Number(p.timeout ?? 0);
        offsets.push(offset);
        confirm(offset);
        const ready = updates.filter((u) => u.update_id >= offset).slice(0, limit);
        if (ready.length || timeout <= 0) return ok(res, ready);
        const w: Waiter = { offset, limit, res, timer: setTimeout(() => (waiters.delete(w), ok(res, [])), timeout * 1000) };
        waiters.add(w);
        res.on('close', () => (clearTimeout(w.timer), waiters.delete(w)));
        return;
      }
      case 'sendMessage': {
        const text = typeof p.text === 'string' ? p.text : '';
        if (!text.trim()) return fail(res, 400, 'Bad Request: message text is empty');
        if (text.length > 4096) return fail(res, 400, 'Bad Request: message is too long');
        const replyTo = (p.reply_parameters as { message_id?: number } | undefined)?.message_id;
        sent.push({ chat_id: p.chat_id as number, text, ...(replyTo !== undefined ? { reply_to: replyTo } : {}) });
        return ok(res, { message_id: nextMessageId++, date: Math.floor(Date.now() / 1000), chat: { id: p.chat_id, type: 'private' }, text });
      }
      case 'sendChatAction':
        chatActions.push({ chat_id: p.chat_id as number, action: String(p.action) });
        return ok(res, true);
      default:
        return fail(res, 404, 'Not Found: method not found');
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      if (!m) return fail(res, 404, 'Not Found');
      if (m[1] !== opts.token) return fail(res, 401, 'Unauthorized');
      let params: Record<string, unknown> = {};
      try {
        params = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        return fail(res, 400, 'Bad Request: can not parse JSON');
      }
      handle(m[2]!, params, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const pushUpdate = (message: Record<string, unknown>) => {
    const update_id = nextUpdateId++;
    updates.push({ update_id, message: { message_id: nextMessageId++, date: Math.floor(Date.now() / 1000), ...message } });
    flushWaiters();
    return update_id;
  };

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    sent,
    chatActions,
    offsets,
    calls,
    pushUpdate,
    pushText: (chat, from, text) => pushUpdate({ chat: { type: 'private', ...chat }, from: { is_bot: false, first_name: from.username ?? 'user', ...from }, text }),
    pending: () => updates.length,
    close: async () => {
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.res.destroy();
      }
      waiters.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
