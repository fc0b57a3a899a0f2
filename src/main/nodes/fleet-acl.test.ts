/**
 * The Mosquitto ACL that docs/fleet.md gives ("Broker ACLs"), read from the document itself and
 * loaded into a real Mosquitto with a password file: a hub (user hub) and a real node process
 * (user garage) work under it — placement, acks, heartbeats, a task by name and its reply, the
 * node asking a hub agent through `nodes/garage/ask`, a key rotation (`rekey`) — while another
 * node's account (shed) can neither read garage's commands nor speak on garage's topics.
 * If the document's ACL is wrong, this fails.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mosquittoAvailability, startMosquitto, type MosquittoServer } from '../broker/testing/mosquitto.js';
import { connectRecordingClient, type RecordingClient } from '../broker/testing/mqtt-test-client.js';
import { waitUntil } from '../testing/wait.js';
import { silentLogger } from '../base/logger.js';
import { json, postJson, type Json } from '../testing/http.js';
import { startWactorz } from '../wactorz.js';
import { findExecutable, NodeProcess, REPO_ROOT } from './testing/node-process.js';
import { enrollNode } from './testing/enroll.js';
import { nodeTopics } from '../../shared/node-protocol.js';

const availability = mosquittoAvailability();
const passwd = findExecutable('mosquitto_passwd');
const skip = availability.skip ?? (passwd ? undefined : 'mosquitto_passwd is missing; skipping the fleet ACL test');
if (skip) {
  if (process.env.CI === 'true' && !availability.skip) throw new Error(`${skip} (required when CI=true)`);
  console.warn(skip);
}

const NODE_TIMING = { onlineWindowMs: 2_500, criticalMs: 60_000, checkMs: 300, commandRetryMs: 1_500, taskRetryMs: 1_000, spawnWaitMs: 30_000 };
const COUNTER = 'export async function handleTask(agent, t) { agent.state.n = (agent.state.n ?? 0) + 1; return { n: agent.state.n }; }';
const ASKER = 'export async function handleTask(agent, t) { return await agent.sendTo(t.to, t.task, 20); }';
const ECHO = 'export async function handleTask(agent, t) { return { echo: t }; }';

/** The Mosquitto ACL block of docs/fleet.md, as a user would copy it. */
function documentedAcl(): string {
  const doc = readFileSync(join(REPO_ROOT, 'docs/fleet.md'), 'utf8');
  const at = doc.indexOf('**Mosquitto** (`acl_file');
  expect(at, 'docs/fleet.md has the Mosquitto ACL').toBeGreaterThan(0);
  const block = /```\n([\s\S]*?)```/.exec(doc.slice(at));
  expect(block).not.toBeNull();
  return block![1]!;
}

