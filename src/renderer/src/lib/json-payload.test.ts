import { describe, expect, it } from 'vitest';
import { checkJsonPayload, lineColumnAt } from './json-payload.js';

describe('checkJsonPayload', () => {
  it('accepts any JSON value without a schema', () => {
    expect(checkJsonPayload('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(checkJsonPayload('"hello"')).toEqual({ ok: true, value: 'hello' });
    expect(checkJsonPayload('42')).toEqual({ ok: true, value: 42 });
  });

  it('refuses empty input', () => {
    const r = checkJsonPayload('   ');
    expect(r.ok).toBe(false);
  });

  it('reports where the JSON is broken', () => {
    const r = checkJsonPayload('{\n  "a": 1,\n  b: 2\n}');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.line).toBe(3);
    expect(r.column).toBeGreaterThanOrEqual(3);
    expect(r.error).toMatch(/line 3/);
  });

  it('hints that plain text must be quoted', () => {
    const r = checkJsonPayload('hello there');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/quoted/);
  });

  it('checks the value against an input schema', () => {
    const schema = { type: 'object', required: ['city'], properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1 } } };
    expect(checkJsonPayload('{"city": "Oslo", "days": 2}', schema).ok).toBe(true);
    const r = checkJsonPayload('{"days": 0}', schema);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues?.map((i) => i.path)).toEqual(['$.city', '$.days']);
  });
});

describe('lineColumnAt', () => {
  it('is 1-based', () => {
    expect(lineColumnAt('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumnAt('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
