/**
 * MainActor end to end through the hub (startWactorz: real SQLite, embedded broker, REST) with the
 * real Ollama SDK against the scripted server: intent routing to small stand-in
 * 'home-assistant-agent' and 'planner' actors (sloppy and unreadable classifications included),
 * user memory, persisted history across a restart, and rolling summarisation.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWactorz } from '../../wactorz.js';
import type { WactorzHandle } from '../../wactorz-handle.js';
import { silentLogger } from '../../base/logger.js';
import { json, postJson } from '../../testing/http.js';
import { Actor } from '../../core/actor.js';
import { startScriptedLlmServer, type RecordedLlmRequest, type ScriptedLlmServer } from '../../llm/testing/index.js';
import { SUMMARY_SYSTEM_PROMPT } from '../llm/rolling-summary.js';
import { sentRequest, type SentRequest } from '../llm/testing/sent-request.js';
import { CLASSIFY_SYSTEM_PROMPT } from './intent.js';
import { waitUntil } from '../../testing/wait.js';

/** Stands in for the real HA agent / planner: records each TASK, answers with `answer(payload)`. */
class StandIn extends Actor {
  readonly tasks: unknown[] = [];
  constructor(
    name: string,
    private readonly respondWith: (payload: unknown) => unknown,
  ) {
    super({ name, description: `stand-in ${name}` });
  }
  protected override handleTask(payload: unknown): unknown {
    this.tasks.push(payload);
    return this.respondWith(payload);
  }
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'wz-main-'));
  dirs.push(d);
  return d;
}

type Kind = 'classify' | 'summary' | 'chat';
const kindOf = (r: RecordedLlmRequest): Kind => {
  const system = sentRequest(r).system;
  return system === CLASSIFY_SYSTEM_PROMPT ? 'classify' : system === SUMMARY_SYSTEM_PROMPT ? 'summary' : 'chat';
};

/** A scripted Ollama: classification answers from a queue, summaries and chat replies derived from the request. */
async function scriptedOllama() {
  const server = await startScriptedLlmServer();
  const classifications: string[] = [];
  server.respond('ollama', (req) => {
    const sent = sentRequest(req);
    switch (kindOf(req)) {
      case 'classify':
        return classifications.shift() ?? '{"intent": "OTHER", "facts": {}}';
      case 'summary':
        return 'SUMMARY: the user sent several long messages about the garden.';
      case 'chat':
        return `reply to: ${sent.lastUser.slice(0, 40)}`;
    }
  });
  const since = (mark: number) => server.requestsFor('ollama').slice(mark);
  return {
    server,
    classifications,
    mark: () => server.requestsFor('ollama').length,
    kindsSince: (mark: number) => since(mark).map(kindOf),
    lastChat: (): SentRequest => sentRequest(server.requestsFor('ollama').filter((r) => kindOf(r) === 'chat').at(-1)!),
  };
}

async function startHub(server: ScriptedLlmServer, dir = stateDir()): Promise<WactorzHandle> {
  return startWactorz(
    {
      stateDir: dir,
      llm: { provider: 'ollama', model: 'llama3', baseUrl: server.urls.ollama, maxRetries: 0 },
      interface: 'rest',
      restPort: 0,
      monitorPort: null,
      mqtt: { port: 0 },
    },
    { log: silentLogger, env: {} },
  );
}

