/**
 * The catalog in a real browser against a real hub: recipes listed with their config forms,
 * spawned with one click, and the new agent shows up in the agents view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDashboardBrowser, requireChromium, type DashboardBrowser } from './support/browser.js';
import { waitForCount, waitOnline } from './support/dashboard-page.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { screenshot } from './support/screenshots.js';

interface PropSchema {
  type?: string | string[];
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  format?: string;
}
interface RecipeJson {
  name: string;
  config_schema?: { properties?: Record<string, PropSchema>; required?: string[] };
  configSchema?: { properties?: Record<string, PropSchema>; required?: string[] };
}

/** A value a person could type for a required field without a default. */
function sampleValue(key: string, s: PropSchema): string {
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (s.enum?.length) return String(s.enum[0]);
  if (type === 'number' || type === 'integer') return String(s.minimum ?? 1);
  if (type === 'array') return 'e2e/topic';
  if (type === 'object') return '{}';
  if (s.format === 'uri' || /url|endpoint|webhook/i.test(key)) return 'http://127.0.0.1:9/e2e';
  if (/topic/i.test(key)) return 'e2e/topic';
  return 'e2e';
}

describe.skipIf(!requireChromium())('catalog (browser, real hub)', () => {
  let hub: TestHub;
  let b: DashboardBrowser;
  let recipes: RecipeJson[] = [];

  beforeAll(async () => {
    hub = await startTestHub();
    b = await launchDashboardBrowser();
    const r = await hub.api<RecipeJson[] | { recipes: RecipeJson[] }>('GET', 'catalog');
    expect(r.status).toBe(200);
    recipes = Array.isArray(r.body) ? r.body : r.body.recipes;
  });

  afterAll(async () => {
    await b?.close();
    await hub?.stop();
  });

  it('lists the recipes with their config forms', async () => {
    expect(recipes.length).toBeGreaterThan(0);
    const { page } = b;
    await page.goto(`${hub.url}#/catalog`);
    await waitOnline(page);
    await waitForCount(page, '[data-testid="recipe-card"]', recipes.length);
    await screenshot(page, 'catalog');
  });

  it('spawns a recipe with one click and the agent appears', async () => {
    const { page } = b;
    // The recipe that needs the fewest fields filled in.
    const needs = (r: RecipeJson) => {
      const schema = r.config_schema ?? r.configSchema;
      return (schema?.required ?? []).filter((k) => schema?.properties?.[k]?.default === undefined).map((k) => [k, schema!.properties?.[k] ?? {}] as const);
    };
    const recipe = [...recipes].sort((a, b2) => needs(a).length - needs(b2).length)[0]!;
    const card = page.locator(`[data-testid="recipe-card"][data-recipe="${recipe.name}"]`);
    const agentName = `e2e-${recipe.name}`.slice(0, 60).replace(/[^a-z0-9_-]/gi, '-');
    const required = needs(recipe);
    // Open the form (also to name the agent); recipes without config have none.
    const toggle = card.getByRole('button', { name: /Configure/ });
    if (await toggle.count()) await toggle.click();
    if (await card.locator('[data-testid="spawn-name"]').count()) await card.locator('[data-testid="spawn-name"]').fill(agentName);
    for (const [key, schema] of required) await card.locator(`[data-testid="config-${key}"]`).fill(sampleValue(key, schema));
    await card.locator('[data-testid="catalog-spawn"]').click();
    await card.locator('[data-testid="spawn-result"][data-ok="true"]').waitFor({ timeout: 60_000 });
    const spawned = (await card.locator('[data-testid="spawn-result"]').textContent()) ?? '';
    const name = /Spawned (\S+?)[ .(]/.exec(spawned)?.[1] ?? agentName;
    await page.goto(`${hub.url}#/agents`);
    await page.waitForSelector(`[data-testid="agent-row"][data-agent-name="${name}"]`, { timeout: 30_000 });
    await screenshot(page, 'agents-after-spawn');
  });
});
