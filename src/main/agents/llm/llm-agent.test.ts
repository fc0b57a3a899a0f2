/**
 * LLMAgent through the real SDKs against the scripted wire-protocol server: persisted history that
 * survives a full restart (new persistence, new actor system), rolling summarisation past the
 * budget, per-agent system prompt, cost in heartbeats, and the `type: llm` factory's TASKs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActorSystem } from '../../core/actor-system.js';
import { MemoryBus } from '../../core/testing/memory-bus.js';
import { openPersistence } from '../../persistence/open-persistence.js';
import type { Persistence } from '../../persistence/persistence.js';
import { AnthropicProvider } from '../../llm/anthropic-provider.js';
import { OpenAiCompatibleProvider } from '../../llm/openai-compatible-provider.js';
import { CostTracker } from '../../llm/cost-tracker.js';
import { reply, startScriptedLlmServer, type RecordedLlmRequest, type ScriptedLlmServer } from '../../llm/testing/index.js';
import { createLlmAgent } from './create-llm-agent.js';
import { LLMAgent } from './llm-agent.js';
import { SUMMARY_SYSTEM_PROMPT } from './rolling-summary.js';
import { sentRequest } from './testing/sent-request.js';
import { actorIdFor } from '../../core/actor-id.js';
import { agentCompletedSchema } from '../../../shared/mqtt-payloads.js';

let server: ScriptedLlmServer;
const dirs: string[] = [];
beforeAll(async () => {
  server = await startScriptedLlmServer();
});
afterAll(async () => {
  await server.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
afterEach(() => server.reset());

/** A hub-like runtime on a state dir; `restart()` closes everything and opens it again on the same dir. */
async function runtime(dir = mkdtempSync(join(tmpdir(), 'wz-llm-agent-'))) {
  if (!dirs.includes(dir)) dirs.push(dir);
  const persistence: Persistence = await openPersistence({ stateDir: dir });
  const bus = new MemoryBus();
  const system = new ActorSystem({ bus, persistence, heartbeatMs: 60_000 });
  return {
    dir,
    system,
    bus,
    persistence,
    async close() {
      await system.shutdown();
      await persistence.close();
    },
  };
}

const openai = () => new OpenAiCompatibleProvider('openai', { apiKey: 'k', baseUrl: server.urls.openai, maxRetries: 0 });
const chatRequests = () => server.requestsFor('openai').filter((r) => sentRequest(r).system !== SUMMARY_SYSTEM_PROMPT);
const summaryRequests = () => server.requestsFor('openai').filter((r) => sentRequest(r).system === SUMMARY_SYSTEM_PROMPT);

/** Echoes the last user message; answers summary requests with a numbered summary. */
function echoAndSummarise(): void {
  let n = 0;
  server.respond('openai', (req: RecordedLlmRequest) => {
    const sent = sentRequest(req);
    if (sent.system === SUMMARY_SYSTEM_PROMPT) return `SUMMARY-${++n}: the user has been talking about numbers.`;
    return `echo ${sent.lastUser}`;
  });
}

