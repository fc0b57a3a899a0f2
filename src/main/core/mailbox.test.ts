import { describe, expect, it } from 'vitest';
import { Mailbox } from './mailbox.js';

describe('Mailbox', () => {
  it('is FIFO across ring wrap-around and growth', () => {
    const m = new Mailbox<number>({ capacity: 1000 });
    const out: number[] = [];
    let next = 0;
    // Interleave pushes and shifts so the head wraps while the buffer grows.
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 13; i++) expect(m.push(next++)).toBe(true);
      for (let i = 0; i < 7; i++) out.push(m.shift()!);
    }
    out.push(...m.drainAll());
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(m.size).toBe(0);
    expect(m.shift()).toBeUndefined();
  });

  it('reject-new: refuses when full and keeps what it has', () => {
    const m = new Mailbox<string>({ capacity: 3 });
    expect(['a', 'b', 'c'].map((x) => m.push(x))).toEqual([true, true, true]);
    expect(m.isFull).toBe(true);
    expect(m.push('d')).toBe(false);
    expect(m.dropped).toBe(1);
    expect(m.drainAll()).toEqual(['a', 'b', 'c']);
    expect(m.push('e')).toBe(true);
  });

  it('drop-oldest: evicts the oldest and reports it', () => {
    const dropped: string[] = [];
    const m = new Mailbox<string>({ capacity: 2, overflow: 'drop-oldest', onDrop: (x) => dropped.push(x) });
    for (const x of ['a', 'b', 'c', 'd']) expect(m.push(x)).toBe(true);
    expect(dropped).toEqual(['a', 'b']);
    expect(m.drainAll()).toEqual(['c', 'd']);
    expect(m.dropped).toBe(2);
  });

  it('peek does not remove', () => {
    const m = new Mailbox<number>();
    expect(m.peek()).toBeUndefined();
    m.push(1);
    m.push(2);
    expect(m.peek()).toBe(1);
    expect(m.size).toBe(2);
  });

  it('supports an unbounded queue and rejects a nonsense capacity', () => {
    const m = new Mailbox<number>({ capacity: Infinity });
    for (let i = 0; i < 100_000; i++) m.push(i);
    expect(m.size).toBe(100_000);
    expect(() => new Mailbox({ capacity: 0 })).toThrow(RangeError);
  });
});
