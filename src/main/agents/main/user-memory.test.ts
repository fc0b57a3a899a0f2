import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../persistence/sqlite/open-database.js';
import { extractFacts, normalizeFacts, UserMemory } from './user-memory.js';

const facts = (text: string) => extractFacts(text).map((f) => [f.key, f.value]);

describe('extractFacts (deterministic pass)', () => {
  it('finds names, entity ids, personal facts and explicit "remember"', () => {
    expect(facts('Hi! My name is Ada Lovelace.')).toEqual([['name', 'Ada Lovelace']]);
    expect(facts('call me Bob, please')).toEqual([['name', 'Bob']]);
    expect(facts('the kitchen lamp is light.wiz_kitchen')).toEqual([['kitchen lamp', 'light.wiz_kitchen']]);
    expect(facts('sensor.porch_temp is the porch thermometer.')).toEqual([['porch thermometer', 'sensor.porch_temp']]);
    expect(facts("My wife's name is Grace and I live in Paris")).toEqual([["wife's name", 'Grace']]);
    expect(facts('I live in Paris. My favourite colour is green!')).toEqual([
      ['home city', 'Paris'],
      ['favourite colour', 'green'],
    ]);
    expect(facts('remember that the garage door is cover.garage')).toEqual([['garage door', 'cover.garage']]);
    expect(facts('Please remember: I park in spot 12')).toEqual([['note: i park in spot 12', 'I park in spot 12']]);
  });

  it('leaves questions, passing states and negations alone', () => {
    expect(facts('what is my name?')).toEqual([]);
    expect(facts('my name is what?')).toEqual([]);
    expect(facts('my head is killing me')).toEqual([]);
    expect(facts('my name is not Bob')).toEqual([]);
    expect(facts('turn on the kitchen lamp')).toEqual([]);
  });

  it('accepts the shapes an LLM returns, dropping junk', () => {
    expect(normalizeFacts({ Name: 'Ada', 'The Kitchen Lamp': 'light.wiz_kitchen', bad: { x: 1 }, empty: '' }, 'llm').map((f) => [f.key, f.value])).toEqual([
      ['name', 'Ada'],
      ['kitchen lamp', 'light.wiz_kitchen'],
    ]);
    expect(normalizeFacts([{ key: 'dog', value: 'Rex' }, 'city: Oslo', 7], 'llm').map((f) => f.key)).toEqual(['dog', 'city']);
    expect(normalizeFacts('nope', 'llm')).toEqual([]);
  });
});

describe('UserMemory (SQLite user_facts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wz-memory-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores, reports changes, renders the prompt section and forgets', () => {
    const db = openDatabase(dir);
    try {
      const mem = new UserMemory(db);
      expect(mem.promptSection()).toBe('');
      expect(mem.remember(extractFacts('my name is Ada. the kitchen lamp is light.wiz_kitchen'))).toHaveLength(2);
      expect(mem.remember(extractFacts('my name is Ada'))).toHaveLength(0); // unchanged
      expect(mem.promptSection()).toMatch(/- kitchen lamp: light\.wiz_kitchen\n- name: Ada$/);
      expect(mem.forget('The Kitchen Lamp')).toBe(1);
      expect(mem.all()).toEqual({ name: 'Ada' });
      expect(mem.forget()).toBe(1);
      expect(mem.all()).toEqual({});
    } finally {
      db.close();
    }
  });
});
