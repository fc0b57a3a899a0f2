/**
 * What the sandbox's test files share: agents spawned with a file's defaults (name prefix,
 * limits, set up or not) and kept in one list so the file can terminate them all, and the
 * SandboxError a call is expected to fail with.
 */
import { expect } from 'vitest';
import { createSandboxedAgent, SandboxError, type SandboxedAgent, type SandboxedAgentOptions } from '../index.js';
import { RecordingHost } from './recording-host.js';

export interface AgentSpawner {
  /** Every agent spawned and not yet terminated by `terminateAll`. */
  readonly agents: SandboxedAgent[];
  /** A new agent running `code` (`opts` over the file's defaults), set up when the defaults say so. */
  spawn(code: string, opts?: Partial<SandboxedAgentOptions>): Promise<SandboxedAgent>;
  /** Terminates every agent spawned so far and forgets them. */
  terminateAll(): Promise<void>;
}

export function agentSpawner(prefix: string, defaults: { limits: SandboxedAgentOptions['limits']; setup?: boolean }): AgentSpawner {
  const agents: SandboxedAgent[] = [];
  let n = 0;
  return {
    agents,
    async spawn(code, opts = {}) {
      const agent = await createSandboxedAgent({ name: `${prefix}-${n++}`, host: new RecordingHost(), limits: defaults.limits, ...opts, code });
      agents.push(agent);
      if (defaults.setup) await agent.setup();
      return agent;
    },
    async terminateAll() {
      await Promise.all(agents.splice(0).map((a) => a.terminate()));
    },
  };
}

/** Awaits `p`, expecting it to fail with a SandboxError, and returns the error. */
export async function expectSandboxError(p: Promise<unknown>): Promise<SandboxError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SandboxError);
  return e as SandboxError;
}
