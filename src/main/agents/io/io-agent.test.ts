import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { agentChatSchema, ioChatResponseSchema, type IoChatResponse } from '../../../shared/mqtt-payloads.js';
import { actorIdFor } from '../../core/actor-id.js';
import { TaskError } from '../../core/errors.js';
import { createTestSystem, type TestSystem } from '../../core/testing/test-system.js';
import { IOAgent } from './io-agent.js';
import { FakeMain, wordByWord } from './testing/fake-main.js';
import { waitUntil } from '../../testing/wait.js';

let t: TestSystem;
beforeEach(async () => {
  t = await createTestSystem();
});
afterEach(async () => {
  vi.useRealTimers();
  await t.close();
});

const responses = (): IoChatResponse[] => t.bus.messages('io/chat/response').map((r) => ioChatResponseSchema.parse(r));
const finals = (): IoChatResponse[] => responses().filter((r) => r.done);
const mainChat = () => t.bus.messages(`agents/${actorIdFor('main')}/chat`).map((c) => agentChatSchema.parse(c));
const ioLogs = (): string => t.bus.messages<{ message: string }>(`agents/${actorIdFor('io')}/logs`).map((l) => l.message).join('\n');

describe('IOAgent', () => {
  it('is the protected core actor "io"', () => {
    expect(new IOAgent()).toMatchObject({ name: 'io', isProtected: true, kind: 'core', mainName: 'main', replyTimeoutMs: 180_000 });
  });

  it('asks main with a chat TASK, streams its chunks on io/chat/response, then the whole reply (agents/<main>/chat is main\'s own)', async () => {
    const main = await t.system.spawn(new FakeMain(wordByWord));
    await t.system.spawn(new IOAgent());
    t.bus.publish('io/chat', { from: 'alice', content: 'hello there', message_id: 'm-1' });
    await waitUntil(() => finals().length === 1, 'final reply', 5000);

    expect(main.tasks).toEqual([{ kind: 'chat', text: 'hello there', from: 'alice', interface: 'mqtt', message_id: 'm-1' }]);
    const all = responses();
    const chunks = all.filter((r) => !r.done);
    expect(chunks.map((c) => c.content)).toEqual(['You ', 'said: ', 'hello ', 'there']);
    for (const c of chunks) expect(c).toMatchObject({ from: 'main', to: 'alice', message_id: 'm-1', done: false });
    // The final message comes last and carries the whole reply.
    expect(all.at(-1)).toMatchObject({ from: 'main', to: 'alice', done: true, content: 'You said: hello there', message_id: 'm-1', agent: 'main' });
    expect(all.at(-1)).not.toHaveProperty('error');
    // main posts on its own chat topic (FakeMain does not); IOAgent never duplicates it.
    expect(mainChat()).toEqual([]);
    expect(t.system.streams.size).toBe(0);
  });

  it('gives a chat without message_id one, used for its chunks and its final reply', async () => {
    const main = await t.system.spawn(new FakeMain(wordByWord));
    await t.system.spawn(new IOAgent());
    t.bus.publish('io/chat', { content: 'hi' });
    await waitUntil(() => finals().length === 1, 'the final reply', 5000);
    const id = main.tasks[0]!.message_id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(main.tasks[0]!.from).toBe('user');
    expect(new Set(responses().map((r) => r.message_id))).toEqual(new Set([id]));
  });

  it('handles chats from different clients concurrently', async () => {
    let releaseAlice!: () => void;
    const aliceMayAnswer = new Promise<void>((r) => (releaseAlice = r));
    await t.system.spawn(
      new FakeMain(async (task, main) => {
        main.stream(task, `for ${task.from}: `);
        if (task.from === 'alice') await aliceMayAnswer;
        return { reply: `for ${task.from}: done`, agent: 'main' };
      }),
    );
    const io = await t.system.spawn(new IOAgent());
    t.bus.publish('io/chat', { from: 'alice', content: 'slow question', message_id: 'a' });
    t.bus.publish('io/chat', { from: 'bob', content: 'quick question', message_id: 'b' });
    // Bob is answered while Alice's answer is still pending.
    await waitUntil(() => finals().length === 1, "bob's reply", 5000);
    expect(finals()[0]).toMatchObject({ to: 'bob', message_id: 'b', content: 'for bob: done' });
    expect(io.pendingChats).toBe(1);
    releaseAlice();
    await waitUntil(() => finals().length === 2, "alice's reply", 5000);
    expect(finals()[1]).toMatchObject({ to: 'alice', message_id: 'a', content: 'for alice: done' });
    expect(responses().filter((r) => !r.done).map((r) => [r.message_id, r.content])).toEqual([
      ['a', 'for alice: '],
      ['b', 'for bob: '],
    ]);
  });

  it('answers with a clear error when main is not there', async () => {
    await t.system.spawn(new IOAgent());
    t.bus.publish('io/chat', { from: 'alice', content: 'anyone?', message_id: 'x' });
    await waitUntil(() => finals().length === 1, 'the error reply', 5000);
    expect(finals()[0]).toMatchObject({ from: 'main', to: 'alice', done: true, error: true, message_id: 'x', content: expect.stringMatching(/^Error: main is not running/) });
    expect(mainChat()).toEqual([]);
  });

  it('answers with a clear error when main does not answer in time, and drops chunks that come later', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }); // the reply timeout runs on virtual time
    let late: (() => void) | undefined;
    let lateChunkSent = false;
    await t.system.spawn(
      new FakeMain(async (task, main) => {
        main.stream(task, 'thinking… ');
        await new Promise<void>((r) => (late = r));
        main.stream(task, 'too late'); // streams are synchronous: a chunk let through is on the bus now
        lateChunkSent = true;
        return { reply: 'too late', agent: 'main' };
      }),
    );
    await t.system.spawn(new IOAgent({ replyTimeoutMs: 100 }));
    t.bus.publish('io/chat', { from: 'alice', content: 'think hard', message_id: 't' });
    await waitUntil(() => late, 'main thinking', 5000);
    await vi.advanceTimersByTimeAsync(100);
    await waitUntil(() => finals().length === 1, 'the timeout reply', 5000);
    expect(finals()[0]).toMatchObject({ error: true, done: true, content: expect.stringContaining('main did not answer within 100 ms') });
    late!();
    await waitUntil(() => lateChunkSent, 'the late chunk', 5000);
    expect(responses().map((r) => r.content)).toEqual(['thinking… ', finals()[0]!.content]);
  });

  it("passes main's ERROR on, and rejects a RESULT that is not {reply, agent}", async () => {
    await t.system.spawn(
      new FakeMain(async (task) => {
        if (task.text === 'fail') throw new TaskError('the LLM provider refused the request', 'refused');
        return { text: 'wrong shape' };
      }),
    );
    await t.system.spawn(new IOAgent());
    t.bus.publish('io/chat', { from: 'alice', content: 'fail', message_id: 'e1' });
    t.bus.publish('io/chat', { from: 'alice', content: 'other', message_id: 'e2' });
    await waitUntil(() => finals().length === 2, 'both replies', 5000);
    const byId = Object.fromEntries(finals().map((f) => [f.message_id, f]));
    expect(byId.e1).toMatchObject({ error: true, content: 'Error: main could not answer: the LLM provider refused the request' });
    expect(byId.e2).toMatchObject({ error: true, content: expect.stringContaining('unexpected payload') });
  });

  it('logs and drops malformed io/chat messages and duplicate deliveries, and keeps serving', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const main = await t.system.spawn(
      new FakeMain(async (task) => {
        if (task.message_id === 'dup') await gate;
        return { reply: 'ok', agent: 'main' };
      }),
    );
    const io = await t.system.spawn(new IOAgent());
    t.bus.publish('io/chat', 'not json');
    t.bus.publish('io/chat', { from: 'alice' });
    t.bus.publish('io/chat', { from: 'alice', content: '' });
    t.bus.publish('io/chat', { from: 7, content: 'x' });
    t.bus.publish('io/chat', '');
    t.bus.publish('io/chat', { from: 'alice', content: 'first', message_id: 'dup' });
    t.bus.publish('io/chat', { from: 'alice', content: 'first', message_id: 'dup' });
    // The duplicate is dropped (and logged) when it arrives, after everything published before it.
    await waitUntil(() => main.tasks.length === 1 && /message_id dup is already being answered/.test(ioLogs()), 'the first chat at main and the duplicate dropped', 5000);
    expect(ioLogs().match(/dropped a malformed io\/chat/g)).toHaveLength(5);
    expect(ioLogs()).toMatch(/message_id dup is already being answered/);
    expect(main.tasks).toHaveLength(1);
    release();
    await waitUntil(() => finals().length === 1, 'the reply to the first', 5000);
    t.bus.publish('io/chat', { from: 'alice', content: 'still there?', message_id: 'after' });
    await waitUntil(() => finals().length === 2, 'the reply after', 5000);
    expect(finals().map((f) => f.message_id)).toEqual(['dup', 'after']);
    expect(io.state).toBe('running');
  });
});
