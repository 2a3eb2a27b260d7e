import { defineConfig } from 'vitest/config';

/** What both projects share (each project is its own config: `extends: true` would inherit globalSetup and run it again). */
const shared = {
  // Sized for a busy 2-core machine; tests that load it on purpose (many writers, killed
  // processes) take longer limits from test/support/timeouts.ts.
  testTimeout: 120_000,
  hookTimeout: 120_000,
  pool: 'forks',
} as const;

export default defineConfig({
  test: {
    // Generates the schema validators and builds the bundles into a temporary MLOPS_DIST, once
    // for the whole run: only the root config has it.
    globalSetup: ['test/support/global-setup.ts'],
    // Two workers on 2 cores: integration tests spend most of their time waiting on child
    // processes (git, the bundles), so a second worker overlaps that wait (3m38s against 4m16s
    // for one worker on an idle 2-core machine, measured 2026-12-01).
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // One module graph per worker instead of one per file: the 79 files cost 128 s of CPU
          // isolated and 56 s not (2026-12-02). So a unit test must not leave global state
          // behind (process.env, the working directory, mocked modules, mutated module state):
          // docs/testing.md.
          isolate: false,
        },
      },
      {
        test: {
          ...shared,
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
        },
      },
    ],
  },
});
