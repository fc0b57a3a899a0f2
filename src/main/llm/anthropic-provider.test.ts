import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AnthropicProvider } from './anthropic-provider.js';
import { costOf } from './pricing.js';
import { drain, runProviderConformance } from './testing/provider-conformance.js';
import { reply, startScriptedLlmServer, type ScriptedLlmServer } from './testing/index.js';

runProviderConformance({
  name: 'anthropic',
  protocol: 'anthropic',
  make: (server, o) => new AnthropicProvider({ apiKey: 'sk-ant-test', baseUrl: o.baseUrl ?? server.urls.anthropic, ...o }),
  authHint: 'check ANTHROPIC_API_KEY',
  refusedHint: /cannot reach Anthropic at http:\/\/127\.0\.0\.1:\d+ \(connection refused\)/,
});

describe('AnthropicProvider on the wire', () => {
  let server: ScriptedLlmServer;
  beforeAll(async () => {
    server = await startScriptedLlmServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  it('sends the system prompt as the top-level `system` field, with model, max_tokens and the key', async () => {
    server.script('anthropic', ['ok', 'ok']);
    const p = new AnthropicProvider({ apiKey: 'sk-ant-wire', baseUrl: server.url, model: 'claude-haiku-4-5' });
    const history = [
      { role: 'user' as const, content: 'hi' },
      { role: 'assistant' as const, content: 'hello' },
      { role: 'user' as const, content: 'and now?' },
    ];
    await p.complete(history, 'You are Wactorz.', { maxTokens: 256, temperature: 0.2 });
    await drain(p.stream(history, 'You are Wactorz.'));
    const [blocking, streamed] = server.requestsFor('anthropic');
    for (const req of [blocking!, streamed!]) {
      const body = req.body as Record<string, unknown>;
      expect(req.path).toBe('/v1/messages');
      expect(body.system).toBe('You are Wactorz.');
      expect(body.messages).toEqual(history);
      expect(body.model).toBe('claude-haiku-4-5');
      expect(req.headers['anthropic-version']).toBeTruthy();
      // Depending on SDK version the key travels as x-api-key or a Bearer token.
      expect([req.headers['x-api-key'], req.headers.authorization]).toContain(req.headers['x-api-key'] ? 'sk-ant-wire' : 'Bearer sk-ant-wire');
    }
    expect((blocking!.body as Record<string, unknown>).max_tokens).toBe(256);
    expect((blocking!.body as Record<string, unknown>).temperature).toBe(0.2);
    expect((streamed!.body as Record<string, unknown>).max_tokens).toBe(4096);
    expect((streamed!.body as Record<string, unknown>).stream).toBe(true);
  });

  it('omits `system` when there is none', async () => {
    server.script('anthropic', 'ok');
    await new AnthropicProvider({ apiKey: 'k', baseUrl: server.url }).complete([{ role: 'user', content: 'hi' }]);
    expect(server.lastRequest()!.body).not.toHaveProperty('system');
  });

  it('takes usage from message_start (input) and message_delta (final output) and prices it', async () => {
    server.script('anthropic', reply.text('priced answer', { usage: { inputTokens: 2_000, outputTokens: 500 } }));
    const p = new AnthropicProvider({ apiKey: 'k', baseUrl: server.url });
    const done = (await drain(p.stream([{ role: 'user', content: 'hi' }]))).at(-1)!;
    expect(done.type === 'done' && done.usage).toEqual({ inputTokens: 2_000, outputTokens: 500 });
    if (done.type !== 'done') return;
    // claude-sonnet-4-6: $3 in / $15 out per 1M tokens.
    expect(costOf('anthropic', done.model, done.usage)).toEqual({ usd: (2_000 * 3 + 500 * 15) / 1e6, priced: true });
  });

  it('a rate-limit error event mid-stream is a rate_limit error', async () => {
    server.script('anthropic', reply.streamError({ text: 'x ', errorType: 'rate_limit_error', message: 'slow down' }));
    const p = new AnthropicProvider({ apiKey: 'k', baseUrl: server.url });
    await expect(drain(p.stream([{ role: 'user', content: 'hi' }]))).rejects.toMatchObject({ kind: 'rate_limit' });
  });

  it('rejects invalid messages before any request', async () => {
    const p = new AnthropicProvider({ apiKey: 'k', baseUrl: server.url });
    await expect(p.complete([{ role: 'system', content: 'x' } as never])).rejects.toMatchObject({ kind: 'bad_request' });
    await expect(p.complete([])).rejects.toMatchObject({ kind: 'bad_request' });
    expect(server.requests).toHaveLength(0);
  });
});
