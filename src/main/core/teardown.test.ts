import { describe, expect, it } from 'vitest';
import { Teardown } from './teardown.js';

describe('Teardown', () => {
  it('closes newest first, awaiting each closer', async () => {
    const order: string[] = [];
    const t = new Teardown();
    t.add('db', () => void order.push('db'));
    t.add('bus', async () => {
      await Promise.resolve();
      order.push('bus');
    });
    t.add('http', () => void order.push('http'));
    await t.close();
    expect(order).toEqual(['http', 'bus', 'db']);
    expect(t.size).toBe(0);
  });

  it('logs a failing closer and runs the others; close() resolves', async () => {
    const logs: string[] = [];
    const order: string[] = [];
    const t = new Teardown((_level, m) => logs.push(m));
    t.add('a', () => void order.push('a'));
    t.add('b', () => {
      throw new Error('boom');
    });
    t.add('c', () => Promise.reject(new Error('async boom')));
    await expect(t.close()).resolves.toBeUndefined();
    expect(order).toEqual(['a']);
    expect(logs).toEqual(['while stopping c: async boom', 'while stopping b: boom']);
  });

  it('is idempotent: every close() is the same run', async () => {
    let runs = 0;
    const t = new Teardown();
    t.add('once', () => void runs++);
    const first = t.close();
    expect(t.close()).toBe(first);
    await first;
    await t.close();
    expect(runs).toBe(1);
    expect(t.closed).toBe(true);
  });

  it('a closer added while closing runs next; one added after closing runs at once', async () => {
    const order: string[] = [];
    const t = new Teardown();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    t.add('db', () => void order.push('db'));
    t.add('slow', async () => {
      await gate;
      order.push('slow');
    });
    const closing = t.close();
    // A start-up step that finished while the stop was under way.
    t.add('late', () => void order.push('late'));
    release();
    await closing;
    expect(order).toEqual(['slow', 'late', 'db']);

    t.add('after', () => void order.push('after'));
    await t.close();
    expect(order).toEqual(['slow', 'late', 'db', 'after']);
  });
});
