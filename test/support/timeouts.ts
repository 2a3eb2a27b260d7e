/**
 * Time limits for tests that load the machine on purpose, sized for a busy 2-core machine (CI
 * runners, a laptop running other work): they must fail on a hang, never on a slow but correct
 * run. They are given to the describe block holding such tests (`describe(name, { timeout }, ...)`),
 * and the bundle and CLI runs inside take a limit just under the test's (runner.ts). The default
 * for every other test is in vitest.config.ts.
 */

/** Many processes at once (16 writers racing one registry branch: 61 s on a loaded 2-core machine, over 240 s at load 30). */
export const STRESS_TEST_TIMEOUT_MS = 300_000;

/** A process killed mid-way and the recovery after it: several bundle runs and clones in a row. */
export const KILL_TEST_TIMEOUT_MS = 180_000;
