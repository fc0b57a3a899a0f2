/**
 * Agents the LLM asks for, through the real hub with the real Ollama SDK against the scripted LLM
 * server: `<spawn>` blocks in main's (streamed) reply are spawned and never shown; "create an agent
 * that …" goes to the agent writer, whose invalid answers get repair rounds with the error given
 * back — the repaired code is what is stored — and three invalid answers end in a clear failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWactorz } from '../../wactorz.js';
import type { WactorzHandle } from '../../wactorz-handle.js';
import { silentLogger } from '../../base/logger.js';
import { startScriptedLlmServer, reply, type ScriptedLlmServer } from '../../llm/testing/index.js';
import type { Json } from '../../testing/http.js';

const GREETER = 'export async function handleTask(agent, payload) {\n  return { greeting: "Hello, " + payload.name + "!" };\n}';
const block = (spec: Record<string, unknown>) => `<spawn>${JSON.stringify(spec)}</spawn>`;

let llm: ScriptedLlmServer;
let hub: WactorzHandle;
let dir: string;
const rest = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
  const r = await fetch(`${hub.restUrl}${path}`, { method, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  return { status: r.status, body: await r.json() };
};
type Messages = { role: string; content: string }[];
/** Main's intent classification (made while something it routes to, e.g. the planner, runs). */
const isClassification = (m: Messages) => m[0]?.role === 'system' && m[0].content.startsWith('Classify');
/** The messages of the n-th request (1-based) the LLM server got, classification calls left out. */
const messagesOf = (n: number): Messages => llm.requestsFor('ollama').map((r) => (r.body as { messages: Messages }).messages).filter((m) => !isClassification(m))[n - 1]!;
/** Scripts main's conversational reply, preceded by the classification answer when main will classify. */
const scriptChat = (text: string | ReturnType<typeof reply.text>) => {
  const classifies = ['planner', 'home-assistant-agent'].some((n) => hub.system.get(n)?.state === 'running');
  llm.script('ollama', [...(classifies ? ['{"intent": "OTHER"}'] : []), text]);
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wz-llmspawn-'));
  llm = await startScriptedLlmServer();
  hub = await startWactorz(
    { stateDir: dir, llm: { provider: 'ollama', model: 'llama3', baseUrl: llm.urls.ollama }, interface: 'rest', restPort: 0, monitorPort: null, mqtt: { port: 0 } },
    { log: silentLogger, env: {} },
  );
});
afterAll(async () => {
  await hub?.stop();
  await llm?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => llm.reset());

describe('<spawn> blocks in main’s replies', () => {
  it('spawns the agent; neither the streamed chunks nor the reply show the block', async () => {
    const text = `Sure — I made you a greeter.\n${block({ name: 'greeter', type: 'dynamic', description: 'Greets people by name', code: GREETER, input_schema: { name: 'str' } })}\nAsk it anything.`;
    // Split so that the tags straddle chunk boundaries.
    const chunks = text.match(/[\s\S]{1,7}/g)!;
    scriptChat(reply.text(text, { chunks }));
    const streamed: string[] = [];
    const answer = await hub.processUserInput('I need something that greets people', { interface: 'test', onChunk: (c) => streamed.push(c) });

    expect(answer).not.toMatch(/<spawn|<\/spawn>|handleTask/);
    expect(answer).toMatch(/^Sure — I made you a greeter\.\n\nAsk it anything\.\n\nSpawned greeter \(version 1\): Greets people by name\.$/);
    expect(streamed.join('')).not.toMatch(/<spawn|handleTask|spawn>/);
    expect(streamed.join('')).toContain('Spawned greeter');
    // The system prompt taught the block and the agent API.
    expect(messagesOf(1)[0]).toMatchObject({ role: 'system', content: expect.stringContaining('<spawn>') });
    expect(messagesOf(1)[0]!.content).toContain('agent.subscribe(');

    expect(hub.system.get('greeter')).toMatchObject({ kind: 'dynamic', state: 'running', description: 'Greets people by name' });
    expect(await hub.processUserInput('@greeter {"name": "Ada"}', { interface: 'test' })).toContain('Hello, Ada!');
    expect((await rest('GET', '/agents/greeter')).body).toMatchObject({ registered: true, spec: { type: 'dynamic', input_schema: { name: 'str' } } });
  });

  it('a block whose code does not parse is reported with its line, and nothing is spawned', async () => {
    scriptChat(`On it.\n${block({ name: 'halfbaked', code: 'export async function handleTask(agent, p) {\n  return p +;\n}' })}`);
    const answer = await hub.processUserInput('make the thing', { interface: 'test' });
    expect(answer).toMatch(/^On it\.\n\nhalfbaked was not spawned: the code has 1 error: line 2, column \d+/);
    expect(hub.system.get('halfbaked')).toBeUndefined();
  });

  it('type llm: an LLMAgent with its own system prompt; replace: true replaces it', async () => {
    scriptChat(`Here is a poet. ${block({ name: 'poet', type: 'llm', description: 'Writes haiku', system_prompt: 'You only answer in haiku.' })}`);
    expect(await hub.processUserInput('I want a poet', { interface: 'test' })).toBe('Here is a poet.\n\nSpawned poet, an LLM agent: Writes haiku. Talk to it with @poet.');
    expect(hub.system.get('poet')).toMatchObject({ kind: 'llm', state: 'running' });
    llm.script('ollama', 'Autumn moonlight—\na worm digs silently\ninto the chestnut.');
    expect(await hub.processUserInput('@poet the moon', { interface: 'test' })).toContain('Autumn moonlight');
    expect(messagesOf(2)[0]).toMatchObject({ role: 'system', content: expect.stringContaining('You only answer in haiku.') });

    scriptChat(`Again: ${block({ name: 'poet', type: 'llm', system_prompt: 'Limericks.' })}`);
    expect(await hub.processUserInput('another poet', { interface: 'test' })).toMatch(/poet was not spawned: an agent named "poet" already exists/);
    scriptChat(`Replaced. ${block({ name: 'poet', type: 'llm', system_prompt: 'Limericks only.', replace: true })}`);
    expect(await hub.processUserInput('replace the poet', { interface: 'test' })).toMatch(/Spawned poet/);
    llm.script('ollama', 'There once was a moon…');
    await hub.processUserInput('@poet the moon', { interface: 'test' });
    expect(messagesOf(5)[0]!.content).toContain('Limericks only.');
  });

  it('ha_actuator without Home Assistant: a clear message; install: a clear note about the installer', async () => {
    scriptChat(`Done. ${block({ type: 'ha_actuator', name: 'hall-light', automation_id: 'hall', mqtt_topics: ['custom/triggers/hall'], actions: [{ domain: 'light', service: 'turn_on', entity_id: 'light.hall' }] })}`);
    expect(await hub.processUserInput('turn on the hall light on motion', { interface: 'test' })).toMatch(/hall-light was not spawned: Home Assistant is not configured/);
    scriptChat(block({ name: 'feeds', code: 'export async function handleTask() { return 1; }', install: ['rss-parser'] }));
    expect(await hub.processUserInput('read my feeds', { interface: 'test' })).toMatch(/Spawned feeds[\s\S]*rss-parser[\s\S]*installer/);
  });
});

describe('"create an agent that …": the agent writer with repair rounds', () => {
  const DOUBLER = 'export async function handleTask(agent, payload) {\n  return { doubled: payload.n * 2 };\n}';

  it('an invalid first answer gets a repair round with the error; the repaired code is stored and runs', async () => {
    llm.script('ollama', [
      `${block({ name: 'doubler', description: 'Doubles numbers', code: 'export async function handleTask(agent, payload) {\n  return { doubled: payload.n * };\n}' })}`,
      `Fixed: ${block({ name: 'doubler', description: 'Doubles numbers', code: DOUBLER, input_schema: { n: 'number' } })}`,
    ]);
    const answer = await hub.processUserInput('Create an agent that doubles numbers', { interface: 'test' });
    expect(answer).toMatch(/^Spawned doubler \(version 1\): Doubles numbers\. Send it a task with @doubler \{"n":"number"\}\.$/);
    expect(llm.requestsFor('ollama')).toHaveLength(2); // no classification: the writer is chosen by the wording
    // The writer's prompt teaches the API; the repair round quotes the problem with its place.
    expect(messagesOf(1)[0]!.content).toContain('interface Agent {');
    const repair = messagesOf(2).at(-1)!;
    expect(repair).toMatchObject({ role: 'user', content: expect.stringMatching(/refused[\s\S]*line 2, column \d+/) });
    expect((await rest('GET', '/agents/doubler/code')).body).toMatchObject({ code: DOUBLER, version: 1 });
    expect((await rest('POST', '/agents/doubler/tasks', { payload: { n: 21 } })).body).toEqual({ result: { doubled: 42 } });
  });

  it('a setup that throws is a repair reason too', async () => {
    llm.script('ollama', [
      block({ name: 'fragile', code: "export async function setup(agent) {\n  throw new Error('missing topic');\n}" }),
      block({ name: 'fragile', code: "export async function setup(agent) {\n  agent.state.ok = true;\n}\nexport async function handleTask(agent) { return agent.state.ok; }" }),
    ]);
    expect(await hub.processUserInput('please build an agent that is fragile', { interface: 'test' })).toMatch(/^Spawned fragile/);
    expect(messagesOf(2).at(-1)!.content).toMatch(/missing topic/);
    expect((await rest('POST', '/agents/fragile/tasks', { payload: {} })).body).toEqual({ result: true });
  });

  it('three invalid answers: a clear failure, nothing spawned', async () => {
    llm.script('ollama', ['I would rather not.', block({ name: 'nope', code: 'const x = 1;' }), '<spawn>{"name": "nope", "code": "x",}</spawn>']);
    const answer = await hub.processUserInput('make me an agent that does nothing useful', { interface: 'test' });
    expect(answer).toMatch(/^I could not write a working agent for that: after 3 attempts the code was still refused\. The last problem:\n.*trailing comma/);
    expect(llm.requestsFor('ollama')).toHaveLength(3);
    expect(messagesOf(2).at(-1)!.content).toMatch(/no <spawn>/);
    expect(messagesOf(3).at(-1)!.content).toMatch(/must export at least one of/);
    expect(hub.system.get('nope')).toBeUndefined();
    expect((await rest('GET', '/agents/nope')).status).toBe(404);
  });
});