describe('MainActor intent routing through the hub', () => {
  let llm: Awaited<ReturnType<typeof scriptedOllama>>;
  let hub: WactorzHandle;
  let ha: StandIn | undefined;
  let planner: StandIn | undefined;
  const chat = async (message: string) => json(postJson(`${hub.restUrl}/chat`, { message }));

  beforeAll(async () => {
    llm = await scriptedOllama();
    hub = await startHub(llm.server);
  });
  afterAll(async () => {
    await hub.stop();
    await llm.server.close();
  });
  beforeEach(async () => {
    for (const name of ['home-assistant-agent', 'planner']) if (hub.system.get(name)) await hub.system.remove(name);
    ha = planner = undefined;
    llm.classifications.length = 0;
  });
  const spawnHa = async (answer: (p: unknown) => unknown = () => ({ result: 'The kitchen lamp is on.', data: { calls: 1 } })) =>
    (ha = await hub.system.spawn(new StandIn('home-assistant-agent', answer)));
  const spawnPlanner = async () => (planner = await hub.system.spawn(new StandIn('planner', () => ({ result: 'Pipeline door-notify is running.' }))));

  it('makes no classification call while neither an HA agent nor a planner runs', async () => {
    const mark = llm.mark();
    const r = await chat('hello there');
    expect(r).toMatchObject({ agent: 'main', response: 'reply to: hello there' });
    expect(llm.kindsSince(mark)).toEqual(['chat']);
  });

  it('routes HA and PIPELINE with one classification call, reading sloppy answers', async () => {
    await spawnHa();
    await spawnPlanner();

    llm.classifications.push('HA.');
    let mark = llm.mark();
    expect(await chat('turn on the kitchen lamp')).toMatchObject({ agent: 'home-assistant-agent', response: 'The kitchen lamp is on.' });
    expect(ha!.tasks).toEqual([expect.objectContaining({ kind: 'natural_language', text: 'turn on the kitchen lamp' })]);
    expect(llm.kindsSince(mark)).toEqual(['classify']); // the HA agent answers; main makes no chat call
    expect(sentRequest(llm.server.requestsFor('ollama')[mark]!).lastUser).toBe('turn on the kitchen lamp');

    llm.classifications.push('intent: pipeline');
    mark = llm.mark();
    expect(await chat('notify me on Discord whenever the front door opens')).toMatchObject({ agent: 'planner', response: 'Pipeline door-notify is running.' });
    expect(planner!.tasks).toEqual([expect.objectContaining({ kind: 'pipeline', text: 'notify me on Discord whenever the front door opens' })]);
    expect(llm.kindsSince(mark)).toEqual(['classify']);

    llm.classifications.push('```json\n{"intent": "OTHER", "facts": {}}\n```');
    mark = llm.mark();
    const chunks: string[] = [];
    const reply = await hub.processUserInput('tell me a joke', { interface: 'test', onChunk: (c) => chunks.push(c) });
    expect(reply).toBe('reply to: tell me a joke');
    expect(chunks.join('')).toBe(reply);
    expect(llm.kindsSince(mark)).toEqual(['classify', 'chat']);
    // Routed exchanges are part of main's conversation, so the LLM knows what happened.
    expect(llm.lastChat().messages).toEqual([
      { role: 'user', content: 'hello there' },
      { role: 'assistant', content: 'reply to: hello there' },
      { role: 'user', content: 'turn on the kitchen lamp' },
      { role: 'assistant', content: 'The kitchen lamp is on.' },
      { role: 'user', content: 'notify me on Discord whenever the front door opens' },
      { role: 'assistant', content: 'Pipeline door-notify is running.' },
      { role: 'user', content: 'tell me a joke' },
    ]);

    // Unreadable classification → OTHER: a conversational reply, nothing routed.
    llm.classifications.push('Well, that is hard to say without more context.');
    mark = llm.mark();
    const question = 'what do you think about turning things on?';
    expect(await chat(question)).toMatchObject({ agent: 'main', response: `reply to: ${question.slice(0, 40)}` });
    expect(llm.kindsSince(mark)).toEqual(['classify', 'chat']);
    expect(ha!.tasks).toHaveLength(1);
    expect(planner!.tasks).toHaveLength(1);
  });

  it('sends @mentions straight to the agent with no LLM call', async () => {
    await spawnHa((p) => ({ result: 'status ok', echo: p }));
    const mark = llm.mark();
    const r = await chat('@home-assistant-agent {"action":"status"}');
    expect(r.agent).toBe('home-assistant-agent');
    expect(JSON.parse(r.response)).toMatchObject({ result: 'status ok', echo: { action: 'status' } });
    expect(llm.kindsSince(mark)).toEqual([]);
  });

  it("sends the answer to an HA agent's question back to it without classifying", async () => {
    let n = 0;
    await spawnHa(() => (++n === 1 ? { result: 'Which lamp: kitchen or hallway?', needs_clarification: true } : { result: 'The hallway lamp is on.' }));
    llm.classifications.push('HA');
    expect((await chat('turn on the lamp')).response).toBe('Which lamp: kitchen or hallway?');
    const mark = llm.mark();
    expect(await chat('the hallway one')).toMatchObject({ agent: 'home-assistant-agent', response: 'The hallway lamp is on.' });
    expect(llm.kindsSince(mark)).toEqual([]);
    expect(ha!.tasks.at(-1)).toMatchObject({ kind: 'natural_language', text: 'the hallway one' });
  });

  it('says clearly when the HA agent or the planner is missing, and what an agent error was', async () => {
    await spawnHa();
    llm.classifications.push('PIPELINE');
    expect((await chat('every morning at 7 open the blinds')).response).toMatch(/planner isn't available/);

    await hub.system.remove('home-assistant-agent');
    await spawnPlanner();
    llm.classifications.push('{"intent":"HA"}');
    const r = await chat('dim the living room lights');
    expect(r).toMatchObject({ agent: 'main' });
    expect(r.response).toMatch(/Home Assistant isn't configured[\s\S]*HA_URL[\s\S]*HA_TOKEN/);

    await spawnHa(() => {
      throw new Error('light.living_room is unavailable');
    });
    llm.classifications.push('HA');
    expect((await chat('dim the living room lights')).response).toMatch(/^Home Assistant could not do that: .*light\.living_room is unavailable/);
  });

  it('puts its LLM use in its metrics (tokens_in, tokens_out, cost_usd)', async () => {
    const m = await json(fetch(`${hub.restUrl}/actors/main/metrics`));
    expect(m.tokens_in).toBeGreaterThan(0);
    expect(m.tokens_out).toBeGreaterThan(0);
    expect(m.cost_usd).toBe(0); // local models are free
    expect(m.llm_calls).toBeGreaterThan(0);
  });
});

describe('user memory through the hub', () => {
  let llm: Awaited<ReturnType<typeof scriptedOllama>>;
  let hub: WactorzHandle;
  let dir: string;
  const chat = async (message: string) => json(postJson(`${hub.restUrl}/chat`, { message }));
  beforeAll(async () => {
    llm = await scriptedOllama();
    dir = stateDir();
    hub = await startHub(llm.server, dir);
  });
  afterAll(async () => {
    await hub.stop();
    await llm.server.close();
  });

  it('remembers stated facts, gives them to the LLM, lists them with /memory and /forget removes them', async () => {
    await chat('My name is Ada. The kitchen lamp is light.wiz_kitchen.');
    // The very request that stated them already carries them.
    expect(llm.lastChat().system).toMatch(/- kitchen lamp: light\.wiz_kitchen\n- name: Ada/);
    await chat('what can you do?');
    expect(llm.lastChat().system).toContain('- name: Ada');

    // With a classification call (an HA agent runs), the LLM's extracted facts are kept too.
    await hub.system.spawn(new StandIn('home-assistant-agent', () => ({ result: 'ok' })));
    llm.classifications.push('{"intent": "OTHER", "facts": {"favourite drink": "green tea"}}');
    await chat('I always drink green tea in the morning');
    await hub.system.remove('home-assistant-agent');
    await chat('and now?');
    expect(llm.lastChat().system).toContain('- favourite drink: green tea');

    const memory = await chat('/memory');
    expect(memory.response).toMatch(/3 facts[\s\S]*favourite drink: green tea[\s\S]*kitchen lamp: light\.wiz_kitchen[\s\S]*name: Ada/);

    expect((await chat('/forget name')).response).toBe('Forgotten: name.');
    await chat('who am I?');
    expect(llm.lastChat().system).not.toContain('Ada');
    expect(llm.lastChat().system).toContain('kitchen lamp: light.wiz_kitchen');

    expect((await chat('/forget')).response).toMatch(/all 2 facts/);
    await chat('anything?');
    expect(llm.lastChat().system).not.toMatch(/kitchen lamp|green tea/);
    expect((await chat('/remember porch light: light.porch')).response).toBe('Remembered: porch light = light.porch.');
  });

  it('keeps the conversation and the facts across a hub restart', async () => {
    await chat('My name is Grace.');
    await hub.stop();
    hub = await startHub(llm.server, dir);
    await chat('do you still know me?');
    const sent = llm.lastChat();
    expect(sent.system).toContain('- name: Grace');
    expect(sent.messages.slice(-3)).toEqual([
      { role: 'user', content: 'My name is Grace.' },
      { role: 'assistant', content: 'reply to: My name is Grace.' },
      { role: 'user', content: 'do you still know me?' },
    ]);
    expect((await chat('/clear')).response).toMatch(/Conversation cleared/);
    await chat('fresh start');
    expect(llm.lastChat().messages).toEqual([{ role: 'user', content: 'fresh start' }]);
    expect(llm.lastChat().system).toContain('- name: Grace'); // facts outlive /clear
  });
});

describe('rolling summary through the hub', () => {
  it('folds older turns once the conversation passes the budget; later requests carry the summary and recent turns verbatim', async () => {
    const llm = await scriptedOllama();
    const hub = await startHub(llm.server);
    try {
      // Default budget: 2000 estimated tokens, 6 turns verbatim. Each exchange here is ~700 tokens.
      const long = (i: number) => `garden note ${i}: ${'the tomatoes need water and the roses need pruning; '.repeat(48)}`.trim();
      for (let i = 1; i <= 4; i++) await json(postJson(`${hub.restUrl}/chat`, { message: long(i) }));
      const summaries = () => llm.server.requestsFor('ollama').filter((r) => kindOf(r) === 'summary');
      // The fold runs after the 4th reply was delivered; the next chat would wait for it anyway.
      await waitUntil(() => summaries().length > 0, 'a summary request', 15_000);
      const fold = sentRequest(summaries()[0]!).lastUser;
      expect(fold).toContain(`User: ${long(1)}`);
      expect(fold).not.toContain(long(4));

      await json(postJson(`${hub.restUrl}/chat`, { message: 'what should I do first?' }));
      const last = llm.lastChat();
      expect(last.system).toContain('SUMMARY: the user sent several long messages about the garden.');
      expect(last.messages.map((m) => m.content)).not.toContain(long(1));
      expect(last.messages.slice(-3)).toEqual([
        { role: 'user', content: long(4) },
        { role: 'assistant', content: `reply to: ${long(4).slice(0, 40)}` },
        { role: 'user', content: 'what should I do first?' },
      ]);
    } finally {
      await hub.stop();
      await llm.server.close();
    }
  });
});
