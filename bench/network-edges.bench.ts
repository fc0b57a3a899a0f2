/**
 * network-edges: what the hub's network guards cost.
 *
 * mqtt-publish-limits: QoS 0 messages/s from one TCP publisher to one subscriber through the
 * embedded broker with publish limits on (limits high enough that nothing is refused: the cost of
 * the check and the retained ledger), against the same broker without them. Rounds alternate; each
 * figure is its best round (other load on the shared machine only slows a run down).
 *
 * agent-fetch-guard: ms per agent.fetch (vetting, a pinned connection per request, capped body) to
 * a local server, against undici's fetch with one shared keep-alive Agent — the price of never
 * reusing a connection whose address was vetted for another request.
 *
 *   npx tsx bench/network-edges.bench.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type MqttClient, connectAsync } from 'mqtt';
import { Agent, fetch as undiciFetch } from 'undici';
import { startEmbeddedBroker } from '../src/main/broker/embedded-broker.js';
import { PublishLimits } from '../src/main/broker/publish-limits.js';
import { safeFetch } from '../src/main/net/safe-fetch.js';

const MESSAGES = 50_000;
const ROUNDS = 3;
const FETCHES = 300;

async function throughput(withLimits: boolean): Promise<number> {
  const limits = withLimits ? new PublishLimits({ ratePerSecond: 1e9, burst: 1e9, bytesPerSecond: 1e12, burstBytes: 1e12 }) : undefined;
  const broker = await startEmbeddedBroker({ port: 0, log: () => {}, ...(limits ? { limits } : {}) });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const sub: MqttClient = await connectAsync(url, { reconnectPeriod: 0 });
  const pub: MqttClient = await connectAsync(url, { reconnectPeriod: 0 });
  try {
    await sub.subscribeAsync('bench/#');
    let got = 0;
    const done = new Promise<void>((resolve) => sub.on('message', () => ++got === MESSAGES && resolve()));
    const start = performance.now();
    for (let i = 0; i < MESSAGES; i++) {
      pub.publish('bench/t', '{"n":1,"s":"ok"}', { qos: 0 });
      if (i % 1000 === 999) await new Promise<void>((r) => setImmediate(r));
    }
    await done;
    return MESSAGES / ((performance.now() - start) / 1000);
  } finally {
    await pub.endAsync(true);
    await sub.endAsync(true);
    await broker.close();
  }
}

async function fetchCost(): Promise<{ guarded: number; plain: number }> {
  const server = createServer((_req, res) => res.end('{"ok":true}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
  const shared = new Agent();
  try {
    const time = async (fn: () => Promise<unknown>): Promise<number> => {
      for (let i = 0; i < 20; i++) await fn();
      const start = performance.now();
      for (let i = 0; i < FETCHES; i++) await fn();
      return (performance.now() - start) / FETCHES;
    };
    let guarded = Infinity;
    let plain = Infinity;
    for (let r = 0; r < ROUNDS; r++) {
      guarded = Math.min(guarded, await time(() => safeFetch({ url }, { allowLocal: true })));
      plain = Math.min(plain, await time(async () => (await undiciFetch(url, { dispatcher: shared })).text()));
    }
    return { guarded, plain };
  } finally {
    await shared.close();
    server.close();
  }
}

let limited = 0;
let open = 0;
for (let r = 0; r < ROUNDS; r++) {
  open = Math.max(open, await throughput(false));
  limited = Math.max(limited, await throughput(true));
}
console.log(`BENCH mqtt-publish-limits ${Math.round(limited)} msgs/s baseline=${Math.round(open)} ratio=${(limited / open).toFixed(2)}`);
const f = await fetchCost();
console.log(`BENCH agent-fetch-guard ${f.guarded.toFixed(3)} ms baseline=${f.plain.toFixed(3)} ratio=${(f.guarded / f.plain).toFixed(2)}`);
process.exit(0);
