import { describe, expect } from 'vitest';
import type { Json, RecipeHub } from '../testing/recipe-hub.js';
import { recipeTest } from '../../../testing/hub-fixture.js';
import { waitUntil } from '../../../testing/wait.js';

// Said even when it is the default: modules are shared between files (isolate: false), and so is an earlier file's override.
recipeTest.override('recipeHubOptions', {});

const utc = (iso: string): number => Date.parse(iso) / 1000;

const test = recipeTest;

describe('recipe cron-publisher (real sandbox, embedded broker)', { timeout: 120_000 }, () => {
  const nextFires = (hub: RecipeHub) => async (name: string, afterIso: string, count: number): Promise<string[]> => {
    const r = await hub.system.ask<Json>(name, { action: 'next', after: utc(afterIso), count });
    return r.next.map((n: Json) => n.iso);
  };

  test('computes next fire times: weekdays, Vixie day-or-weekday, names, 7 = Sunday, @shortcuts', async ({ hub }) => {
    const next = nextFires(hub);
    await hub.catalog.spawn('cron-publisher', { name: 'weekday-7am', config: { schedule: '0 7 * * 1-5', topic: 't/a', timezone: 'UTC' } }, 'user');
    // 2024-06-07 is a Friday.
    expect(await next('weekday-7am', '2024-06-07T08:00:00Z', 3)).toEqual(['2024-06-10T07:00:00.000Z', '2024-06-11T07:00:00.000Z', '2024-06-12T07:00:00.000Z']);

    await hub.catalog.spawn('cron-publisher', { name: 'friday-or-13th', config: { schedule: '0 12 13 * fri', topic: 't/b', timezone: 'UTC' } }, 'user');
    expect(await next('friday-or-13th', '2024-09-01T00:00:00Z', 5)).toEqual([
      '2024-09-06T12:00:00.000Z',
      '2024-09-13T12:00:00.000Z',
      '2024-09-20T12:00:00.000Z',
      '2024-09-27T12:00:00.000Z',
      '2024-10-04T12:00:00.000Z',
    ]);
    expect(await next('friday-or-13th', '2024-10-12T00:00:00Z', 1)).toEqual(['2024-10-13T12:00:00.000Z']); // a Sunday, but the 13th

    await hub.catalog.spawn('cron-publisher', { name: 'sunday-jan-jul', config: { schedule: '*/30 6 * jan,JUL 7', topic: 't/c', timezone: 'UTC' } }, 'user');
    expect(await next('sunday-jan-jul', '2024-06-30T23:00:00Z', 3)).toEqual(['2024-07-07T06:00:00.000Z', '2024-07-07T06:30:00.000Z', '2024-07-14T06:00:00.000Z']);

    await hub.catalog.spawn('cron-publisher', { name: 'monthly', config: { schedule: '@monthly', topic: 't/d', timezone: 'UTC' } }, 'user');
    expect(await next('monthly', '2024-01-31T10:00:00Z', 2)).toEqual(['2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z']);

    await hub.catalog.spawn('cron-publisher', { name: 'leap-day', config: { schedule: '0 0 29 2 *', topic: 't/e', timezone: 'UTC' } }, 'user');
    expect(await next('leap-day', '2024-03-01T00:00:00Z', 1)).toEqual(['2028-02-29T00:00:00.000Z']);
  });

  test('publishes on schedule (six fields: every 2 seconds) with the configured payload', async ({ hub }) => {
    const got = await hub.collect('schedules/#');
    await hub.catalog.spawn('cron-publisher', { name: 'every-2s', config: { schedule: '*/2 * * * * *', topic: 'schedules/tick', payload: { room: 'kitchen' } } }, 'user');
    await waitUntil(() => got.length >= 2, 'two ticks');
    const [a, b] = got.map((m) => m.payload);
    expect(a).toMatchObject({ room: 'kitchen', schedule: '*/2 * * * * *', count: 1 });
    expect(b).toMatchObject({ count: 2 });
    expect(a.scheduled_at % 2).toBe(0);
    // Every 2 s (a tick delayed past the next slot on a loaded machine skips it, never doubles it).
    expect(b.scheduled_at - a.scheduled_at).toBeGreaterThanOrEqual(2);
    expect((b.scheduled_at - a.scheduled_at) % 2).toBe(0);
    expect(a.fired_at).toBeGreaterThanOrEqual(a.scheduled_at);
  });

  test('@every and a manual fire', async ({ hub }) => {
    const got = await hub.collect('timers/#');
    await hub.catalog.spawn('cron-publisher', { name: 'every-1h', config: { schedule: '@every 1h', topic: 'timers/hourly' } }, 'user');
    const status = await hub.system.ask<Json>('every-1h', {});
    expect(status.next_at % 3600).toBe(0);
    expect(await hub.system.ask<Json>('every-1h', { action: 'fire' })).toMatchObject({ count: 1, schedule: '@every 1h' });
    await waitUntil(() => got.length === 1, 'the manual fire');
  });

  test('refuses a bad expression at spawn with the reason', async ({ hub }) => {
    await expect(hub.catalog.spawn('cron-publisher', { name: 'bad-cron', config: { schedule: '61 * * * *', topic: 't/x' } }, 'user')).rejects.toThrow(/minute: "61" is outside 0-59/);
    await expect(hub.catalog.spawn('cron-publisher', { name: 'bad-cron', config: { schedule: '* * *', topic: 't/x' } }, 'user')).rejects.toThrow(/5 fields/);
    expect(hub.system.get('bad-cron')).toBeUndefined();
  });
});
