import { afterEach, describe, expect, it } from 'vitest';
import { startScriptedLlmServer, type ScriptedLlmServer } from './scripted-llm-server.js';
import { reply } from './scripted-reply.js';

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

describe('scripted LLM server', () => {
  let server: ScriptedLlmServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('answers queued replies in order, then the default, then a 400 that says nothing is scripted', async () => {
    server = await startScriptedLlmServer();
    server.script('openai', ['first', 'second']);
    const ask = async (): Promise<Response> => post(`${server!.urls.openai}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'x' }] });
    const texts = async (r: Response): Promise<string> => ((await r.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content;
    expect(await texts(await ask())).toBe('first');
    expect(server.pending('openai')).toBe(1);
    expect(await texts(await ask())).toBe('second');
    const none = await ask();
    expect(none.status).toBe(400);
    expect(JSON.stringify(await none.json())).toContain("no reply queued for openai");
    server.respond('*', 'fallback');
    expect(await texts(await ask())).toBe('fallback');
    server.respond('openai', (req) => `you asked ${req.model}`);
    expect(await texts(await ask())).toBe('you asked m');
  });

  it('a responder can choose by the request (e.g. by system prompt)', async () => {
    server = await startScriptedLlmServer({
      defaultReply: (req) => {
        const body = req.body as { system?: string };
        return body.system?.includes('classify') ? 'OTHER' : 'chatty answer';
      },
    });
    const ask = (system: string) =>
      post(`${server!.url}/v1/messages`, { model: 'c', max_tokens: 5, system, messages: [{ role: 'user', content: 'x' }] }).then(
        async (r) => ((await r.json()) as { content: Array<{ text: string }> }).content[0]!.text,
      );
    expect(await ask('please classify')).toBe('OTHER');
    expect(await ask('be nice')).toBe('chatty answer');
  });

  it('records method, path, headers, body, model and stream flag', async () => {
    server = await startScriptedLlmServer({ defaultReply: 'x' });
    await post(`${server.url}/api/chat`, { model: 'llama3', messages: [], stream: false }, { 'x-test': 'yes' });
    const rec = server.lastRequest('ollama')!;
    expect(rec).toMatchObject({ id: 1, protocol: 'ollama', method: 'POST', path: '/api/chat', model: 'llama3', stream: false });
    expect(rec.headers['x-test']).toBe('yes');
    expect(rec.body).toEqual({ model: 'llama3', messages: [], stream: false });
    expect(rec.reply).toEqual(reply.text('x'));
    await rec.closed;
  });

  it('streams Ollama NDJSON by default and speaks its tags/version/root routes', async () => {
    server = await startScriptedLlmServer({ defaultReply: reply.text('a b', { usage: { inputTokens: 3, outputTokens: 2 } }) });
    const res = await post(`${server.url}/api/chat`, { model: 'llama3', messages: [] });
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => (l.message as { content: string }).content)).toEqual(['a ', 'b', '']);
    expect(lines.at(-1)).toMatchObject({ done: true, prompt_eval_count: 3, eval_count: 2, done_reason: 'stop' });
    expect(((await (await fetch(`${server.url}/api/tags`)).json()) as { models: Array<{ name: string }> }).models.map((m) => m.name)).toEqual(['llama3:latest']);
    expect(await (await fetch(`${server.url}/api/version`)).json()).toHaveProperty('version');
    expect(await (await fetch(server.url)).text()).toBe('Ollama is running');
  });

  it("answers an unknown Ollama model the way Ollama does", async () => {
    server = await startScriptedLlmServer({ defaultReply: 'x', ollamaModels: ['qwen2.5:0.5b'] });
    const res = await post(`${server.url}/api/chat`, { model: 'llama3', messages: [] });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'model "llama3" not found, try pulling it first' });
    server.setOllamaModels(null);
    expect((await post(`${server.url}/api/chat`, { model: 'anything', messages: [], stream: false })).status).toBe(200);
  });

  it('Anthropic SSE has the full event sequence with usage in message_start and message_delta', async () => {
    server = await startScriptedLlmServer({ defaultReply: reply.text('hi there', { usage: { inputTokens: 9, outputTokens: 4 } }) });
    const res = await post(`${server.url}/v1/messages`, { model: 'c', max_tokens: 5, stream: true, messages: [] });
    const events = [...(await res.text()).matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    expect(events).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('OpenAI SSE sends a usage chunk only when asked, then [DONE]', async () => {
    server = await startScriptedLlmServer({ defaultReply: 'x y' });
    const body = { model: 'm', stream: true, messages: [] };
    const plain = await (await post(`${server.url}/v1/chat/completions`, body)).text();
    const withUsage = await (await post(`${server.url}/v1/chat/completions`, { ...body, stream_options: { include_usage: true } })).text();
    expect(plain.trim().endsWith('data: [DONE]')).toBe(true);
    expect(plain).not.toContain('prompt_tokens');
    expect(withUsage).toContain('"choices":[],"usage":{"prompt_tokens"');
  });

  it('enforces API keys when configured', async () => {
    server = await startScriptedLlmServer({ defaultReply: 'x', apiKeys: { anthropic: 'right' } });
    const body = { model: 'c', max_tokens: 5, messages: [] };
    expect((await post(`${server.url}/v1/messages`, body, { 'x-api-key': 'wrong' })).status).toBe(401);
    expect((await post(`${server.url}/v1/messages`, body, { authorization: 'Bearer right' })).status).toBe(200);
    expect((await post(`${server.url}/v1/messages`, body, { 'x-api-key': 'right' })).status).toBe(200);
  });

  it('waitForRequests resolves on arrival; reset clears; close ends hanging replies', async () => {
    server = await startScriptedLlmServer({ defaultReply: reply.hang() });
    const waiting = server.waitForRequests(1, 'openai');
    const hanging = post(`${server.urls.openai}/chat/completions`, { model: 'm', messages: [] }).catch((e: unknown) => e);
    expect((await waiting)[0]!.model).toBe('m');
    await server.close();
    expect(await hanging).toBeInstanceOf(Error);
    server = undefined;
  });
});
