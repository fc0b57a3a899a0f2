/**
 * Nodes run only their hub's commands, and the hub believes only its nodes — against a REAL
 * Mosquitto, a hub (this process) and real node processes (the node CLI), with an attacker that is
 * any client of the broker (an agent's bus access, a LAN peer, `mosquitto_pub`):
 * - forged commands — unsigned (the issue's implant on `nodes/garage/spawn`), a wrong key, another
 *   node's key, a node's message reflected back, a replay of a captured command, a counter rewound —
 *   are refused and logged by the node, and the hub's own command runs once;
 * - a retained command reaching a node back from being away runs once, and not again at the next start;
 * - a forged heartbeat cannot make a stopped node look online, a forged ack cannot confirm a command,
 *   a forged or misplaced task reply cannot answer a task;
 * - key rotation with commands queued before and after it loses none; the old key is refused after;
 * - `wactorz node enroll` stores the key owner-only; no key is in either database or a log line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mosquittoAvailability, startMosquitto, type MosquittoServer } from '../broker/testing/mosquitto.js';
import { connectRecordingClient, type RecordingClient } from '../broker/testing/mqtt-test-client.js';
import { waitUntil } from '../testing/wait.js';
import { startWactorz } from '../wactorz.js';
import { json, postJson, type Json } from '../testing/http.js';
import { NodeProcess, REPO_ROOT } from './testing/node-process.js';
import { NodeSigner } from './testing/node-signer.js';
import { formatEnrollmentCode } from './trust/enrollment-code.js';
import { generateFleetKey } from './trust/fleet-mac.js';
import { nodeTopics } from '../../shared/node-protocol.js';
import { topics } from '../../shared/topics.js';

const availability = mosquittoAvailability();
if (availability.skip) console.warn(availability.skip);

const COUNTER = `export async function handleTask(agent, t) { agent.state.n = (agent.state.n ?? 0) + 1; return { n: agent.state.n }; }`;
const IMPLANT = `export async function handleTask(agent) { return agent.env; }`;
const NODE_TIMING = { onlineWindowMs: 2_500, criticalMs: 60_000, checkMs: 300, commandRetryMs: 1_500, taskRetryMs: 1_000, spawnWaitMs: 30_000 };

describe.skipIf(availability.skip !== undefined)('signed fleet messages on a real Mosquitto: a hub, node processes, an attacker', () => {
  let mq: MosquittoServer;
  let root: string;
  let hub: Awaited<ReturnType<typeof startWactorz>>;
  let garage: NodeProcess;
  let attacker: RecordingClient;
  let garageKey: NodeSigner;
  let shedKey: NodeSigner;
  const hubLog: string[] = [];

  const rest = (path: string) => `${hub.restUrl}${path}`;
  const nodeInfo = async (name: string): Promise<Json> => (await json(fetch(rest('/nodes')))).find((n: Json) => n.name === name);
  const created = (name: string) => (garage.output.match(new RegExp(`(?:spawn ${name} \\(hub version \\d+\\): |desired state: ${name} )created`, 'g')) ?? []).length;
  const enroll = async (node: string): Promise<string> => {
    const res = await postJson(rest(`/nodes/${node}/enroll`), {});
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    return ((await res.json()) as Json).code as string;
  };
  /** `wactorz node enroll` as a person runs it, the code on standard input. */
  const enrollCli = (node: string, stateDir: string, code: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/main/nodes/node-cli.ts'), 'enroll', '--name', node, '--state-dir', stateDir], { cwd: REPO_ROOT, input: `${code}\n`, encoding: 'utf8' });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'wactorz-fleet-trust-'));
    mq = await startMosquitto({ extraConfig: ['set_tcp_nodelay true'] });
    hub = await startWactorz(
      { stateDir: join(root, 'hub'), llm: { provider: 'none' }, interface: 'rest', restPort: 0, monitorPort: null, mqtt: { broker: '127.0.0.1', port: mq.port } },
      { log: (level, message) => hubLog.push(`${level} ${message}`), env: {}, nodes: NODE_TIMING },
    );
    const code = await enroll('garage');
    const cli = enrollCli('garage', join(root, 'garage'), code);
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/Node "garage" is enrolled/);
    garageKey = new NodeSigner(code);
    shedKey = new NodeSigner(await enroll('shed'));
    garage = new NodeProcess({ name: 'garage', stateDir: join(root, 'garage'), brokerUrl: mq.url, heartbeatMs: 400 });
    await garage.start();
    attacker = await connectRecordingClient(mq.url);
    await attacker.subscribe(['nodes/#', 'agents/by-name/#'], 1);
    await waitUntil(() => hub.nodes.online('garage'), 'garage online', 30_000);
  }, 120_000);

  afterAll(async () => {
    await attacker?.end().catch(() => undefined);
    await hub?.stop();
    await garage?.stop();
    await mq?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('refuses and logs forged commands; the hub’s command runs once', async () => {
    const placed = await postJson(rest('/nodes/garage/agents'), { name: 'counter', code: COUNTER });
    expect(placed.status).toBe(201);
    const hubSpawn = attacker.received.find((m) => m.topic === 'nodes/garage/spawn' && m.payload.includes('"counter"'))!;
    expect(hubSpawn).toBeDefined();
    expect(garageKey.signedByHub(hubSpawn.topic, hubSpawn.payload)).toBe(true);

    const topic = nodeTopics.command('garage', 'spawn');
    const implant = (id: string) => ({ command_id: id, name: `implant-${id}`, code: IMPLANT, capabilities: ['fetch_local'], env: ['CAMERA_TOKEN'] });
    const wrongKey = new NodeSigner(formatEnrollmentCode('garage', generateFleetKey()));
    const forged: [string, unknown][] = [
      ['unsigned', implant('a')],
      ['wrong key', wrongKey.sign(topic, implant('b'), { dir: 'hub', seq: 10_000 })],
      ["shed's key, as garage", shedKey.sign(topic, implant('c'), { dir: 'hub', node: 'garage', seq: 10_000 })],
      ["shed's key, as shed", shedKey.sign(topic, implant('d'), { dir: 'hub', seq: 10_000 })],
      ['a node message reflected', garageKey.sign(topic, implant('e'), { dir: 'node', seq: 10_000 })],
      ['the right key, counter rewound', garageKey.sign(topic, implant('f'), { dir: 'hub', seq: 1 })],
      ['the right key, moved to another topic', garageKey.sign(nodeTopics.command('garage', 'stop'), implant('g'), { dir: 'hub', seq: 10_000 })],
    ];
    for (const [, payload] of forged) await attacker.publish(topic, JSON.stringify(payload), { qos: 1 });
    await attacker.publish(topic, hubSpawn.payload, { qos: 1 }); // a captured command, replayed

    for (const why of [
      /spawn: unsigned: only the hub this node is enrolled with/,
      /spawn: key [0-9a-f]{16} is not this node's/,
      /spawn: signed for node shed, not this one/,
      /spawn: bad signature \(forged or altered\)/,
      /spawn: seq 1 is below one taken already/,
      /spawn: seq \d+ (was taken already|is below one taken already)/,
    ]) {
      await waitUntil(() => why.test(garage.output), `garage logs: ${why.source}`, 20_000);
    }
    expect(garage.output.match(/refused a message on nodes\/garage\/spawn: bad signature/g)?.length).toBeGreaterThanOrEqual(1);

    // The hub's next command runs, once; none of the implants ever did.
    expect((await postJson(rest('/nodes/garage/agents'), { name: 'echo', code: COUNTER })).status).toBe(201);
    await waitUntil(() => created('echo') > 0, 'echo created', 10_000);
    expect(created('echo')).toBe(1);
    expect(created('counter')).toBe(1);
    expect(garage.output).not.toMatch(/implant-/);
    expect(hub.nodes.placements('garage').map((p) => p.name).sort()).toEqual(['counter', 'echo']);
    // What runs there, as the node's heartbeat reports it: the one after echo was created (CI once
    // read the one before it).
    await expect.poll(async () => ((await nodeInfo('garage')).agents as string[]).sort(), { timeout: 10_000 }).toEqual(['counter', 'echo']);
  }, 60_000);

  it('runs a retained command that waited for it once, and not again at its next start', async () => {
    await garage.stop();
    const queued = await hub.nodes.spawnOnNode({ name: 'later', node: 'garage', code: COUNTER }, { waitMs: 300 });
    expect(queued).toMatchObject({ status: 'queued' });
    await garage.start();
    await waitUntil(() => hub.nodes.outbox.pending('garage').length === 0, 'the queued spawn acknowledged', 30_000);
    await waitUntil(() => created('later') > 0, 'later created', 10_000);
    expect(await hub.nodes.askRemote('later', {}, 20_000)).toEqual({ n: 1 });

    // Restarted: the broker hands it the retained desired state again — taken already, so nothing runs twice.
    const mark = garage.output.length;
    await garage.stop();
    await garage.start();
    await waitUntil(() => /desired_state: seq \d+ was taken already/.test(garage.output.slice(mark)), 'the retained copy seen and ignored', 20_000);
    expect(created('later')).toBe(1);
    expect(await hub.nodes.askRemote('later', {}, 20_000)).toEqual({ n: 2 }); // the same agent, with its state
  }, 90_000);

  it('refuses a forged heartbeat, ack and task reply', async () => {
    // A captured heartbeat of garage's, for the replay.
    const captured = attacker.received.filter((m) => m.topic === nodeTopics.heartbeat('garage')).at(-1)!;
    await garage.stop();
    await waitUntil(() => !hub.nodes.online('garage'), 'garage offline for the hub', 20_000);
    const task = hub.nodes.askRemote<{ n: number }>('counter', { hi: 1 }, 30_000);
    await waitUntil(() => attacker.received.some((m) => m.topic === topics.taskByName('counter') && m.payload.includes('"hi"')), 'the task on the bus', 10_000);
    const sent = JSON.parse(attacker.received.filter((m) => m.topic === topics.taskByName('counter')).at(-1)!.payload) as Json;
    const queued = await hub.nodes.spawnOnNode({ name: 'pending', node: 'garage', code: COUNTER }, { waitMs: 200 });
    const commandId = queued.command_id!;

    const hb = { node: 'garage', timestamp: Date.now() / 1000, agents: ['counter'], load: [0, 0, 0], memory_mb: 1 };
    const reply = { correlation_id: sent.correlation_id, task_id: sent.task_id, ok: true, result: { n: 999 }, agent: 'counter', node: 'garage', timestamp: Date.now() / 1000 };
    const ack = { command_id: commandId, node: 'garage', kind: 'spawn', ok: true, timestamp: Date.now() / 1000 };
    const hbTopic = nodeTopics.heartbeat('garage');
    await attacker.publish(hbTopic, JSON.stringify(hb));
    await attacker.publish(hbTopic, JSON.stringify(shedKey.sign(hbTopic, hb, { node: 'garage' })));
    await attacker.publish(hbTopic, captured.payload);
    await attacker.publish(nodeTopics.ack('garage'), JSON.stringify(ack), { qos: 1 });
    await attacker.publish(nodeTopics.ack('garage'), JSON.stringify(shedKey.sign(nodeTopics.ack('garage'), { ...ack, node: 'shed' })), { qos: 1 });
    await attacker.publish(sent.reply_to, JSON.stringify(reply), { qos: 1 });
    // Validly signed — by shed, where counter does not run.
    await attacker.publish(sent.reply_to, JSON.stringify(shedKey.sign(sent.reply_to, { ...reply, node: 'shed' })), { qos: 1 });

    for (const why of [
      /refused a message on nodes\/garage\/heartbeat: unsigned/,
      /refused a message on nodes\/garage\/heartbeat: key [0-9a-f]{16} is not garage's/,
      /refused a message on nodes\/garage\/heartbeat: seq \d+ of garage (was taken already|is below one taken already)/,
      /refused a message on nodes\/garage\/ack: unsigned/,
      /refused a message on nodes\/garage\/ack: signed as node shed, not garage/,
      new RegExp(`refused a message on ${sent.reply_to}: unsigned`),
      /refused a reply for counter signed by node shed: counter does not run there/,
    ]) {
      await waitUntil(() => hubLog.some((l) => why.test(l)), `hub logs: ${why.source}`, 10_000);
    }
    expect(hub.nodes.online('garage')).toBe(false);
    expect(hub.nodes.outbox.get(commandId)?.ackedAt).toBeNull();

    await garage.start();
    // The real answer, from the real node: the increment happened once, not 999.
    expect((await task).n).toBeLessThan(999);
    await waitUntil(() => hub.nodes.outbox.get(commandId)?.ackedAt !== null, 'the real ack', 30_000);
  }, 90_000);

  it('rotates a key with commands queued before and after it; the old key is refused afterwards', async () => {
    await garage.stop();
    const before = await hub.nodes.spawnOnNode({ name: 'r1', node: 'garage', code: COUNTER }, { waitMs: 100 });
    const rotation = await json(postJson(rest('/nodes/garage/key/rotate'), { wait_ms: 100 }));
    expect(rotation).toMatchObject({ node: 'garage', status: 'pending', previous_key_id: garageKey.key.kid });
    const after = await hub.nodes.spawnOnNode({ name: 'r2', node: 'garage', code: COUNTER }, { waitMs: 100 });
    expect([before.status, after.status]).toEqual(['queued', 'queued']);
    expect(hub.nodes.outbox.pending('garage').map((c) => c.kind)).toEqual(['spawn', 'rekey', 'spawn']);

    await garage.start();
    await waitUntil(() => hub.nodes.outbox.pending('garage').length === 0, 'every queued command acknowledged', 30_000);
    await waitUntil(() => created('r1') > 0 && created('r2') > 0, 'r1 and r2 created', 10_000);
    expect([created('r1'), created('r2')]).toEqual([1, 1]);
    // The node's first message signed with the new key (the rekey's ack) makes it current on the hub.
    await waitUntil(() => hub.nodes.trust.keys.current('garage')?.kid === rotation.key_id, 'the hub signs with the new key', 10_000);
    expect(await nodeInfo('garage')).toMatchObject({ enrolled: true, key_id: rotation.key_id, online: true });
    expect(garage.output).toMatch(new RegExp(`fleet key rotated: ${garageKey.key.kid} → ${rotation.key_id}`));
    await waitUntil(() => /the previous key is retired/.test(garage.output), 'the old key retired on the node', 10_000);

    // The old key is worth nothing now, on either side.
    const stopTopic = nodeTopics.command('garage', 'stop');
    await attacker.publish(stopTopic, JSON.stringify(garageKey.sign(stopTopic, { command_id: 'old-key', name: 'r1' }, { dir: 'hub', seq: 1_000_000 })), { qos: 1 });
    await waitUntil(() => new RegExp(`stop: key ${garageKey.key.kid} is not this node's`).test(garage.output), 'the node refuses the old key', 20_000);
    const hbTopic = nodeTopics.heartbeat('garage');
    await attacker.publish(hbTopic, JSON.stringify(garageKey.sign(hbTopic, { node: 'garage', timestamp: 1, agents: [], load: [0, 0, 0], memory_mb: 1 }, { seq: 1_000_000 })));
    await waitUntil(() => hubLog.some((l) => new RegExp(`heartbeat: key ${garageKey.key.kid} is not garage's`).test(l)), 'the hub refuses the old key', 10_000);
    expect(await hub.nodes.askRemote('r1', {}, 20_000)).toEqual({ n: 1 });
  }, 90_000);

  it('keeps keys in the secret stores only: owner-only files, never in a database or a log line', async () => {
    const nodeSecrets = join(root, 'garage', 'secrets.json');
    expect(statSync(nodeSecrets).mode & 0o777).toBe(0o600);
    const key = JSON.parse(JSON.parse(readFileSync(nodeSecrets, 'utf8')).secrets['fleet.key']).current.key as string;
    const hubKey = JSON.parse(JSON.parse(readFileSync(join(root, 'hub', 'secrets.json'), 'utf8')).secrets['fleet.node.garage']).current.key as string;
    expect(hubKey).toBe(key);
    for (const dir of [join(root, 'hub'), join(root, 'garage')]) {
      for (const f of readdirSync(dir).filter((n) => n.startsWith('wactorz.db'))) {
        expect(readFileSync(join(dir, f)).includes(Buffer.from(key)), `${dir}/${f}`).toBe(false);
        expect(readFileSync(join(dir, f)).includes(Buffer.from(garageKey.key.secret.toString('base64url'))), `${dir}/${f}`).toBe(false);
      }
    }
    for (const text of [hubLog.join('\n'), garage.output]) {
      expect(text.includes(key)).toBe(false);
      expect(text.includes(garageKey.key.secret.toString('base64url'))).toBe(false);
    }
  });
});
