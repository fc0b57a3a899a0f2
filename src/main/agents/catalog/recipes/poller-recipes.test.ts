/** rss-poller and http-json-poller in the real sandbox, polling a local HTTP server. */
import { describe, expect } from 'vitest';
import type { Json } from '../testing/recipe-hub.js';
import { recipeTest } from '../../../testing/hub-fixture.js';
import { waitUntil } from '../../../testing/wait.js';

// Said even when it is the default: modules are shared between files (isolate: false), and so is an earlier file's override.
recipeTest.override('recipeHubOptions', {});

const rss = (items: { guid: string; title: string; link: string }[]): string => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Home &amp; Garden News</title><link>http://example.org/</link>
${items
  .map(
    (i) => `<item><title><![CDATA[${i.title}]]></title><link>${i.link}</link><guid isPermaLink="false">${i.guid}</guid>
<pubDate>Mon, 03 Jun 2024 10:00:00 GMT</pubDate><description>&lt;p&gt;About ${i.title} &amp;amp; more&lt;/p&gt;</description></item>`,
  )
  .join('\n')}
</channel></rss>`;

const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Firmware releases</title>
<entry><title>v2.1 released</title><id>urn:fw:2.1</id><link rel="alternate" href="http://example.org/fw/2.1"/><link rel="enclosure" href="http://example.org/fw/2.1.bin"/><updated>2024-06-01T12:00:00Z</updated><summary type="html">Fixes &lt;b&gt;Wi-Fi&lt;/b&gt; drops</summary></entry>
</feed>`;

const test = recipeTest;

describe('poller recipes (real sandbox, local HTTP server)', { timeout: 120_000 }, () => {
  test('rss-poller publishes only new items, oldest first, and uses ETag', async ({ hub, hook: web }) => {
    let items = [{ guid: 'a1', title: 'Old news', link: 'http://example.org/a1' }];
    web.route('/feed.xml', (req) => (req.headers['if-none-match'] === `"v${items.length}"` ? { status: 304, body: '' } : { headers: { 'content-type': 'application/rss+xml', etag: `"v${items.length}"` }, body: rss(items) }));
    const got = await hub.collect('feeds/news');
    await hub.catalog.spawn('rss-poller', { name: 'news', config: { url: `${web.url}/feed.xml`, topic: 'feeds/news', interval_seconds: 3600 }, capabilities: ['fetch_local'] }, 'user');
    await waitUntil(async () => (await hub.system.ask<Json>('news', {})).seen === 1, 'the first poll');
    expect(got).toHaveLength(0); // existing items are not published by default
    expect(await hub.system.ask<Json>('news', { action: 'poll' })).toMatchObject({ new: 0, not_modified: true });
    items = [{ guid: 'a3', title: 'Frost tonight', link: 'http://example.org/a3' }, { guid: 'a2', title: 'Solar record', link: 'http://example.org/a2' }, ...items];
    expect(await hub.system.ask<Json>('news', { action: 'poll' })).toMatchObject({ new: 2 });
    await waitUntil(() => got.length === 2, 'two new items');
    expect(got.map((g) => g.payload.title)).toEqual(['Solar record', 'Frost tonight']);
    expect(got[0]!.payload).toMatchObject({ id: 'a2', link: 'http://example.org/a2', feed_title: 'Home & Garden News', summary: 'About Solar record & more', published: 'Mon, 03 Jun 2024 10:00:00 GMT' });
    expect(await hub.system.ask<Json>('news', { action: 'poll' })).toMatchObject({ new: 0 });
  });

  test('rss-poller reads Atom and can publish the existing items', async ({ hub, hook: web }) => {
    web.route('/atom.xml', { headers: { 'content-type': 'application/atom+xml' }, body: atom });
    const got = await hub.collect('feeds/fw');
    await hub.catalog.spawn('rss-poller', { name: 'firmware', config: { url: `${web.url}/atom.xml`, topic: 'feeds/fw', publish_existing: true }, capabilities: ['fetch_local'] }, 'user');
    await waitUntil(() => got.length === 1, 'the Atom entry');
    expect(got[0]!.payload).toMatchObject({ id: 'urn:fw:2.1', title: 'v2.1 released', link: 'http://example.org/fw/2.1', published: '2024-06-01T12:00:00Z', summary: 'Fixes Wi-Fi drops', feed_title: 'Firmware releases' });
  });

  test('http-json-poller picks fields, publishes on change only, and sends the secret headers', async ({ hub, hook: web }) => {
    let price = 0.21;
    web.route('/api/prices', (req) => (req.headers.authorization === 'Bearer s3cret' ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: { current: { price }, zones: ['NO1', 'NO2'] } }) } : { status: 401, body: '{"error":"no"}' }));
    const got = await hub.collect('energy/price');
    await hub.catalog.spawn('http-json-poller', { name: 'prices', config: { url: `${web.url}/api/prices`, topic: 'energy/price', interval_seconds: 3600, fields: { price: 'data.current.price', zone: 'data.zones.1' }, headers: { authorization: 'Bearer s3cret' } }, capabilities: ['fetch_local'] }, 'user');
    await waitUntil(() => got.length === 1, 'the first value');
    expect(got[0]!.payload).toMatchObject({ price: 0.21, zone: 'NO2', source: `${web.url}/api/prices` });
    expect(await hub.system.ask<Json>('prices', { action: 'poll' })).toMatchObject({ published: false });
    price = 0.35;
    expect(await hub.system.ask<Json>('prices', { action: 'poll' })).toMatchObject({ published: true, value: { price: 0.35, zone: 'NO2' } });
    await waitUntil(() => got.length === 2, 'the changed value');
    expect(JSON.stringify(hub.dynamic.describe('prices')?.spec?.config)).not.toContain('s3cret');
  });

  test('http-json-poller reports HTTP errors', async ({ hub, hook: web }) => {
    web.route('/api/down', { status: 503, body: 'maintenance' });
    await hub.catalog.spawn('http-json-poller', { name: 'down', config: { url: `${web.url}/api/down`, topic: 'x/down', interval_seconds: 3600 }, capabilities: ['fetch_local'] }, 'user');
    await expect(hub.system.ask('down', { action: 'poll' })).rejects.toThrow(/HTTP 503/);
    await waitUntil(async () => (await hub.system.ask<Json>('down', {})).last_error === 'HTTP 503 Service Unavailable', 'the error in status');
  });
});
