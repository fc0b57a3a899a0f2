import { describe, expect, it } from 'vitest';
import { asJsonSchema, compileJsonSchema, compileJsonSchemaOrThrow, normaliseJsonSchema, validateJsonSchema } from './json-schema.js';

describe('validateJsonSchema', () => {
  it('says what is wrong in a person’s words, with a path per problem', () => {
    const schema = {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 2, maxLength: 5 },
        count: { type: 'integer', minimum: 1, maximum: 3 },
        ratio: { type: 'number', exclusiveMaximum: 1 },
        mode: { enum: ['a', 'b'] },
        fixed: { const: 7 },
        url: { type: 'string', pattern: '^https://' },
        maybe: { type: ['string', 'null'] },
      },
    };
    expect(validateJsonSchema({}, schema)).toEqual([{ path: '$.name', message: 'is required' }]);
    const issues = validateJsonSchema({ name: 'x', count: 9, ratio: 1, mode: 'c', fixed: 8, url: 'http://a', maybe: 3, other: 1 }, schema);
    expect(Object.fromEntries(issues.map((i) => [i.path, i.message]))).toEqual({
      '$.name': 'must have at least 2 characters',
      '$.count': 'must be ≤ 3',
      '$.ratio': 'must be < 1',
      '$.mode': 'must be one of "a", "b"',
      '$.fixed': 'must be 7',
      '$.url': 'must match ^https:\\/\\/',
      '$.maybe': 'expected string or null, got integer',
      '$.other': 'is not allowed',
    });
    expect(validateJsonSchema(2.5, { type: 'integer' })).toEqual([{ path: '$', message: 'expected integer, got number' }]);
    expect(validateJsonSchema({ name: 'abc' }, schema, 'config')).toEqual([]);
  });

  it('keeps array bounds without `items` and drops a pattern that is not a regular expression', () => {
    expect(validateJsonSchema([], { type: 'array', minItems: 1 })).toEqual([{ path: '$', message: 'must have at least 1 items' }]);
    expect(normaliseJsonSchema({ type: 'string', pattern: '([' })).toEqual({ type: 'string' });
    expect(validateJsonSchema('anything', { type: 'string', pattern: '([' })).toEqual([]);
    expect(() => compileJsonSchemaOrThrow({ type: 'string', pattern: '([' })).toThrow(/regular expression/i);
    // Data keywords are left alone.
    expect(normaliseJsonSchema({ enum: [{ type: 'array', minItems: 1 }] })).toEqual({ enum: [{ type: 'array', minItems: 1 }] });
  });

  it('checks nothing with a schema zod cannot use, and says why when asked', () => {
    const bad = { $ref: '#/definitions/missing' };
    expect(compileJsonSchema(bad)).toBeNull();
    expect(validateJsonSchema(1, bad)).toEqual([]);
    expect(() => compileJsonSchemaOrThrow(bad)).toThrow(/missing/);
  });

  it('builds a validator once per schema object', () => {
    const schema = { type: 'string' };
    expect(compileJsonSchema(schema)).toBe(compileJsonSchema(schema));
  });
});

describe('asJsonSchema', () => {
  it('accepts schema-like objects only', () => {
    expect(asJsonSchema({ type: 'object', properties: {} })).not.toBeNull();
    expect(asJsonSchema({ enum: [1] })).not.toBeNull();
    expect(asJsonSchema({ foo: 1 })).toBeNull();
    expect(asJsonSchema([])).toBeNull();
  });
});
