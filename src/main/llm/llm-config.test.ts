import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmProvider } from './create-provider.js';
import { describeLlm, NO_LLM_MESSAGE, resolveLlmConfig } from './llm-config.js';
import { normalizeOllamaHost } from './ollama-host.js';
import { AnthropicProvider } from './anthropic-provider.js';
import { NotConfiguredProvider } from './not-configured-provider.js';
import { OllamaProvider } from './ollama-provider.js';
import { OpenAiCompatibleProvider } from './openai-compatible-provider.js';
import { drain, expectLlmError } from './testing/provider-conformance.js';
import { startScriptedLlmServer, type ScriptedLlmServer } from './testing/index.js';

describe('resolveLlmConfig', () => {
  it('no --llm: Anthropic when its key is set', () => {
    expect(resolveLlmConfig({}, { ANTHROPIC_API_KEY: 'sk-ant', OPENAI_API_KEY: 'sk' })).toMatchObject({
      provider: 'anthropic',
      model: 'claude-sonnet-4-6',
      apiKey: 'sk-ant',
      baseUrl: 'https://api.anthropic.com',
    });
  });

  it('no --llm: then OpenAI, then Gemini, then NIM, else none', () => {
    expect(resolveLlmConfig({}, { OPENAI_API_KEY: 'sk' })).toMatchObject({ provider: 'openai', model: 'gpt-4o', apiKey: 'sk' });
    expect(resolveLlmConfig({}, { GEMINI_API_KEY: 'g', NIM_API_KEY: 'n' })).toMatchObject({ provider: 'gemini', model: 'gemini-2.5-flash' });
    expect(resolveLlmConfig({}, { NIM_API_KEY: 'n' })).toMatchObject({ provider: 'nim', model: 'meta/llama-3.3-70b-instruct' });
    expect(resolveLlmConfig({}, { ANTHROPIC_API_KEY: '  ' })).toMatchObject({ provider: 'none' });
    expect(resolveLlmConfig({}, {}).provider).toBe('none');
  });

  it('honours the seed flags and base-URL env vars', () => {
    expect(resolveLlmConfig({ llm: 'ollama', ollamaModel: 'qwen2.5:0.5b' }, {})).toMatchObject({
      provider: 'ollama',
      model: 'qwen2.5:0.5b',
      baseUrl: 'http://127.0.0.1:11434',
    });
    expect(resolveLlmConfig({ llm: 'ollama' }, { OLLAMA_HOST: '0.0.0.0' }).baseUrl).toBe('http://0.0.0.0:11434');
    expect(resolveLlmConfig({ llm: 'ollama', ollamaHost: 'http://gpu:8080' }, { OLLAMA_HOST: 'other' }).baseUrl).toBe('http://gpu:8080');
    expect(resolveLlmConfig({ llm: 'ollama' }, {}).model).toBe('llama3');
    expect(resolveLlmConfig({ llm: 'nim', nimModel: 'nvidia/nemotron' }, { NIM_API_KEY: 'n' })).toMatchObject({ model: 'nvidia/nemotron', apiKey: 'n' });
    expect(resolveLlmConfig({ llm: 'gemini', geminiModel: 'gemini-2.5-pro' }, { GEMINI_API_KEY: 'g' }).model).toBe('gemini-2.5-pro');
    expect(resolveLlmConfig({ llm: 'openai' }, { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://proxy/v1' }).baseUrl).toBe('http://proxy/v1');
    expect(resolveLlmConfig({ llm: 'anthropic' }, { ANTHROPIC_BASE_URL: 'http://proxy' }).baseUrl).toBe('http://proxy');
    expect(resolveLlmConfig({ llm: 'anthropic', model: 'claude-haiku-4-5' }, {}).model).toBe('claude-haiku-4-5');
  });

  it('--ollama-model alone selects Ollama; --llm is case-insensitive; timeouts pass through', () => {
    expect(resolveLlmConfig({ ollamaModel: 'llama3' }, { ANTHROPIC_API_KEY: 'k' }).provider).toBe('ollama');
    expect(resolveLlmConfig({ llm: 'OpenAI' }, {}).provider).toBe('openai');
    expect(resolveLlmConfig({ llm: 'none', timeoutMs: 5_000, maxRetries: 0 }, {})).toEqual({ provider: 'none', timeoutMs: 5_000, maxRetries: 0 });
    expect(resolveLlmConfig({ llm: 'none' }, {})).toEqual({ provider: 'none', timeoutMs: 120_000, maxRetries: 2 });
  });

  it('an unknown --llm is a clear error', () => {
    expect(() => resolveLlmConfig({ llm: 'gpt' }, {})).toThrow(/unknown --llm "gpt": choose one of anthropic, openai, ollama, nim, gemini, none/);
  });
});

describe('describeLlm', () => {
  it('names provider and model', () => {
    expect(describeLlm(resolveLlmConfig({}, { ANTHROPIC_API_KEY: 'k' }))).toBe('LLM: anthropic claude-sonnet-4-6');
    expect(describeLlm(resolveLlmConfig({ llm: 'ollama', ollamaModel: 'llama3' }, {}))).toBe('LLM: ollama llama3 at http://127.0.0.1:11434 (local)');
    expect(describeLlm(resolveLlmConfig({}, { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://localhost:1234/v1' }))).toBe(
      'LLM: openai gpt-4o via http://localhost:1234/v1',
    );
  });

  it('says exactly what to set when nothing is configured', () => {
    const line = describeLlm(resolveLlmConfig({}, {}));
    expect(line).toBe(NO_LLM_MESSAGE);
    expect(line).toMatch(/^No LLM configured: set ANTHROPIC_API_KEY \(or run with --llm ollama --ollama-model llama3 for a local model, or --llm openai with OPENAI_API_KEY/);
  });

  it('flags a chosen provider whose key is missing', () => {
    expect(describeLlm(resolveLlmConfig({ llm: 'gemini' }, {}))).toBe(
      'LLM: gemini gemini-2.5-flash — not usable yet: GEMINI_API_KEY is not set — export it with your Gemini API key, or choose another provider with --llm',
    );
  });
});

describe('normalizeOllamaHost', () => {
  it('reads OLLAMA_HOST the way ollama does', () => {
    expect(normalizeOllamaHost(undefined)).toBe('http://127.0.0.1:11434');
    expect(normalizeOllamaHost('')).toBe('http://127.0.0.1:11434');
    expect(normalizeOllamaHost('127.0.0.1:9000')).toBe('http://127.0.0.1:9000');
    expect(normalizeOllamaHost('http://host')).toBe('http://host');
    expect(normalizeOllamaHost('http://host:11434/')).toBe('http://host:11434');
    expect(() => normalizeOllamaHost('http://')).toThrow(/invalid Ollama host/);
  });
});

describe('createLlmProvider', () => {
  let server: ScriptedLlmServer;
  beforeAll(async () => {
    server = await startScriptedLlmServer({ defaultReply: 'configured answer' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('builds the provider the config names, pointed at its base URL', async () => {
    const env = {
      ANTHROPIC_API_KEY: 'a',
      ANTHROPIC_BASE_URL: server.urls.anthropic,
      OPENAI_API_KEY: 'o',
      OPENAI_BASE_URL: server.urls.openai,
      NIM_API_KEY: 'n',
      NIM_BASE_URL: server.urls.nim,
      GEMINI_API_KEY: 'g',
      GEMINI_BASE_URL: server.urls.gemini,
      OLLAMA_HOST: server.urls.ollama,
    };
    const cases = [
      ['anthropic', AnthropicProvider],
      ['openai', OpenAiCompatibleProvider],
      ['nim', OpenAiCompatibleProvider],
      ['gemini', OpenAiCompatibleProvider],
      ['ollama', OllamaProvider],
    ] as const;
    for (const [llm, cls] of cases) {
      const provider = createLlmProvider(resolveLlmConfig({ llm }, env));
      expect(provider).toBeInstanceOf(cls);
      expect(provider.name).toBe(llm);
      expect(provider.configured).toBe(true);
      expect((await provider.complete([{ role: 'user', content: 'hi' }])).text).toBe('configured answer');
    }
    expect(server.requests.map((r) => r.protocol)).toEqual(['anthropic', 'openai', 'openai', 'openai', 'ollama']);
  });

  it("provider 'none' → a NotConfigured provider whose calls say what to set", async () => {
    const provider = createLlmProvider(resolveLlmConfig({}, {}));
    expect(provider).toBeInstanceOf(NotConfiguredProvider);
    expect(provider.configured).toBe(false);
    const err = await expectLlmError(provider.complete([{ role: 'user', content: 'hi' }]));
    expect(err.kind).toBe('not_configured');
    expect(err.message).toBe(NO_LLM_MESSAGE);
    expect((await expectLlmError(drain(provider.stream([{ role: 'user', content: 'hi' }])))).kind).toBe('not_configured');
  });

  it('a hosted provider without its key → "ANTHROPIC_API_KEY is not set"', async () => {
    const provider = createLlmProvider(resolveLlmConfig({ llm: 'anthropic' }, {}));
    expect(provider.configured).toBe(false);
    expect(provider.name).toBe('anthropic');
    expect(provider.model).toBe('claude-sonnet-4-6');
    const err = await expectLlmError(provider.complete([{ role: 'user', content: 'hi' }]));
    expect(err.kind).toBe('not_configured');
    expect(err.message).toMatch(/^ANTHROPIC_API_KEY is not set/);
  });
});
