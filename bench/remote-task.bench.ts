/**
 * remote-task: round-trip tasks/s from the hub to a DynamicAgent on a remote node — published on
 * `agents/by-name/{name}/task` through a real Mosquitto to a node process, handled in the node's
 * sandbox, answered on the hub's reply topic — against the same agent (same code, same sandbox)
 * on the hub, asked in-process. Same hub, same run, 64 tasks in flight, median of alternating runs.
 * The ratio is the price of the network hop (two MQTT legs and a second process).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMosquitto } from '../src/main/broker/testing/mosquitto.js';
import { startWactorz } from '../src/main/wactorz.js';
import { silentLogger } from '../src/main/base/logger.js';
import { DynamicAgentService } from '../src/main/agents/dynamic/dynamic-agent-service.js';
import { NotConfiguredProvider } from '../src/main/llm/not-configured-provider.js';
import { CostTracker } from '../src/main/llm/cost-tracker.js';
import { NodeProcess } from '../src/main/nodes/testing/node-process.js';
import { enrollNode } from '../src/main/nodes/testing/enroll.js';

const CODE = 'export async function handleTask(agent, t) { return { sum: t.a + t.b }; }';
const TASKS = 2_000;
const WINDOW = 64;
const RUNS = 3;

const root = mkdtempSync(join(tmpdir(), 'wactorz-bench-remote-'));
// As docs/fleet.md recommends: without it Mosquitto holds small packets back (Nagle), ~40 ms a hop.
const mq = await startMosquitto({ extraConfig: ['set_tcp_nodelay true'] });
const node = new NodeProcess({ name: 'bench-node', stateDir: join(root, 'node'), brokerUrl: mq.url, heartbeatMs: 2_000 });
const hub = await startWactorz(
  { stateDir: join(root, 'hub'), llm: { provider: 'none' }, interface: 'none', monitorPort: null, mqtt: { broker: '127.0.0.1', port: mq.port } },
  { log: silentLogger, env: {}, nodes: { checkMs: 500 } },
);
await enrollNode(hub.nodes, 'bench-node', join(root, 'node'));
await node.start();
const local = new DynamicAgentService({ system: hub.system, llm: new NotConfiguredProvider('none', '', '', 'no LLM in this bench'), costs: new CostTracker() });

try {
  await local.create({ name: 'adder-local', code: CODE });
  const deadline = Date.now() + 30_000;
  while (!hub.nodes.online('bench-node')) {
    if (Date.now() > deadline) throw new Error('the node did not come online');
    await new Promise((r) => setTimeout(r, 100));
  }
  const report = await hub.nodes.spawnOnNode({ name: 'adder-remote', node: 'bench-node', code: CODE });
  if (report.status !== 'running') throw new Error(`spawn on the node: ${report.message}`);

  const askLocal = (p: { a: number; b: number }) => hub.system.ask<{ sum: number }>('adder-local', p, 30_000);
  const askRemote = (p: { a: number; b: number }) => hub.nodes.askRemote<{ sum: number }>('adder-remote', p, 30_000);

  /** tasks/s for `count` round trips, at most WINDOW in flight; every answer checked. */
  const rate = async (ask: (p: { a: number; b: number }) => Promise<{ sum: number }>, count: number): Promise<number> => {
    let sent = 0;
    let done = 0;
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const next = (): void => {
        while (sent < count && sent - done < WINDOW) {
          const i = sent++;
          ask({ a: i, b: 1 }).then((r) => {
            if (r.sum !== i + 1) return reject(new Error(`wrong result for ${i}: ${JSON.stringify(r)}`));
            if (++done === count) resolve();
            else next();
          }, reject);
        }
      };
      next();
    });
    return count / ((performance.now() - t0) / 1000);
  };

  await rate(askLocal, 500);
  await rate(askRemote, 500);
  const l: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    l.push(await rate(askLocal, TASKS));
    r.push(await rate(askRemote, TASKS));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  // One at a time: the latency of a round trip (stderr only; the figure is the windowed rate).
  const serial: number[] = [];
  for (let i = 0; i < 100; i++) {
    const t = performance.now();
    await askRemote({ a: i, b: 1 });
    serial.push(performance.now() - t);
  }
  process.stderr.write(`remote round trip one at a time: median ${median(serial).toFixed(1)} ms\n`);
  process.stderr.write(`remote [${r.map((x) => x.toFixed(0)).join(', ')}] tasks/s, on the hub [${l.map((x) => x.toFixed(0)).join(', ')}] tasks/s\n`);
  const remote = median(r);
  const base = median(l);
  process.stdout.write(`BENCH remote-task ${remote.toFixed(0)} tasks/s baseline=${base.toFixed(0)} ratio=${(remote / base).toFixed(3)}\n`);
} finally {
  await local.close();
  await hub.stop();
  await node.stop();
  await mq.close();
  rmSync(root, { recursive: true, force: true });
}
