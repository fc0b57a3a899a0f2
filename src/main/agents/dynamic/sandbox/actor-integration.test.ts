/**
 * The runtime under a real core actor (ActorSystem over a MemoryBus and a real Persistence): a
 * SandboxError thrown from an actor's handler reaches the asker as an ERROR of the same kind, and
 * a spinning agent does not stop the system from answering other actors.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Message } from '../../../../shared/message.js';
import { Actor } from '../../../core/actor.js';
import { ActorCrashError, AskError } from '../../../core/errors.js';
import { createTestSystem, type TestSystem } from '../../../core/testing/test-system.js';
import { configureEnginePool, createSandboxedAgent, enginePoolConfig, SandboxError, type SandboxedAgent, type SandboxLimits } from './index.js';
import { RecordingHost } from './testing/recording-host.js';
import { NATIVE_SORT } from './testing/busy-code.js';
import { waitUntil } from '../../../testing/wait.js';

/** Shaped like the DynamicAgent: TASKs are handed to the sandbox without holding the loop; a fatal sandbox failure crashes the actor. */
class SandboxedActor extends Actor {
  sandbox!: SandboxedAgent;
  readonly host = new RecordingHost();
  constructor(
    name: string,
    private readonly code: string,
    private readonly limits: Partial<SandboxLimits> = { callTimeoutMs: 1_500 },
  ) {
    super({ name, kind: 'dynamic' });
  }
  protected override async onStart(): Promise<void> {
    this.sandbox = await createSandboxedAgent({ name: this.name, actorId: this.actorId, code: this.code, host: this.host, limits: this.limits });
    this.sandbox.onCrash((e) => this.crash(new ActorCrashError(`${e.kind}: ${e.message}`, { cause: e })));
    await this.sandbox.setup();
  }
  protected override handleMessage(msg: Message): Promise<void> | void {
    if (msg.type !== 'TASK') return super.handleMessage(msg);
    this.sandbox.handleTask(msg.payload).then(
      (r) => this.reply(msg, r),
      (e: unknown) => this.replyError(msg, e),
    );
  }
  protected override async onStop(): Promise<void> {
    await this.sandbox?.terminate();
  }
}

class Echo extends Actor {
  protected override handleTask(payload: unknown): unknown {
    return payload;
  }
}

let t: TestSystem;
beforeAll(async () => {
  t = await createTestSystem();
  await t.system.spawn(new Echo({ name: 'echo' }));
  await t.system.spawn(
    new SandboxedActor(
      'sandboxed',
      `export async function handleTask(agent, p) {
         if (p.op === 'spin') { agent.log('spinning'); await agent.sleep(0); while (true) {} }
         if (p.op === 'throw') throw new RangeError('out of range: ' + p.n);
         return { doubled: p.n * 2, id: agent.actorId };
       }`,
    ),
  );
});
afterAll(async () => {
  await t?.close();
});

async function askError(p: Promise<unknown>): Promise<AskError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AskError);
  return e as AskError;
}

describe('a sandboxed agent behind a core actor', () => {
  it('answers TASKs with RESULTs', async () => {
    const actor = t.system.get('sandboxed')!;
    expect(await t.system.ask('sandboxed', { n: 21 })).toEqual({ doubled: 42, id: actor.actorId });
  });

  it('a throw is an ERROR of kind crash with the message', async () => {
    const e = await askError(t.system.ask('sandboxed', { op: 'throw', n: 7 }));
    expect(e.kind).toBe('crash');
    expect(e.message).toMatch(/RangeError: out of range: 7/);
  });

  it('a spin is an ERROR of kind timeout, and the system answers others meanwhile', async () => {
    const spinning = askError(t.system.ask('sandboxed', { op: 'spin' }, 10_000));
    // The agent logs, yields once (its log reaches us) and then spins for its 1.5 s call timeout.
    const host = (t.system.get('sandboxed') as SandboxedActor).host;
    await waitUntil(() => host.logs.some((l) => l.message === 'spinning'), 'the agent about to spin', 10_000);
    const echoed: unknown[] = [];
    for (let i = 0; i < 5; i++) echoed.push(await t.system.ask('echo', i));
    expect(echoed).toEqual([0, 1, 2, 3, 4]);
    expect((await spinning).kind).toBe('timeout');
    expect(await t.system.ask('sandboxed', { n: 1 })).toMatchObject({ doubled: 2 });
  });
});

describe('supervision of agents sharing a worker', () => {
  it('an engine that stays busy after its deadline is restarted by its supervisor; its neighbour on the worker is restarted too and told why', async () => {
    // Sorting 1.5 million numbers without a comparator runs in the engine's C code, where no
    // interrupt reaches: the worker thread stays busy past the deadline and is replaced.
    const SORTER = `export async function handleTask(agent, p) { if (p !== 'sort') return p; ${NATIVE_SORT} }`;
    const NEIGHBOUR = `export async function handleTask(agent, p) { return 'n:' + p }`;
    // A silent worker is taken for stuck 300 ms past a deadline here (2 s by default): the native
    // sort takes seconds on any machine, so the watchdog, not the sort's end, decides.
    // One shared worker, so the two agents are neighbours by construction (the pool spreads new
    // agents over the shared workers it has; this file runs isolated, so they are all its own).
    const { wedgedGraceMs: grace, sharedMax } = enginePoolConfig();
    configureEnginePool({ wedgedGraceMs: 300, sharedMax: 1 });
    onTestFinished(() => configureEnginePool({ wedgedGraceMs: grace, sharedMax }));
    const opts = { restartDelayMs: 10, maxRestarts: 3, windowMs: 60_000 };
    await t.system.spawnSupervised('sorter', () => new SandboxedActor('sorter', SORTER, { callTimeoutMs: 200, memoryMb: 512 }), opts);
    await t.system.spawnSupervised('neighbour', () => new SandboxedActor('neighbour', NEIGHBOUR), opts);
    const sorter = t.system.get('sorter') as SandboxedActor;
    const neighbour = t.system.get('neighbour') as SandboxedActor;
    expect(sorter.sandbox.placement?.worker).toBe(neighbour.sandbox.placement?.worker);
    expect(sorter.sandbox.placement?.kind).toBe('shared');
    const crashes: SandboxError[] = [];
    neighbour.sandbox.onCrash((e) => crashes.push(e));
    sorter.sandbox.onCrash((e) => crashes.push(e));
    const e = await askError(t.system.ask('sorter', 'sort', 20_000));
    expect(e.kind).toBe('timeout');
    await expect.poll(() => crashes.map((c) => c.kind).sort(), { timeout: 15_000 }).toEqual(['crash', 'timeout']);
    expect(crashes.find((c) => c.kind === 'crash')!.message).toMatch(/restarted because agent sorter stayed busy past its deadline/);
    // Both supervised: restarted with fresh engines, and answering.
    await expect.poll(() => t.system.get('sorter') !== sorter && t.system.get('neighbour') !== neighbour, { timeout: 15_000 }).toBe(true);
    await expect.poll(() => t.system.ask('neighbour', 1).catch(() => 'not yet'), { timeout: 15_000 }).toBe('n:1');
    await expect.poll(() => t.system.ask('sorter', 'ping').catch(() => 'not yet'), { timeout: 15_000 }).toBe('ping');
    // The staller is not put beside others again: its new engine has a worker of its own.
    expect((t.system.get('sorter') as SandboxedActor).sandbox.placement?.kind).toBe('dedicated');
    expect((t.system.get('neighbour') as SandboxedActor).sandbox.placement?.kind).toBe('shared');
  }, 60_000);
});
