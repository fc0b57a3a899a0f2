/**
 * A node's tasks for agents it does not host (`nodes/{node}/ask`, what its `agent.sendTo` sends),
 * tried by a plain MQTT client on the hub's real embedded broker, signing as the enrolled node
 * `garage` would: a code agent answers (signed by the hub), by name or id; core and protected
 * actors are refused with a reply and never see the task (anything that is not a code agent of the
 * spawn registry is, by the same rule); a name nobody has is not_found. The hub's agents are not
 * served on `agents/by-name/…` at all. An ask nobody signed, one signed with another node's key, a
 * replayed one, and one that wants its answer somewhere else get nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRecordingClient, type RecordingClient } from '../../broker/testing/mqtt-test-client.js';
import { silentLogger } from '../../base/logger.js';
import { json, postJson } from '../../testing/http.js';
import { startWactorz } from '../../wactorz.js';
import { NodeSigner } from '../testing/node-signer.js';

const ECHO = 'export async function handleTask(agent, t) { agent.state.seen = (agent.state.seen ?? 0) + 1; return { echo: t, seen: agent.state.seen }; }';

let root: string;
let hub: Awaited<ReturnType<typeof startWactorz>>;
let client: RecordingClient;
let n = 0;
let garage: NodeSigner;
let other: NodeSigner;

type Reply = { ok: boolean; result?: unknown; error?: { error: string; kind?: string } };

/** Publishes a task for `to` as node `garage` would (or by name, `byName`); returns its reply topic. */
async function publishTask(to: string, payload: unknown, byName = false, sign: (body: Record<string, unknown>) => unknown = (b) => garage.sign('nodes/garage/ask', b)): Promise<string> {
  const replyTo = `wactorz/replies/node-garage/${++n}`;
  await client.subscribe(replyTo, 1);
  const envelope = { payload, reply_to: replyTo, correlation_id: `c-${n}`, from: 'io' };
  if (byName) await client.publish(`agents/by-name/${to}/task`, JSON.stringify(envelope), { qos: 1 });
  else await client.publish('nodes/garage/ask', JSON.stringify(sign({ to, ...envelope })), { qos: 1 });
  return replyTo;
}

const replyOn = (topic: string): Reply | undefined => {
  const m = client.received.find((r) => r.topic === topic);
  return m && (JSON.parse(m.payload) as Reply);
};

async function askAsNode(name: string, payload: unknown): Promise<Reply | undefined> {
  const replyTo = await publishTask(name, payload);
  await expect.poll(() => replyOn(replyTo) !== undefined, { timeout: 10_000 }).toBe(true);
  // Only the hub could have signed it, for garage.
  expect(garage.signedByHub(replyTo, client.received.find((r) => r.topic === replyTo)!.payload)).toBe(true);
  return replyOn(replyTo);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wz-hub-tasks-'));
  hub = await startWactorz({ stateDir: root, llm: { provider: 'none' }, interface: 'rest', restPort: 0, monitorPort: null, mqtt: { port: 0 } }, { log: silentLogger, env: {} });
  expect((await postJson(`${hub.restUrl}/agents`, { name: 'echo', code: ECHO })).status).toBe(201);
  expect((await json(postJson(`${hub.restUrl}/chat`, { message: '/agents' }))).response).toMatch(/echo/);
  client = await connectRecordingClient(`mqtt://127.0.0.1:${hub.mqttPort}`);
  garage = new NodeSigner((await hub.nodes.enrollment.enroll('garage')).code);
  other = new NodeSigner((await hub.nodes.enrollment.enroll('other')).code);
}, 60_000);
afterAll(async () => {
  await client?.end();
  await hub?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("a node's tasks for the hub's agents", () => {
  it('a code agent answers, by name and by id', async () => {
    expect(await askAsNode('echo', { hi: 1 })).toMatchObject({ ok: true, result: { echo: { hi: 1 }, seen: 1 }, agent: 'echo', node: 'hub' });
    expect(await askAsNode(hub.system.get('echo')!.actorId, 'x')).toMatchObject({ ok: true, result: { echo: 'x', seen: 2 } });
  });

  it('core and protected actors are refused, and never see the task (even "from" io)', async () => {
    const processed = hub.system.get('main')!.counters.messagesProcessed;
    const refused = await askAsNode('main', { kind: 'chat', text: '/agents', from: 'user', interface: 'cli', message_id: 'm-1' });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'refused', error: expect.stringMatching(/main cannot be asked from a node/) } });
    expect(hub.system.get('main')!.counters.messagesProcessed).toBe(processed);
    for (const name of ['monitor', 'io', 'installer', 'catalog', 'planner']) expect(await askAsNode(name, {})).toMatchObject({ ok: false, error: { kind: 'refused' } });
  });

  it('a name nobody has is not_found; nothing of the hub answers on agents/by-name/…', async () => {
    expect(await askAsNode('nobody', {})).toMatchObject({ ok: false, error: { kind: 'not_found', error: 'no agent named or with id "nobody"' } });
    const byName = await publishTask('echo', 'by name', true);
    // In order on one connection: once the task after it is answered, the first had its chance.
    expect(await askAsNode('echo', 'after')).toMatchObject({ ok: true });
    expect(replyOn(byName)).toBeUndefined();
  });

  it('an ask nobody signed, signed with another key, replayed, or asking for its answer elsewhere gets nothing', async () => {
    const processed = hub.system.get('echo')!.counters.messagesProcessed;
    const unsigned = await publishTask('echo', 'forged', false, (b) => b);
    const otherKey = await publishTask('echo', 'forged', false, (b) => other.sign('nodes/garage/ask', b, { node: 'garage' }));
    const asOther = await publishTask('echo', 'forged', false, (b) => other.sign('nodes/garage/ask', b));
    const replayed = await publishTask('echo', 'forged', false, (b) => garage.sign('nodes/garage/ask', b, { seq: 1 }));
    const hubSigned = await publishTask('echo', 'forged', false, (b) => garage.sign('nodes/garage/ask', b, { dir: 'hub' }));
    const elsewhere = `test/replies/${++n}`;
    await client.subscribe(elsewhere, 1);
    await client.publish('nodes/garage/ask', JSON.stringify(garage.sign('nodes/garage/ask', { to: 'echo', payload: 'x', reply_to: elsewhere, correlation_id: 'e' })), { qos: 1 });
    // In order on one connection: once a good ask after them is answered, they had their chance.
    expect(await askAsNode('echo', 'after')).toMatchObject({ ok: true });
    for (const t of [unsigned, otherKey, asOther, replayed, hubSigned, elsewhere]) expect(replyOn(t), t).toBeUndefined();
    expect(hub.system.get('echo')!.counters.messagesProcessed).toBe(processed + 1);
  });
});
