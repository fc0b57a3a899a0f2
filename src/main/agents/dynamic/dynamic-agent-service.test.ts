/**
 * The service's seams that the hub tests do not reach: packages the installer provides (imports
 * resolved into the sandbox), the installer's answers to a spawn block's `install`, and a restore
 * that does not wait forever for an agent whose setup hangs. A real ActorSystem over real SQLite;
 * real sandboxes.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Actor } from '../../core/actor.js';
import { actorIdFor } from '../../core/actor-id.js';
import { createTestSystem, type TestSystem } from '../../core/testing/test-system.js';
import { createLlmProvider } from '../../llm/create-provider.js';
import { CostTracker } from '../../llm/cost-tracker.js';
import { DynamicAgentService } from './dynamic-agent-service.js';
import { DynamicAgentError } from './errors.js';
import { parseSpawnSpec, type SpawnSpec } from './spawn-spec.js';

const llm = createLlmProvider({ provider: 'none', timeoutMs: 1_000, maxRetries: 0 });
const TINY_LIB = 'export function shout(s) { return s.toUpperCase() + "!"; }\nexport default { version: "1.0.0" };';
const USES_LIB = "import lib, { shout } from 'tiny-lib';\nexport async function handleTask(agent, p) { return shout(p.text) + ' v' + lib.version; }";

let t: TestSystem;
let service: DynamicAgentService;
const resolved: string[][] = [];

beforeAll(async () => {
  t = await createTestSystem();
  service = new DynamicAgentService({
    system: t.system,
    llm,
    costs: new CostTracker(),
    resolveModules: async (packages) => {
      resolved.push([...packages]);
      return Object.fromEntries(packages.filter((p) => p.startsWith('tiny-lib')).map(() => ['tiny-lib', TINY_LIB]));
    },
    restoreWaitMs: 300,
  });
  service.start();
});
afterAll(async () => {
  await service?.close();
  await t?.close();
});

const spec = (raw: Record<string, unknown>): SpawnSpec => {
  const r = parseSpawnSpec(raw);
  if (!r.ok) throw new Error(r.error);
  return r.spec;
};

describe('packages', () => {
  it('an agent imports the packages it declares, as the resolver provides them', async () => {
    const r = await service.create({ name: 'shouter', code: USES_LIB, install: ['tiny-lib@^1.0.0'] });
    expect(r.version).toBe(1);
    expect(resolved.at(-1)).toEqual(['tiny-lib@^1.0.0']);
    expect(await t.system.ask('shouter', { text: 'hi' })).toBe('HI! v1.0.0');
    // Only what the code imports is resolved: a declared package it does not import need not exist.
    resolved.length = 0;
    await service.create({ name: 'shouter2', code: USES_LIB, install: ['tiny-lib', 'not-installed-anywhere@1'] });
    await service.create({ name: 'plain', code: 'export async function handleTask() { return 1; }', install: ['not-installed-anywhere'] });
    expect(resolved).toEqual([['tiny-lib']]);
  });

  it('importing a package it did not declare is refused by the check, with the line', async () => {
    const err = await service.create({ name: 'sneaky', code: `\n${USES_LIB}` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DynamicAgentError);
    expect((err as DynamicAgentError).detail?.diagnostics?.[0]).toMatchObject({ line: 2, message: expect.stringMatching(/tiny-lib.*not available/) });
  });

  it("a spawn block's install goes to the installer; its answer is what the user reads", async () => {
    const answers: unknown[] = [];
    class StandInInstaller extends Actor {
      constructor(private readonly answer: unknown) {
        super({ name: 'installer' });
      }
      protected override handleTask(payload: unknown): unknown {
        answers.push(payload);
        return this.answer;
      }
    }
    const block = spec({ name: 'feeds', code: 'export async function handleTask() { return 1; }', install: ['rss-parser'] });
    expect((await service.spawnFromSpec(block)).message).toMatch(/Spawned feeds[\s\S]*rss-parser[\s\S]*installer agent, which is not running/);

    await t.system.spawn(new StandInInstaller({ status: 'needs_approval', packages: ['rss-parser'], message: 'rss-parser is not on the allowlist' }));
    const again = await service.spawnFromSpec({ ...block, name: 'feeds2' });
    expect(again.message).toMatch(/rss-parser need your approval before they can be installed: rss-parser is not on the allowlist/);
    expect(answers).toEqual([{ packages: ['rss-parser'], agent: 'feeds2' }]);
  });
});

describe('restore', () => {
  it('brings registered agents back, and does not wait for one whose setup hangs', async () => {
    await service.create({ name: 'steady', code: 'export async function setup(agent) { agent.state.n = (agent.state.n ?? 0) + 1; }\nexport async function handleTask(agent) { return agent.state.n; }' });
    service.registry.upsert({
      name: 'hanging',
      kind: 'dynamic',
      code: 'export async function setup() { await new Promise(() => {}); }',
      language: 'javascript',
      config: { call_timeout_ms: 5_000, max_restarts: 0 },
    });
    await t.system.stop('steady');
    // The restore's 300 ms wait runs on virtual time: it ends when the test moves the clock, once
    // steady is up (however long that takes on a loaded machine).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let report: Awaited<ReturnType<DynamicAgentService['restore']>>;
    try {
      const steadyUp = new Promise<void>((resolve) => {
        const off = t.bus.subscribe(`agents/${actorIdFor('steady')}/status`, (_t, raw) => {
          if ((JSON.parse(raw.toString()) as { state: string }).state !== 'running') return;
          off();
          resolve();
        });
      });
      const restoring = service.restore();
      await steadyUp;
      await new Promise((r) => setImmediate(r)); // its restore step finishes
      await vi.advanceTimersByTimeAsync(300);
      report = await restoring;
    } finally {
      vi.useRealTimers();
    }
    // Returned before the hanging setup's 5 s limit ran out: it is still starting, not failed.
    expect(report.restored).toEqual(expect.arrayContaining(['steady']));
    expect(report.pending).toEqual(['hanging']);
    expect(await t.system.ask('steady', {})).toBe(2);
  });
});
