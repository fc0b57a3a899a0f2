/**
 * The chat contract (src/shared/chat.ts) is one contract: the MainActor that ships and the FakeMain
 * the IOAgent tests run against answer the same payloads the same way — a valid chat TASK gets a
 * RESULT that parses as ChatResult, one that breaks the contract gets ERROR bad_input naming the
 * field. A real ActorSystem over real SQLite; main without an LLM (commands need none).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatResultSchema } from '../../../shared/chat.js';
import type { Actor } from '../../core/actor.js';
import { AskError } from '../../core/errors.js';
import { createTestSystem, type TestSystem } from '../../core/testing/test-system.js';
import { CostTracker } from '../../llm/cost-tracker.js';
import { createLlmProvider } from '../../llm/create-provider.js';
import { FakeMain } from '../io/testing/fake-main.js';
import { MainActor } from './main-actor.js';

const llm = createLlmProvider({ provider: 'none', timeoutMs: 1_000, maxRetries: 0 });
const implementations: [string, () => Actor][] = [
  ['MainActor', () => new MainActor({ llm, llmSummary: 'no LLM', costs: new CostTracker() })],
  ['FakeMain', () => new FakeMain(async (task) => ({ reply: `You said: ${task.text}`, agent: 'main' }))],
];

describe.each(implementations)('the chat contract: %s', (_label, make) => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await createTestSystem();
    await t.system.spawn(make());
  });
  afterAll(() => t?.close());

  it('answers a chat TASK with a ChatResult', async () => {
    const answer = await t.system.ask('main', { kind: 'chat', text: '/help', from: 'alice', interface: 'mqtt', message_id: 'm-1' }, 10_000, 'io');
    const parsed = chatResultSchema.safeParse(answer);
    expect(parsed.success, JSON.stringify(answer)).toBe(true);
    expect(parsed.data?.agent).toBe('main');
  });

  it.each([
    ['message_id', { kind: 'chat', text: 'hi', from: 'alice', interface: 'mqtt' }],
    ['from', { kind: 'chat', text: 'hi', from: '', interface: 'mqtt', message_id: 'm-2' }],
    ['text', { kind: 'chat', from: 'alice', interface: 'mqtt', message_id: 'm-3' }],
  ])('refuses a chat TASK without a valid %s (bad_input, naming it)', async (field, payload) => {
    const e = await t.system.ask('main', payload, 10_000, 'io').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AskError);
    expect((e as AskError).kind).toBe('bad_input');
    expect((e as AskError).payload.error).toContain(field);
  });
});
