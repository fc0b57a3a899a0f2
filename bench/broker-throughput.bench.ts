/**
 * broker-throughput: QoS 0 publish → subscribe messages/s through the embedded aedes broker,
 * against Mosquitto started here, with the same mqtt.js clients on both sides: one publisher
 * and one subscriber, each in its own process (neither shares a thread with aedes), the same
 * pacing, timed from the first publish to the last receipt.
 *
 * broker-inprocess-publish: the same, but the publisher is the hub's in-process Bus (no socket
 * to itself), against the TCP publisher through the same embedded broker.
 *
 * The machine is shared (tests and other benches may run beside it), so the brokers take turns
 * for a few rounds and each figure is its best round: other load only ever slows a run down.
 *
 *   npx tsx bench/broker-throughput.bench.ts [messages]
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type MqttClient, connectAsync } from 'mqtt';
import { startEmbeddedBroker } from '../src/main/broker/embedded-broker.js';
import { findMosquitto, startMosquitto } from '../src/main/broker/testing/mosquitto.js';
import type { Bus } from '../src/main/core/bus.js';

const MESSAGES = Number(process.argv[2] ?? 200_000);
const WARMUP = 20_000;
const ROUNDS = 3;
const PAYLOAD = '{"n":1,"s":"ok"}'; // small, like a log line or a heartbeat field
/** Publishers wait until their messages are out (socket flushed / in the broker) every this many: same pacing everywhere. */
const BATCH = 1_000;
/** A run that has not delivered everything by then is counted with what arrived. */
const RUN_DEADLINE_MS = 30_000;

/** Epoch ms with sub-ms precision, comparable across processes on one machine. */
const now = (): number => performance.timeOrigin + performance.now();

// ── child processes: one long-lived MQTT client each ──────────────────────────────────────
type Role = 'sub' | 'pub';
type ChildCommand = { kind: 'listen'; topic: string; n: number } | { kind: 'publish'; topic: string; n: number } | { kind: 'report' } | { kind: 'exit' };
type ChildReport =
  | { kind: 'ready' }
  | { kind: 'received'; count: number; lastAt: number }
  | { kind: 'published'; startedAt: number };

async function runChild(role: Role, url: string): Promise<void> {
  const send = (r: ChildReport): void => void process.send?.(r);
  const client: MqttClient = await connectAsync(url, { reconnectPeriod: 0, clean: true });
  const payload = Buffer.from(PAYLOAD);
  let topic = '';
  let expected = 0;
  let count = 0;
  let lastAt = 0;
  client.on('message', (t) => {
    if (t !== topic) return;
    lastAt = now();
    if (++count === expected) send({ kind: 'received', count, lastAt });
  });
  process.on('message', (cmd: ChildCommand) => {
    void (async () => {
      if (cmd.kind === 'listen') {
        if (topic) await client.unsubscribeAsync(topic);
        topic = cmd.topic;
        expected = cmd.n;
        count = 0;
        await client.subscribeAsync(topic, { qos: 0 });
        send({ kind: 'ready' });
      } else if (cmd.kind === 'publish') {
        const startedAt = now();
        for (let i = 0; i < cmd.n; i++) {
          if ((i + 1) % BATCH === 0) await new Promise<void>((resolve) => client.publish(cmd.topic, payload, { qos: 0 }, () => resolve()));
          else client.publish(cmd.topic, payload, { qos: 0 });
        }
        send({ kind: 'published', startedAt });
      } else if (cmd.kind === 'report') send({ kind: 'received', count, lastAt });
      else if (cmd.kind === 'exit') await client.endAsync().then(() => process.exit(0));
    })();
  });
  send({ kind: 'ready' });
}

// ── the bench ─────────────────────────────────────────────────────────────────────────────
interface Client {
  child: ChildProcess;
  send(cmd: ChildCommand): void;
  next(timeoutMs?: number): Promise<ChildReport | undefined>;
}

async function spawnClient(role: Role, url: string): Promise<Client> {
  const child = fork(fileURLToPath(import.meta.url), ['--child', role, url], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue: ChildReport[] = [];
  const waiting: { resolve: (r: ChildReport | undefined) => void; reject: (e: Error) => void }[] = [];
  let exited: Error | undefined;
  child.on('message', (r: ChildReport) => {
    const w = waiting.shift();
    if (w) w.resolve(r);
    else queue.push(r);
  });
  child.on('exit', (code, signal) => {
    exited = new Error(`${role} client exited (${code ?? signal})`);
    for (const w of waiting.splice(0)) w.reject(exited);
  });
  const client: Client = {
    child,
    send: (cmd) => void child.send(cmd),
    next(timeoutMs = RUN_DEADLINE_MS) {
      if (queue.length > 0) return Promise.resolve(queue.shift());
      if (exited) return Promise.reject(exited);
      return new Promise((resolve, reject) => {
        const entry = {
          resolve: (r: ChildReport | undefined) => {
            clearTimeout(timer);
            resolve(r);
          },
          reject,
        };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(entry), 1);
          resolve(undefined);
        }, timeoutMs);
        waiting.push(entry);
      });
    },
  };
  const first = await client.next();
  if (first?.kind !== 'ready') throw new Error(`${role} client did not start`);
  return client;
}

interface Run {
  rate: number;
  received: number;
  ms: number;
}

