import { describe, expect, it } from 'vitest';
import { asJsonSchema, exampleFor, validateAgainstSchema } from './json-schema.js';

describe('validateAgainstSchema', () => {
  const schema = {
    type: 'object',
    required: ['url'],
    additionalProperties: false,
    properties: {
      url: { type: 'string', pattern: '^https?://' },
      level: { enum: ['low', 'high'] },
      tags: { type: 'array', items: { type: 'string' }, maxItems: 2 },
      n: { type: ['number', 'null'], maximum: 10 },
    },
  };

  it('passes a valid value', () => {
    expect(validateAgainstSchema({ url: 'https://x', level: 'low', tags: ['a'], n: null }, schema)).toEqual([]);
  });

  it('reports each problem with its path', () => {
    // zod judges an array's length before its items: `tags` is reported once, for its length.
    const issues = validateAgainstSchema({ url: 'ftp://x', level: 'mid', tags: ['a', 1, 'c'], n: 11, extra: true }, schema);
    expect(issues.map((i) => i.path).sort()).toEqual(['$.extra', '$.level', '$.n', '$.tags', '$.url']);
    expect(validateAgainstSchema({ url: 'https://x', tags: ['a', 1] }, schema)).toEqual([{ path: '$.tags[1]', message: 'expected string, got integer' }]);
  });

  it('reports a missing required field and a wrong type', () => {
    expect(validateAgainstSchema({}, schema)).toEqual([{ path: '$.url', message: 'is required' }]);
    expect(validateAgainstSchema('x', schema)[0]!.message).toMatch(/expected object, got string/);
  });

  it('treats integers as numbers but not the other way round', () => {
    expect(validateAgainstSchema(3, { type: 'number' })).toEqual([]);
    expect(validateAgainstSchema(3.5, { type: 'integer' })).toHaveLength(1);
  });
});

describe('asJsonSchema', () => {
  it('accepts schema-like objects and refuses anything else', () => {
    expect(asJsonSchema({ type: 'object', properties: {} })).not.toBeNull();
    expect(asJsonSchema({ foo: 1 })).toBeNull();
    expect(asJsonSchema('string')).toBeNull();
    expect(asJsonSchema(null)).toBeNull();
    expect(asJsonSchema({ type: 5 })).toBeNull();
  });
});

describe('exampleFor', () => {
  it('builds a starting value from defaults and required fields', () => {
    expect(exampleFor({ type: 'object', required: ['a'], properties: { a: { type: 'string' }, b: { type: 'number', default: 3 }, c: { type: 'boolean' } } })).toEqual({ a: '', b: 3 });
  });
});
