/** The chat log store on a real SQLite file: filters as the original's query_chat_log, the bound, clear. */
import { afterEach, describe, expect, it } from 'vitest';
import type { Persistence } from '../persistence.js';
import { tempPersistences } from '../testing/temp-persistence.js';
import { ChatLog } from './chat-log.js';
import { chatLogResponseSchema } from '../../../shared/original-monitor.js';

const temp = tempPersistences('wz-chatlog');
afterEach(() => temp.closeAll());
const open = async (): Promise<Persistence> => (await temp.open()).p;

describe('ChatLog', () => {
  it('answers newest first, by agent, role, since and limit, in the shape GET /chats serves', async () => {
    const log = new ChatLog((await open()).db);
    log.append({ agent: 'main', role: 'user', content: 'hi', session: 'ws:user', ts: 100 });
    log.append({ agent: 'main', role: 'assistant', content: 'hello', session: 'ws:user', ts: 101 });
    log.append({ agent: 'echo', role: 'user', content: '@echo x', ts: 102 });
    const all = log.query();
    expect(chatLogResponseSchema.safeParse(all).success).toBe(true);
    expect(all.map((r) => r.content)).toEqual(['@echo x', 'hello', 'hi']);
    expect(all[1]).toMatchObject({ agent_name: 'main', role: 'assistant', session_id: 'ws:user', ts: 101, attachments: [] });
    expect(log.query({ agent: 'main', role: 'user' }).map((r) => r.content)).toEqual(['hi']);
    expect(log.query({ since: 100 }).map((r) => r.ts)).toEqual([102, 101]);
    expect(log.query({ limit: 1 })).toHaveLength(1);
    expect(log.clear('main')).toBe(2);
    expect(log.count()).toBe(1);
  });

  it('keeps only the newest maxRows (pruned every pruneEvery writes)', async () => {
    const log = new ChatLog((await open()).db, { maxRows: 10, pruneEvery: 5 });
    for (let i = 0; i < 33; i++) log.append({ agent: 'main', role: 'user', content: `m${i}`, ts: i });
    expect(log.count()).toBeLessThanOrEqual(10 + 5);
    expect(log.query({ limit: 1000 }).at(-1)!.content).not.toBe('m0');
    expect(log.query({ limit: 1 })[0]!.content).toBe('m32');
    log.append({ agent: 'main', role: 'user', content: 'm33', ts: 33 });
    log.append({ agent: 'main', role: 'user', content: 'm34', ts: 34 }); // the 35th write prunes
    expect(log.count()).toBe(10);
    expect(log.query({ limit: 1000 }).map((r) => r.content).at(-1)).toBe('m25');
  });
});
