import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'catalogue_agents/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    // expect.poll waits on the outside world: generous on a loaded 2-core CI machine (vitest's default is 1 s).
    expect: { poll: { timeout: 15_000, interval: 20 } },
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
