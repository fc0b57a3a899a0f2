/**
 * catalog-spawn: ms from "spawn recipe threshold-alert with this config" (config checked against
 * the recipe's schema, TypeScript checked and transpiled, sandbox set up, registered in SQLite) to
 * its first RESULT, p50 of 15. Baseline: the same agent code created directly through the
 * DynamicAgent service (no catalog) in the same run — the ratio is the catalog's own cost.
 *
 * recipe-events: sensor readings per second that a threshold-alert recipe agent consumes from the
 * embedded broker: 2 000 readings published in-process at QoS 1 (QoS 0 beyond the publisher's
 * backlog is dropped) in batches of 500, each ending with a marker value awaited in the agent's
 * status. Baseline: a built-in actor subscribed to the same topic doing the same comparison.
 */
import { Actor } from '../src/main/core/actor.js';
import { startRecipeHub, type Json } from '../src/main/agents/catalog/testing/recipe-hub.js';

const SPAWNS = 15;
const READINGS = 2_000;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number, d = 2): string => x.toFixed(d);

const hub = await startRecipeHub({ timeseries: false });
const recipe = hub.catalog.require('threshold-alert');
const config = { topic: 'bench/none', above: 30 };

let seq = 0;
async function viaCatalog(): Promise<number> {
  const name = `cat-${seq++}`;
  const t0 = performance.now();
  await hub.catalog.spawn('threshold-alert', { name, config }, 'user');
  await hub.system.ask(name, {});
  return performance.now() - t0;
}
async function direct(): Promise<number> {
  const name = `dyn-${seq++}`;
  const t0 = performance.now();
  await hub.dynamic.create({ name, code: recipe.code, language: recipe.language, config: { ...config, value_path: '', hysteresis: 0, samples: 1, severity: 'warning', alert: true } });
  await hub.system.ask(name, {});
  return performance.now() - t0;
}

await viaCatalog(); // warm-up: TypeScript's lib, the engine's wasm
await direct();
const cat: number[] = [];
const dyn: number[] = [];
for (let i = 0; i < SPAWNS; i++) {
  cat.push(await viaCatalog());
  dyn.push(await direct());
}
process.stderr.write(`catalog spawn p50 ${fmt(median(cat))} ms (min ${fmt(Math.min(...cat))}); direct create p50 ${fmt(median(dyn))} ms\n`);
console.log(`BENCH catalog-spawn ${fmt(median(cat))} ms baseline=${fmt(median(dyn))} ratio=${fmt(median(cat) / median(dyn))}`);

// ── events ────────────────────────────────────────────────────────────────
await hub.catalog.spawn('threshold-alert', { name: 'rate-agent', config: { topic: 'bench/temp', above: 1e9, alert: false } }, 'user');
// Batches of 500 (each ending with a marker value the agent's status shows): the sandbox queues at
// most 1 000 undelivered subscription messages per agent and drops beyond, by design.
const BATCH = 500;
async function feed(topic: string, seen: (marker: number) => Promise<boolean> | boolean): Promise<number> {
  const t = performance.now();
  for (let b = 0; b < READINGS / BATCH; b++) {
    const marker = 100_000 + b + 0.5;
    for (let i = 0; i < BATCH - 1; i++) hub.broker.bus.publish(topic, { value: i % 40 }, { qos: 1 });
    hub.broker.bus.publish(topic, { value: marker }, { qos: 1 });
    // A bench runs outside vitest (so not on the tests' waitUntil): poll the status every 25 ms.
    for (const deadline = Date.now() + 60_000; !(await seen(marker)); await new Promise((r) => setTimeout(r, 25))) {
      if (Date.now() > deadline) throw new Error(`marker ${marker} on ${topic} did not arrive`);
    }
  }
  return READINGS / ((performance.now() - t) / 1000);
}
const agentRate = await feed('bench/temp', async (m) => (await hub.system.ask<Json>('rate-agent', {})).last_value === m);

class BuiltinThreshold extends Actor {
  last = 0;
  status = 'ok';
  protected override onStart(): void {
    this.subscribe('bench/builtin', (_t, raw) => {
      const v = (JSON.parse(raw.toString()) as { value: number }).value;
      this.last = v;
      if (v > 1e9) this.status = 'high';
    });
  }
}
const builtin = await hub.system.spawn(new BuiltinThreshold({ name: 'builtin-threshold' }));
await hub.broker.bus.ready();
const builtinRate = await feed('bench/builtin', (m) => builtin.last === m);
process.stderr.write(`threshold-alert recipe: ${fmt(agentRate, 0)} readings/s; built-in subscriber: ${fmt(builtinRate, 0)} readings/s\n`);
console.log(`BENCH recipe-events ${fmt(agentRate, 0)} readings/s baseline=${fmt(builtinRate, 0)} ratio=${fmt(agentRate / builtinRate, 3)}`);

await hub.close();
