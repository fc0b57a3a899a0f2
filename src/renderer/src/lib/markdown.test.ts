import { describe, expect, it } from 'vitest';
import { inlineText, parseInline, parseMarkdown, safeHref, type Block } from './markdown.js';

describe('parseMarkdown', () => {
  it('parses headings, paragraphs, lists, quotes, rules and fenced code', () => {
    const blocks = parseMarkdown(['# Title', '', 'Some *text* and **bold**.', '', '- one', '- two', '', '1. first', '2. second', '', '> quoted', '', '---', '', '```ts', 'const a = 1;', '```'].join('\n'));
    expect(blocks.map((b) => b.t)).toEqual(['h', 'p', 'list', 'list', 'quote', 'hr', 'code']);
    expect(blocks[0]).toMatchObject({ t: 'h', level: 1 });
    expect(blocks[2]).toMatchObject({ t: 'list', ordered: false });
    expect((blocks[2] as Extract<Block, { t: 'list' }>).items).toHaveLength(2);
    expect(blocks[3]).toMatchObject({ t: 'list', ordered: true, start: 1 });
    expect(blocks[6]).toEqual({ t: 'code', lang: 'ts', v: 'const a = 1;' });
  });

  it('keeps HTML as literal text, never as markup', () => {
    const blocks = parseMarkdown('<script>alert(1)</script> <img src=x onerror=alert(1)>');
    expect(blocks).toEqual([{ t: 'p', c: [{ t: 'text', v: '<script>alert(1)</script> <img src=x onerror=alert(1)>' }] }]);
  });

  it('renders an unterminated fence (still streaming) as code up to the end', () => {
    const blocks = parseMarkdown('Here:\n```js\nfunction f() {\n  return 1;');
    expect(blocks[1]).toEqual({ t: 'code', lang: 'js', v: 'function f() {\n  return 1;' });
  });

  it('keeps markdown syntax inside code blocks literal', () => {
    const blocks = parseMarkdown('```\n# not a heading\n**not bold**\n```');
    expect(blocks).toEqual([{ t: 'code', lang: '', v: '# not a heading\n**not bold**' }]);
  });

  it('parses GFM tables with alignment', () => {
    const blocks = parseMarkdown('| name | cost |\n|:-----|-----:|\n| main | `$1` |\n| io | 0 |');
    expect(blocks).toHaveLength(1);
    const t = blocks[0] as Extract<Block, { t: 'table' }>;
    expect(t.t).toBe('table');
    expect(t.align).toEqual(['left', 'right']);
    expect(t.rows).toHaveLength(2);
    expect(t.rows[0]![1]).toEqual([{ t: 'code', v: '$1' }]);
  });

  it('nests a list inside a list item', () => {
    const blocks = parseMarkdown('- a\n  - a1\n  - a2\n- b');
    const list = blocks[0] as Extract<Block, { t: 'list' }>;
    expect(list.items).toHaveLength(2);
    expect(list.items[0]!.map((b) => b.t)).toEqual(['p', 'list']);
  });
});

describe('parseInline', () => {
  it('parses code spans, emphasis, strikethrough and line breaks', () => {
    expect(parseInline('a `b*c*` *d* **e** ~~f~~\ng')).toEqual([
      { t: 'text', v: 'a ' },
      { t: 'code', v: 'b*c*' },
      { t: 'text', v: ' ' },
      { t: 'em', c: [{ t: 'text', v: 'd' }] },
      { t: 'text', v: ' ' },
      { t: 'strong', c: [{ t: 'text', v: 'e' }] },
      { t: 'text', v: ' ' },
      { t: 'del', c: [{ t: 'text', v: 'f' }] },
      { t: 'br' },
      { t: 'text', v: 'g' },
    ]);
  });

  it('does not italicise snake_case names', () => {
    expect(parseInline('ask temp_sensor_agent now')).toEqual([{ t: 'text', v: 'ask temp_sensor_agent now' }]);
  });

  it('links only http(s) and mailto targets', () => {
    expect(parseInline('[docs](https://example.com/a)')).toEqual([{ t: 'link', href: 'https://example.com/a', c: [{ t: 'text', v: 'docs' }] }]);
    // javascript: and data: targets lose their link and keep their text.
    expect(parseInline('[x](javascript:alert(1))')).toEqual([{ t: 'text', v: 'x' }, { t: 'text', v: ')' }]);
    expect(inlineText(parseInline('[click](data:text/html,<b>hi</b>)'))).toBe('click');
    expect(parseInline('[click](data:text/html,hi)').some((n) => n.t === 'link')).toBe(false);
  });

  it('autolinks bare URLs without trailing punctuation', () => {
    expect(parseInline('see https://example.com/x.')).toEqual([
      { t: 'text', v: 'see ' },
      { t: 'link', href: 'https://example.com/x', c: [{ t: 'text', v: 'https://example.com/x' }] },
      { t: 'text', v: '.' },
    ]);
  });

  it('honours backslash escapes', () => {
    expect(parseInline('\\*not em\\*')).toEqual([{ t: 'text', v: '*not em*' }]);
  });
});

describe('safeHref', () => {
  it('accepts http, https and mailto only', () => {
    expect(safeHref('https://a.b')).toBe('https://a.b');
    expect(safeHref('mailto:x@y.z')).toBe('mailto:x@y.z');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('JaVaScRiPt:alert(1)')).toBeNull();
    expect(safeHref('vbscript:x')).toBeNull();
    expect(safeHref('/relative')).toBeNull();
    expect(safeHref('https://a.b/"onmouseover="x')).toBeNull();
  });
});
