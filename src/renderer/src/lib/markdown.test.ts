import { describe, expect, it } from 'vitest';
import { markdownUrlTransform, safeHref } from './markdown.js';

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

describe('markdownUrlTransform', () => {
  it('keeps safe targets and empties the rest (the link renderer then drops the link)', () => {
    expect(markdownUrlTransform('https://example.com/a')).toBe('https://example.com/a');
    expect(markdownUrlTransform('data:text/html,<b>hi</b>')).toBe('');
    expect(markdownUrlTransform('#user-content-fn-1')).toBe('');
  });
});
