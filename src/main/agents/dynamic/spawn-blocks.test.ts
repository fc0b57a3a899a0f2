/**
 * `<spawn>` blocks as models really write them: fenced, with raw newlines in the code, with
 * backticks; the broken ones give an error that says where; the stream filter never leaks a block,
 * however the chunks split its tags.
 */
import { describe, expect, it } from 'vitest';
import { extractSpawnBlocks, parseLenientJson } from './spawn-blocks.js';
import { filterSpawnBlocks } from './spawn-stream-filter.js';
import { parseSpawnSpec } from './spawn-spec.js';

const CODE = 'export async function handleTask(agent, payload) {\n  return { echo: payload };\n}';

describe('extractSpawnBlocks', () => {
  it('takes every block out of the text and validates each', () => {
    const spec = { name: 'echo', type: 'dynamic', description: 'Echoes', code: CODE, capabilities: ['echo'], poll_interval: 5 };
    const text = `Here you go:\n<spawn>${JSON.stringify(spec)}</spawn>\nAnd an LLM one:\n<spawn>{"name": "poet", "type": "llm", "system_prompt": "You write haiku."}</spawn>\nDone.`;
    const out = extractSpawnBlocks(text);
    expect(out.text).toBe('Here you go:\n\nAnd an LLM one:\n\nDone.');
    expect(out.text).not.toMatch(/spawn|echo/);
    expect(out.blocks).toHaveLength(2);
    expect(out.blocks[0]).toMatchObject({ ok: true, spec: { name: 'echo', type: 'dynamic', code: CODE, capabilities: ['echo'], poll_interval: 5, replace: false, install: [] } });
    expect(out.blocks[1]).toMatchObject({ ok: true, spec: { name: 'poet', type: 'llm', system_prompt: 'You write haiku.' } });
  });

  it('repairs code fences, raw newlines inside the code string, and backtick-quoted code', () => {
    const fenced = '<spawn>\n```json\n{"name": "a1", "code": "' + CODE + '"}\n```\n</spawn>';
    const backticks = '<spawn>{"name": "a2", "description": "x", "code": `' + CODE.replace(/"/g, "'") + '`}</spawn>';
    const fencedCode = '<spawn>{"name": "a3", "code": "```javascript\\n' + CODE.replace(/\n/g, '\\n') + '\\n```"}</spawn>';
    const out = extractSpawnBlocks(`${fenced}\n${backticks}\n${fencedCode}`);
    expect(out.blocks.map((b) => (b.ok ? b.spec.code : b.error))).toEqual([CODE, CODE.replace(/"/g, "'"), CODE]);
    expect(out.text).toBe('');
  });

  it('says where a trailing comma is, and what is missing from a spec', () => {
    const out = extractSpawnBlocks('<spawn>{\n  "name": "x",\n  "code": "export async function setup() {}",\n}</spawn> ok');
    expect(out.text).toBe('ok');
    expect(out.blocks[0]).toMatchObject({ ok: false });
    expect(!out.blocks[0]!.ok && out.blocks[0]!.error).toMatch(/trailing comma at line 3, column \d+/);

    const noCode = extractSpawnBlocks('<spawn>{"name": "y", "type": "dynamic"}</spawn>').blocks[0]!;
    expect(!noCode.ok && noCode.error).toMatch(/code: a dynamic agent needs its module/);
    expect(!noCode.ok && noCode.name).toBe('y');
    const badName = extractSpawnBlocks('<spawn>{"name": "no spaces!", "code": "x"}</spawn>').blocks[0]!;
    expect(!badName.ok && badName.error).toMatch(/name: a name is letters/);
    const notJson = parseLenientJson('{"name": "z" "code": 1}');
    expect(!notJson.ok && notJson.error).toMatch(/line 1, column \d+/);
  });

  it('an unterminated block is removed up to the end and reported', () => {
    const out = extractSpawnBlocks('Sure!\n<spawn>{"name": "cut", "code": "export async function setup(');
    expect(out.text).toBe('Sure!');
    expect(out.blocks).toHaveLength(1);
    expect(out.blocks[0]!.ok).toBe(false);
  });

  it("reads the original's shorthands (llm by system prompt, js/ts, comma-separated install)", () => {
    const llm = parseSpawnSpec({ name: 'helper', system_prompt: 'Be helpful' });
    expect(llm).toMatchObject({ ok: true, spec: { type: 'llm' } });
    const ts = parseSpawnSpec({ name: 'typed', code: 'export async function setup() {}', language: 'TS', install: 'rss-parser, date-fns' });
    expect(ts).toMatchObject({ ok: true, spec: { language: 'typescript', install: ['rss-parser', 'date-fns'] } });
    const actuator = parseSpawnSpec({ type: 'ha_actuator', automation_id: 'hall motion', mqtt_topics: ['custom/triggers/hall'], actions: [] });
    expect(actuator).toMatchObject({ ok: true, spec: { name: 'actuator-hall-motion', type: 'ha_actuator' } });
  });
});

describe('filterSpawnBlocks', () => {
  const run = (chunks: string[]): string => {
    let shown = '';
    const f = filterSpawnBlocks((s) => (shown += s));
    for (const c of chunks) f.push(c);
    f.end();
    return shown;
  };

  it('passes text through and drops blocks, whatever the chunk boundaries', () => {
    const full = 'Making it now. <spawn>{"name": "a", "code": "x < y && </b>"}</spawn> It is <b>running</b>.';
    const expected = 'Making it now.  It is <b>running</b>.';
    expect(run([full])).toBe(expected);
    // Every split of the text into two chunks, and one character at a time.
    for (let i = 1; i < full.length; i++) expect(run([full.slice(0, i), full.slice(i)])).toBe(expected);
    expect(run([...full])).toBe(expected);
  });

  it('streams text before a block at once, and releases a "<sp" that was not a tag at the end', () => {
    const shown: string[] = [];
    const f = filterSpawnBlocks((s) => shown.push(s));
    f.push('Hello ');
    expect(shown).toEqual(['Hello ']);
    f.push('<sp');
    expect(shown).toEqual(['Hello ']);
    f.end();
    expect(shown.join('')).toBe('Hello <sp');
  });

  it('drops an unterminated block', () => {
    expect(run(['before ', '<spawn>{"name": "x",', ' "code": "…'])).toBe('before ');
  });
});
