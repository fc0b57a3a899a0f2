/**
 * Spawn types come from a registry that integrations add to: the DynamicAgent service registers its
 * own (dynamic, manual, llm); a type from elsewhere spawns through `ctx.place` (registered, supervised,
 * replaced only when asked) and comes back at restore; an unknown type is refused with the list.
 * A real ActorSystem over real SQLite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../../core/actor.js';
import { createTestSystem, type TestSystem } from '../../core/testing/test-system.js';
import { SpawnTypes, type SpawnType } from '../../integration/spawn-types.js';
import { CostTracker } from '../../llm/cost-tracker.js';
import { createLlmProvider } from '../../llm/create-provider.js';
import { DynamicAgentService } from './dynamic-agent-service.js';
import { parseSpawnSpec, type SpawnSpec } from './spawn-spec.js';

/** A tiny actor type another integration could provide: it answers with its greeting. */
class Greeter extends Actor {
  constructor(
    name: string,
    private readonly greeting: string,
  ) {
    super({ name, description: 'greets' });
  }
  protected override handleTask(): unknown {
    return `${this.greeting} from ${this.name}`;
  }
}

const greeterType: SpawnType = {
  type: 'greeter',
  async spawn(spec, ctx) {
    if (typeof spec.greeting !== 'string') throw new Error('a greeter needs a "greeting"');
    const config = { description: spec.description, greeting: spec.greeting, source: ctx.source };
    await ctx.place({ kind: 'greeter', config, build: () => new Greeter(spec.name, config.greeting), replace: spec.replace });
    return { message: `Spawned ${spec.name}, a greeter.` };
  },
  restore: (entry) => ({ build: () => new Greeter(entry.name, String(entry.config.greeting)) }),
};

const spec = (raw: Record<string, unknown>): SpawnSpec => {
  const r = parseSpawnSpec(raw);
  if (!r.ok) throw new Error(r.error);
  return r.spec;
};

let t: TestSystem;
let types: SpawnTypes;
let service: DynamicAgentService;
beforeAll(async () => {
  t = await createTestSystem();
  types = new SpawnTypes([greeterType]);
  service = new DynamicAgentService({ system: t.system, llm: createLlmProvider({ provider: 'none', timeoutMs: 1_000, maxRetries: 0 }), costs: new CostTracker(), spawnTypes: types });
  service.start();
});
afterAll(async () => {
  await service?.close();
  await t?.close();
});

describe('spawn types', () => {
  it('the service registers its own beside the ones it was given', () => {
    expect(types.names()).toEqual(['dynamic', 'greeter', 'llm', 'manual']);
    expect(types.forKind('catalog')?.type).toBe('dynamic');
    expect(() => types.register({ ...greeterType })).toThrow(/greeter.*registered twice/);
  });

  it("another integration's type spawns through place(), is registered, and refuses a taken name unless replace", async () => {
    expect(await service.spawnFromSpec(spec({ name: 'hello', type: 'greeter', greeting: 'Hi' }), 'planner')).toMatchObject({ ok: true, message: 'Spawned hello, a greeter.' });
    expect(await t.system.ask('hello', {})).toBe('Hi from hello');
    expect(service.registry.get('hello')).toMatchObject({ kind: 'greeter', config: expect.objectContaining({ greeting: 'Hi', source: 'planner' }) });
    expect((await service.spawnFromSpec(spec({ name: 'hello', type: 'greeter', greeting: 'Yo' }))).message).toMatch(/already exists/);
    expect(await service.spawnFromSpec(spec({ name: 'hello', type: 'greeter', greeting: 'Yo', replace: true }))).toMatchObject({ ok: true });
    expect(await t.system.ask('hello', {})).toBe('Yo from hello');
    // A bad spec is refused before anything changes.
    expect((await service.spawnFromSpec(spec({ name: 'hello', type: 'greeter', replace: true }))).message).toMatch(/needs a "greeting"/);
    expect(await t.system.ask('hello', {})).toBe('Yo from hello');
  });

  it('restore brings it back by its kind', async () => {
    await t.system.stop('hello');
    expect((await service.restore()).restored).toContain('hello');
    expect(await t.system.ask('hello', {})).toBe('Yo from hello');
  });

  it('an unknown type is refused with the list, and cannot go to a node unless it runs there', async () => {
    expect((await service.spawnFromSpec(spec({ name: 'x', type: 'teleporter' }))).message).toMatch(/no "teleporter" agent type in this hub \(types: dynamic, greeter, llm, manual\)/);
    expect((await service.spawnFromSpec(spec({ name: 'y', type: 'greeter', greeting: 'Hi', node: 'garage' }))).message).toMatch(/cannot run on a node/);
  });
});
