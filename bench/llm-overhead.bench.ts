/**
 * llm-overhead: what the provider layer (src/main/llm) adds to a streamed chat — the first text
 * chunk at the consumer minus the moment the scripted server wrote it — p50 in ms. Baseline: the
 * same measurement for the raw SDK stream call without our layer, in the same run against the same
 * server. `llm-overhead` is Anthropic (the default provider); OpenAI and Ollama lines follow.
 * The hub-level version (interface → MainActor → provider) comes with the hub bench.
 */
import Anthropic from '@anthropic-ai/sdk';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { AnthropicProvider } from '../src/main/llm/anthropic-provider.js';
import { OllamaProvider } from '../src/main/llm/ollama-provider.js';
import { OpenAiCompatibleProvider } from '../src/main/llm/openai-compatible-provider.js';
import type { LlmProvider } from '../src/main/llm/provider.js';
import { reply, startScriptedLlmServer, type ScriptedLlmServer, type WireProtocol } from '../src/main/llm/testing/index.js';

const WARMUP = 30;
const RUNS = 300;
const MESSAGES = [{ role: 'user' as const, content: 'Say hello in five words.' }];
const SYSTEM = 'You are Wactorz.';

function p50(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs one streamed call; returns consumer-first-text minus server-first-text. */
async function measure(server: ScriptedLlmServer, protocol: WireProtocol, run: () => Promise<number>): Promise<number> {
  server.script(protocol, reply.text('Hello there from the bench', { usage: { inputTokens: 12, outputTokens: 5 } }));
  const seenAt = await run();
  const sentAt = server.lastRequest(protocol)?.timing.firstTextAt;
  if (sentAt === undefined) throw new Error('server did not record its first chunk');
  return seenAt - sentAt;
}

async function viaLayer(provider: LlmProvider): Promise<number> {
  let first: number | undefined;
  for await (const ev of provider.stream(MESSAGES, SYSTEM)) if (ev.type === 'text') first ??= performance.now();
  return first!;
}

interface Pair {
  name: string;
  protocol: WireProtocol;
  layer: () => Promise<number>;
  raw: () => Promise<number>;
}

async function main(): Promise<void> {
  const server = await startScriptedLlmServer();
  const anthropicRaw = new Anthropic({ apiKey: 'k', baseURL: server.urls.anthropic, logLevel: 'off', openTelemetry: false });
  const openaiRaw = new OpenAI({ apiKey: 'k', baseURL: server.urls.openai, logLevel: 'off' });
  const ollamaRaw = new Ollama({ host: server.urls.ollama });
  const anthropic = new AnthropicProvider({ apiKey: 'k', baseUrl: server.urls.anthropic });
  const openai = new OpenAiCompatibleProvider('openai', { apiKey: 'k', baseUrl: server.urls.openai });
  const ollama = new OllamaProvider({ host: server.urls.ollama });

  const pairs: Pair[] = [
    {
      name: 'llm-overhead',
      protocol: 'anthropic',
      layer: () => viaLayer(anthropic),
      raw: async () => {
        let first: number | undefined;
        const s = await anthropicRaw.messages.create({ model: anthropic.model, max_tokens: 4096, system: SYSTEM, messages: MESSAGES, stream: true });
        for await (const ev of s) if (ev.type === 'content_block_delta') first ??= performance.now();
        return first!;
      },
    },
    {
      name: 'llm-overhead-openai',
      protocol: 'openai',
      layer: () => viaLayer(openai),
      raw: async () => {
        let first: number | undefined;
        const s = await openaiRaw.chat.completions.create({
          model: openai.model,
          messages: [{ role: 'system', content: SYSTEM }, ...MESSAGES],
          stream: true,
          stream_options: { include_usage: true },
        });
        for await (const c of s) if (c.choices[0]?.delta?.content) first ??= performance.now();
        return first!;
      },
    },
    {
      name: 'llm-overhead-ollama',
      protocol: 'ollama',
      layer: () => viaLayer(ollama),
      raw: async () => {
        let first: number | undefined;
        const s = await ollamaRaw.chat({ model: ollama.model, messages: [{ role: 'system', content: SYSTEM }, ...MESSAGES], stream: true });
        for await (const part of s) if (part.message.content) first ??= performance.now();
        return first!;
      },
    },
  ];

  try {
    for (const pair of pairs) {
      const layer: number[] = [];
      const raw: number[] = [];
      for (let i = 0; i < WARMUP + RUNS; i++) {
        // Interleaved so drift (GC, CPU frequency, a busy neighbour) hits both sides alike.
        const a = await measure(server, pair.protocol, pair.layer);
        const b = await measure(server, pair.protocol, pair.raw);
        if (i >= WARMUP) {
          layer.push(a);
          raw.push(b);
        }
      }
      const ours = p50(layer);
      const base = p50(raw);
      console.log(`BENCH ${pair.name} ${ours.toFixed(3)} ms baseline=${base.toFixed(3)} ratio=${(ours / base).toFixed(2)}`);
      server.reset();
    }
  } finally {
    await server.close();
  }
}

await main();
