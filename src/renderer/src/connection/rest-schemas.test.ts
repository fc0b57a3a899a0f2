import { describe, expect, it } from 'vitest';
import { agentListSchema, diagnosticsFrom, toCatalog, toModelList, toModels, toRecipes } from './rest-schemas.js';

describe('diagnosticsFrom', () => {
  it('finds line/column diagnostics wherever the 400 body puts them', () => {
    expect(diagnosticsFrom({ error: 'syntax error', detail: [{ message: 'Unexpected token', line: 3, column: 7 }] })).toEqual([{ message: 'Unexpected token', line: 3, column: 7, severity: 'error' }]);
    expect(diagnosticsFrom({ error: 'bad code', detail: { diagnostics: [{ message: 'x', line: 1, column: 2, severity: 'warning' }] } })).toEqual([{ message: 'x', line: 1, column: 2, severity: 'warning' }]);
    expect(diagnosticsFrom({ error: 'Unexpected end of input', line: 9, column: 1 })).toEqual([{ message: 'Unexpected end of input', line: 9, column: 1, severity: 'error' }]);
  });

  it('finds nothing in bodies without a place', () => {
    expect(diagnosticsFrom({ error: 'name taken' })).toEqual([]);
    expect(diagnosticsFrom('oops')).toEqual([]);
    expect(diagnosticsFrom(undefined)).toEqual([]);
  });
});

describe('agentListSchema', () => {
  it('accepts the hub list and tolerates unknown states/kinds', () => {
    const r = agentListSchema.parse([{ id: 'a', name: 'main', state: 'weird', protected: true, kind: 'martian', last_heartbeat: null, inbox_size: 0, restart_count: 0, messages_processed: 1, extra: 1 }]);
    expect(r[0]).toMatchObject({ state: 'running', kind: 'core', extra: 1 });
    expect(() => agentListSchema.parse([{ name: 'no id' }])).toThrow();
  });
});

describe('toRecipes', () => {
  it('normalises the catalog from an array or {recipes}', () => {
    const raw = [{ name: 'notifier', description: 'posts', dependencies: { undici: '^6' }, config_schema: { type: 'object', properties: { url: { type: 'string' } } } }];
    const a = toRecipes(raw);
    const b = toRecipes({ recipes: raw });
    expect(a).toEqual(b);
    expect(a[0]).toMatchObject({ name: 'notifier', title: 'notifier', dependencies: ['undici@^6'], configSchema: { type: 'object' } });
    expect(() => toRecipes({ nope: 1 })).toThrow();
  });

  it('reads the hub’s catalog: ports, optional capabilities, default name and bad recipes', () => {
    const c = toCatalog({
      recipes: [
        {
          name: 'webhook-notifier',
          title: 'Webhook notifier',
          description: 'Posts',
          inputs: [{ topic: '{config.topics}', description: 'each message' }],
          outputs: [{ description: 'an HTTP POST' }],
          dependencies: [],
          config_schema: { type: 'object', properties: { url: { type: 'string', secret: true } }, required: ['url'] },
          capabilities: ['fetch'],
          optional_capabilities: ['fetch_local'],
          default_name: 'notifier',
        },
      ],
      problems: [{ recipe: 'broken', error: 'manifest.json: description: say what the recipe does' }],
    });
    expect(c.recipes[0]).toMatchObject({ title: 'Webhook notifier', capabilities: ['fetch'], optionalCapabilities: ['fetch_local'], defaultName: 'notifier', inputs: [{ topic: '{config.topics}', description: 'each message' }] });
    expect(c.problems).toEqual([{ recipe: 'broken', error: 'manifest.json: description: say what the recipe does' }]);
  });
});

describe('toModels', () => {
  it('reads Ollama tags, OpenAI lists and plain names', () => {
    expect(toModels({ models: [{ name: 'llama3.2:3b', size: 2_000_000_000 }] })).toEqual([{ name: 'llama3.2:3b', detail: '2.0 GB' }]);
    expect(toModelList({ provider: 'ollama', model: 'llama3', installed: false, models: [{ name: 'qwen3:8b', size_bytes: 5_200_000_000, parameter_size: '8.2B' }], note: 'model llama3 is not pulled' })).toEqual({
      provider: 'ollama',
      models: [{ name: 'qwen3:8b', detail: '8.2B · 5.2 GB' }],
      note: 'model llama3 is not pulled',
    });
    expect(toModels({ data: [{ id: 'gpt-x' }] })).toEqual([{ name: 'gpt-x' }]);
    expect(toModels(['a', 'b'])).toEqual([{ name: 'a' }, { name: 'b' }]);
  });
});
