/**
 * GET /llm, /llm/models and /cost through the hub's REST server (and /api/ on the dashboard), with
 * the real Ollama SDK against the scripted server, an Ollama that isn't running, and no LLM.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import type { WactorzHandle } from '../wactorz-handle.js';
import type { WactorzConfigInput } from '../config/config.js';
import { startTestHub, type TestHub } from '../testing/hub-fixture.js';
import { json, postJson } from '../testing/http.js';
import { reply, startScriptedLlmServer } from '../llm/testing/index.js';

const hubs: TestHub[] = [];
afterAll(async () => {
  for (const h of hubs) await h.stop();
});

async function hub(llm: WactorzConfigInput['llm'], monitor = false): Promise<WactorzHandle> {
  const h = await startTestHub({ llm, dashboard: monitor, llmOverrides: { retryBaseDelayMs: 1 } });
  hubs.push(h);
  return h.handle;
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('LLM REST routes', () => {
  it('with Ollama: /llm, the installed models (and a missing one), /cost after a chat', async () => {
    const llm = await startScriptedLlmServer({ ollamaModels: ['llama3:latest', 'qwen2.5:7b'] });
    try {
      const h = await hub({ provider: 'ollama', model: 'llama3', baseUrl: llm.urls.ollama }, true);
      expect(await json(fetch(`${h.restUrl}/llm`))).toEqual({ provider: 'ollama', model: 'llama3', base_url: llm.urls.ollama, configured: true, summary: h.llmSummary });

      const models = await json(fetch(`${h.restUrl}/llm/models`));
      expect(models).toMatchObject({ provider: 'ollama', model: 'llama3', configured: true, installed: true });
      expect(models.models.map((m: { name: string }) => m.name)).toEqual(['llama3:latest', 'qwen2.5:7b']);
      expect(models.models[0]).toMatchObject({ family: 'llama', parameter_size: '8.0B', quantization: 'Q4_0' });
      // The same API under /api/ on the dashboard.
      expect(await json(fetch(`${h.dashboardUrl}/api/llm/models`))).toEqual(models);

      llm.setOllamaModels(['mistral:latest']);
      expect(await json(fetch(`${h.restUrl}/llm/models`))).toMatchObject({ installed: false, note: expect.stringContaining('ollama pull llama3') });

      llm.setOllamaModels(['llama3:latest']);
      // Main first classifies the chat (a planner runs in every hub), then answers it: two calls.
      llm.script('ollama', [
        reply.text('OTHER', { usage: { inputTokens: 30, outputTokens: 1 } }),
        reply.text('hi there', { usage: { inputTokens: 120, outputTokens: 7 } }),
      ]);
      await json(postJson(`${h.restUrl}/chat`, { message: 'hello' }));
      const cost = await json(fetch(`${h.restUrl}/cost`));
      expect(cost.agents.main).toMatchObject({ calls: 2, failures: 0, tokens_in: 150, tokens_out: 8, cost_usd: 0 });
      expect(cost.total).toMatchObject({ calls: 2, tokens_in: 150, tokens_out: 8 });
      expect(cost.summary).toBe(h.llmSummary);
    } finally {
      await llm.close();
    }
  });

  it("answers 503 with what to do when Ollama isn't running", async () => {
    const host = `http://127.0.0.1:${await closedPort()}`;
    const h = await hub({ provider: 'ollama', model: 'llama3', baseUrl: host, maxRetries: 0 });
    const r = await fetch(`${h.restUrl}/llm/models`);
    expect(r.status).toBe(503);
    const body = await json(r);
    expect(body.error).toMatch(/Ollama is not running at .*127\.0\.0\.1.*ollama serve/);
    expect(body.detail).toMatchObject({ kind: 'connection' });
  });

  it('for a hosted provider lists the configured model; with no LLM says what to set', async () => {
    const openai = await hub({ provider: 'openai', apiKey: 'sk-test', baseUrl: 'http://127.0.0.1:9/v1' });
    expect(await json(fetch(`${openai.restUrl}/llm/models`))).toEqual({ provider: 'openai', model: 'gpt-4o', configured: true, installed: null, models: [{ name: 'gpt-4o' }] });

    const none = await hub({ provider: 'none' });
    const models = await json(fetch(`${none.restUrl}/llm/models`));
    expect(models).toMatchObject({ configured: false, models: [], note: expect.stringMatching(/ANTHROPIC_API_KEY/) });
    expect(await json(fetch(`${none.restUrl}/llm`))).toMatchObject({ provider: 'none', configured: false, summary: expect.stringMatching(/No LLM configured/) });
    expect(await json(fetch(`${none.restUrl}/cost`))).toMatchObject({ total: { calls: 0, cost_usd: 0 }, agents: {} });
  });
});
