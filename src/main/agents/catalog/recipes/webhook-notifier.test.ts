import { describe, expect } from 'vitest';
import { recipeTest } from '../../../testing/hub-fixture.js';

// Said even when it is the default: modules are shared between files (isolate: false), and so is an earlier file's override.
recipeTest.override('recipeHubOptions', {});

const test = recipeTest;

describe('recipe webhook-notifier (real sandbox, embedded broker, local webhook receiver)', { timeout: 120_000 }, () => {
  test('posts Discord bodies for MQTT messages, rendered from the template', async ({ hub, hook }) => {
    await hub.catalog.spawn('webhook-notifier', { name: 'discord-notify', config: { url: `${hook.url}/discord`, format: 'discord', topics: ['home/door/#'], template: 'Door → {state} ({topic})', title: 'Wactorz' }, capabilities: ['fetch_local'] }, 'user');
    hub.publish('home/door/front', { state: 'open' });
    const [req] = await hook.waitFor(1, '/discord');
    expect(req!.method).toBe('POST');
    expect(req!.headers['content-type']).toMatch(/application\/json/);
    expect(req!.json).toEqual({ content: 'Door → open (home/door/front)', username: 'Wactorz' });
  });

  test('posts Slack and generic JSON bodies for tasks', async ({ hub, hook }) => {
    await hub.catalog.spawn('webhook-notifier', { name: 'slack-notify', config: { url: `${hook.url}/slack`, format: 'slack' }, capabilities: ['fetch_local'] }, 'user');
    await hub.catalog.spawn('webhook-notifier', { name: 'generic-notify', config: { url: `${hook.url}/generic` }, capabilities: ['fetch_local'] }, 'user');
    expect(await hub.system.ask('slack-notify', { message: 'Backup done', title: 'NAS' })).toEqual({ ok: true, status: 204 });
    expect(await hub.system.ask('generic-notify', { message: 'hello' })).toMatchObject({ ok: true });
    const [slack] = await hook.waitFor(1, '/slack');
    expect(slack!.json).toEqual({ text: '*NAS*\nBackup done' });
    const [generic] = await hook.waitFor(1, '/generic');
    expect(generic!.json).toMatchObject({ message: 'hello', title: null, topic: null });
    expect(typeof generic!.json.timestamp).toBe('number');
  });

  test('posts ntfy plain text with Title, Priority and Tags headers', async ({ hub, hook }) => {
    await hub.catalog.spawn(
      'webhook-notifier',
      { name: 'ntfy-notify', config: { url: `${hook.url}/ntfy/alerts`, format: 'ntfy', topics: ['alerts/#'], title: 'Hub alert', priority: 4, tags: ['warning', 'house'] }, capabilities: ['fetch_local'] },
      'user',
    );
    hub.publish('alerts/temp', { message: 'Living room at 31 °C' });
    const [req] = await hook.waitFor(1, '/ntfy/alerts');
    expect(req!.body).toBe('Living room at 31 °C');
    expect(req!.headers).toMatchObject({ title: 'Hub alert', priority: '4', tags: 'warning,house' });
  });

  test('counts failures (retried once) and reports them in status; the URL stays secret', async ({ hub, hook }) => {
    hook.route('/broken', { status: 500, body: 'oops' });
    await hub.catalog.spawn('webhook-notifier', { name: 'broken-notify', config: { url: `${hook.url}/broken` }, capabilities: ['fetch_local'] }, 'user');
    expect(await hub.system.ask('broken-notify', { message: 'x' }, 30_000)).toMatchObject({ ok: false, error: 'HTTP 500 Internal Server Error' });
    expect((await hook.waitFor(2, '/broken')).length).toBe(2);
    expect(await hub.system.ask('broken-notify', { action: 'status' })).toMatchObject({ sent: 0, failed: 1, last_error: 'HTTP 500 Internal Server Error' });
    const described = hub.dynamic.describe('broken-notify');
    expect(JSON.stringify(described?.spec?.config)).not.toContain('/broken');
  });

  test('without fetch_local the hub refuses to post to this machine', async ({ hub, hook }) => {
    await hub.catalog.spawn('webhook-notifier', { name: 'no-local', config: { url: `${hook.url}/nolocal` } }, 'user');
    const r = await hub.system.ask<{ ok: boolean; error: string }>('no-local', { message: 'x' }, 30_000);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/fetch_local/);
  });
});
