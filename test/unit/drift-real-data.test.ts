/**
 * The drift engine (src/core/drift) on real public data, read by the dataset reader drift-check
 * uses, equals SciPy under Evidently 0.7's default rules (test/fixtures/reference/drift-real.json):
 * the fast, in-process half of test/integration/drift-real-data.test.ts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDataset } from '../../src/adapters/fs/dataset.js';
import { detectDrift, DriftProfileBuilder, type DriftConfig, type DriftProfile } from '../../src/core/drift/index.js';
import { differences, expectEvidently, realDataReference } from '../support/drift-real.js';
import { repoRoot } from '../support/runner.js';

const expected = realDataReference();

/** The profile of one fixture file (`exactLimit` Infinity for the current side, as detectDrift wants). */
async function profileOf(fixture: string, exactLimit?: number): Promise<DriftProfile> {
  const dataset = await openDataset([fixture], { cwd: repoRoot });
  const builder = new DriftProfileBuilder(dataset.columns, exactLimit === undefined ? {} : { exactLimit });
  for await (const batch of dataset.batches()) builder.addBatch(batch);
  return builder.finish({ files: [fixture] });
}

describe.each(expected.pairs.map((pair) => [pair.name, pair] as const))('%s', (name, pair) => {
  it('detectDrift picks Evidently’s tests and gives SciPy’s values and flags', async () => {
    const report = detectDrift({
      reference: await profileOf(pair.reference),
      current: await profileOf(pair.current, Infinity),
    });
    expectEvidently(report, pair);
  });

  it.each(['psi', 'kl_div', 'jensenshannon', 'wasserstein'] as const)(
    'a config picking %s gives SciPy’s values',
    async (test) => {
      const columns = pair.overrides.filter((c) => c.test === test);
      const config: DriftConfig = {
        source: join('config', `${name}.yml`),
        columns: Object.fromEntries(columns.map((c) => [c.column, { test }])),
      };
      const report = detectDrift({
        reference: await profileOf(pair.reference),
        current: await profileOf(pair.current, Infinity),
        config,
        columns: columns.map((c) => c.column),
      });
      expect(differences(report, pair, columns)).toEqual([]);
    },
  );
});