describe('LLMAgent', () => {
  it('persists its conversation in SQLite: after a full restart the history is sent again', async () => {
    server.respond('openai', (req) => `echo ${sentRequest(req).lastUser}`);
    const first = await runtime();
    const agent = await first.system.spawn(new LLMAgent({ name: 'scribe', llm: openai(), costs: new CostTracker(), systemPrompt: 'You are a scribe.' }));
    expect(await agent.chat('my first note')).toBe('echo my first note');
    await first.close();

    const second = await runtime(first.dir);
    try {
      const again = await second.system.spawn(new LLMAgent({ name: 'scribe', llm: openai(), costs: new CostTracker(), systemPrompt: 'You are a scribe.' }));
      expect(again.conversationView().turns).toEqual([
        { role: 'user', content: 'my first note' },
        { role: 'assistant', content: 'echo my first note' },
      ]);
      await again.chat('second note');
      const sent = sentRequest(server.lastRequest('openai')!);
      expect(sent.system).toBe('You are a scribe.');
      expect(sent.messages).toEqual([
        { role: 'user', content: 'my first note' },
        { role: 'assistant', content: 'echo my first note' },
        { role: 'user', content: 'second note' },
      ]);
      // Histories are per agent.
      const other = await second.system.spawn(new LLMAgent({ name: 'other', llm: openai(), costs: new CostTracker(), systemPrompt: 'Other.' }));
      await other.chat('hello');
      expect(sentRequest(server.lastRequest('openai')!).messages).toEqual([{ role: 'user', content: 'hello' }]);
    } finally {
      await second.close();
    }
  });

  it('folds older turns into a summary past the token budget and sends summary + recent turns verbatim', async () => {
    echoAndSummarise();
    const rt = await runtime();
    try {
      const agent = await rt.system.spawn(
        new LLMAgent({ name: 'counter', llm: openai(), costs: new CostTracker(), systemPrompt: 'You count.', history: { tokenBudget: 80, keepRecentTurns: 2 } }),
      );
      const say = (i: number) => `message number ${i}: ${'lorem ipsum dolor sit amet '.repeat(3)}`;
      await agent.chat(say(1));
      await agent.settled();
      expect(summaryRequests()).toHaveLength(0); // one exchange is all "recent": nothing to fold yet

      await agent.chat(say(2));
      await agent.settled();
      expect(summaryRequests()).toHaveLength(1);
      const fold1 = sentRequest(summaryRequests()[0]!);
      expect(fold1.lastUser).toContain('Previous summary:\n(none yet)');
      expect(fold1.lastUser).toContain(`User: ${say(1)}`);
      expect(fold1.lastUser).toContain(`Assistant: echo ${say(1)}`);
      expect(fold1.lastUser).not.toContain(say(2));

      await agent.chat(say(3));
      const third = sentRequest(chatRequests().at(-1)!);
      expect(third.system).toContain('You count.');
      expect(third.system).toContain('SUMMARY-1: the user has been talking about numbers.');
      expect(third.messages).toEqual([
        { role: 'user', content: say(2) },
        { role: 'assistant', content: `echo ${say(2)}` },
        { role: 'user', content: say(3) },
      ]);
      await agent.settled();
      // The summary rolls: the next fold starts from the previous summary.
      expect(summaryRequests()).toHaveLength(2);
      const fold2 = sentRequest(summaryRequests()[1]!);
      expect(fold2.lastUser).toContain('Previous summary:\nSUMMARY-1');
      expect(fold2.lastUser).toContain(`User: ${say(2)}`);
      expect(agent.conversationView()).toMatchObject({ summary: expect.stringContaining('SUMMARY-2'), turnsFolded: 4, turns: [{ content: say(3) }, { content: `echo ${say(3)}` }] });
    } finally {
      await rt.close();
    }
    // The summary is persisted too.
    const again = await runtime(rt.dir);
    try {
      const agent = await again.system.spawn(new LLMAgent({ name: 'counter', llm: openai(), costs: new CostTracker(), systemPrompt: 'You count.' }));
      expect(agent.conversationView().summary).toMatch(/^SUMMARY-2/);
      expect(agent.composeSystemPrompt()).toContain('SUMMARY-2');
    } finally {
      await again.close();
    }
  });

  it('keeps the turns verbatim when the summary call fails, and tries again after the next exchange', async () => {
    const rt = await runtime();
    try {
      const agent = await rt.system.spawn(
        new LLMAgent({ name: 'fragile', llm: openai(), costs: new CostTracker(), systemPrompt: 'S.', history: { tokenBudget: 20, keepRecentTurns: 2 } }),
      );
      server.script('openai', ['one', 'two', reply.error(500), 'three', 'SUMMARY-OK']);
      await agent.chat('first message that is long enough');
      await agent.chat('second message that is long enough');
      await agent.settled();
      expect(agent.summaryStats).toEqual({ folds: 0, failures: 1 });
      expect(agent.conversationView().turns).toHaveLength(4);
      await agent.chat('third message');
      await agent.settled();
      expect(agent.summaryStats.folds).toBe(1);
      expect(agent.conversationView()).toMatchObject({ summary: 'SUMMARY-OK', turnsFolded: 4 });
    } finally {
      await rt.close();
    }
  });

  it('clears its conversation on request', async () => {
    server.respond('openai', 'ok');
    const rt = await runtime();
    try {
      const agent = await rt.system.spawn(new LLMAgent({ name: 'forgetful', llm: openai(), costs: new CostTracker(), systemPrompt: 'S.' }));
      await agent.chat('remember this');
      expect(await agent.clearConversation()).toBe(2);
      await agent.chat('and now?');
      expect(sentRequest(server.lastRequest('openai')!).messages).toEqual([{ role: 'user', content: 'and now?' }]);
    } finally {
      await rt.close();
    }
  });
});

