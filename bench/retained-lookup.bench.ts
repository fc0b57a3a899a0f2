/**
 * retained-lookup-N: what a restore of N agents costs the embedded broker in retained-message
 * lookups. Each agent holds retained topics (status, manifest, metrics) and, as it starts,
 * subscribes to its own topics and one wildcard of the fleet's; every new subscription asks the
 * store for the retained messages it matches. Figure: ms for the N agents' subscriptions against
 * the index (broker/retained-index.ts); baseline: aedes' own memory store (tests every retained
 * topic per subscription), same packets, same filters, same run.
 */
import { Aedes } from 'aedes';
import { indexRetainedMessages, type RetainedPersistence as Store } from '../src/main/broker/retained-index.js';
import { fmt } from './dynamic-bench-support.js';

async function storeFor(indexed: boolean): Promise<{ store: Store; close(): Promise<void> }> {
  const broker = await Aedes.createBroker();
  const store = (broker as unknown as { persistence: Store }).persistence;
  if (indexed) indexRetainedMessages(store);
  return { store, close: () => new Promise<void>((r) => broker.close(() => r())) };
}

/** ms for every agent's subscriptions, each read to its end as aedes does on SUBSCRIBE; and how many packets they yielded. */
async function restore(n: number, indexed: boolean): Promise<{ ms: number; yielded: number }> {
  const { store, close } = await storeFor(indexed);
  for (let i = 0; i < n; i++) {
    for (const leaf of ['status', 'manifest', 'metrics']) {
      await store.storeRetained({ cmd: 'publish', topic: `wactorz/agents/a${i}/${leaf}`, payload: Buffer.from(`{"i":${i}}`), qos: 1, retain: true });
    }
  }
  let yielded = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const filters = [`wactorz/agents/a${i}/task`, `wactorz/agents/a${i}/#`, `wactorz/nodes/+/desired_state`, `wactorz/agents/a${(i + 1) % n}/status`];
    for await (const _ of store.createRetainedStreamCombi(filters)) yielded++;
  }
  const ms = performance.now() - t0;
  await close();
  return { ms, yielded };
}

for (const n of [300, 1_000]) {
  // Alternating, best of three each: other load only ever slows a run down.
  const idx: number[] = [];
  const base: number[] = [];
  for (let round = 0; round < 3; round++) {
    const a = await restore(n, false);
    const b = await restore(n, true);
    if (a.yielded !== b.yielded) throw new Error(`the index yielded ${b.yielded} packets, aedes' store ${a.yielded}`);
    base.push(a.ms);
    idx.push(b.ms);
  }
  const best = Math.min(...idx);
  const baseline = Math.min(...base);
  process.stderr.write(`${n} agents (${n * 3} retained topics, ${n * 4} subscriptions): index ${idx.map((x) => fmt(x, 1)).join(', ')} ms; aedes' store ${base.map((x) => fmt(x, 1)).join(', ')} ms\n`);
  console.log(`BENCH retained-lookup-${n} ${fmt(best, 1)} ms baseline=${fmt(baseline, 1)} ratio=${fmt(best / baseline, 3)}`);
}
process.exit(0);
