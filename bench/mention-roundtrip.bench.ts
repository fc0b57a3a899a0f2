/**
 * mention-roundtrip: p50/p99 ms of `@echo {…}` round trips through REST (POST /chat → main →
 * echo actor → RESULT → reply), no LLM. Baseline: GET /health on the same server (the HTTP cost
 * alone), so the ratio shows what the actor hops add. Target: p50 ≤ 2 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, Agent } from 'undici';
import { startWactorz } from '../src/main/wactorz.js';
import { silentLogger } from '../src/main/base/logger.js';
import { Actor } from '../src/main/core/actor.js';

class Echo extends Actor {
  protected override handleTask(payload: unknown): unknown {
    return payload;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'wz-bench-mention-'));
const hub = await startWactorz({ stateDir: dir, llm: { provider: 'none' }, interface: 'rest', restPort: 0, monitorPort: null, mqtt: { port: 0 } }, { log: silentLogger, env: {} });
await hub.system.spawn(new Echo({ name: 'echo' }));
const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 1 });

async function time(n: number, call: () => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await call();
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

const mention = async () => {
  const r = await request(`${hub.restUrl}/chat`, { method: 'POST', dispatcher, headers: { 'content-type': 'application/json' }, body: '{"message":"@echo {\\"n\\":1}"}' });
  const body = (await r.body.json()) as { response: string };
  if (!body.response.includes('"n": 1')) throw new Error(`unexpected reply ${JSON.stringify(body)}`);
};
const health = async () => {
  const r = await request(`${hub.restUrl}/health`, { dispatcher });
  await r.body.json();
};

await time(300, mention);
await time(300, health);
const m = await time(3000, mention);
const h = await time(3000, health);
console.log(`BENCH mention-roundtrip ${pct(m, 50).toFixed(3)} ms baseline=${pct(h, 50).toFixed(3)} ratio=${(pct(m, 50) / pct(h, 50)).toFixed(2)}`);
console.log(`BENCH mention-roundtrip-p99 ${pct(m, 99).toFixed(3)} ms baseline=${pct(h, 99).toFixed(3)} ratio=${(pct(m, 99) / pct(h, 99)).toFixed(2)}`);
await dispatcher.close();
await hub.stop();
rmSync(dir, { recursive: true, force: true });
