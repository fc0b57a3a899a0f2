import { describe, expect, it } from 'vitest';
import { redact, redactDeep, redactingLogger } from './redact.js';

describe('redact', () => {
  it.each([
    ['http://user:pass@host:11434', 'http://user:***@host:11434'],
    ['https://ghp_TOKEN123@github.com/x.git', 'https://***@github.com/x.git'],
    ['redis://:s3cret@10.0.0.2:6379/0', 'redis://:***@10.0.0.2:6379/0'],
    ['mqtts://fleet:p@ss:w0rd@broker.lan:8883', 'mqtts://fleet:***@broker.lan:8883'],
    ['OLLAMA_HOST=http://admin:hunter2@gpu-box:11434/', 'OLLAMA_HOST=http://admin:***@gpu-box:11434/'],
    ['https://generativelanguage.googleapis.com/v1beta/models?key=AIzaSECRET&alt=sse', 'https://generativelanguage.googleapis.com/v1beta/models?key=***&alt=sse'],
    ['https://h/x?a=1&access_token=abc.def&Signature=zzz#f', 'https://h/x?a=1&access_token=***&Signature=***#f'],
  ])('%s', (input, expected) => {
    expect(redact(input)).toBe(expected);
    expect(redact(expected)).toBe(expected); // idempotent
  });

  it('finds URLs inside free text, JSON and error messages', () => {
    expect(redact('cannot reach Ollama at http://u:pw@h:1 (connection refused) — check OLLAMA_HOST')).toBe(
      'cannot reach Ollama at http://u:***@h:1 (connection refused) — check OLLAMA_HOST',
    );
    expect(redact(JSON.stringify({ base_url: 'http://u:pw@h', other: 'https://a:b@c/d' }))).toBe('{"base_url":"http://u:***@h","other":"https://a:***@c/d"}');
    expect(redact('two: http://a:1@x and ws://b:2@y/mqtt')).toBe('two: http://a:***@x and ws://b:***@y/mqtt');
  });

  it('leaves text without credentials exactly as it was', () => {
    for (const s of [
      'LLM: ollama llama3 at http://127.0.0.1:11434 (local)',
      'mail me at someone@example.com',
      'http://example.com/path/with@sign and https://x.y/?q=1&page=2',
      'a=b, key-value pairs in prose',
      '',
    ]) {
      expect(redact(s)).toBe(s);
    }
  });

  it('redactDeep: strings in nested plain objects and arrays; other values untouched', () => {
    const d = new Date(0);
    expect(redactDeep({ error: 'at http://a:b@h', detail: { urls: ['https://t@h'], n: 1, ok: true, nil: null }, d })).toEqual({
      error: 'at http://a:***@h',
      detail: { urls: ['https://***@h'], n: 1, ok: true, nil: null },
      d,
    });
  });

  it('redactingLogger redacts every line before it is written', () => {
    const lines: string[] = [];
    const log = redactingLogger((level: 'info', m: string) => lines.push(`${level} ${m}`));
    log('info', 'LLM: ollama llama3 at http://user:pass@gpu:11434 (local)');
    expect(lines).toEqual(['info LLM: ollama llama3 at http://user:***@gpu:11434 (local)']);
  });
});
