/** The catalog: loading (bad recipes reported), the shipped recipes, CatalogAgent over the bus, REST, restore after a restart. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AskError } from '../../core/errors.js';
import { checkAgentCode } from '../dynamic/code-check.js';
import { InstallerAgent } from '../installer/installer-agent.js';
import { CatalogAgent, CATALOG_RECIPES_TOPIC } from './catalog-agent.js';
import { defaultCatalogDir } from './catalog-dir.js';
import { catalogRoutes } from './catalog-routes.js';
import { loadRecipes } from './recipe-loader.js';
import { startRecipeHub, type Json, type RecipeHub } from './testing/recipe-hub.js';
import { serveRoutes } from './testing/serve-routes.js';
import { waitUntil } from '../../testing/wait.js';

const GOOD_CODE = `export async function handleTask(agent, p) { return { echo: p, greeting: agent.state.config.greeting }; }`;

function writeRecipe(dir: string, folder: string, manifest: unknown, code: string | null = GOOD_CODE): void {
  mkdirSync(join(dir, folder), { recursive: true });
  writeFileSync(join(dir, folder, 'manifest.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  if (code !== null) writeFileSync(join(dir, folder, 'agent.js'), code);
}

const PKG_CODE = `import isNumber from 'is-number';\nexport async function handleTask(agent, p) { return { numeric: isNumber(p) }; }`;

const echoManifest = (name: string, extra: Record<string, unknown> = {}): Json => ({
  name,
  description: 'Echoes tasks with a greeting',
  config_schema: { type: 'object', properties: { greeting: { type: 'string', default: 'hello' } } },
  ...extra,
});

describe('recipe loading', { timeout: 120_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wz-recipes-'));
    writeRecipe(dir, 'echo', echoManifest('echo'));
    writeRecipe(dir, 'broken-json', '{ "name": "broken-json", ');
    writeRecipe(dir, 'no-module', echoManifest('no-module'), null);
    writeRecipe(dir, 'bad-fields', { name: 'bad-fields', description: '', dependencies: ['git+https://x/y.git'] });
    writeRecipe(dir, 'wrong-folder', echoManifest('other-name'));
    writeRecipe(dir, 'bad-schema', echoManifest('bad-schema', { config_schema: { type: 'object', properties: { n: { type: 'decimal' } } } }));
    writeRecipe(dir, 'bad-default', echoManifest('bad-default', { config_schema: { type: 'object', properties: { n: { type: 'integer', minimum: 1, default: 0 } } } }));
    mkdirSync(join(dir, '_lib'));
    writeFileSync(join(dir, '_lib', 'greet.js'), 'function greet(name) { return `hi ${name}`; }\n');
    writeRecipe(dir, 'with-lib', echoManifest('with-lib', { includes: ['greet'] }), 'export async function handleTask(agent, p) { return greet(p); }');
    writeRecipe(dir, 'missing-lib', echoManifest('missing-lib', { includes: ['nope'] }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the good recipe and reports each bad one with its reason', () => {
    const { recipes, problems } = loadRecipes(dir);
    expect(recipes.map((r) => r.manifest.name)).toEqual(['echo', 'with-lib']);
    const why = Object.fromEntries(problems.map((p) => [p.recipe, p.error]));
    expect(why['broken-json']).toMatch(/not valid JSON/);
    expect(why['no-module']).toMatch(/no module \(agent\.ts or agent\.js/);
    expect(why['bad-fields']).toMatch(/description: say what the recipe does.*dependencies\.0: an npm package spec/);
    expect(why['wrong-folder']).toMatch(/manifest name "other-name" differs from its folder/);
    expect(why['bad-schema']).toMatch(/config_schema is not usable: Unsupported type: decimal/);
    expect(why['bad-default']).toMatch(/config_schema: the default of "n" does not satisfy its own schema/);
    expect(why['missing-lib']).toMatch(/includes "nope": no _lib\/nope\.js beside the recipes/);
    expect(Object.keys(why)).not.toContain('_lib');
  });

  it('places the shared source a recipe includes before its own code: one self-contained module', () => {
    const recipe = loadRecipes(dir).recipes.find((r) => r.manifest.name === 'with-lib')!;
    expect(recipe.code).toMatch(/^\/\/ ── included from _lib\/greet\.js ──\nfunction greet\(name\)[\s\S]*\/\/ ── the recipe ──\nexport async function handleTask/);
    expect(checkAgentCode(recipe.code, recipe.language).ok).toBe(true);
  });

  it('a missing folder is a problem, not a crash', () => {
    expect(loadRecipes(join(dir, 'nope')).problems[0]!.error).toMatch(/does not exist/);
  });
});

describe('the shipped recipes', { timeout: 120_000 }, () => {
  const { recipes, problems } = loadRecipes(defaultCatalogDir());

  it('at least eight, all loading', () => {
    expect(problems).toEqual([]);
    expect(recipes.length).toBeGreaterThanOrEqual(8);
    expect(recipes.map((r) => r.manifest.name)).toEqual(
      expect.arrayContaining(['webhook-notifier', 'cron-publisher', 'topic-recorder', 'ha-notify-rule', 'threshold-alert', 'rss-poller', 'http-json-poller', 'topic-summariser', 'daily-digest']),
    );
  });

  it('each module passes the deploy check (syntax, exports, types against the agent API) without a warning', () => {
    // Host recipes (manual-agent) have no module: the hub builds them through their spawn type.
    for (const r of recipes.filter((x) => x.manifest.runtime === 'host')) expect({ code: r.code, type: r.manifest.spawn_type }, r.manifest.name).toEqual({ code: '', type: expect.any(String) });
    for (const r of recipes.filter((x) => x.manifest.runtime === 'sandbox')) {
      const check = checkAgentCode(r.code, r.language);
      expect(check.diagnostics, r.manifest.name).toEqual([]);
      expect(check.exports.setup || check.exports.handleTask, r.manifest.name).toBe(true);
    }
  });

  it('each declares a title, a category and documented config fields', () => {
    for (const r of recipes) {
      expect(r.manifest.title, r.manifest.name).toBeTruthy();
      expect(r.manifest.category, r.manifest.name).toBeTruthy();
      for (const [k, p] of Object.entries(r.manifest.config_schema.properties)) expect(typeof p.type === 'string' && (p.description || p.title), `${r.manifest.name}.${k}`).toBeTruthy();
    }
  });
});

describe('CatalogAgent, REST and restore', { timeout: 120_000 }, () => {
  let hub: RecipeHub;
  let extra: string;
  let base: string;
  beforeAll(async () => {
    extra = mkdtempSync(join(tmpdir(), 'wz-extra-recipes-'));
    writeRecipe(extra, 'echo', echoManifest('echo'));
    writeRecipe(extra, 'needs-pkg', echoManifest('needs-pkg', { dependencies: { 'is-number': '7.0.0' } }), PKG_CODE);
    hub = await startRecipeHub({ catalogDirs: [defaultCatalogDir(), extra] });
    await hub.system.spawn(new InstallerAgent(hub.installer));
    await hub.system.spawn(new CatalogAgent(hub.catalog));
    base = await serveRoutes(hub, [catalogRoutes({ catalog: hub.catalog, db: hub.persistence.db })]);
  }, 120_000);
  afterAll(async () => {
    await hub?.close();
    rmSync(extra, { recursive: true, force: true });
  }, 120_000);

  it('publishes a retained summary on catalog/recipes', async () => {
    const got = await hub.collect(CATALOG_RECIPES_TOPIC); // subscribed after the publish: retained
    await waitUntil(() => got.length >= 1, 'the retained summary');
    const p = got[0]!.payload;
    expect(p.count).toBe(p.recipes.length);
    expect(p.recipes.find((r: Json) => r.name === 'webhook-notifier')).toMatchObject({ title: 'Webhook notifier', category: 'notifications', capabilities: ['fetch'] });
    expect(p).not.toHaveProperty('status'); // not mistaken for install progress by the dashboard
  });

  it('answers list/get/spawn/reload tasks; spawns over the bus never approve packages', async () => {
    const list = await hub.system.ask<Json>('catalog', { action: 'list' });
    expect(list.recipes.map((r: Json) => r.name)).toContain('echo');
    const got = await hub.system.ask<Json>('catalog', { action: 'get', recipe: 'echo' });
    expect(got.code).toBe(GOOD_CODE);
    expect(await hub.system.ask<Json>('catalog', { action: 'spawn', recipe: 'echo', name: 'echo-bus', config: { greeting: 'hi' } })).toMatchObject({ status: 'spawned', name: 'echo-bus', recipe: 'echo' });
    expect(await hub.system.ask<Json>('echo-bus', { x: 1 })).toEqual({ echo: { x: 1 }, greeting: 'hi' });
    const err = await hub.system.ask('catalog', { action: 'spawn', recipe: 'needs-pkg', name: 'pkg-bus' }).catch((e: unknown) => e);
    expect((err as AskError).kind).toBe('needs_approval');
    expect((err as AskError).message).toMatch(/is-number@7\.0\.0 needs your approval/);
    expect(hub.system.get('pkg-bus')).toBeUndefined();
    await expect(hub.system.ask('catalog', { action: 'fly' })).rejects.toThrow(/catalog tasks/);
    // A code agent without spawn_recipes cannot get a recipe to do what it may not (e.g. fetch).
    await hub.dynamic.create({ name: 'no-spawn', code: `export async function handleTask(agent) { return agent.sendTo('catalog', { action: 'spawn', recipe: 'echo', name: 'by-agent' }); }` });
    await expect(hub.system.ask('no-spawn', {})).rejects.toThrow(/needs the "spawn_recipes" capability/);
    await hub.dynamic.create({ name: 'may-spawn', capabilities: ['spawn_recipes'], code: `export async function handleTask(agent) { return agent.sendTo('catalog', { action: 'spawn', recipe: 'echo', name: 'by-agent' }); }` });
    expect(await hub.system.ask<Json>('may-spawn', {})).toMatchObject({ status: 'spawned', name: 'by-agent' });
    expect(await hub.system.ask<Json>('catalog', { action: 'reload' })).toMatchObject({ problems: [] });
  });

  it('REST: GET /catalog in the shape the dashboard reads; GET one with its code', async () => {
    const r = await fetch(`${base}/catalog`);
    expect(r.status).toBe(200);
    const body: Json = await r.json();
    const notifier = body.recipes.find((x: Json) => x.name === 'webhook-notifier');
    expect(notifier).toMatchObject({ title: 'Webhook notifier', description: expect.any(String), tags: expect.any(Array), dependencies: [], capabilities: ['fetch'] });
    expect(notifier.config_schema.properties.url).toMatchObject({ type: 'string', secret: true });
    expect(body.problems).toEqual([]);
    const one: Json = await (await fetch(`${base}/catalog/cron-publisher`)).json();
    expect(one.code).toMatch(/export function parseCron/);
    expect((await fetch(`${base}/catalog/nope`)).status).toBe(404);
  });

  it('REST: POST /catalog/{recipe}/spawn validates the config, spawns, refuses duplicates and unknown grants', async () => {
    const post = (path: string, body: unknown): Promise<Response> => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const bad = await post('/catalog/threshold-alert/spawn', { config: { above: 'hot', extra: 1 } });
    expect(bad.status).toBe(400);
    const badBody: Json = await bad.json();
    expect(badBody.detail.issues.map((i: Json) => i.path).sort()).toEqual(['(config)', 'above', 'topic']);
    const ok = await post('/catalog/threshold-alert/spawn', { name: 'freezer', config: { topic: 'sensors/freezer', above: -12 } });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ status: 'spawned', name: 'freezer', agent: 'freezer', recipe: 'threshold-alert', version: 1 });
    expect((await post('/catalog/threshold-alert/spawn', { name: 'freezer', config: { topic: 'x', above: 1 } })).status).toBe(409);
    const grant = await post('/catalog/threshold-alert/spawn', { name: 'grabby', config: { topic: 'x', above: 1 }, capabilities: ['fetch'] });
    expect(grant.status).toBe(400);
    expect(((await grant.json()) as Json).error).toMatch(/cannot be granted fetch/);
    expect((await post('/catalog/nope/spawn', {})).status).toBe(404);
  });

  it('a person spawning a recipe with dependencies approves and installs them (real npm)', async () => {
    const r = await fetch(`${base}/catalog/needs-pkg/spawn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'pkg-rest' }) });
    expect(r.status).toBe(201);
    expect(await r.json()).toMatchObject({ name: 'pkg-rest', installed: ['is-number@7.0.0'] });
    // The recipe's module imports the installed package in the sandbox.
    expect(await hub.system.ask('pkg-rest', '42')).toEqual({ numeric: true });
    expect(await hub.system.ask('pkg-rest', 'forty-two')).toEqual({ numeric: false });
  });

  it('catalog agents come back after a restart, with their config and state', async () => {
    await hub.system.ask('freezer', { value: -5 });
    expect((await hub.system.ask<Json>('freezer', {})).status).toBe('high');
    const stateDir = hub.stateDir;
    await hub.close({ keepState: true });
    hub = await startRecipeHub({ stateDir, catalogDirs: [defaultCatalogDir(), extra] });
    const { restored, failed } = await hub.dynamic.restore();
    expect(failed).toEqual([]);
    expect(restored).toEqual(expect.arrayContaining(['freezer', 'echo-bus', 'pkg-rest']));
    expect(hub.system.get('freezer')!.kind).toBe('catalog');
    expect(await hub.system.ask<Json>('freezer', {})).toMatchObject({ status: 'high', last_value: -5 });
    expect(await hub.system.ask<Json>('echo-bus', 2)).toEqual({ echo: 2, greeting: 'hi' });
    expect(await hub.system.ask('pkg-rest', 7)).toEqual({ numeric: true });
    expect(hub.dynamic.describe('freezer')?.spec?.config).toMatchObject({ source: 'catalog:threshold-alert@1.0.0' });
  });
});