describe.skipIf(skip !== undefined)('the broker ACL of docs/fleet.md on a real Mosquitto', () => {
  let dir: string;
  let mq: MosquittoServer;
  let hub: Awaited<ReturnType<typeof startWactorz>>;
  let garage: NodeProcess;
  let shed: RecordingClient;
  let hubUser: RecordingClient;
  const rest = (path: string) => `${hub.restUrl}${path}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wactorz-fleet-acl-'));
    const file = join(dir, 'passwd');
    execFileSync(passwd!, ['-c', '-b', file, 'hub', 'hub-pw'], { stdio: 'pipe' });
    execFileSync(passwd!, ['-b', file, 'garage', 'garage-pw'], { stdio: 'pipe' });
    execFileSync(passwd!, ['-b', file, 'shed', 'shed-pw'], { stdio: 'pipe' });
    writeFileSync(join(dir, 'acl'), documentedAcl());
    mq = await startMosquitto({ extraConfig: ['allow_anonymous false', `password_file ${file}`, `acl_file ${join(dir, 'acl')}`, 'set_tcp_nodelay true'] });
    hub = await startWactorz(
      { stateDir: join(dir, 'hub'), llm: { provider: 'none' }, interface: 'rest', restPort: 0, monitorPort: null, mqtt: { broker: '127.0.0.1', port: mq.port, username: 'hub', password: 'hub-pw' } },
      { log: silentLogger, env: {}, nodes: NODE_TIMING },
    );
    await enrollNode(hub.nodes, 'garage', join(dir, 'garage'));
    garage = new NodeProcess({ name: 'garage', stateDir: join(dir, 'garage'), brokerUrl: mq.url, heartbeatMs: 400, extraArgs: ['--username', 'garage', '--password', 'garage-pw'] });
    await garage.start();
    await waitUntil(() => hub.nodes.online('garage'), 'garage online through the ACL', 30_000);
    shed = await connectRecordingClient(mq.url, { username: 'shed', password: 'shed-pw' });
    hubUser = await connectRecordingClient(mq.url, { username: 'hub', password: 'hub-pw' });
    await shed.subscribe(['nodes/#', 'wactorz/replies/#'], 1);
    await hubUser.subscribe('nodes/garage/#', 1);
  }, 120_000);

  afterAll(async () => {
    await shed?.end().catch(() => undefined);
    await hubUser?.end().catch(() => undefined);
    await hub?.stop();
    await garage?.stop();
    await mq?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('lets the hub and its node work: placement, tasks both ways, key rotation', async () => {
    expect((await postJson(rest('/nodes/garage/agents'), { name: 'counter', code: COUNTER })).status).toBe(201);
    expect(await hub.nodes.askRemote('counter', {}, 20_000)).toEqual({ n: 1 });
    // The node asks a hub agent (nodes/garage/ask → its own reply topic).
    expect((await postJson(rest('/agents'), { name: 'echo', code: ECHO })).status).toBe(201);
    expect((await postJson(rest('/nodes/garage/agents'), { name: 'asker', code: ASKER, send_to: ['echo'] })).status).toBe(201);
    expect(await hub.nodes.askRemote('asker', { to: 'echo', task: { hi: 1 } }, 20_000)).toEqual({ echo: { hi: 1 } });
    // A rotation travels on nodes/garage/rekey.
    const rotation = await json(postJson(rest('/nodes/garage/key/rotate'), { wait_ms: 20_000 }));
    expect(rotation).toMatchObject({ status: 'done' });
    expect(await hub.nodes.askRemote('counter', {}, 20_000)).toEqual({ n: 2 });
  }, 90_000);

  it("keeps another node's account off garage's topics", async () => {
    // shed subscribed to nodes/# and wactorz/replies/#: Mosquitto delivered it nothing of garage's
    // (the hub's own account, subscribed later, saw plenty).
    expect(hubUser.received.some((m) => m.topic === nodeTopics.heartbeat('garage'))).toBe(true);
    expect(shed.received.filter((m) => m.topic.startsWith('nodes/garage/') || m.topic.startsWith('wactorz/replies/node-garage/'))).toEqual([]);

    // Publishing as garage, or commanding garage: dropped by the broker (no one receives it).
    const mark = garage.output.length;
    await shed.publish(nodeTopics.command('garage', 'spawn'), JSON.stringify({ command_id: 'x', name: 'implant', code: ECHO }), { qos: 1 });
    await shed.publish(nodeTopics.heartbeat('garage'), JSON.stringify({ node: 'garage', marker: 'from-shed' }), { qos: 1 });
    // Ordered after them through the broker: the hub's next command, and garage's next heartbeat.
    expect((await postJson(rest('/nodes/garage/agents'), { name: 'later', code: COUNTER })).status).toBe(201);
    const beats = hubUser.received.filter((m) => m.topic === nodeTopics.heartbeat('garage')).length;
    await waitUntil(() => hubUser.received.filter((m) => m.topic === nodeTopics.heartbeat('garage')).length > beats + 1, 'two more heartbeats of garage', 10_000);
    expect(hubUser.received.some((m) => m.payload.includes('from-shed') || m.payload.includes('implant'))).toBe(false);
    expect(garage.output.slice(mark)).not.toMatch(/refused a message on nodes\/garage\/spawn/);
    const spawns = hubUser.received.filter((m) => m.topic === nodeTopics.command('garage', 'spawn') && m.payload !== '').map((m) => (JSON.parse(m.payload) as Json).name);
    expect(spawns).toContain('later');
    expect(spawns).not.toContain('implant');
  }, 60_000);
});
