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
import { repoRoot, runBundle, runCliBundle } from '../support/runner.js';

interface ExpectedColumn {
  column: string;
  type: 'numeric' | 'categorical';
  test: string;
  statistic: number | null;
  p_value?: number;
  value: number;
  threshold: number;
  drift: boolean;
}
interface ExpectedPair {
  name: string;
  reference: string;
  current: string;
  reference_rows: number;
  current_rows: number;
  drift: boolean;
  share: number;
  drift_share: number;
  drifted_columns: string[];
  columns: ExpectedColumn[];
  overrides: ExpectedColumn[];
}
interface ReportColumn {
  column: string;
  type: string;
  test: string;
  statistic: number;
  p_value?: number;
  value: number;
  threshold: number;
  drift: boolean;
}
interface Report {
  drift: boolean;
  share: number;
  drift_share: number;
  drifted_columns: string[];
  columns: ReportColumn[];
}

const expected = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/reference/drift-real.json'), 'utf8')) as {
  pairs: ExpectedPair[];
};
const RELATIVE = 1e-9;

/** Every way `actual` differs from Evidently's result, one line each (empty: equal). */
function differences(actual: Report, pair: ExpectedPair, columns: ExpectedColumn[]): string[] {
  const found: string[] = [];
  const close = (what: string, got: number | undefined, want: number) => {
    if (got === undefined || !(Math.abs(got - want) <= RELATIVE * Math.abs(want)))
      found.push(`${what}: ${got} instead of ${want}`);
  };
  expect(actual.columns.map((c) => c.column)).toEqual(columns.map((c) => c.column));
  for (const want of columns) {
    const got = actual.columns.find((c) => c.column === want.column)!;
    const where = `${pair.name} ${want.column}`;
    if (got.type !== want.type) found.push(`${where} type: ${got.type} instead of ${want.type}`);
    if (got.test !== want.test) found.push(`${where} test: ${got.test} instead of ${want.test}`);
    if (got.threshold !== want.threshold)
      found.push(`${where} threshold: ${got.threshold} instead of ${want.threshold}`);
    if (got.drift !== want.drift) found.push(`${where} drift: ${got.drift} instead of ${want.drift}`);
    close(`${where} value`, got.value, want.value);
    if (want.statistic !== null) close(`${where} statistic`, got.statistic, want.statistic);
    if (want.p_value !== undefined) close(`${where} p_value`, got.p_value, want.p_value);
  }
  return found;
}

/** The dataset verdict and every column, checked against the default-rules reference. */
function expectEvidently(actual: Report, pair: ExpectedPair): void {
  expect(differences(actual, pair, pair.columns)).toEqual([]);
  expect({
    drift: actual.drift,
    drifted_columns: actual.drifted_columns,
    drift_share: actual.drift_share,
  }).toEqual({ drift: pair.drift, drifted_columns: pair.drifted_columns, drift_share: pair.drift_share });
  expect(actual.share).toBeCloseTo(pair.share, 12);
}

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
