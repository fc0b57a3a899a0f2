/**
 * graph-observation: what watching the bus for the graph of agents costs on the hot path. An actor
 * publishes QoS 0 messages through the embedded broker's in-process bus to a subscriber, timed from
 * the first publish to the last delivery — with the graph service running (its publish tap, its `#`
 * subscription counting every message, its one-second rebuilds) against the same without it, in
 * the same process, taking turns; each figure is its best round (other load only slows a run).
 *
 *   npx tsx bench/graph-observation.bench.ts [messages]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEmbeddedBroker } from '../src/main/broker/embedded-broker.js';
import { Actor } from '../src/main/core/actor.js';
import { ActorSystem } from '../src/main/core/actor-system.js';
import { GraphService } from '../src/main/graph/graph-service.js';
import { openPersistence } from '../src/main/persistence/open-persistence.js';

const MESSAGES = Number(process.argv[2] ?? 100_000);
const ROUNDS = 4;
const BATCH = 1_000;
const PAYLOAD = '{"c":21.5,"unit":"C"}';

class Publisher extends Actor {
  burst(n: number, topic: string): void {
    for (let i = 0; i < n; i++) this.publish(topic, PAYLOAD);
  }
}

const stateDir = mkdtempSync(join(tmpdir(), 'wz-bench-graph-'));
const broker = await startEmbeddedBroker({ port: 0, log: () => {} });
const persistence = await openPersistence({ stateDir });
const system = new ActorSystem({ bus: broker.bus, persistence, heartbeatMs: 3_600_000 });
const pub = await system.spawn(new Publisher({ name: 'bench-publisher' }));
let received = 0;
let done: (() => void) | null = null;
let want = 0;
const off = broker.bus.subscribe('bench/#', () => {
  if (++received === want) done?.();
});
await broker.bus.ready();

async function run(n: number, topic: string): Promise<number> {
  received = 0;
  want = n;
  const finished = new Promise<void>((r) => (done = r));
  const t0 = performance.now();
  for (let sent = 0; sent < n; sent += BATCH) {
    pub.burst(Math.min(BATCH, n - sent), topic);
    await new Promise((r) => setImmediate(r));
  }
  await finished;
  return n / ((performance.now() - t0) / 1000);
}

try {
  await run(10_000, 'bench/warm');
  const best = { without: 0, with: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    best.without = Math.max(best.without, await run(MESSAGES, `bench/r${r}`));
    const graph = new GraphService({ system });
    await graph.start();
    best.with = Math.max(best.with, await run(MESSAGES, `bench/r${r}`));
    graph.stop();
  }
  console.log(`BENCH graph-observation ${Math.round(best.with)} msgs/s baseline=${Math.round(best.without)} ratio=${(best.with / best.without).toFixed(2)}`);
} finally {
  off();
  await system.shutdown();
  await broker.close();
  await persistence.close();
  rmSync(stateDir, { recursive: true, force: true });
}
