import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenAiCompatibleProvider } from './openai-compatible-provider.js';
import { drain, runProviderConformance } from './testing/provider-conformance.js';
import { reply, startScriptedLlmServer, type ScriptedLlmServer } from './testing/index.js';

runProviderConformance({
  name: 'openai',
  protocol: 'openai',
  make: (server, o) => new OpenAiCompatibleProvider('openai', { apiKey: 'sk-test', baseUrl: o.baseUrl ?? server.urls.openai, ...o }),
  authHint: 'check OPENAI_API_KEY',
  refusedHint: /cannot reach OpenAI at http:\/\/127\.0\.0\.1:\d+ \(connection refused\)/,
});

runProviderConformance({
  name: 'nim',
  protocol: 'openai',
  make: (server, o) => new OpenAiCompatibleProvider('nim', { apiKey: 'nvapi-test', baseUrl: o.baseUrl ?? server.urls.nim, ...o }),
  authHint: 'check NIM_API_KEY',
  refusedHint: 'cannot reach NVIDIA NIM',
});

runProviderConformance({
  name: 'gemini',
  protocol: 'openai',
  make: (server, o) => new OpenAiCompatibleProvider('gemini', { apiKey: 'gem-test', baseUrl: o.baseUrl ?? server.urls.gemini, ...o }),
  authHint: 'check GEMINI_API_KEY',
  refusedHint: 'cannot reach Gemini',
});

describe('OpenAI-compatible providers on the wire', () => {
  let server: ScriptedLlmServer;
  const history = [
    { role: 'user' as const, content: 'hi' },
    { role: 'assistant' as const, content: 'hello' },
    { role: 'user' as const, content: 'more' },
  ];
  beforeAll(async () => {
    server = await startScriptedLlmServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  it('OpenAI: system first, Bearer key, include_usage on streams, max_completion_tokens', async () => {
    server.script('openai', ['a', 'b']);
    const p = new OpenAiCompatibleProvider('openai', { apiKey: 'sk-wire', baseUrl: server.urls.openai });
    await p.complete(history, 'You are Wactorz.', { maxTokens: 99, temperature: 0.5 });
    await drain(p.stream(history, 'You are Wactorz.'));
    const [blocking, streamed] = server.requestsFor('openai');
    for (const req of [blocking!, streamed!]) {
      const body = req.body as { messages: unknown[]; model: string };
      expect(req.path).toBe('/v1/chat/completions');
      expect(req.headers.authorization).toBe('Bearer sk-wire');
      expect(body.model).toBe('gpt-4o');
      expect(body.messages).toEqual([{ role: 'system', content: 'You are Wactorz.' }, ...history]);
    }
    expect(blocking!.body).toMatchObject({ max_completion_tokens: 99, temperature: 0.5 });
    expect(blocking!.body).not.toHaveProperty('max_tokens');
    expect(streamed!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('NIM: its default model, max_tokens, and no OpenAI organisation header', async () => {
    server.script('openai', 'ok');
    const p = new OpenAiCompatibleProvider('nim', { apiKey: 'nvapi-x', baseUrl: server.urls.nim });
    await p.complete(history, undefined, { maxTokens: 50 });
    const req = server.lastRequest('openai')!;
    expect(req.body).toMatchObject({ model: 'meta/llama-3.3-70b-instruct', max_tokens: 50 });
    expect(req.headers['openai-organization']).toBeUndefined();
    expect((req.body as { messages: unknown[] }).messages).toEqual(history); // no system message without a system prompt
  });

  it("Gemini: Google's OpenAI-compatible path and gemini-2.5-flash", async () => {
    server.script('openai', reply.text('from gemini', { usage: { inputTokens: 10, outputTokens: 2 } }));
    const p = new OpenAiCompatibleProvider('gemini', { apiKey: 'gem-key', baseUrl: server.urls.gemini });
    const res = await p.complete(history, 'sys');
    expect(res).toMatchObject({ text: 'from gemini', usage: { inputTokens: 10, outputTokens: 2 }, model: 'gemini-2.5-flash' });
    const req = server.lastRequest('openai')!;
    expect(req.path).toBe('/v1beta/openai/chat/completions');
    expect(req.headers.authorization).toBe('Bearer gem-key');
  });

  it('default base URLs are the real endpoints', () => {
    expect(new OpenAiCompatibleProvider('openai', { apiKey: 'k' }).baseUrl).toBe('https://api.openai.com/v1');
    expect(new OpenAiCompatibleProvider('nim', { apiKey: 'k' }).baseUrl).toBe('https://integrate.api.nvidia.com/v1');
    expect(new OpenAiCompatibleProvider('gemini', { apiKey: 'k' }).baseUrl).toBe('https://generativelanguage.googleapis.com/v1beta/openai/');
  });

  it('a server that ignores include_usage still streams (usage 0)', async () => {
    server.script('openai', reply.text('no usage here'));
    // Responder strips the include_usage request by answering from a body without it.
    const p = new OpenAiCompatibleProvider('openai', {
      apiKey: 'k',
      baseUrl: server.urls.openai,
      fetch: (input, init) => {
        const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
        delete body.stream_options;
        return fetch(input, { ...init, body: JSON.stringify(body) });
      },
    });
    const done = (await drain(p.stream(history))).at(-1)!;
    expect(done.type === 'done' && done).toMatchObject({ text: 'no usage here', usage: { inputTokens: 0, outputTokens: 0 } });
  });
});