describe('createLlmAgent (type: llm)', () => {
  it('answers {text} and string TASKs with its own system prompt, streams with message_id, and bills itself', async () => {
    const rt = await runtime();
    const costs = new CostTracker();
    try {
      const llm = new AnthropicProvider({ apiKey: 'k', baseUrl: server.urls.anthropic, maxRetries: 0 });
      const haiku = await rt.system.spawn(createLlmAgent({ name: 'haiku', systemPrompt: 'Answer in haiku.', description: 'writes haiku', llm, costs }));
      expect(haiku.kind).toBe('llm');

      server.script('anthropic', reply.text('Autumn moonlight', { usage: { inputTokens: 1_000_000, outputTokens: 0 } }));
      expect(await rt.system.ask('haiku', { text: 'the moon' })).toBe('Autumn moonlight');
      const req = sentRequest(server.lastRequest('anthropic')!);
      expect(req.system).toBe('Answer in haiku.');
      expect(req.lastUser).toBe('the moon');

      server.script('anthropic', { kind: 'text', text: 'a worm digs silently', chunks: ['a worm', ' digs', ' silently'] });
      const chunks: string[] = [];
      const close = rt.system.streams.open('m-1', (c) => chunks.push(c));
      expect(await rt.system.ask('haiku', { text: 'the earth', message_id: 'm-1' })).toBe('a worm digs silently');
      close();
      expect(chunks).toEqual(['a worm', ' digs', ' silently']);

      server.script('anthropic', 'plain');
      expect(await rt.system.ask('haiku', 'a plain string task')).toBe('plain');
      await expect(rt.system.ask('haiku', { nope: 1 })).rejects.toMatchObject({ kind: 'bad_input' });

      // 1M input tokens of claude-sonnet-4-6 at $3/M, billed to the agent and shown in its heartbeat.
      const summary = costs.forAgent('haiku');
      expect(summary.calls).toBe(3);
      expect(summary.costUsd).toBeGreaterThanOrEqual(3);
      const beats: unknown[] = [];
      rt.bus.subscribe(`agents/${actorIdFor('haiku')}/metrics`, (_t, p) => beats.push(JSON.parse(String(p))));
      rt.system.telemetry.beat(haiku);
      expect(beats.at(-1)).toMatchObject({ tokens_in: summary.inputTokens, tokens_out: summary.outputTokens, cost_usd: summary.costUsd, llm_calls: 3 });
    } finally {
      await rt.close();
    }
  });

  it('announces every answered task on agents/{id}/completed, as the original LLMAgent did (a failed one: nothing)', async () => {
    const rt = await runtime();
    try {
      await rt.system.spawn(createLlmAgent({ name: 'teller', systemPrompt: 'S.', llm: openai(), costs: new CostTracker() }));
      const seen: unknown[] = [];
      rt.bus.subscribe(`agents/${actorIdFor('teller')}/completed`, (_t, p) => seen.push(agentCompletedSchema.parse(JSON.parse(String(p)))));
      const long = 'x'.repeat(300);
      server.script('openai', long);
      const task = 'a task whose text is longer than the sixty characters the event keeps of it';
      expect(await rt.system.ask('teller', { text: task })).toBe(long);
      expect(seen).toEqual([{ result_preview: 'x'.repeat(200), duration: expect.any(Number), task: task.slice(0, 60) }]);
      server.script('openai', reply.error(401));
      await expect(rt.system.ask('teller', 'hi')).rejects.toThrow(/teller/);
      server.script('openai', 'ok');
      expect(await rt.system.ask('teller', 'again')).toBe('ok');
      expect(seen.map((e) => (e as { task: string }).task)).toEqual([task.slice(0, 60), 'again']);
    } finally {
      await rt.close();
    }
  });

  it('answers an LLM failure as an ERROR to the asker, and the agent keeps running', async () => {
    const rt = await runtime();
    try {
      await rt.system.spawn(createLlmAgent({ name: 'flaky', systemPrompt: 'S.', llm: openai(), costs: new CostTracker() }));
      server.script('openai', reply.error(401));
      await expect(rt.system.ask('flaky', 'hi')).rejects.toThrow(/flaky/);
      expect(rt.system.get('flaky')!.state).toBe('running');
    } finally {
      await rt.close();
    }
  });
});
