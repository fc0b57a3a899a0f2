import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Markdown } from './Markdown.js';

describe('<Markdown>', () => {
  it('escapes HTML from the source instead of rendering it', () => {
    const html = renderToStaticMarkup(<Markdown source={'<script>alert("x")</script>\n\n<img src=x onerror=alert(1)>'} />);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('renders code blocks with their language and escaped content', () => {
    const html = renderToStaticMarkup(<Markdown source={'```html\n<b>bold</b>\n```'} />);
    expect(html).toContain('class="language-html"');
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(html).not.toContain('<b>bold</b>');
  });

  it('renders safe links with noopener and drops unsafe ones', () => {
    const html = renderToStaticMarkup(<Markdown source={'[ok](https://example.com) [bad](javascript:alert(1))'} />);
    expect(html).toContain('<a href="https://example.com" target="_blank" rel="noopener noreferrer">ok</a>');
    expect(html).not.toContain('javascript:');
  });

  it('renders emphasis, lists and tables as elements', () => {
    const html = renderToStaticMarkup(<Markdown source={'**b** *i*\n\n- x\n- y\n\n| a |\n|---|\n| 1 |'} />);
    expect(html).toContain('<strong>b</strong>');
    expect(html).toContain('<em>i</em>');
    expect(html).toContain('<ul><li>x</li><li>y</li></ul>');
    expect(html).toContain('<td>1</td>');
  });
});
