/**
 * llm-overhead-hub: what the whole hub adds on top of the LLM server's own time for a streamed chat
 * — the first token at a REST client (`POST /chat?stream=1`, server-sent events) minus the moment
 * the scripted Ollama server wrote its first token — p50 in ms. The path measured: Ollama SDK →
 * provider layer → cost tracking → MainActor (LLMAgent.chat) → system.streams → REST SSE → client.
 *
 * Baseline: the same measurement for the raw `ollama` SDK stream (first token at the consumer minus
 * first token at the server), interleaved in the same run against the same server.
 *
 * Classification is off in this setup: no HA agent and no planner run, so MainActor skips the
 * intent call by design (see main-actor.ts) — the figure is the streamed conversational path.
 * The hub keeps its real history/summary behaviour (SQLite, rolling summary); summary calls are
 * blocking (non-streamed) requests and are not the ones measured. Target: ≤ 5 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ollama } from 'ollama';
import { Agent, request } from 'undici';
import { startWactorz } from '../src/main/wactorz.js';
import { silentLogger } from '../src/main/base/logger.js';
import { reply, startScriptedLlmServer, type ScriptedLlmServer } from '../src/main/llm/testing/index.js';

const WARMUP = 30;
const RUNS = 300;
const ANSWER = 'Hello there from the bench';
const MESSAGE = 'Say hello in five words.';

function p50(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The server's first-token stamp of the newest streamed chat request. */
function serverFirstToken(server: ScriptedLlmServer): number {
  const req = server.requestsFor('ollama').filter((r) => r.stream).at(-1);
  const at = req?.timing.firstTextAt;
  if (at === undefined) throw new Error('the scripted server recorded no first token');
  return at;
}

const server = await startScriptedLlmServer();
server.respond('ollama', (req) => (req.stream ? reply.text(ANSWER, { usage: { inputTokens: 12, outputTokens: 5 } }) : 'Summary: the user keeps asking for greetings.'));
const dir = mkdtempSync(join(tmpdir(), 'wz-bench-llm-hub-'));
const hub = await startWactorz(
  { stateDir: dir, llm: { provider: 'ollama', model: 'llama3', baseUrl: server.urls.ollama }, interface: 'rest', restPort: 0, monitorPort: null, mqtt: { port: 0 } },
  { log: silentLogger, env: {} },
);
const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 1 });
const raw = new Ollama({ host: server.urls.ollama });

async function viaHub(): Promise<number> {
  const r = await request(`${hub.restUrl}/chat?stream=1`, {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: MESSAGE }),
  });
  let first: number | undefined;
  let text = '';
  for await (const part of r.body) {
    text += (part as Buffer).toString();
    if (first === undefined && text.includes('"chunk"')) first = performance.now();
  }
  if (first === undefined || !text.includes(`"response":"${ANSWER}"`)) throw new Error(`unexpected stream: ${text.slice(0, 300)}`);
  return first - serverFirstToken(server);
}

async function viaSdk(): Promise<number> {
  let first: number | undefined;
  const s = await raw.chat({ model: 'llama3', messages: [{ role: 'system', content: 'You are Wactorz.' }, { role: 'user', content: MESSAGE }], stream: true });
  for await (const part of s) if (part.message.content) first ??= performance.now();
  if (first === undefined) throw new Error('the SDK stream produced no text');
  return first - serverFirstToken(server);
}

try {
  const hubTimes: number[] = [];
  const sdkTimes: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    // Interleaved so drift (GC, CPU frequency, a busy neighbour) hits both sides alike.
    const a = await viaHub();
    const b = await viaSdk();
    if (i >= WARMUP) {
      hubTimes.push(a);
      sdkTimes.push(b);
    }
  }
  const ours = p50(hubTimes);
  const base = p50(sdkTimes);
  console.log(`BENCH llm-overhead-hub ${ours.toFixed(3)} ms baseline=${base.toFixed(3)} ratio=${(ours / base).toFixed(2)}`);
} finally {
  await dispatcher.close();
  await hub.stop();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
