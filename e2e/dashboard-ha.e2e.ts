/**
 * The Home view in a real browser against a real hub connected to the Home Assistant simulator (a
 * real HTTP + WebSocket server speaking HA's protocols): entities listed by area, a state changed
 * in "HA" shows up live (state bridge → MQTT → dashboard), a toggle calls HA's service and shows
 * the new state, the history chart draws the recorded points, and a refused toggle rolls back.
 * A hub without HA shows why and where to set it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HaSimulator } from '../src/main/agents/home-assistant/testing/ha-simulator.js';
import type { HaEntitiesResponse, HaStatusResponse } from '../src/shared/rest.js';
import { launchDashboardBrowser, requireChromium, type DashboardBrowser } from './support/browser.js';
import { waitForCount, waitOnline } from './support/dashboard-page.js';
import { startTestHub, type TestHub } from './support/hub.js';
import { screenshot } from './support/screenshots.js';

const NO_HA_ENV = { HA_URL: undefined, HA_TOKEN: undefined, HOME_ASSISTANT_URL: undefined, HOME_ASSISTANT_TOKEN: undefined };

const entityRow = (id: string) => `[data-testid="ha-entity"][data-entity-id="${id}"]`;

describe.skipIf(!requireChromium())('Home view (browser, real hub, HA simulator)', () => {
  let sim: HaSimulator;
  let hub: TestHub;
  let b: DashboardBrowser;

  beforeAll(async () => {
    sim = await new HaSimulator().start();
    hub = await startTestHub({ env: { ...NO_HA_ENV, HA_URL: sim.url, HA_TOKEN: sim.token } });
    b = await launchDashboardBrowser();
  });

  afterAll(async () => {
    await b?.close();
    await hub?.stop();
    await sim?.stop();
  });

  it('lists the simulator’s entities grouped by area', async () => {
    const { page } = b;
    await page.goto(`${hub.url}#/home`);
    await waitOnline(page);
    await page.waitForSelector('[data-testid="ha-status"][data-state="connected"]', { timeout: 30_000 });
    const { body } = await hub.api<HaEntitiesResponse>('GET', 'ha/entities');
    // Every state HA has is on the page.
    const simIds = sim.listStates().map((s) => s.entity_id);
    expect(body.entities.map((e) => e.entity_id).sort()).toEqual(expect.arrayContaining(simIds.sort()));
    await waitForCount(page, '[data-testid="ha-entity"]', body.entities.length);
    // …each in its area's section (by device or its own), the rest under "No area".
    for (const e of body.entities) {
      const n = await page.locator(`[data-testid="ha-area"][data-area-id="${e.area_id ?? ''}"] ${entityRow(e.entity_id)}`).count();
      expect(n, `${e.entity_id} in area ${e.area_id}`).toBe(1);
    }
    const areaIds = await page.$$eval('[data-testid="ha-area"]', (els) => els.map((el) => el.getAttribute('data-area-id')));
    expect(areaIds).toEqual(['bedroom', 'kitchen', 'living_room', '']);
    expect(await page.locator(`[data-testid="ha-area"][data-area-id="living_room"] ${entityRow('light.wiz_rgbw_tunable_02cba0')}`).count()).toBe(1);
    expect(await page.locator(`${entityRow('light.kitchen')} [data-testid="ha-entity-state"]`).textContent()).toBe('on');
    // Only lights/switches/… have a toggle.
    expect(await page.locator(`${entityRow('light.kitchen')} [data-testid="ha-toggle"]`).count()).toBe(1);
    expect(await page.locator(`${entityRow('sensor.living_room_temperature')} [data-testid="ha-toggle"]`).count()).toBe(0);
    await screenshot(page, 'home');
  });

  it('filters by domain, area and search', async () => {
    const { page } = b;
    await page.selectOption('[data-testid="ha-domain-filter"]', 'light');
    await waitForCount(page, '[data-testid="ha-entity"]', sim.listStates().filter((s) => s.entity_id.startsWith('light.')).length);
    await page.selectOption('[data-testid="ha-area-filter"]', 'living_room');
    await waitForCount(page, '[data-testid="ha-entity"]', 2);
    await page.fill('[data-testid="ha-search"]', 'ceiling');
    await waitForCount(page, '[data-testid="ha-entity"]', 1);
    await page.waitForSelector(entityRow('light.living_room_ceiling'));
    await page.fill('[data-testid="ha-search"]', '');
    await page.selectOption('[data-testid="ha-area-filter"]', '');
    await page.selectOption('[data-testid="ha-domain-filter"]', '');
  });

  it('shows a state changed in Home Assistant live', async () => {
    const { page } = b;
    const id = 'sensor.living_room_temperature';
    const attrs = sim.getState(id)!.attributes;
    sim.setState(id, '23.4', attrs);
    await page.waitForSelector(`${entityRow(id)}[data-state="23.4"]`, { timeout: 20_000 });
    expect(await page.locator(`${entityRow(id)} [data-testid="ha-entity-state"]`).textContent()).toBe('23.4 °C');
    expect(await page.locator(`${entityRow(id)} [data-testid="ha-entity-changed"]`).textContent()).toMatch(/just now|\d+ s ago/);
  });

  it('toggles a light through HA’s service and shows the new state', async () => {
    const { page } = b;
    const id = 'light.bedside';
    expect(sim.getState(id)!.state).toBe('off');
    const before = sim.serviceCalls.length;
    await page.click(`${entityRow(id)} [data-testid="ha-toggle"]`);
    await page.waitForSelector(`${entityRow(id)}[data-state="on"][data-pending="false"]`, { timeout: 20_000 });
    const calls = sim.serviceCalls.slice(before);
    expect(calls.map((c) => ({ domain: c.domain, service: c.service, entityIds: c.entityIds }))).toEqual([{ domain: 'light', service: 'toggle', entityIds: [id] }]);
    expect(sim.getState(id)!.state).toBe('on');
    expect(await page.locator(`${entityRow(id)} [data-testid="ha-toggle"]`).getAttribute('aria-checked')).toBe('true');
  });

  it('charts the recorded history: numbers as a line, on/off as steps', async () => {
    const { page } = b;
    const id = 'sensor.living_room_temperature';
    const attrs = sim.getState(id)!.attributes;
    sim.setState(id, '22.0', attrs);
    await page.waitForSelector(`${entityRow(id)}[data-state="22.0"]`, { timeout: 20_000 });
    await page.click(entityRow(id));
    // Recorded: the state at the bridge's start (21.5), then 23.4 and 22.0.
    await page.waitForSelector(`[data-testid="ha-history"][data-entity-id="${id}"] [data-testid="history-chart"][data-kind="line"]`, { timeout: 20_000 });
    await waitForCount(page, '[data-testid="ha-history"] [data-testid="history-point"]', 3, 'atLeast', 20_000);
    const states = await page.$$eval('[data-testid="history-point"]', (els) => els.map((el) => el.getAttribute('data-state')));
    expect(states.slice(-3)).toEqual(['21.5', '23.4', '22.0']);
    // Higher values are drawn higher (smaller y).
    const ys = await page.$$eval('[data-testid="history-point"]', (els) => els.map((el) => Number(el.getAttribute('cy'))));
    const [y215, y234, y220] = ys.slice(-3) as [number, number, number];
    expect(y234).toBeLessThan(y220);
    expect(y220).toBeLessThan(y215);
    await screenshot(page, 'home-history-line');

    await page.click(entityRow('light.bedside'));
    await page.waitForSelector('[data-testid="ha-history"][data-entity-id="light.bedside"] [data-testid="history-chart"][data-kind="step"]', { timeout: 20_000 });
    await page.waitForFunction(() => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ getAttribute(n: string): string | null }> } }).document;
      const pts = Array.from(doc.querySelectorAll('[data-testid="ha-history"] [data-testid="history-point"]')).map((el) => el.getAttribute('data-state'));
      return pts.join(',').endsWith('off,on');
    }, undefined, { timeout: 20_000 });
    await screenshot(page, 'home-history-step');
  });

  it('rolls a toggle back when Home Assistant cannot be reached', async () => {
    const { page } = b;
    const id = 'switch.coffee_maker';
    await page.waitForSelector(`${entityRow(id)}[data-state="off"]`);
    const port = sim.port;
    await sim.stop();
    try {
      await page.click(`${entityRow(id)} [data-testid="ha-toggle"]`);
      await page.waitForSelector(`${entityRow(id)} [data-testid="ha-toggle-error"]`, { timeout: 30_000 });
      expect(await page.locator(entityRow(id)).getAttribute('data-state')).toBe('off');
      expect(await page.locator(`${entityRow(id)} [data-testid="ha-toggle"]`).getAttribute('aria-checked')).toBe('false');
      await screenshot(page, 'home-toggle-refused');
    } finally {
      await sim.start(port);
    }
  });
});

describe.skipIf(!requireChromium())('Home view without Home Assistant (browser, real hub)', () => {
  let hub: TestHub;
  let b: DashboardBrowser;

  beforeAll(async () => {
    hub = await startTestHub({ env: NO_HA_ENV });
    b = await launchDashboardBrowser();
  });

  afterAll(async () => {
    await b?.close();
    await hub?.stop();
  });

  it('says why it is not configured and links to the settings', async () => {
    const { page } = b;
    const status = (await hub.api<HaStatusResponse>('GET', 'ha/status')).body;
    expect(status.configured).toBe(false);
    await page.goto(`${hub.url}#/home`);
    await waitOnline(page);
    await page.waitForSelector('[data-testid="ha-status"][data-state="not-configured"]');
    const reason = (await page.locator('[data-testid="ha-not-configured-reason"]').textContent()) ?? '';
    expect(reason).toBe(status.configured ? '' : status.reason);
    expect(reason.length).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="ha-entity"]').count()).toBe(0);
    await screenshot(page, 'home-not-configured');
    await page.click('[data-testid="ha-status"] a[href="#/settings"]');
    await page.waitForSelector('[data-testid="view-settings"]');
  });
});
