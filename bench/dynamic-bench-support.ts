/**
 * Shared by the dynamic-* benches: an actor around a sandboxed agent, shaped like the DynamicAgent
 * the hub will have (the sandbox is created and set up in onStart; TASKs are handed to the sandbox
 * without holding the actor's loop, so tasks pipeline into the worker), a built-in actor with the
 * same handler as the baseline, and an ActorSystem over a bus that drops everything.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from '../src/shared/message.js';
import type { Bus } from '../src/main/core/bus.js';
import { Actor } from '../src/main/core/actor.js';
import { ActorSystem } from '../src/main/core/actor-system.js';
import { openPersistence } from '../src/main/persistence/open-persistence.js';
import { createSandboxedAgent, type SandboxedAgent } from '../src/main/agents/dynamic/sandbox/index.js';
import { RecordingHost } from '../src/main/agents/dynamic/sandbox/testing/recording-host.js';

/** The handler both sides run. */
export const HANDLER_JS = `export async function handleTask(agent, payload) { return { sum: payload.a + payload.b }; }`;
export function builtinHandler(payload: { a: number; b: number }): { sum: number } {
  return { sum: payload.a + payload.b };
}

/** The handler exactly as the agent module has it: an async function. */
export class BuiltinActor extends Actor {
  protected override async handleTask(payload: unknown): Promise<unknown> {
    return builtinHandler(payload as { a: number; b: number });
  }
}

/** The same handler written synchronously (the core runs those without holding its loop). */
export class BuiltinSyncActor extends Actor {
  protected override handleTask(payload: unknown): unknown {
    return builtinHandler(payload as { a: number; b: number });
  }
}

export class SandboxActor extends Actor {
  sandbox: SandboxedAgent | undefined;
  constructor(
    name: string,
    private readonly code: string,
    private readonly pipelined: boolean,
  ) {
    super({ name, kind: 'dynamic' });
  }
  protected override async onStart(): Promise<void> {
    this.sandbox = await createSandboxedAgent({ name: this.name, actorId: this.actorId, code: this.code, host: new RecordingHost() });
    await this.sandbox.setup();
  }
  protected override handleMessage(msg: Message): Promise<void> | void {
    if (msg.type !== 'TASK' || !this.pipelined) return super.handleMessage(msg);
    this.sandbox!.handleTask(msg.payload).then(
      (r) => this.reply(msg, r),
      (e: unknown) => this.replyError(msg, e),
    );
  }
  protected override handleTask(payload: unknown): Promise<unknown> {
    return this.sandbox!.handleTask(payload);
  }
  protected override async onStop(): Promise<void> {
    await this.sandbox?.terminate();
  }
}

const nullBus: Bus = {
  state: 'connected',
  publish: () => {},
  subscribe: () => () => {},
  ready: async () => {},
  close: async () => {},
};

export async function benchSystem(): Promise<{ system: ActorSystem; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'wz-bench-dyn-'));
  const persistence = await openPersistence({ stateDir: dir });
  const system = new ActorSystem({ bus: nullBus, persistence, heartbeatMs: 3_600_000 });
  return {
    system,
    close: async () => {
      await system.shutdown();
      await persistence.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export const gc = (globalThis as { gc?: () => void }).gc;
export const fmt = (x: number, digits = 2): string => x.toFixed(digits);
