import { describe, expect, it } from 'vitest';
import { splitMessage } from './split-message.js';
import { balanceCodeFences } from './code-fences.js';

const para = (n: number, len: number) => `P${n} ` + 'word '.repeat(Math.ceil(len / 5)).slice(0, len - 3).trim() + '.';

describe('splitMessage', () => {
  it('leaves a reply that fits alone', () => {
    expect(splitMessage('  hello there \n', 4096)).toEqual(['hello there']);
    expect(splitMessage('', 4096)).toEqual([]);
  });

  it('splits on paragraph boundaries when they fit, every part within the limit', () => {
    const text = [para(1, 1500), para(2, 1500), para(3, 1500)].join('\n\n');
    const parts = splitMessage(text, 2000);
    expect(parts).toHaveLength(3);
    expect(parts.map((p) => p.slice(0, 2))).toEqual(['P1', 'P2', 'P3']);
    expect(parts.every((p) => p.length <= 2000)).toBe(true);
    expect(parts.join('\n\n')).toBe(text);
  });

  it('falls back to line breaks, then sentences, then spaces', () => {
    const lines = Array.from({ length: 60 }, (_, i) => `line ${i} ` + 'x'.repeat(40)).join('\n');
    const byLine = splitMessage(lines, 500);
    expect(byLine.every((p) => p.length <= 500 && /^line \d+ x+$/.test(p.split('\n').at(-1)!))).toBe(true);
    expect(byLine.join('\n')).toBe(lines);

    const sentences = Array.from({ length: 40 }, (_, i) => `Sentence ${i} says something.`).join(' ');
    const bySentence = splitMessage(sentences, 200);
    expect(bySentence.every((p) => p.length <= 200 && p.endsWith('.'))).toBe(true);
    expect(bySentence.join(' ')).toBe(sentences);

    const words = 'abcdefghij '.repeat(100).trim();
    const byWord = splitMessage(words, 95);
    expect(byWord.every((p) => p.length <= 95 && !p.startsWith(' ') && !p.endsWith(' '))).toBe(true);
    expect(byWord.join(' ')).toBe(words);
  });

  it('cuts an unbroken run at the limit without splitting a surrogate pair', () => {
    const run = 'a'.repeat(9) + '😀'.repeat(10); // 9 + 20 code units
    const parts = splitMessage(run, 10);
    expect(parts.every((p) => p.length <= 10)).toBe(true);
    expect(parts.join('')).toBe(run);
    for (const p of parts) expect(() => encodeURIComponent(p)).not.toThrow(); // a lone surrogate throws URIError
  });

  it('rejects a nonsensical limit', () => {
    expect(() => splitMessage('x', 1)).toThrow(RangeError);
  });
});

describe('balanceCodeFences', () => {
  it('closes a code block at the end of a part and reopens it, with its language, in the next', () => {
    const parts = ['Here:\n```ts\nconst a = 1;', 'const b = 2;\n```\nDone.'];
    expect(balanceCodeFences(parts)).toEqual(['Here:\n```ts\nconst a = 1;\n```', '```ts\nconst b = 2;\n```\nDone.']);
  });

  it('leaves balanced parts alone', () => {
    const parts = ['```\nx\n```', 'plain'];
    expect(balanceCodeFences(parts)).toEqual(parts);
  });
});
