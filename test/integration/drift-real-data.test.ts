/**
 * drift-check on real public data (Seattle and New York weather, test/fixtures/data/SOURCES.md)
 * gives what SciPy gives under Evidently 0.7's default rules: the same test per column, the same
 * statistic, p-value and value to 1e-9 relative, the same drift flags and dataset verdict. The
 * expected values are test/fixtures/reference/drift-real.json, written by
 * scripts/gen-drift-real-reference.py with SciPy 1.10. Checked through the action bundle, through
 * `mlops drift-check`, against a stored profile of the reference (exact at these sizes), against
 * the merge of profiles of its shards (action-templates/profile-shards.yml), and with the tests a
 * config picks (psi, kl_div, Sturges-binned jensenshannon, wasserstein on small references).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { differences, expectEvidently, realDataReference, type Report } from '../support/drift-real.js';
import { repoRoot, runBundle, runCliBundle } from '../support/runner.js';

const expected = realDataReference();

let workspace: string;
beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'mlops-drift-real-'));
  cpSync(join(repoRoot, 'test/fixtures/data/drift'), join(workspace, 'data'), { recursive: true });
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

const data = (fixture: string) => join('data', fixture.split('/').pop()!);
const readReport = (path: string) => JSON.parse(readFileSync(join(workspace, path), 'utf8')) as Report;

/** Runs `mlops` in the workspace; it must succeed (fail-on-drift is off, so drift exits 0). */
async function cli(args: string[]): Promise<void> {
  const result = await runCliBundle(args, { cwd: workspace });
  expect(result.code, `mlops ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
}

describe.each(expected.pairs.map((pair) => [pair.name, pair] as const))('%s', (name, pair) => {
  it('the drift-check bundle picks Evidently’s tests and gives SciPy’s values and flags', async () => {
    const report = `reports/${name}-action.json`;
    const result = await runBundle('drift-check', {
      workspace,
      inputs: { reference: data(pair.reference), current: data(pair.current), report, 'open-issue': 'false' },
    });
    expect(result.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(result.code).toBe(0);
    expectEvidently(readReport(report), pair);
    expect(result.outputs.drift).toBe(String(pair.drift));
    expect(JSON.parse(result.outputs['drifted-columns']!)).toEqual(pair.drifted_columns);
  });

  it('mlops drift-check in local mode gives the same', async () => {
    const report = `reports/${name}-cli.json`;
    await cli(
      ['drift-check', '--reference', data(pair.reference), '--current', data(pair.current)].concat([
        '--report',
        report,
        '--open-issue',
        'false',
      ]),
    );
    expectEvidently(readReport(report), pair);
  });

  it('against a stored profile of the reference, the same', async () => {
    const profile = `profiles/${name}.json`;
    await cli(['profile', '--data', data(pair.reference), '--profile-out', profile]);
    const report = `reports/${name}-profile.json`;
    await cli(
      ['drift-check', '--reference', profile, '--current', data(pair.current)].concat([
        '--report',
        report,
        '--open-issue',
        'false',
      ]),
    );
    expectEvidently(readReport(report), pair);
  });

  it('the tests a config picks (psi, kl_div, jensenshannon, wasserstein) give SciPy’s values', async () => {
    const report = `reports/${name}-overrides.json`;
    for (const test of ['psi', 'kl_div', 'jensenshannon', 'wasserstein']) {
      const columns = pair.overrides.filter((c) => c.test === test);
      const config = `${name}-${test}.yml`;
      writeFileSync(
        join(workspace, config),
        `columns:\n${columns.map((c) => `  ${c.column}: {test: ${test}}`).join('\n')}\n`,
      );
      await cli(
        ['drift-check', '--reference', data(pair.reference), '--current', data(pair.current)]
          .concat(['--config', config, '--columns', columns.map((c) => c.column).join(',')])
          .concat(['--report', report, '--open-issue', 'false']),
      );
      expect(differences(readReport(report), pair, columns)).toEqual([]);
    }
  });
});

describe('profile-shards (action-templates/profile-shards.yml) on real data', () => {
  const pair = expected.pairs.find((p) => p.reference_rows > 1000)!;

  it('profiles of four shards of the reference, merged, give the same result as the whole', async () => {
    const lines = readFileSync(join(workspace, data(pair.reference)), 'utf8')
      .trimEnd()
      .split('\n');
    const [header, ...rows] = lines;
    const size = Math.ceil(rows.length / 4);
    const profiles: string[] = [];
    for (let shard = 0; shard < 4; shard++) {
      const file = `shard-${shard}.csv`;
      writeFileSync(join(workspace, file), [header, ...rows.slice(shard * size, (shard + 1) * size)].join('\n') + '\n');
      profiles.push(`profile-shard-${shard}.json`);
      await cli(['profile', '--data', file, '--profile-out', profiles[shard]!]);
    }
    await cli(['profile', '--merge', ...profiles, '--profile-out', 'reference-merged.json']);
    const report = 'reports/shards.json';
    await cli(
      ['drift-check', '--reference', 'reference-merged.json', '--current', data(pair.current)].concat([
        '--report',
        report,
        '--open-issue',
        'false',
      ]),
    );
    expectEvidently(readReport(report), pair);
  });
});
