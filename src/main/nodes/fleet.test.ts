/**
 * A fleet against a REAL Mosquitto started by the test: a hub (this process) and two node
 * processes (the real node CLI, `node --import tsx src/main/nodes/node-cli.ts`). Spawn on a node,
 * tasks by name from the hub, from chat and from mosquitto_pub/mosquitto_sub, migration with state,
 * kill -9 of a node (alert; agent back with its state), a broker restart in the middle of tasks and
 * a command (every task answered, a counter exact, the command applied once), a hub restart.
 * Short heartbeats and windows keep it well under a minute; no timing is asserted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mosquittoAvailability, startMosquitto, type MosquittoServer } from '../broker/testing/mosquitto.js';
import { connectRecordingClient, type RecordingClient } from '../broker/testing/mqtt-test-client.js';
import { silentLogger } from '../base/logger.js';
import { startWactorz } from '../wactorz.js';
import { json, postJson, type Json } from '../testing/http.js';
import { NodeProcess, findExecutable } from './testing/node-process.js';
import { nodeTopics } from '../../shared/node-protocol.js';
import { nodeActorId } from './protocol.js';
import { actorIdFor } from '../core/actor-id.js';
import { enrollNode } from './testing/enroll.js';
import { waitUntil } from '../testing/wait.js';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../persistence/sqlite/open-database.js';
import { AGENT_STATE_KEY } from '../agents/dynamic/index.js';

const availability = mosquittoAvailability();
const clients = { pub: findExecutable('mosquitto_pub'), sub: findExecutable('mosquitto_sub') };
if ((!clients.pub || !clients.sub) && process.env.CI === 'true') throw new Error('mosquitto_pub/mosquitto_sub are not installed (apt-get install -y mosquitto-clients): required when CI=true');
const skip = availability.skip ?? (!clients.pub || !clients.sub ? 'mosquitto-clients is not installed (apt-get install -y mosquitto-clients); skipping' : undefined);
if (skip) console.warn(skip);

const COUNTER = `
export async function setup(agent) { agent.state.count = agent.state.count ?? 0; }
export async function handleTask(agent, task) {
  if (task && task.action === 'get') return { count: agent.state.count };
  agent.state.count = (agent.state.count ?? 0) + 1;
  const count = agent.state.count;
  if (task && task.slow) await agent.sleep(task.slow); // still running when the broker goes
  return { count };
}`;
const ECHO = `export async function handleTask(agent, task) { return { echo: task }; }`;

const HEARTBEAT_MS = 400;
const NODE_TIMING = { onlineWindowMs: 2_500, criticalMs: 60_000, checkMs: 300, commandRetryMs: 1_500, taskRetryMs: 1_000, spawnWaitMs: 30_000, migrateWaitMs: 30_000 };

type Hub = Awaited<ReturnType<typeof startWactorz>>;

describe.skipIf(skip !== undefined)('a fleet on a real Mosquitto: a hub and two node processes', () => {
  let mq: MosquittoServer;
  let root: string;
  let hubDir: string;
  let hub: Hub;
  let alpha: NodeProcess;
  let beta: NodeProcess;
  let observer: RecordingClient;

  const startHub = () =>
    startWactorz(
      {
        stateDir: hubDir,
        llm: { provider: 'none' },
        interface: 'rest',
        restPort: 0,
        monitorPort: null,
        mqtt: { broker: '127.0.0.1', port: mq.port },
        timing: { heartbeatMs: 1_000, monitorCheckMs: 1_000, monitorWarnMs: 60_000, monitorCriticalMs: 120_000, healthMs: 15_000 },
      },
      { log: silentLogger, env: {}, nodes: NODE_TIMING },
    );
  const rest = (path: string) => `${hub.restUrl}${path}`;
  const ask = (name: string, payload: unknown, timeoutMs = 30_000) => hub.nodes.askRemote<{ count: number }>(name, payload, timeoutMs);
  const nodeInfo = async (name: string): Promise<Json> => (await json(fetch(rest('/nodes')))).find((n: Json) => n.name === name);
  const waitForNode = (name: string, check: (n: Json) => boolean, what: string, timeoutMs = 30_000): Promise<true> =>
    waitUntil(async () => {
      const n = await nodeInfo(name);
      if (!n || !check(n)) throw new Error(`the hub says ${JSON.stringify(n)}`);
      return true as const;
    }, what, timeoutMs);
  /** The agent state a node has saved in its own SQLite file (what survives a kill -9). */
  const savedState = (node: string, agent: string): Json => {
    const db = new Database(join(root, node, DATABASE_FILE), { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT value FROM kv WHERE actor = ? AND key = ?').get(agent, AGENT_STATE_KEY) as { value: string } | undefined;
      return row ? JSON.parse(row.value) : undefined;
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'wactorz-fleet-'));
    hubDir = join(root, 'hub');
    mq = await startMosquitto({ extraConfig: ['set_tcp_nodelay true'] });
    const node = (name: string) => new NodeProcess({ name, stateDir: join(root, name), brokerUrl: mq.url, heartbeatMs: HEARTBEAT_MS });
    alpha = node('alpha');
    beta = node('beta');
    hub = await startHub();
    // Enrolled as a person does it: the hub makes each key, the node's state dir gets it.
    await enrollNode(hub.nodes, 'alpha', join(root, 'alpha'));
    await enrollNode(hub.nodes, 'beta', join(root, 'beta'));
    await Promise.all([alpha.start(), beta.start()]);
    observer = await connectRecordingClient(mq.url, { reconnectPeriod: 300 });
    await observer.subscribe(['agents/+/alert', 'nodes/+/desired_state', `agents/${actorIdFor('counter')}/heartbeat`], 1);
    await waitForNode('alpha', (n) => n.online, 'alpha online');
    await waitForNode('beta', (n) => n.online, 'beta online');
  }, 120_000);

  afterAll(async () => {
    await observer?.end().catch(() => undefined);
    await hub?.stop();
    await Promise.all([alpha?.stop(), beta?.stop()]);
    await mq?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('spawns an agent on a node and serves tasks by name from the hub, REST and chat', async () => {
    const res = await postJson(rest('/nodes/alpha/agents'), { name: 'counter', code: COUNTER, description: 'counts' });
    const report = await json(res);
    expect(res.status, JSON.stringify(report)).toBe(201);
    expect(report).toMatchObject({ ok: true, status: 'running', node: 'alpha', name: 'counter', version: 1 });

    expect(await ask('counter', { action: 'inc' })).toEqual({ count: 1 });
    const viaRest = await json(postJson(rest('/nodes/alpha/agents/counter/task'), { payload: { action: 'inc' } }));
    expect(viaRest).toEqual({ agent: 'counter', node: 'alpha', result: { count: 2 } });
    // @mention from chat goes to the remote agent.
    expect(await hub.processUserInput('@counter {"action":"inc"}')).toContain('3');

    await waitForNode('alpha', (n) => n.agents.includes('counter') && n.agent_states.counter === 'running', 'counter in alpha heartbeat');
    const alphaInfo = await nodeInfo('alpha');
    expect(alphaInfo).toMatchObject({ online: true, placed: ['counter'], pending_commands: 0 });
    expect(alphaInfo.load).toHaveLength(3);
    // The spawn registry records the node.
    const row = hub.persistence.db.prepare('SELECT node FROM spawn_registry WHERE name = ?').get('counter') as { node: string };
    expect(row.node).toBe('alpha');
    expect(await hub.processUserInput('/nodes')).toMatch(/alpha\s+online[\s\S]*counter\s+running/);
    // The agent's own heartbeat on the usual topic says where it runs.
    await waitUntil(() => observer.received.some((m) => m.topic.endsWith('/heartbeat')), "counter's heartbeat");
    expect(JSON.parse(observer.received.find((m) => m.topic.endsWith('/heartbeat'))!.payload)).toMatchObject({ name: 'counter', node: 'alpha', kind: 'dynamic' });
  }, 60_000);

  it('a DynamicAgent on the hub reaches the agent on a node with agent.sendTo, by name and by id', async () => {
    const relay = `export async function handleTask(agent, t) { return await agent.sendTo(t.to, t.task, 20); }`;
    expect((await postJson(rest('/agents'), { name: 'relay', code: relay, send_to: ['counter'] })).status).toBe(201);
    const viaRelay = async (to: string) => (await json(postJson(rest('/agents/relay/tasks'), { payload: { to, task: { action: 'get' } } }))).result;
    expect(await viaRelay('counter')).toEqual({ count: 3 });
    expect(await viaRelay(actorIdFor('counter'))).toEqual({ count: 3 });
    expect((await json(postJson(rest('/agents/relay/tasks'), { payload: { to: 'nobody', task: {} } }))).error).toMatch(/nobody/);
    // Only what it declared: main (a core actor) is refused before it is asked.
    expect((await json(postJson(rest('/agents/relay/tasks'), { payload: { to: 'main', task: {} } }))).error).toMatch(/sendTo\(main\) refused: main is one of the hub's actors/);
  }, 60_000);

  it('serves a task published with mosquitto_pub, replying on the reply_to topic (mosquitto_sub)', async () => {
    const replyTopic = 'test/replies/cli';
    let out = '';
    let err = '';
    const startSub = () => {
      const p = spawn(clients.sub!, ['-h', '127.0.0.1', '-p', String(mq.port), '-t', replyTopic, '-q', '1', '-C', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
      p.stdout.on('data', (c: Buffer) => (out += c.toString()));
      p.stderr.on('data', (c: Buffer) => (err += c.toString()));
      return p;
    };
    let sub = startSub();
    const replied = () => out.split('\n').some((l) => l.startsWith('{'));
    // mosquitto_sub says nothing when it has subscribed: publish the same task (same correlation id,
    // so the node runs it once and repeats its reply) until the reply arrives. On a loaded machine
    // mosquitto_sub can give up before that; then it is started again.
    const payload = JSON.stringify({ action: 'inc', reply_to: replyTopic, correlation_id: 'cli-1' });
    await waitUntil(async () => {
      if (sub.exitCode !== null) sub = startSub();
      await run(clients.pub!, ['-h', '127.0.0.1', '-p', String(mq.port), '-t', 'agents/by-name/counter/task', '-q', '1', '-m', payload]);
      await waitUntil(() => replied(), 'the reply', 700).catch(() => undefined);
      if (!replied()) throw new Error(`mosquitto_sub has: ${out} ${err}`);
      return true;
    }, 'a reply on mosquitto_sub', 30_000);
    sub.kill();
    const line = out.split('\n').find((l) => l.startsWith('{'));
    expect(JSON.parse(line!)).toMatchObject({ correlation_id: 'cli-1', ok: true, result: { count: 4 }, agent: 'counter', node: 'alpha' });
  }, 60_000);

  it('migrates an agent to another node with its state; tasks by name follow it', async () => {
    const reply = await hub.processUserInput('/migrate counter beta');
    expect(reply).toContain('Migrated counter from node alpha to node beta');
    expect(await ask('counter', { action: 'inc' })).toEqual({ count: 5 });
    await waitForNode('beta', (n) => n.agent_states.counter === 'running' && n.placed.includes('counter'), 'counter on beta');
    await waitForNode('alpha', (n) => !n.agents.includes('counter') && n.placed.length === 0, 'counter gone from alpha');
    const row = hub.persistence.db.prepare('SELECT node FROM spawn_registry WHERE name = ?').get('counter') as { node: string };
    expect(row.node).toBe('beta');
  }, 60_000);

  it('an agent on a node reaches agents on the hub and on the other node with agent.sendTo; core actors and unknown names are refused', async () => {
    const asker = `export async function handleTask(agent, t) {
  try { return { ok: true, value: await agent.sendTo(t.to, t.task, 20) }; } catch (e) { return { ok: false, error: String(e.message) }; }
}`;
    expect((await postJson(rest('/nodes/alpha/agents'), { name: 'asker', code: asker, send_to: ['counter', 'relay', 'main', 'nobody'] })).status).toBe(201);
    const viaAsker = (to: string, task: unknown) => hub.system.ask<Json>('asker', { to, task }, 30_000);
    // counter lives on beta now; relay is a code agent on the hub (it asks counter in turn).
    expect(await viaAsker('counter', { action: 'get' })).toEqual({ ok: true, value: { count: 5 } });
    expect(await viaAsker(actorIdFor('counter'), { action: 'get' })).toEqual({ ok: true, value: { count: 5 } });
    expect(await viaAsker('relay', { to: 'counter', task: { action: 'get' } })).toEqual({ ok: true, value: { count: 5 } });
    expect(await viaAsker('main', { kind: 'chat', text: '/agents', from: 'user', interface: 'cli', message_id: 'x' })).toMatchObject({ ok: false, error: expect.stringMatching(/main cannot be asked from a node/) });
    expect(await viaAsker('nobody', {})).toMatchObject({ ok: false, error: expect.stringMatching(/no agent named or with id "nobody"/) });
  }, 60_000);

  it('kill -9 of a node: an alert, a command that waits for it, the agent back with its state', async () => {
    await waitUntil(() => savedState('beta', 'counter')?.count === 5, "counter's state saved on beta", 10_000);
    const betaAlerts = () => observer.received.filter((m) => m.topic === `agents/${nodeActorId('beta')}/alert`).map((m) => JSON.parse(m.payload) as Json);
    // Only alerts from now on: under load, beta may have been reported silent while it booted.
    const earlier = betaAlerts().length;
    const since = () => betaAlerts().slice(earlier);
    await beta.kill();
    await waitUntil(() => since().some((a) => !a.resolved), 'the node-silent alert', 20_000);
    const raised = since().find((a) => !a.resolved)!;
    expect(raised).toMatchObject({ actor_id: nodeActorId('beta'), name: 'node:beta', severity: 'warning', node: 'beta' });
    expect(raised.message).toMatch(/beta went silent/);
    expect(await nodeInfo('beta')).toMatchObject({ online: false, alert: 'warning' });
    expect(await hub.processUserInput('/alerts')).toContain('node:beta');

    // Issued while the node is down: queued in the outbox, applied once when it is back.
    const queued = await hub.nodes.spawnOnNode({ name: 'echo', node: 'beta', code: ECHO }, { waitMs: 500 });
    expect(queued).toMatchObject({ ok: true, status: 'queued' });

    await beta.start();
    await waitUntil(() => since().some((a) => a.resolved === true), 'the node-back alert', 20_000);
    expect(since().find((a) => a.resolved)).toMatchObject({ severity: 'info', name: 'node:beta' });
    expect(await ask('counter', { action: 'get' })).toEqual({ count: 5 });
    expect(await ask('echo', { hi: 1 })).toEqual({ echo: { hi: 1 } });
    await waitForNode('beta', (n) => n.pending_commands === 0 && n.online, 'beta caught up');
    await waitForCreated(beta, 'echo');
    expect(createdOnce(beta.output, 'echo')).toBe(true);
  }, 60_000);

  it('restarts the broker in the middle of tasks and a command: nothing lost, nothing twice', async () => {
    const before = (await ask('counter', { action: 'get' })).count;
    const tasks: Promise<{ count: number }>[] = [];
    for (let i = 0; i < 10; i++) tasks.push(ask('counter', { action: 'inc', slow: 0.5 }, 45_000));
    // The node has taken the slow tasks (each counts at once, then sleeps 0.5 s before replying).
    await waitUntil(() => savedState('beta', 'counter')?.count > before, 'a slow task running on beta (where counter now lives)', 10_000);
    await mq.kill(); // a crash: tasks running on the node, replies not yet sent
    for (let i = 0; i < 10; i++) tasks.push(ask('counter', { action: 'inc' }, 45_000));
    const spawnDuring = hub.nodes.spawnOnNode({ name: 'echo2', node: 'alpha', code: ECHO }, { waitMs: 30_000 });
    await waitUntil(() => hub.bus.state !== 'connected', 'the hub noticing the broker is gone', 10_000);
    await mq.start();
    for (let i = 0; i < 10; i++) tasks.push(ask('counter', { action: 'inc' }, 45_000));

    const results = await Promise.all(tasks);
    // Every increment counted exactly once: the counts handed out are exactly before+1 … before+30.
    expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => before + i + 1));
    expect(await ask('counter', { action: 'get' })).toEqual({ count: before + 30 });

    expect(await spawnDuring).toMatchObject({ ok: true, status: 'running' });
    expect(await ask('echo2', 'x')).toEqual({ echo: 'x' });
    await waitForCreated(alpha, 'echo2');
    expect(createdOnce(alpha.output, 'echo2')).toBe(true);
  }, 90_000);

  it('after a hub restart the nodes get their desired state again and stay reachable', async () => {
    const lastRevision = () => Math.max(0, ...observer.received.filter((m) => m.topic === nodeTopics.command('beta', 'desired_state') && m.payload).map((m) => (JSON.parse(m.payload) as Json).revision));
    const before = lastRevision();
    await hub.stop();
    hub = await startHub();
    await waitUntil(() => lastRevision() > before, 'a re-published desired state for beta', 20_000);
    const desired = JSON.parse(observer.received.filter((m) => m.topic === nodeTopics.command('beta', 'desired_state')).at(-1)!.payload) as Json;
    expect(desired.agents.map((a: Json) => a.name).sort()).toEqual(['counter', 'echo']);
    await waitForNode('beta', (n) => n.online, 'beta online for the new hub');
    expect((await ask('counter', { action: 'inc' })).count).toBeGreaterThan(30);
    expect(await json(fetch(rest('/nodes/beta')))).toMatchObject({ name: 'beta', placements: expect.arrayContaining([expect.objectContaining({ name: 'counter', status: 'running' })]) });
  }, 60_000);
});

/**
 * The node created `name` exactly once — through its spawn command or through the desired state
 * that lists it, whichever reached the node first (after a broker restart either may).
 */
function createdOnce(output: string, name: string): boolean {
  return (output.match(new RegExp(`(?:spawn ${name} \\(hub version 1\\): |desired state: ${name} )created`, 'g')) ?? []).length === 1;
}

/** The node's stdout reaches us on its own pipe, not with its replies: wait for the line first. */
function waitForCreated(node: NodeProcess, name: string): Promise<true> {
  return waitUntil(() => new RegExp(`(?:spawn ${name} \\(hub version 1\\): |desired state: ${name} )created`).test(node.output) || undefined, `${node.opts.name}'s log of creating ${name}`, 10_000).then(() => true as const);
}

function run(bin: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${bin} exited ${code}: ${err}`))));
  });
}
