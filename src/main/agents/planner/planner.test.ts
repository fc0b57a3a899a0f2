/**
 * The planner end to end: a scripted LLM (OpenAI wire protocol, real SDK) writes the plan, the
 * real catalog and DynamicAgent service spawn it in the real sandbox on the embedded broker, a
 * Home Assistant state change published on the bus reaches a local webhook receiver; the pipeline
 * survives a restart of the hub (same SQLite state dir).
 *
 * Webhook URLs in plans point at a public address (agent.fetch refuses documentation ranges such as
 * 192.0.2.0/24); the DynamicAgent service's fetch seam sends those requests to the local receiver
 * after the hub has vetted the address, so agents need no `fetch_local` grant (which a plan may not
 * give) while the request still really goes over HTTP and never leaves this machine.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AskError } from '../../core/errors.js';
import { actorIdFor } from '../../core/actor-id.js';
import { withCostTracking } from '../../llm/tracked-provider.js';
import { startHttpReceiver, type HttpReceiver } from '../catalog/testing/http-receiver.js';
import { startRecipeHub, type Json, type RecipeHub } from '../catalog/testing/recipe-hub.js';
import { serveRoutes } from '../catalog/testing/serve-routes.js';
import { PlannerAgent } from './planner-agent.js';
import { PlannerService } from './planner-service.js';
import { PipelineStore } from './pipeline-store.js';
import { pipelineRoutes } from './pipeline-routes.js';
import { waitUntil } from '../../testing/wait.js';

const FAKE_HOST = 'http://93.184.215.14';
const REQUEST = `when the living-room lamp turns on, send a webhook to ${FAKE_HOST}/hooks/lamp`;

const FILTER_CODE = `export async function setup(agent) {
  agent.subscribe('homeassistant/state_changes/#', (m) => {
    if (m.entity_id !== 'light.living_room') return;
    if (m.new_state?.state === 'on' && m.old_state?.state !== 'on') {
      agent.publish('pipelines/lamp-on-webhook/lamp-on', { message: 'The living-room lamp turned on', entity_id: m.entity_id, at: m.new_state.last_changed });
    }
  });
}`;

function lampPlan(overrides: { recipe?: string; filterCode?: string; name?: string } = {}): Json {
  const name = overrides.name ?? 'lamp-on-webhook';
  return {
    name,
    description: 'Send a webhook when the living-room lamp turns on',
    agents: [
      { name: `${name}-filter`, role: 'passes only lamp-on changes of light.living_room', type: 'dynamic', code: (overrides.filterCode ?? FILTER_CODE).replaceAll('lamp-on-webhook', name), subscribes: ['homeassistant/state_changes/#'], publishes: [`pipelines/${name}/lamp-on`] },
      { name: `${name}-notifier`, role: 'posts the webhook', type: 'catalog', recipe: overrides.recipe ?? 'webhook-notifier', config: { url: `${FAKE_HOST}/hooks/lamp`, format: 'generic', topics: [`pipelines/${name}/lamp-on`] }, subscribes: [`pipelines/${name}/lamp-on`] },
    ],
    topics: [{ topic: `pipelines/${name}/lamp-on`, from: [`${name}-filter`], to: [`${name}-notifier`], description: 'the lamp turned on', schema: { type: 'object', properties: { message: { type: 'string' }, entity_id: { type: 'string' } } } }],
    summary: 'I will send a webhook whenever the living-room lamp turns on.',
  };
}

function stateChange(state: string, old: string): Json {
  const at = new Date().toISOString();
  return { entity_id: 'light.living_room', domain: 'light', new_state: { entity_id: 'light.living_room', state, attributes: { friendly_name: 'Living room lamp' }, last_changed: at }, old_state: { entity_id: 'light.living_room', state: old, attributes: {} } };
}

async function startPlannerHub(hook: HttpReceiver, stateDir?: string): Promise<{ hub: RecipeHub; planner: PlannerService }> {
  const fetchImpl: typeof fetch = (input, init) => fetch(String(input instanceof Request ? input.url : input).replace(FAKE_HOST, hook.url), init);
  const hub = await startRecipeHub({ llm: true, ...(stateDir ? { stateDir } : {}), dynamic: { fetchImpl } });
  const planner = new PlannerService({
    system: hub.system,
    llm: withCostTracking(hub.llm, hub.costs, 'planner'),
    catalog: hub.catalog,
    dynamic: () => hub.dynamic,
    store: new PipelineStore(hub.persistence),
    homeAssistantMissing: () => 'HA_URL is not set in this test',
    publishLog: (entry) => hub.broker.bus.publish(`agents/${actorIdFor('planner')}/logs`, entry),
  });
  await hub.system.spawn(new PlannerAgent(planner));
  return { hub, planner };
}

describe('PlannerAgent end to end', { timeout: 120_000 }, () => {
  let hook: HttpReceiver;
  let hub: RecipeHub;
  let planner: PlannerService;
  beforeAll(async () => {
    hook = await startHttpReceiver();
    ({ hub, planner } = await startPlannerHub(hook));
  }, 120_000);
  afterAll(async () => {
    await hub?.close();
    await hook?.close();
  }, 120_000);
  afterEach(() => hub.llmServer!.reset());

  it('"when the living-room lamp turns on, send a webhook": plans, spawns in order, delivers, records, survives a restart', async () => {
    const logs = await hub.collect(`agents/${actorIdFor('planner')}/logs`);
    hub.llmServer!.script('openai', [JSON.stringify(lampPlan())]);
    const reply = await hub.system.ask<Json>('planner', { kind: 'pipeline', text: REQUEST, from: 'user' }, 120_000);
    expect(reply.ok).toBe(true);
    expect(reply.result).toMatch(/pipeline "lamp-on-webhook" is running: lamp-on-webhook-filter \(dynamic: .*\), lamp-on-webhook-notifier \(webhook-notifier recipe: posts the webhook\)/);

    // The prompt taught the plan format, the recipes and the agent API; the request was the user's.
    const req = hub.llmServer!.lastRequest('openai')!.body as Json;
    const system = req.messages.find((m: Json) => m.role === 'system').content as string;
    expect(system).toMatch(/- webhook-notifier: /);
    expect(system).toMatch(/homeassistant\/state_changes\/#/);
    expect(system).toMatch(/subscribe\(pattern: string/);
    expect(req.messages.at(-1).content).toBe(REQUEST);

    // Consumers first: the notifier listens before the filter can publish.
    const names = hub.system.list().map((a) => a.name);
    expect(names.indexOf('lamp-on-webhook-notifier')).toBeLessThan(names.indexOf('lamp-on-webhook-filter'));
    expect(hub.system.get('lamp-on-webhook-notifier')!.kind).toBe('catalog');
    expect(hub.system.get('lamp-on-webhook-filter')!.kind).toBe('dynamic');

    hub.publish('homeassistant/state_changes/light/light.kitchen', { ...stateChange('on', 'off'), entity_id: 'light.kitchen' });
    hub.publish('homeassistant/state_changes/light/light.living_room', stateChange('off', 'on'));
    hub.publish('homeassistant/state_changes/light/light.living_room', stateChange('on', 'off'));
    const [delivered] = await hook.waitFor(1, '/hooks/lamp');
    expect(delivered!.method).toBe('POST');
    expect(delivered!.json).toMatchObject({ message: 'The living-room lamp turned on', topic: 'pipelines/lamp-on-webhook/lamp-on', payload: { entity_id: 'light.living_room' } });

    // Recorded: the rule, the topic contracts, the plan (without the secret URL).
    const store = planner.store;
    expect(store.rules.get('lamp-on-webhook')).toMatchObject({ task: REQUEST, agents: ['lamp-on-webhook-filter', 'lamp-on-webhook-notifier'], enabled: true });
    expect(store.contracts.get('lamp-on-webhook-filter')).toMatchObject({ subscribes: ['homeassistant/state_changes/#'], publishes: ['pipelines/lamp-on-webhook/lamp-on'], triggersWhen: { pipeline: 'lamp-on-webhook' } });
    expect(store.contracts.get('lamp-on-webhook-notifier')!.consumesSchema).toHaveProperty(['pipelines/lamp-on-webhook/lamp-on']);
    const view = (await store.get('lamp-on-webhook'))!;
    expect(JSON.stringify(view.plan)).not.toContain('/hooks/lamp');
    await waitUntil(() => logs.some((l) => l.payload.type === 'job_done'), 'the job_done entry');
    expect(logs.find((l) => l.payload.type === 'job_done')!.payload).toMatchObject({ job_kind: 'pipeline', ok: true });

    // GET /pipelines
    const base = await serveRoutes(hub, [pipelineRoutes(() => planner)]);
    const listed: Json = await (await fetch(`${base}/pipelines`)).json();
    expect(listed.pipelines).toHaveLength(1);
    expect(listed.pipelines[0]).toMatchObject({ id: 'lamp-on-webhook', request: REQUEST, enabled: true });
    expect(listed.pipelines[0].agents.map((a: Json) => [a.name, a.state])).toEqual([
      ['lamp-on-webhook-filter', 'running'],
      ['lamp-on-webhook-notifier', 'running'],
    ]);

    // Restart: same state dir, the DynamicAgent service restores the agents; the record is still there.
    const stateDir = hub.stateDir;
    await hub.close({ keepState: true });
    ({ hub, planner } = await startPlannerHub(hook, stateDir));
    const restored = await hub.dynamic.restore();
    expect(restored.restored.sort()).toEqual(['lamp-on-webhook-filter', 'lamp-on-webhook-notifier']);
    expect((await planner.list()).map((p) => [p.id, p.agents.map((a) => a.state)])).toEqual([['lamp-on-webhook', ['running', 'running']]]);
    await hub.broker.bus.ready();
    hub.publish('homeassistant/state_changes', stateChange('on', 'off'));
    await hook.waitFor(2, '/hooks/lamp');
  });

  it('one repair round: the problems go back to the LLM, the corrected plan runs', async () => {
    hub.llmServer!.script('openai', [
      `Here is the plan:\n\`\`\`json\n${JSON.stringify(lampPlan({ name: 'lamp-two', recipe: 'discord-sender', filterCode: 'export async function setup(agent) { agent.subscribe( }' }))}\n\`\`\``,
      JSON.stringify(lampPlan({ name: 'lamp-two' })),
    ]);
    const reply = await hub.system.ask<Json>('planner', { kind: 'pipeline', text: 'same again, as lamp-two' }, 120_000);
    expect(reply.ok).toBe(true);
    const second = hub.llmServer!.requestsFor('openai')[1]!.body as Json;
    const repair = second.messages.at(-1).content as string;
    expect(repair).toMatch(/there is no recipe "discord-sender"/);
    expect(repair).toMatch(/lamp-two-filter\): the code has errors:\nline 1, column/);
    expect(second.messages.at(-2).role).toBe('assistant');
    expect(hub.system.get('lamp-two-notifier')?.state).toBe('running');
    await planner.remove('lamp-two');
    expect(hub.system.get('lamp-two-notifier')).toBeUndefined();
    expect(planner.store.rules.get('lamp-two')).toBeUndefined();
  });

  it('gives up after the repair round with a clear message, and spawns nothing', async () => {
    hub.llmServer!.script('openai', ['I would use a Discord bot.', JSON.stringify({ name: 'bad one', agents: [] })]);
    const err = await hub.system.ask('planner', { kind: 'pipeline', text: 'notify me somehow' }, 120_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AskError);
    expect((err as AskError).kind).toBe('bad_plan');
    expect((err as AskError).message).toMatch(/even after a repair round: .*name: letters, digits/);
    expect(hub.llmServer!.requestsFor('openai')).toHaveLength(2);
  });

  it('code agents may list pipelines but not build them without plan_pipelines', async () => {
    await hub.dynamic.create({ name: 'pipeline-asker', code: `export async function handleTask(agent, p) { return agent.sendTo('planner', p, 60); }` });
    await expect(hub.system.ask('pipeline-asker', { kind: 'pipeline', text: 'anything' })).rejects.toThrow(/needs the "plan_pipelines" capability/);
    expect(await hub.system.ask<Json>('pipeline-asker', { action: 'list' })).toHaveProperty('pipelines');
    expect(hub.llmServer!.requestsFor('openai')).toHaveLength(0);
  });

  it('a question from the LLM goes back to the user as a clarification', async () => {
    hub.llmServer!.script('openai', ['{"question": "Which webhook URL should I call?"}']);
    expect(await hub.system.ask<Json>('planner', { kind: 'pipeline', text: 'send a webhook when the lamp turns on' }, 120_000)).toMatchObject({
      result: 'Which webhook URL should I call?',
      needs_clarification: true,
    });
  });

  it('a failing agent rolls the pipeline back: nothing of it keeps running', async () => {
    const failing = `export async function setup(agent) { throw new Error('no such sensor'); }`;
    hub.llmServer!.script('openai', [JSON.stringify(lampPlan({ name: 'lamp-broken', filterCode: failing }))]);
    const err = await hub.system.ask('planner', { kind: 'pipeline', text: 'lamp, broken' }, 120_000).catch((e: unknown) => e);
    expect((err as AskError).kind).toBe('spawn_failed');
    expect((err as AskError).message).toMatch(/nothing of it is left running.*no such sensor/);
    expect(hub.system.get('lamp-broken-notifier')).toBeUndefined();
    expect(hub.dynamic.registry.get('lamp-broken-notifier')).toBeUndefined();
    expect(planner.store.rules.get('lamp-broken')).toBeUndefined();
  });
});
