import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'cities/**/*.test.ts', 'tools/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two at once: most of the time goes to I/O (the stores, child servers, the browser), so two
    // workers on two cores halve the run; each test owns its store (a SQLite file or a schema).
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
