import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    // expect.poll waits on the outside world: generous on a loaded 2-core CI machine (vitest's default is 1 s).
    expect: { poll: { timeout: 15_000, interval: 20 } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
