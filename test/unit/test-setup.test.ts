/**
 * What vitest's global setup (test/support/global-setup.ts) promises the other tests: bundles
 * built from the current sources in a folder of their own, and the generated validators in place.
 */
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { distDir, processTimeoutMs, repoRoot } from '../support/runner.js';

describe('the test run', () => {
  const given = inject('mlopsDist');

  it('points every worker at the bundles it set up, through MLOPS_DIST', () => {
    expect(process.env.MLOPS_DIST).toBe(given.dir);
    expect(existsSync(join(given.dir, 'cli', 'index.js'))).toBe(true);
    // runner.ts copies those bundles, not the committed dist/, for the integration tests.
    expect(readFileSync(join(distDir(), 'cli', 'index.js'))).toEqual(readFileSync(join(given.dir, 'cli', 'index.js')));
    // The copy is inside the run's folder for copies, which the global teardown removes.
    expect(relative(given.copies, distDir()).startsWith('..')).toBe(false);
    expect(relative(repoRoot, given.copies).startsWith('..')).toBe(true);
  });

  it('builds the bundles outside the repository unless MLOPS_DIST was given', () => {
    if (!given.builtFromSources) return; // a private build or the committed dist/ was asked for
    expect(relative(resolve(tmpdir()), resolve(given.dir)).startsWith('..')).toBe(false);
    expect(relative(repoRoot, resolve(given.dir)).startsWith('..')).toBe(true);
  });

  it('has generated the schema validators', () => {
    for (const name of ['registry', 'suite', 'gates']) {
      expect(existsSync(join(repoRoot, 'src', 'generated', 'validators', `${name}.js`)), name).toBe(true);
    }
  });

  it('gives bundle runs a limit just under the test’s own, which stress tests raise', { timeout: 77_000 }, () => {
    expect(processTimeoutMs()).toBe(72_000);
  });

  it('gives bundle runs outside a longer limit the default test limit less a margin', () => {
    expect(processTimeoutMs()).toBe(115_000);
  });
});
