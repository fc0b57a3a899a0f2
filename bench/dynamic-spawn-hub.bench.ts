/**
 * dynamic-spawn-hub: ms from "create this DynamicAgent" to its first RESULT through the hub's
 * DynamicAgent service — code checked (TypeScript's parser), tried in a sandbox (engine taken, code
 * loaded, setup run), stored in the SQLite spawn registry (version 1), spawned supervised, one TASK
 * answered through ActorSystem.ask — on a real hub (startWactorz: embedded broker, SQLite). p50 of
 * spawns 200 ms apart (the sandbox's spare engine boots in between, as between a user's creates).
 * Baseline: spawning a built-in actor with the same handler and asking it once, same hub, same run.
 *
 * dynamic-spawn-rest: the same create + first task over the REST API (POST /agents, POST
 * /agents/{name}/tasks), what the dashboard and scripts see; same baseline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWactorz } from '../src/main/wactorz.js';
import { silentLogger } from '../src/main/base/logger.js';
import { DynamicAgentService } from '../src/main/agents/dynamic/index.js';
import { createLlmProvider } from '../src/main/llm/create-provider.js';
import { CostTracker } from '../src/main/llm/cost-tracker.js';
import { BuiltinActor, HANDLER_JS, fmt, median } from './dynamic-bench-support.js';

const SPAWNS = 25;
const dir = mkdtempSync(join(tmpdir(), 'wz-bench-hubspawn-'));
const hub = await startWactorz({ stateDir: dir, llm: { provider: 'none' }, interface: 'rest', restPort: 0, monitorPort: null, mqtt: { port: 0 } }, { log: silentLogger, env: {} });
const service = new DynamicAgentService({ system: hub.system, llm: createLlmProvider({ provider: 'none', timeoutMs: 1000, maxRetries: 0 }), costs: new CostTracker() });
let seq = 0;

async function viaService(): Promise<number> {
  const name = `svc-${seq++}`;
  const t0 = performance.now();
  await service.create({ name, code: HANDLER_JS, source: 'bench' });
  const r = await hub.system.ask<{ sum: number }>(name, { a: 2, b: 3 }, 10_000);
  const ms = performance.now() - t0;
  if (r.sum !== 5) throw new Error(`wrong result ${JSON.stringify(r)}`);
  await service.remove(name);
  return ms;
}

async function viaRest(): Promise<number> {
  const name = `rest-${seq++}`;
  const t0 = performance.now();
  const created = await fetch(`${hub.restUrl}/agents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, code: HANDLER_JS }) });
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${await created.text()}`);
  const res = await fetch(`${hub.restUrl}/agents/${name}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payload: { a: 2, b: 3 } }) });
  const body = (await res.json()) as { result: { sum: number } };
  const ms = performance.now() - t0;
  if (body.result.sum !== 5) throw new Error(`wrong result ${JSON.stringify(body)}`);
  await fetch(`${hub.restUrl}/agents/${name}`, { method: 'DELETE' });
  return ms;
}

async function builtin(): Promise<number> {
  const name = `builtin-${seq++}`;
  const t0 = performance.now();
  await hub.system.spawn(new BuiltinActor({ name }));
  const r = await hub.system.ask<{ sum: number }>(name, { a: 2, b: 3 }, 10_000);
  const ms = performance.now() - t0;
  if (r.sum !== 5) throw new Error('wrong result');
  await hub.system.remove(name);
  return ms;
}

try {
  // Warm-up: wasm compile, TypeScript load, JITs, SQLite statements.
  for (let i = 0; i < 3; i++) {
    await viaService();
    await viaRest();
    await builtin();
    await new Promise((r) => setTimeout(r, 200));
  }
  const svc: number[] = [];
  const rest: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < SPAWNS; i++) {
    await new Promise((r) => setTimeout(r, 200));
    svc.push(await viaService());
    base.push(await builtin());
    await new Promise((r) => setTimeout(r, 200));
    rest.push(await viaRest());
  }
  const [s, r, b] = [median(svc), median(rest), median(base)];
  process.stderr.write(`service create + first RESULT p50 ${fmt(s)} ms (min ${fmt(Math.min(...svc))}, max ${fmt(Math.max(...svc))}); REST p50 ${fmt(r)} ms; built-in p50 ${fmt(b, 3)} ms\n`);
  console.log(`BENCH dynamic-spawn-hub ${fmt(s)} ms baseline=${fmt(b, 3)} ratio=${fmt(s / b, 1)}`);
  console.log(`BENCH dynamic-spawn-rest ${fmt(r)} ms baseline=${fmt(b, 3)} ratio=${fmt(r / b, 1)}`);
} finally {
  await service.close();
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
}
