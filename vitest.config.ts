import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Test files that need a module registry of their own: the renderer's (zustand stores and page
 * globals are module singletons a previous file would leave filled) and files that mock a module.
 * Every other file shares its worker's modules with the files before it (`isolate: false`): the
 * hub (fastify, the SDKs, the TypeScript compiler…) is imported once per worker instead of once
 * per file, which was a third of the unit run. Such a file must leave no global state behind:
 * close what it starts, restore real timers, remove its listeners.
 */
// neighbours.test.ts, actor-integration.test.ts and task-path.test.ts place agents side by side on the
// engine pool, a process-wide singleton: shared, an earlier file's workers would be theirs to pick from.
const SANDBOX = 'src/main/agents/dynamic/sandbox';
const ISOLATED = [
  'src/renderer/**/*.test.{ts,tsx}',
  'src/main/persistence/ephemeral/redis-store.test.ts',
  `${SANDBOX}/neighbours.test.ts`,
  `${SANDBOX}/actor-integration.test.ts`,
  `${SANDBOX}/task-path.test.ts`,
];

export default defineConfig({
  test: {
    environment: 'node',
    // expect.poll waits on the outside world: generous on a loaded 2-core CI machine (vitest's default is 1 s).
    expect: { poll: { timeout: 15_000, interval: 20 } },
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most files wait on sockets, child processes and worker threads, so two workers keep a 2-core
    // machine busy (vitest's default there is one); a third only adds contention.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'catalogue_agents/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...ISOLATED],
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: 'isolated', include: ISOLATED },
      },
    ],
  },
});
