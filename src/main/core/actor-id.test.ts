import { describe, expect, it } from 'vitest';
import { actorIdFor, NAMESPACE_DNS, uuid5 } from './actor-id.js';

// Expected values computed with CPython: uuid.uuid5(uuid.NAMESPACE_DNS, name).
describe('uuid5', () => {
  it('matches Python uuid.uuid5 for the RFC example', () => {
    expect(uuid5(NAMESPACE_DNS, 'python.org')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });

  it('derives actor ids as the original does', () => {
    expect(actorIdFor('main')).toBe('ebf9a7a9-a8dc-5256-8b81-cefe8b789fba');
    expect(actorIdFor('monitor')).toBe('aaa77c77-89f6-5107-bb02-df2017684796');
    expect(actorIdFor('io')).toBe('8c6b0861-7ca3-5aef-b5e2-9cfec1a0f3d7');
  });

  it('encodes names as UTF-8', () => {
    expect(actorIdFor('ünïcode-agent')).toBe('ea0b62f0-6969-5314-9e51-49a9e0b155bb');
  });

  it('is stable and distinct per name', () => {
    expect(actorIdFor('a')).toBe(actorIdFor('a'));
    expect(actorIdFor('a')).not.toBe(actorIdFor('b'));
    expect(actorIdFor('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('rejects a malformed namespace', () => {
    expect(() => uuid5('nope', 'x')).toThrow(/not a UUID/);
  });
});
