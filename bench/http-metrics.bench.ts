/**
 * http-metrics: what counting every request for the original's wactorz_http_* families costs — p50
 * of GET /actors through the whole fastify stack (app.inject: routing, auth hook, handler,
 * serialisation; no socket noise), in µs. Baseline: the same app without HttpMetrics, in the same
 * run. A second line times one /metrics scrape (actor families for 60 actors + HTTP + process) against
 * GET /actors on the same app.
 */
import { createHttpApp } from '../src/main/server/http-app.js';
import { HttpMetrics } from '../src/main/server/original/http-metrics.js';
import { formatPrometheus } from '../src/main/server/prometheus.js';
import type { HubApi } from '../src/main/server/hub-api.js';
import { agentSummaries } from './agent-summaries.js';

const RUNS = 4000;
const WARMUP = 500;

const agents = agentSummaries(60);
const hub: HubApi = {
  health: () => ({ status: 'ok', uptime: 1, actors: agents.length, llm: { provider: 'none', model: null, configured: false }, mqtt: { mode: 'embedded', state: 'connected', port: 1883 }, persistence: { ephemeral: 'memory' } }),
  listAgents: () => agents,
  getAgent: (k) => agents.find((a) => a.id === k || a.name === k),
  agentMetrics: () => undefined,
  sendMessage: async () => null,
  command: async () => ({ ok: true, message: 'ok' }),
  chat: async () => ({ agent: 'main', response: '' }),
  prometheusMetrics: () =>
    formatPrometheus(
      ['wactorz_actor_up', 'wactorz_actor_messages_processed_total', 'wactorz_actor_errors_total', 'wactorz_actor_uptime_seconds'].map((name) => ({
        name,
        help: name,
        type: 'gauge' as const,
        values: agents.map((a) => ({ labels: { actor_name: a.name }, value: a.messages_processed })),
      })),
    ),
};

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeRequests(url: string, withMetrics: boolean): Promise<number> {
  const app = await createHttpApp({ hub, accessTokens: () => [], apiPrefix: '', ...(withMetrics ? { httpMetrics: new HttpMetrics() } : {}) });
  await app.ready();
  const times: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const t0 = performance.now();
    const r = await app.inject({ method: 'GET', url });
    if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode}`);
    if (i >= WARMUP) times.push((performance.now() - t0) * 1000);
  }
  await app.close();
  return p50(times);
}

async function main(): Promise<void> {
  // Interleaved twice, so neither side always runs on a colder process.
  const base1 = await timeRequests('/actors', false);
  const with1 = await timeRequests('/actors', true);
  const base2 = await timeRequests('/actors', false);
  const with2 = await timeRequests('/actors', true);
  const base = Math.min(base1, base2);
  const withMetrics = Math.min(with1, with2);
  console.log(`BENCH http-metrics ${withMetrics.toFixed(1)} us baseline=${base.toFixed(1)} ratio=${(withMetrics / base).toFixed(3)}`);

  const scrape = await timeRequests('/metrics', true);
  const actors = await timeRequests('/actors', true);
  console.log(`BENCH metrics-scrape ${scrape.toFixed(1)} us baseline=${actors.toFixed(1)} ratio=${(scrape / actors).toFixed(3)}`);
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
