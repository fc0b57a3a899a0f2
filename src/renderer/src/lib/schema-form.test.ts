import { describe, expect, it } from 'vitest';
import { fieldsFromSchema, initialValues, valuesToConfig } from './schema-form.js';

const schema = {
  type: 'object',
  required: ['webhook_url', 'interval'],
  properties: {
    webhook_url: { type: 'string', format: 'uri', description: 'Where to post' },
    interval: { type: 'integer', minimum: 1, default: 60 },
    service: { type: 'string', enum: ['discord', 'slack', 'ntfy'], default: 'ntfy' },
    enabled: { type: 'boolean', default: true },
    topics: { type: 'array', items: { type: 'string' } },
    headers: { type: 'object' },
    threshold: { type: 'number' },
  },
};

describe('fieldsFromSchema', () => {
  it('picks an input per property type and masks secrets', () => {
    const fields = fieldsFromSchema(schema);
    expect(Object.fromEntries(fields.map((f) => [f.key, f.kind]))).toEqual({
      webhook_url: 'secret',
      interval: 'integer',
      service: 'select',
      enabled: 'boolean',
      topics: 'list',
      headers: 'json',
      threshold: 'number',
    });
    expect(fields.find((f) => f.key === 'interval')!.required).toBe(true);
    expect(fields.find((f) => f.key === 'webhook_url')!.label).toBe('Webhook url');
  });

  it('returns nothing for a missing schema', () => {
    expect(fieldsFromSchema(null)).toEqual([]);
  });
});

describe('valuesToConfig', () => {
  const fields = fieldsFromSchema(schema);

  it('starts from the defaults', () => {
    expect(initialValues(fields)).toMatchObject({ interval: '60', service: 'ntfy', enabled: true, webhook_url: '' });
  });

  it('turns form values into typed config, leaving empty optional fields out', () => {
    const r = valuesToConfig(fields, { ...initialValues(fields), webhook_url: 'https://hooks.example/x', topics: 'a/b\nc/d, e', headers: '{"x": "1"}', threshold: '2.5' });
    expect(r).toEqual({
      ok: true,
      config: { webhook_url: 'https://hooks.example/x', interval: 60, service: 'ntfy', enabled: true, topics: ['a/b', 'c/d', 'e'], headers: { x: '1' }, threshold: 2.5 },
    });
  });

  it('reports errors per field', () => {
    const r = valuesToConfig(fields, { ...initialValues(fields), interval: '0.5', headers: '{nope', threshold: 'abc' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(['headers', 'interval', 'threshold', 'webhook_url']);
    expect(r.errors.webhook_url).toBe('required');
  });

  it('applies schema bounds', () => {
    const r = valuesToConfig(fields, { ...initialValues(fields), webhook_url: 'x', interval: '0' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.interval).toMatch(/≥ 1/);
  });
});
