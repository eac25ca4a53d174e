import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ and the guest programs once (see the file for why not per test file).
    globalSetup: ['test/global_setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Guest runs spawn ucrun processes; two workers match CI's two cores.
    pool: 'forks',
    maxWorkers: 2,
  },
});
