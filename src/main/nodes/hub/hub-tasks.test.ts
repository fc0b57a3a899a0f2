/**
 * Tasks by name to the hub's own agents (what a node's `agent.sendTo` sends for a name it does not
 * host), tried by an anonymous MQTT client on the hub's real embedded broker: a code agent answers;
 * core and protected actors are refused with a reply and never see the task (anything that is not a
 * code agent of the spawn registry is, by the same rule); a name nobody has gets no answer for a
 * client the hub does not know (another hub on the broker may have it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRecordingClient, type RecordingClient } from '../../broker/testing/mqtt-test-client.js';
import { silentLogger } from '../../hub/logger.js';
import { json, postJson } from '../../testing/http.js';
import { startWactorz } from '../../wactorz.js';

const ECHO = 'export async function handleTask(agent, t) { agent.state.seen = (agent.state.seen ?? 0) + 1; return { echo: t, seen: agent.state.seen }; }';

let root: string;
let hub: Awaited<ReturnType<typeof startWactorz>>;
let client: RecordingClient;
let n = 0;

type Reply = { ok: boolean; result?: unknown; error?: { error: string; kind?: string } };

/** Publishes a task by name with a reply topic; returns the topic. */
async function publishTask(name: string, payload: unknown): Promise<string> {
  const replyTo = `test/replies/${++n}`;
  await client.subscribe(replyTo, 1);
  await client.publish(`agents/by-name/${name}/task`, JSON.stringify({ payload, reply_to: replyTo, correlation_id: `c-${n}`, from: 'io' }), { qos: 1 });
  return replyTo;
}

const replyOn = (topic: string): Reply | undefined => {
  const m = client.received.find((r) => r.topic === topic);
  return m && (JSON.parse(m.payload) as Reply);
};

async function askByName(name: string, payload: unknown): Promise<Reply | undefined> {
  const replyTo = await publishTask(name, payload);
  await expect.poll(() => replyOn(replyTo) !== undefined, { timeout: 10_000 }).toBe(true);
  return replyOn(replyTo);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wz-hub-tasks-'));
  hub = await startWactorz({ stateDir: root, llm: { provider: 'none' }, interface: 'rest', restPort: 0, monitorPort: null, mqtt: { port: 0 } }, { log: silentLogger, env: {} });
  expect((await postJson(`${hub.restUrl}/agents`, { name: 'echo', code: ECHO })).status).toBe(201);
  expect((await json(postJson(`${hub.restUrl}/chat`, { message: '/agents' }))).response).toMatch(/echo/);
  client = await connectRecordingClient(`mqtt://127.0.0.1:${hub.mqttPort}`);
}, 60_000);
afterAll(async () => {
  await client?.end();
  await hub?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('tasks by name to the hub', () => {
  it('a code agent answers, by name and by id', async () => {
    expect(await askByName('echo', { hi: 1 })).toMatchObject({ ok: true, result: { echo: { hi: 1 }, seen: 1 }, agent: 'echo', node: 'hub' });
    expect(await askByName(hub.system.get('echo')!.actorId, 'x')).toMatchObject({ ok: true, result: { echo: 'x', seen: 2 } });
  });

  it('core and protected actors are refused, and never see the task (even "from" io)', async () => {
    const processed = hub.system.get('main')!.counters.messagesProcessed;
    const refused = await askByName('main', { kind: 'chat', text: '/agents', from: 'user', interface: 'cli', message_id: 'm-1' });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'refused', error: expect.stringMatching(/main cannot be asked from another machine/) } });
    expect(hub.system.get('main')!.counters.messagesProcessed).toBe(processed);
    for (const name of ['monitor', 'io', 'installer', 'catalog', 'planner']) expect(await askByName(name, {})).toMatchObject({ ok: false, error: { kind: 'refused' } });
  });

  it('a name nobody has: no answer for a client the hub does not know', async () => {
    const nobody = await publishTask('nobody', {});
    // Routed in order: once the task after it is answered, the hub has decided about this one.
    expect(await askByName('echo', 'after')).toMatchObject({ ok: true });
    expect(replyOn(nobody)).toBeUndefined();
  });
});
