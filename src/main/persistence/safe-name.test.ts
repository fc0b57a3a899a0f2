import { describe, expect, it } from 'vitest';
import { assertValidName, fromFileStem, toFileStem, UnsafeNameError } from './safe-name.js';

describe('toFileStem', () => {
  it('keeps ordinary names as they are', () => {
    expect(toFileStem('actor', 'home-assistant-agent')).toBe('home-assistant-agent');
    expect(toFileStem('key', 'state_v2.backup')).toBe('state_v2.backup');
  });

  it.each(['..', '.', '../x', 'a/../../b', 'a\\b', '/etc/passwd', '.env', 'C:\\x'])('rejects %j as path traversal', (name) => {
    expect(() => toFileStem('key', name)).toThrow(UnsafeNameError);
    expect(() => toFileStem('key', name)).toThrow(/path traversal/);
  });

  it('rejects device names, empty and control characters', () => {
    expect(() => toFileStem('key', 'CON')).toThrow(/reserved device name/);
    expect(() => assertValidName('key', '')).toThrow(/non-empty/);
    expect(() => assertValidName('actor', 42)).toThrow(/non-empty string/);
    expect(() => toFileStem('key', 'a\nb')).toThrow(/control characters/);
    expect(() => toFileStem('key', 'x'.repeat(300))).toThrow(/too long/);
  });

  it('percent-encodes everything else reversibly', () => {
    for (const name of ['a:b', 'with space', 'ünïcödé', "q!'()*~%", 'emoji😀']) {
      const stem = toFileStem('key', name);
      expect(stem).toMatch(/^[A-Za-z0-9%._@+=,-]+$/);
      expect(fromFileStem(stem)).toBe(name);
    }
  });
});
