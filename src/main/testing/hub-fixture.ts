/**
 * The test hub: one way for a test to get a whole, started hub (startWactorz) — a fresh state dir,
 * ports the OS picks, the scripted LLM server when asked, the environment the test gives (never
 * the developer's shell), its log collected, and everything stopped and removed afterwards.
 *
 * As a fixture (vitest `test.extend`, one hub per test file, stopped when the file ends):
 *
 *   import { hubTest as test } from '../testing/hub-fixture.js';
 *   test.override('hubOptions', { llm: 'scripted', env: { API_KEY: 'k' } });   // at the top of the file
 *   test('…', async ({ hub }) => { const r = await hub.rest('GET', '/health'); … });
 *
 * Or by hand where a test needs several hubs or a restart: `await startTestHub({...})` (from
 * ./test-hub.ts, re-exported here; benches use it too), then `hub.stop()`, which is idempotent.
 *
 * Options cover what the security, compatibility and graph suites need: `env` (API_KEY, HA_URL…),
 * `host` (beyond loopback the hub requires a token: `hub.token`), `broker` (an external broker
 * such as broker/testing's Mosquitto), `nodes` timings, `llm: 'scripted'` (`hub.llm`), the
 * dashboard, and any other configuration through `config`. A file-scoped fixture is overridden
 * at the top level of the file (vitest refuses it inside a describe). EVERY file using a fixture sets
 * its options, `{}` for the defaults: test files share modules (vitest.config.ts, `isolate: false`),
 * and an override left by an earlier file in the same worker would apply (an API_KEY did).
 *
 * Recipe, catalog, planner and installer tests use the lighter hub of agents/catalog/testing
 * (real broker, sandbox and catalog, no HTTP servers) through `recipeTest`, below: the same
 * pattern, one hub and one local webhook receiver per file.
 */
import { test } from 'vitest';
import { startRecipeHub, type RecipeHub, type RecipeHubOptions } from '../agents/catalog/testing/recipe-hub.js';
import { startHttpReceiver, type HttpReceiver } from '../agents/catalog/testing/http-receiver.js';
import { startTestHub, type TestHubOptions } from './test-hub.js';

export { startTestHub, type StartedHub, type TestHub, type TestHubOptions } from './test-hub.js';

/**
 * `hub`: a started test hub, one per test file (file scope), stopped after its last test.
 * `hubOptions`: what `hub` is started with; set it per file with `hubTest.override('hubOptions', {…})`.
 */
export const hubTest = test
  .extend('hubOptions', { scope: 'file' }, {} as TestHubOptions)
  .extend('hub', { scope: 'file' }, async ({ hubOptions }, { onCleanup }) => {
    const hub = await startTestHub(hubOptions);
    onCleanup(() => hub.stop());
    return hub;
  });

/**
 * `hub`: the recipe hub of agents/catalog/testing (started with `recipeHubOptions`), and `hook`:
 * a local HTTP receiver for webhooks and polled URLs — one of each per test file.
 */
export const recipeTest = test
  .extend('recipeHubOptions', { scope: 'file' }, {} as RecipeHubOptions)
  .extend('hub', { scope: 'file' }, async ({ recipeHubOptions }, { onCleanup }) => {
    const hub: RecipeHub = await startRecipeHub(recipeHubOptions);
    onCleanup(() => hub.close());
    return hub;
  })
  // (vitest reads a fixture's dependencies from its first parameter, which must be a pattern)
  .extend('hook', { scope: 'file' }, async ({}, { onCleanup }) => {
    const hook: HttpReceiver = await startHttpReceiver();
    onCleanup(() => hook.close());
    return hook;
  });
