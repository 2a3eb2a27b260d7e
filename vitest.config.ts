import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generates the schema validators and builds the bundles into a temporary MLOPS_DIST.
    globalSetup: ['test/support/global-setup.ts'],
    // Sized for a busy 2-core machine; tests that load it on purpose (many writers, killed
    // processes) take longer limits from test/support/timeouts.ts.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two workers on 2 cores: integration tests spend most of their time waiting on child
    // processes (git, the bundles), so a second worker overlaps that wait (3m38s against 4m16s
    // for one worker on an idle 2-core machine, measured 2026-12-01).
    maxWorkers: 2,
    reporters: ['default'],
  },
});