/** CPU time (ms) a broker has used so far: this process for aedes, /proc for Mosquitto. */
type CpuClock = () => number;
const ownCpu: CpuClock = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
function processCpu(pid: number): CpuClock {
  return () => {
    // /proc/<pid>/stat fields 14 and 15: utime and stime in clock ticks (100 per second on Linux).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  };
}

let runSeq = 0;

/** Has the subscriber listen on a fresh topic, runs `publish`, and turns the receipts into msgs/s. */
async function measure(sub: Client, n: number, label: string, cpu: CpuClock, publish: (topic: string) => Promise<number>): Promise<Run> {
  const topic = `bench/${++runSeq}`;
  sub.send({ kind: 'listen', topic, n });
  if ((await sub.next())?.kind !== 'ready') throw new Error('the subscriber did not subscribe');
  const cpuBefore = cpu();
  const startedAt = await publish(topic);
  let report = await sub.next();
  if (!report) {
    // Not everything arrived (a broker that drops QoS 0 under load): count what did.
    sub.send({ kind: 'report' });
    report = await sub.next(5_000);
  }
  if (report?.kind !== 'received') throw new Error('the subscriber does not answer');
  const brokerCpuMs = cpu() - cpuBefore;
  const ms = report.lastAt - startedAt;
  const run = { rate: (report.count / ms) * 1000, received: report.count, ms };
  const note = report.count < n ? ` (only ${report.count}/${n} delivered)` : '';
  const perMsg = ((brokerCpuMs * 1000) / Math.max(1, report.count)).toFixed(1);
  process.stderr.write(`  ${label}: ${run.received} msgs in ${run.ms.toFixed(0)} ms → ${run.rate.toFixed(0)} msgs/s; broker CPU ${perMsg} µs/msg${note}\n`);
  return run;
}

function tcpRun(sub: Client, pub: Client, n: number, label: string, cpu: CpuClock): Promise<Run> {
  return measure(sub, n, label, cpu, async (topic) => {
    pub.send({ kind: 'publish', topic, n });
    const done = await pub.next();
    if (done?.kind !== 'published') throw new Error('the publisher did not finish');
    return done.startedAt;
  });
}

function inProcessRun(bus: Bus, sub: Client, n: number, label: string): Promise<Run> {
  // The publisher shares the process with aedes here, so its CPU is counted as the broker's.
  return measure(sub, n, label, ownCpu, async (topic) => {
    const payload = Buffer.from(PAYLOAD);
    const startedAt = now();
    for (let i = 0; i < n; i++) {
      bus.publish(topic, payload);
      // The in-process counterpart of waiting for the socket: until they are in the broker.
      if ((i + 1) % BATCH === 0) await bus.ready();
    }
    return startedAt;
  });
}

const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : 'NaN');
const ratio = (a: number, b: number): string => (b > 0 && Number.isFinite(a) ? (a / b).toFixed(2) : 'NaN');

async function main(): Promise<void> {
  process.stderr.write(`broker-throughput: ${MESSAGES} QoS 0 messages of ${PAYLOAD.length} bytes, one publisher and one subscriber, best of ${ROUNDS} interleaved rounds\n`);
  const embedded = await startEmbeddedBroker({ port: 0, log: () => {} });
  const mosquitto = findMosquitto() ? await startMosquitto() : undefined;
  if (!mosquitto) process.stderr.write('mosquitto is not installed (apt-get install -y mosquitto): no baseline\n');
  const clients: Client[] = [];
  const best = { aedes: 0, inProcess: 0, mosquitto: Number.NaN };
  try {
    const aedesUrl = `mqtt://127.0.0.1:${embedded.port}`;
    const aedesSub = await spawnClient('sub', aedesUrl);
    const aedesPub = await spawnClient('pub', aedesUrl);
    clients.push(aedesSub, aedesPub);
    const mq = mosquitto
      ? { sub: await spawnClient('sub', mosquitto.url), pub: await spawnClient('pub', mosquitto.url), cpu: processCpu(mosquitto.pid!) }
      : undefined;
    if (mq) clients.push(mq.sub, mq.pub);

    await tcpRun(aedesSub, aedesPub, WARMUP, 'aedes warm-up', ownCpu);
    await inProcessRun(embedded.bus, aedesSub, WARMUP, 'in-process warm-up');
    if (mq) await tcpRun(mq.sub, mq.pub, WARMUP, 'mosquitto warm-up', mq.cpu);
    for (let round = 1; round <= ROUNDS; round++) {
      best.aedes = Math.max(best.aedes, (await tcpRun(aedesSub, aedesPub, MESSAGES, `aedes, round ${round}`, ownCpu)).rate);
      best.inProcess = Math.max(best.inProcess, (await inProcessRun(embedded.bus, aedesSub, MESSAGES, `in-process, round ${round}`)).rate);
      if (mq) {
        const rate = (await tcpRun(mq.sub, mq.pub, MESSAGES, `mosquitto, round ${round}`, mq.cpu)).rate;
        best.mosquitto = Number.isFinite(best.mosquitto) ? Math.max(best.mosquitto, rate) : rate;
      }
    }
  } finally {
    for (const c of clients) c.send({ kind: 'exit' });
    await embedded.close();
    await mosquitto?.close();
  }

  process.stdout.write(`BENCH broker-throughput ${fmt(best.aedes)} msgs/s baseline=${fmt(best.mosquitto)} ratio=${ratio(best.aedes, best.mosquitto)}\n`);
  process.stdout.write(`BENCH broker-inprocess-publish ${fmt(best.inProcess)} msgs/s baseline=${fmt(best.aedes)} ratio=${ratio(best.inProcess, best.aedes)}\n`);
  if (!mosquitto) process.exitCode = 1;
}

if (process.argv[2] === '--child') {
  void runChild(process.argv[3] as Role, process.argv[4]!);
} else {
  await main();
  process.exit();
}
