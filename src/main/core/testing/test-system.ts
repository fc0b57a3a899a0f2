/** An ActorSystem over a MemoryBus and a real Persistence in a temp dir, for tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPersistence } from '../../persistence/open-persistence.js';
import type { Persistence } from '../../persistence/persistence.js';
import { ActorSystem, type ActorSystemOptions } from '../actor-system.js';
import { MemoryBus } from './memory-bus.js';

export interface TestSystem {
  system: ActorSystem;
  bus: MemoryBus;
  persistence: Persistence;
  stateDir: string;
  close(): Promise<void>;
}

export async function createTestSystem(opts: Partial<ActorSystemOptions> = {}): Promise<TestSystem> {
  const stateDir = mkdtempSync(join(tmpdir(), 'wz-core-'));
  const bus = new MemoryBus();
  const persistence = await openPersistence({ stateDir });
  const system = new ActorSystem({ bus, persistence, heartbeatMs: 60_000, ...opts });
  return {
    system,
    bus,
    persistence,
    stateDir,
    close: async () => {
      await system.shutdown();
      await persistence.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
