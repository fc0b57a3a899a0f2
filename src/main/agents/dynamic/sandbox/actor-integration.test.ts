/**
 * The runtime under a real core actor (ActorSystem over a MemoryBus and a real Persistence): a
 * SandboxError thrown from an actor's handler reaches the asker as an ERROR of the same kind, and
 * a spinning agent does not stop the system from answering other actors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../../../shared/message.js';
import { Actor } from '../../../core/actor.js';
import { AskError } from '../../../core/errors.js';
import { createTestSystem, type TestSystem } from '../../../core/testing/test-system.js';
import { createSandboxedAgent, type SandboxedAgent } from './index.js';
import { RecordingHost } from './testing/recording-host.js';
import { waitUntil } from '../../../testing/wait.js';

/** Shaped like the DynamicAgent will be: TASKs are handed to the sandbox without holding the loop. */
class SandboxedActor extends Actor {
  sandbox!: SandboxedAgent;
  readonly host = new RecordingHost();
  constructor(
    name: string,
    private readonly code: string,
  ) {
    super({ name, kind: 'dynamic' });
  }
  protected override async onStart(): Promise<void> {
    this.sandbox = await createSandboxedAgent({ name: this.name, actorId: this.actorId, code: this.code, host: this.host, limits: { callTimeoutMs: 1_500 } });
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
