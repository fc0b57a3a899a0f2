/**
 * The Markdown the chat shows, rendered to HTML the way React renders it: the behaviours our own
 * parser was tested for (block and inline syntax, streaming fences, GFM tables, escapes), and the
 * safety rules (no HTML from the source, only http(s)/mailto links, no image loads).
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Markdown } from './Markdown.js';

/** Rendered HTML without the newlines react-markdown keeps around elements (whitespace, not content). */
const html = (source: string) =>
  renderToStaticMarkup(<Markdown source={source} />)
    .replace(/>\n+/g, '>')
    .replace(/\n+</g, '<');

describe('<Markdown>', () => {
  it('escapes HTML from the source instead of rendering it', () => {
    const out = html('<script>alert("x")</script>\n\n<img src=x onerror=alert(1)>');
    expect(out).not.toContain('<script');
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;script&gt;');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // Inline HTML too.
    expect(html('a <b onclick="x()">bold</b> c')).not.toMatch(/<b[ >]/);
  });

  it('renders headings (from h3), paragraphs, lists, quotes, rules and fenced code', () => {
    const out = html(['# Title', '', 'Some *text* and **bold**.', '', '- one', '- two', '', '1. first', '2. second', '', '> quoted', '', '---', '', '```ts', 'const a = 1;', '```'].join('\n'));
    expect(out).toContain('<h3>Title</h3>');
    expect(out).toContain('<p>Some <em>text</em> and <strong>bold</strong>.</p>');
    expect(out).toContain('<ul><li>one</li><li>two</li></ul>');
    expect(out).toContain('<ol><li>first</li><li>second</li></ol>');
    expect(out).toContain('<blockquote><p>quoted</p></blockquote>');
    expect(out).toContain('<hr/>');
    expect(out).toContain('<code class="language-ts">const a = 1;</code>');
  });

  it('renders code blocks with their language and escaped content', () => {
    const out = html('```html\n<b>bold</b>\n```');
    expect(out).toContain('class="language-html"');
    expect(out).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(out).not.toContain('<b>bold</b>');
  });

  it('renders an unterminated fence (still streaming) as code up to the end', () => {
    const out = html('Here:\n```js\nfunction f() {\n  return 1;');
    expect(out).toContain('<code class="language-js">function f() {\n  return 1;</code>');
  });

  it('keeps markdown syntax inside code blocks literal', () => {
    const out = html('```\n# not a heading\n**not bold**\n```');
    expect(out).toContain('# not a heading\n**not bold**');
    expect(out).not.toContain('<h3>');
    expect(out).not.toContain('<strong>');
  });

  it('renders GFM tables with alignment, in a scrollable wrapper', () => {
    const out = html('| name | cost |\n|:-----|-----:|\n| main | `$1` |\n| io | 0 |');
    expect(out).toContain('<div class="md-table-wrap"><table>');
    expect(out).toMatch(/<th style="text-align:left">name<\/th><th style="text-align:right">cost<\/th>/);
    expect(out).toContain('<td style="text-align:right"><code>$1</code></td>');
    expect(out.match(/<tr>/g)).toHaveLength(3);
  });

  it('nests a list inside a list item', () => {
    expect(html('- a\n  - a1\n  - a2\n- b')).toContain('<ul><li>a<ul><li>a1</li><li>a2</li></ul></li><li>b</li></ul>');
  });

  it('renders code spans, emphasis, strikethrough and single-newline breaks', () => {
    expect(html('a `b*c*` *d* **e** ~~f~~\ng')).toBe('<div class="markdown"><p>a <code>b*c*</code> <em>d</em> <strong>e</strong> <del>f</del><br/>g</p></div>');
  });

  it('does not italicise snake_case names and honours backslash escapes', () => {
    expect(html('ask temp_sensor_agent now')).toContain('<p>ask temp_sensor_agent now</p>');
    expect(html('\\*not em\\*')).toContain('<p>*not em*</p>');
  });

  it('links only http(s) and mailto targets, with noopener', () => {
    const out = html('[ok](https://example.com) [bad](javascript:alert(1)) [mail](mailto:a@b.c) [data](data:text/html,hi)');
    expect(out).toContain('<a href="https://example.com" target="_blank" rel="noopener noreferrer">ok</a>');
    expect(out).toContain('<a href="mailto:a@b.c" target="_blank" rel="noopener noreferrer">mail</a>');
    expect(out).not.toContain('javascript:');
    expect(out).not.toContain('data:');
    expect(out).toContain(' bad ');
    expect(out).toContain(' data<');
  });

  it('autolinks bare URLs without trailing punctuation', () => {
    expect(html('see https://example.com/x.')).toContain('see <a href="https://example.com/x" target="_blank" rel="noopener noreferrer">https://example.com/x</a>.');
  });

  it('never loads an image: it becomes a link to a safe address, or its text', () => {
    const out = html('![chart](https://example.com/c.png) ![pixel](javascript:alert(1))');
    expect(out).not.toContain('<img');
    expect(out).toContain('<a href="https://example.com/c.png" target="_blank" rel="noopener noreferrer">chart</a>');
    expect(out).toContain('pixel');
    expect(out).not.toContain('javascript:');
  });
});
