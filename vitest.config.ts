import { defineConfig } from 'vitest/config';

// Unit specs are pure and fast; integration and e2e specs talk to real NATS and
// Postgres, each file in its own namespace and database (libs/testing).
export default defineConfig({
  test: {
    pool: 'threads',
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{apps,libs}/*/src/**/*.unit.spec.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{apps,libs}/*/src/**/*.int.spec.ts', '{apps,libs}/*/src/**/*.e2e.spec.ts'],
          testTimeout: 30_000,
          // One retry, for the rare failure seen only under the whole suite on 2 cores (a socket
          // dropped with 1006 mid-test, once in about ten runs; see the notes on issue 3). A test
          // that fails twice fails the run; vitest reports every retried test.
          retry: 1,
          hookTimeout: 60_000,
          globalSetup: ['libs/testing/src/global-setup.ts'],
        },
      },
    ],
  },
});
