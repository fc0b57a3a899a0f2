/**
 * original-ws: what `/ws` (the original monitor's protocol) costs with 200 agents.
 * 1. `original-ws-flood`: bytes a connected dashboard receives while 1,000 heartbeats arrive over
 *    one second, with our coalesced patches (at most one per 250 ms). Baseline, same run and same
 *    code: a patch per MQTT message, as the original monitor broadcast them (patchIntervalMs 0).
 * 2. `original-ws-snapshot`: p50 of building and serialising one patch (the whole state) in µs.
 *    Baseline: serialising GET /api/actors' list for the same agents.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { MemoryBus } from '../src/main/core/testing/memory-bus.js';
import { attachOriginalWs } from '../src/main/server/original/ws/original-ws.js';
import { agentSummaries } from './agent-summaries.js';

const AGENTS = 200;
const BEATS = 1_000;
const agents = agentSummaries(AGENTS);
const hub = { listAgents: () => agents, command: async () => ({ ok: true, message: 'ok' }) };

async function flood(patchIntervalMs: number): Promise<number> {
  const bus = new MemoryBus();
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const ws = attachOriginalWs(server, { bus, hub: () => hub, totalCostUsd: () => 0, chat: async () => ({ agent: 'main', reply: '' }), log: () => {} }, { authorize: () => true, patchIntervalMs });
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`);
  let bytes = 0;
  client.on('message', (d: Buffer) => (bytes += d.length));
  await new Promise((r) => client.once('open', r));
  const start = bytes;
  for (let i = 0; i < BEATS; i++) {
    const a = agents[i % AGENTS]!;
    bus.publish(`agents/${a.id}/heartbeat`, { actor_id: a.id, name: a.name, timestamp: Date.now() / 1000, state: 'running', cpu: 0.5, memory_mb: 12, task: 'idle', protected: false });
    await new Promise((r) => setTimeout(r, 1));
  }
  await new Promise((r) => setTimeout(r, 600)); // the last window flushes
  const received = bytes - start;
  client.close();
  ws.close();
  await new Promise((r) => server.close(r));
  return received;
}

function p50(fn: () => void, runs = 400): number {
  const times: number[] = [];
  for (let i = 0; i < 50 + runs; i++) {
    const t0 = performance.now();
    fn();
    if (i >= 50) times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]! * 1000;
}

const ours = await flood(250);
const perMessage = await flood(0);
console.log(`BENCH original-ws-flood ${(ours / 1e6).toFixed(2)} MB baseline=${(perMessage / 1e6).toFixed(2)} ratio=${(ours / perMessage).toFixed(4)}`);

const bus = new MemoryBus();
const server = createServer();
const ws = attachOriginalWs(server, { bus, hub: () => hub, totalCostUsd: () => 0, chat: async () => ({ agent: 'main', reply: '' }), log: () => {} }, { authorize: () => true });
for (const a of agents) bus.publish(`agents/${a.id}/heartbeat`, { actor_id: a.id, name: a.name, timestamp: 1, state: 'running', cpu: 0.5, memory_mb: 12, task: 'idle', protected: false });
const snap = p50(() => JSON.stringify({ type: 'patch', event: null, state: ws.view.snapshot() }));
const base = p50(() => JSON.stringify(hub.listAgents()));
console.log(`BENCH original-ws-snapshot ${snap.toFixed(1)} us baseline=${base.toFixed(1)} ratio=${(snap / base).toFixed(3)}`);
ws.close();
