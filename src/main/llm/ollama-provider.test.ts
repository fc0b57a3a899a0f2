import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OllamaProvider, sameOllamaModel } from './ollama-provider.js';
import { closedPort, drain, expectLlmError, runProviderConformance } from './testing/provider-conformance.js';
import { reply, startScriptedLlmServer, type ScriptedLlmServer } from './testing/index.js';

runProviderConformance({
  name: 'ollama',
  protocol: 'ollama',
  make: (server, o) => new OllamaProvider({ host: o.baseUrl ?? server.urls.ollama, retryBaseDelayMs: 5, ...o }),
  authHint: 'check the API key',
  refusedHint: /Ollama is not running at http:\/\/127\.0\.0\.1:\d+ — start it with `ollama serve`/,
});

describe('OllamaProvider on the wire', () => {
  let server: ScriptedLlmServer;
  const history = [
    { role: 'user' as const, content: 'hi' },
    { role: 'assistant' as const, content: 'hello' },
    { role: 'user' as const, content: 'and?' },
  ];
  beforeAll(async () => {
    server = await startScriptedLlmServer({ ollamaModels: ['llama3:latest', 'qwen2.5:0.5b'] });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.reset();
    server.setOllamaModels(['llama3:latest', 'qwen2.5:0.5b']);
  });

  it('puts the system prompt first in /api/chat messages, blocking and streaming', async () => {
    server.script('ollama', ['a', 'b']);
    const p = new OllamaProvider({ host: server.url, model: 'llama3' });
    await p.complete(history, 'You are Wactorz.');
    await drain(p.stream(history, 'You are Wactorz.'));
    const [blocking, streamed] = server.requestsFor('ollama');
    for (const req of [blocking!, streamed!]) {
      expect(req.path).toBe('/api/chat');
      expect((req.body as { messages: unknown[] }).messages).toEqual([{ role: 'system', content: 'You are Wactorz.' }, ...history]);
    }
    expect(blocking!.body).toMatchObject({ model: 'llama3', stream: false });
    expect(streamed!.body).toMatchObject({ model: 'llama3', stream: true });
  });

  it('maps maxTokens and temperature to Ollama options', async () => {
    server.script('ollama', 'ok');
    await new OllamaProvider({ host: server.url }).complete(history, undefined, { maxTokens: 64, temperature: 0 });
    expect(server.lastRequest()!.body).toMatchObject({ options: { num_predict: 64, temperature: 0 } });
  });

  it('usage comes from prompt_eval_count / eval_count of the final line; local cost is 0', async () => {
    server.script('ollama', reply.text('counted', { usage: { inputTokens: 77, outputTokens: 11 } }));
    const done = (await drain(new OllamaProvider({ host: server.url }).stream(history))).at(-1)!;
    expect(done.type === 'done' && done.usage).toEqual({ inputTokens: 77, outputTokens: 11 });
  });

  it('a model that is not pulled: says how to pull it and what is installed', async () => {
    const p = new OllamaProvider({ host: server.url, model: 'mistral' });
    for (const call of [p.complete(history), drain(p.stream(history))]) {
      const err = await expectLlmError(call);
      expect(err.kind).toBe('model_not_found');
      expect(err.message).toBe('model mistral is not pulled — run `ollama pull mistral` (installed: llama3:latest, qwen2.5:0.5b)');
    }
    expect(server.requestsFor('ollama')).toHaveLength(2); // 404 is not retried
    await expect(p.checkModel()).rejects.toMatchObject({ kind: 'model_not_found' });
  });

  it('a 404 with no models installed says so', async () => {
    server.setOllamaModels([]);
    const err = await expectLlmError(new OllamaProvider({ host: server.url, model: 'llama3' }).complete(history));
    expect(err.message).toBe('model llama3 is not pulled — run `ollama pull llama3` (no models are installed yet)');
  });

  it('lists the installed models from /api/tags', async () => {
    const p = new OllamaProvider({ host: server.url });
    const models = await p.listModels();
    expect(models.map((m) => m.name)).toEqual(['llama3:latest', 'qwen2.5:0.5b']);
    expect(models[0]).toMatchObject({ family: 'llama', quantization: 'Q4_0' });
    expect(typeof models[0]!.sizeBytes).toBe('number');
    await expect(p.checkModel()).resolves.toBeUndefined(); // "llama3" is "llama3:latest"
    expect(server.requests.at(-1)!.path).toBe('/api/tags');
  });

  it('listing models on a stopped Ollama says to start it', async () => {
    const port = await closedPort();
    const err = await expectLlmError(new OllamaProvider({ host: `127.0.0.1:${port}`, maxRetries: 0 }).listModels());
    expect(err.kind).toBe('connection');
    expect(err.message).toContain(`Ollama is not running at http://127.0.0.1:${port} — start it with \`ollama serve\``);
  });

  it('the default host is http://127.0.0.1:11434 and host forms are normalised', () => {
    expect(new OllamaProvider().baseUrl).toBe('http://127.0.0.1:11434');
    expect(new OllamaProvider({ host: 'gpu-box' }).baseUrl).toBe('http://gpu-box:11434');
    expect(new OllamaProvider({ host: ':9999' }).baseUrl).toBe('http://127.0.0.1:9999');
    expect(new OllamaProvider({ host: 'https://ollama.example/' }).baseUrl).toBe('https://ollama.example');
  });

  it('treats "name" and "name:latest" as the same model', () => {
    expect(sameOllamaModel('llama3', 'llama3:latest')).toBe(true);
    expect(sameOllamaModel('llama3:8b', 'llama3:latest')).toBe(false);
  });
});
