/**
 * validate-data and `mlops profile`, run from the built bundles as the runner runs them: passing
 * and failing suites, the report file, the step summary, the outputs, annotations on the data
 * file's lines, identical reports over CSV, Parquet and JSON Lines of the same data, GE semantics
 * on real data, and every bad input with its message.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runBundle, runCliBundle, type BundleResult } from '../support/runner.js';
import { runActionInProcess, runCliInProcess } from '../support/in-process.js';

let workspace: string;

const PASSING = `# yaml-language-server: $schema=../schemas/expectation-suite.schema.json
name: penguins-basics
expectations:
  - type: expect_table_row_count_to_be_between
    kwargs: {min_value: 300, max_value: 400}
  - type: expect_table_columns_to_match_set
    kwargs: {column_set: [Species, Island, Sex], exact_match: false}
  - type: expect_column_values_to_be_in_set
    kwargs: {column: Species, value_set: [Adelie, Gentoo, Chinstrap]}
  - type: expect_column_values_to_not_be_null
    kwargs: {column: Sex, mostly: 0.95}
  - type: expect_column_values_to_be_between
    kwargs: {column: Body Mass (g), min_value: 2700, max_value: 6300}
  - type: expect_column_median_to_be_between
    kwargs: {column: Flipper Length (mm), min_value: 190, max_value: 200}
`;

const FAILING = `name: penguins-strict
expectations:
  - type: expect_column_values_to_be_between
    kwargs: {column: Body Mass (g), min_value: 2700, max_value: 6000}
  - type: expect_column_values_to_be_in_set
    kwargs: {column: Sex, value_set: [MALE, FEMALE]}
  - type: expect_column_mean_to_be_between
    kwargs: {column: Flipper Length (mm), min_value: 100, max_value: 150}
  - type: expect_column_values_to_not_be_null
    kwargs: {column: Species}
  - type: expect_column_value_z_scores_to_be_less_than
    kwargs: {column: Beak Length (mm), threshold: 2}
  - type: expect_compound_columns_to_be_unique
    kwargs: {column_list: [Species, Island, Beak Length (mm), Beak Depth (mm)]}
  - type: expect_column_pair_values_a_to_be_greater_than_b
    kwargs: {column_A: Flipper Length (mm), column_B: Body Mass (g)}
  - type: expect_column_quantile_values_to_be_between
    kwargs:
      column: Body Mass (g)
      quantile_ranges: {quantiles: [0.25, 0.5, 0.75], value_ranges: [[3500, 3600], [4000, 4100], [4700, 4800]]}
`;

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'mlops-validate-'));
  for (const name of ['penguins.csv', 'penguins.parquet', 'penguins.jsonl', 'penguins.csv.gz']) {
    cpSync(join(repoRoot, 'test/fixtures/data', name), join(workspace, name));
  }
  cpSync(join(repoRoot, 'test/fixtures/data/parts'), join(workspace, 'parts'), { recursive: true });
  cpSync(join(repoRoot, 'test/fixtures/suites/penguins-ge0.json'), join(workspace, 'penguins-ge0.json'));
  writeFileSync(join(workspace, 'passing.yml'), PASSING);
  writeFileSync(join(workspace, 'failing.yml'), FAILING);
});

afterAll(() => rmSync(workspace, { recursive: true, force: true }));

/**
 * Runs the validate-data action: in this process (the same entry code), or through the built
 * bundle when `bundle` is set, for the cases about what the bundle reports: outputs, summary,
 * annotations and exit codes, and GE semantics on real data.
 */
function validate(inputs: Record<string, string>, bundle = false): Promise<BundleResult> {
  return (bundle ? runBundle : runActionInProcess)('validate-data', { workspace, inputs });
}

function readReport(path: string): {
  success: boolean;
  statistics: Record<string, number>;
  results: Array<{
    success: boolean;
    expectation_config: { type: string };
    result: Record<string, unknown>;
    exception_info: Record<string, unknown>;
  }>;
  meta: Record<string, unknown>;
} {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** A report without what depends on the file format: where rows are, and the run's metadata. */
function portable(path: string): unknown {
  const report = readReport(path);
  delete (report as { meta?: unknown }).meta;
  for (const result of report.results) delete result.result.partial_unexpected_locations;
  return report;
}

const STACK = /^\s+at .+[(:]\d+/m;

describe('validate-data', () => {
  it('passes a suite the data meets: outputs, report file, step summary', async () => {
    const result = await validate({ data: 'penguins.csv', suite: 'passing.yml' }, true);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const reportPath = join(workspace, 'mlops-reports/validate-data.json');
    expect(result.outputs).toEqual({ passed: 'true', report: reportPath, rows: '344', evaluated: '6', failed: '0' });
    expect(result.annotations.filter((a) => a.level === 'error')).toEqual([]);
    const report = readReport(reportPath);
    expect(report).toMatchObject({
      success: true,
      statistics: {
        evaluated_expectations: 6,
        successful_expectations: 6,
        unsuccessful_expectations: 0,
        success_percent: 100,
      },
      suite_name: 'penguins-basics',
      meta: { suite_file: 'passing.yml', data: { files: ['penguins.csv'], rows: 344, passes: 1 } },
    });
    expect(report.results.map((r) => r.expectation_config.type)).toEqual([
      'expect_table_row_count_to_be_between',
      'expect_table_columns_to_match_set',
      'expect_column_values_to_be_in_set',
      'expect_column_values_to_not_be_null',
      'expect_column_values_to_be_between',
      'expect_column_median_to_be_between',
    ]);
    expect(report.results[3]!.result).toMatchObject({
      element_count: 344,
      unexpected_count: 10,
      unexpected_percent: (10 / 344) * 100,
    });
    expect(report.results[5]!.result).toEqual({ observed_value: 197 });
    expect(result.summary).toContain('### ✅ validate-data: all 6 expectations passed');
    expect(result.summary).toMatch(
      /\|\s+#\s+\| Expectation\s+\| Column\s+\| Observed\s+\| Unexpected %\s+\| Status\s+\|/,
    );
    expect(result.summary).toMatch(
      /\| `expect_column_values_to_not_be_null`\s+\| Sex\s+\| 10 unexpected: null, null, null, …\s+\|\s+2\.91% \|/,
    );
    expect(readdirSync(join(workspace, 'mlops-reports')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('fails a suite the data breaks: exit 1, annotations on the data lines, the failure line', async () => {
    const result = await validate(
      {
        data: 'penguins.csv',
        suite: 'failing.yml',
        report: 'out/strict.json',
        'max-annotations': '6',
      },
      true,
    );
    expect(result.code).toBe(1);
    const reportPath = join(workspace, 'out/strict.json');
    expect(result.outputs).toEqual({ passed: 'false', report: reportPath, rows: '344', evaluated: '8', failed: '6' });
    const errors = result.annotations.filter((a) => a.level === 'error');
    // Six annotations, one per failed expectation in suite order, then the step's failure line.
    expect(errors.slice(0, 6)).toEqual([
      {
        level: 'error',
        message: '6300 fails expect_column_values_to_be_between(column=Body Mass (g), min_value=2700, max_value=6000)',
        properties: { file: 'penguins.csv', line: '239' },
      },
      {
        level: 'error',
        message: '"." fails expect_column_values_to_be_in_set(column=Sex, value_set=["MALE","FEMALE"])',
        properties: { file: 'penguins.csv', line: '338' },
      },
      {
        level: 'error',
        message:
          'expect_column_mean_to_be_between(column=Flipper Length (mm), min_value=100, max_value=150) failed: observed 200.915',
        properties: { file: 'failing.yml', line: '7', col: '5' },
      },
      {
        level: 'error',
        message: expect.stringMatching(
          /^\d+(\.\d+)? fails expect_column_value_z_scores_to_be_less_than\(column=Beak Length \(mm\), threshold=2\)$/,
        ),
        properties: { file: 'penguins.csv', line: expect.stringMatching(/^\d+$/) },
      },
      {
        level: 'error',
        message: expect.stringMatching(/^\{"Species":"Adelie",.* fails expect_compound_columns_to_be_unique/),
        properties: { file: 'penguins.csv', line: expect.stringMatching(/^\d+$/) },
      },
      {
        level: 'error',
        message:
          '[181,3750] fails expect_column_pair_values_a_to_be_greater_than_b(column_A=Flipper Length (mm), column_B=Body Mass (g))',
        properties: { file: 'penguins.csv', line: '2' },
      },
    ]);
    expect(errors[6]).toEqual({
      level: 'error',
      message:
        '6 of 8 expectations failed (344 rows): expect_column_values_to_be_between on Body Mass (g); expect_column_values_to_be_in_set on Sex; expect_column_mean_to_be_between on Flipper Length (mm), and 3 more.',
      properties: { file: 'failing.yml' },
    });
    expect(errors).toHaveLength(7);
    expect(result.stdout).not.toMatch(STACK);

    const report = readReport(reportPath);
    expect(report.statistics).toEqual({
      evaluated_expectations: 8,
      successful_expectations: 2,
      unsuccessful_expectations: 6,
      success_percent: 25,
    });
    expect(report.results[0]!.result).toMatchObject({
      element_count: 344,
      missing_count: 2,
      unexpected_count: 2,
      partial_unexpected_list: [6300, 6050],
      partial_unexpected_locations: [
        { file: 'penguins.csv', line: 239 },
        { file: 'penguins.csv', line: 255 },
      ],
    });
    expect(report.results[7]!.result).toEqual({
      observed_value: { quantiles: [0.25, 0.5, 0.75], values: [3550, 4050, 4750] },
      details: { success_details: [true, true, true] },
    });
    expect(result.summary).toContain('### ❌ validate-data: 6 of 8 expectations failed');
    expect(result.summary).toMatch(
      /\| `expect_column_values_to_be_between`\s+\| Body Mass \(g\)\s+\| 2 unexpected: 6300, 6050\s+\|\s+0\.58% \|\s+❌\s+\|/,
    );
  });

  it('with fail-on: never, reports the failure and passes the step', async () => {
    const result = await validate({
      data: 'penguins.csv',
      suite: 'failing.yml',
      'fail-on': 'never',
      'max-annotations': '0',
    });
    expect(result.code).toBe(0);
    expect(result.outputs.passed).toBe('false');
    expect(result.outputs.failed).toBe('6');
    expect(result.annotations.filter((a) => a.level === 'error')).toEqual([]);
    const warnings = result.annotations.filter((a) => a.level === 'warning');
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/^6 of 8 expectations failed .*\(fail-on: never, so the step passes\)\. Report: /),
    ]);
  });

  it('gives identical reports over CSV, Parquet, JSON Lines and gzipped CSV of the same data', async () => {
    const reports: unknown[] = [];
    for (const [data, format] of [
      ['penguins.csv', 'auto'],
      ['penguins.parquet', 'auto'],
      ['penguins.jsonl', 'auto'],
      ['penguins.csv.gz', 'csv'],
    ] as const) {
      const result = await validate({
        data,
        format,
        suite: 'failing.yml',
        report: `parity/${data}.json`,
        'max-annotations': '3',
      });
      expect(result.code, data).toBe(1);
      reports.push(portable(join(workspace, `parity/${data}.json`)));
    }
    expect(reports[1]).toEqual(reports[0]);
    expect(reports[2]).toEqual(reports[0]);
    expect(reports[3]).toEqual(reports[0]);
    // Where rows are differs by format: lines after the CSV header, JSON Lines lines, Parquet rows.
    const csv = readReport(join(workspace, 'parity/penguins.csv.json')).results[0]!.result.partial_unexpected_locations;
    const jsonl = readReport(join(workspace, 'parity/penguins.jsonl.json')).results[0]!.result
      .partial_unexpected_locations;
    const parquet = readReport(join(workspace, 'parity/penguins.parquet.json')).results[0]!.result
      .partial_unexpected_locations;
    expect(csv).toEqual([
      { file: 'penguins.csv', line: 239 },
      { file: 'penguins.csv', line: 255 },
    ]);
    expect(jsonl).toEqual([
      { file: 'penguins.jsonl', line: 238 },
      { file: 'penguins.jsonl', line: 254 },
    ]);
    expect(parquet).toEqual([
      { file: 'penguins.parquet', row: 238 },
      { file: 'penguins.parquet', row: 254 },
    ]);
  });

  it('matches GE semantics on real data through the bundle (a GE 0.x suite)', async () => {
    const result = await validate(
      {
        data: 'penguins.csv',
        suite: 'penguins-ge0.json',
        report: 'ge0.json',
        'max-annotations': '0',
      },
      true,
    );
    expect(result.code).toBe(1);
    const reference = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/reference/penguins-ge0.json'), 'utf8')) as {
      results: Array<{ success: boolean; exception?: boolean; result: { unexpected_count?: number } }>;
    };
    const report = readReport(join(workspace, 'ge0.json'));
    expect(report.results.map((r) => r.success)).toEqual(reference.results.map((r) => r.success));
    expect(report.results.map((r) => r.exception_info.raised_exception)).toEqual(
      reference.results.map((r) => r.exception === true),
    );
    expect(report.results.map((r) => r.result.unexpected_count)).toEqual(
      reference.results.map((r) => r.result.unexpected_count),
    );
    // GE 0.x names are reported with their 1.x spelling.
    expect(report.results[60]!.expectation_config.type).toBe('expect_column_pair_values_a_to_be_greater_than_b');
  });

  it('reads several files as one dataset and annotates each on its own file', async () => {
    writeFileSync(
      join(workspace, 'parts.yml'),
      [
        'name: parts',
        'expectations:',
        '  - type: expect_column_values_to_be_between',
        '    kwargs: {column: Body Mass (g), max_value: 5500}',
        '  - type: expect_column_values_to_not_be_null',
        '    kwargs: {column: Sex}',
        '  - type: expect_table_row_count_to_equal',
        '    kwargs: {value: 344}',
        '',
      ].join('\n'),
    );
    const result = await validate({ data: 'parts/part-*.csv', suite: 'parts.yml', 'max-annotations': '4' });
    expect(result.code).toBe(1);
    expect(result.outputs).toMatchObject({ rows: '344', failed: '2' });
    const rows = result.annotations.filter((a) => a.properties.line !== undefined && a.properties.file !== 'parts.yml');
    // Round-robin over the failed expectations: the heavy rows of part-1, the missing sexes of part-0.
    expect(rows.map((a) => [a.properties.file, a.message.split(' fails ')[1]!.split('(')[0]])).toEqual([
      ['parts/part-1.csv', 'expect_column_values_to_be_between'],
      ['parts/part-0.csv', 'expect_column_values_to_not_be_null'],
      ['parts/part-1.csv', 'expect_column_values_to_be_between'],
      ['parts/part-0.csv', 'expect_column_values_to_not_be_null'],
    ]);
  });
});

describe('validate-data: bad inputs', () => {
  function expectOneError(result: BundleResult, message: string, properties: Record<string, string> = {}): void {
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error');
    expect(errors).toEqual([{ level: 'error', message, properties }]);
    expect(result.stdout).not.toMatch(STACK);
    expect(result.outputs).toEqual({});
  }

  it('a suite file that does not exist', async () => {
    expectOneError(
      await validate({ data: 'penguins.csv', suite: 'nope.yml' }),
      'Input "suite": nope.yml does not exist.',
    );
  });

  it('a suite with a YAML syntax error: file and line', async () => {
    writeFileSync(
      join(workspace, 'broken.yml'),
      'name: x\nexpectations:\n  - type: expect_column_values_to_be_unique\n    kwargs: {column: Sex\n  - type: x\n',
    );
    const result = await validate({ data: 'penguins.csv', suite: 'broken.yml', report: 'broken-report.json' });
    expect(result.code).toBe(1);
    const [error] = result.annotations.filter((a) => a.level === 'error');
    expect(error!.message).toMatch(/^broken\.yml:5:\d+: invalid YAML: /);
    expect(error!.properties).toMatchObject({ file: 'broken.yml', line: '5' });
    expect(existsSync(join(workspace, 'broken-report.json'))).toBe(false);
  });

  it('an unknown expectation, and a wrong kwarg: index and key', async () => {
    writeFileSync(
      join(workspace, 'unknown.yml'),
      'name: x\nexpectations:\n  - type: expect_column_values_to_be_unique\n    kwargs: {column: Sex}\n  - type: expect_column_to_be_awesome\n    kwargs: {column: Sex}\n',
    );
    expectOneError(
      await validate({ data: 'penguins.csv', suite: 'unknown.yml' }),
      'unknown.yml:5:11, key "expectations[1].type": expectations[1]: unknown expectation "expect_column_to_be_awesome"; see docs/validate-data.md for the supported ones.',
      { file: 'unknown.yml', line: '5', col: '11' },
    );
    writeFileSync(
      join(workspace, 'kwarg.json'),
      JSON.stringify(
        { name: 'x', expectations: [{ type: 'expect_column_values_to_be_unique', kwargs: { colum: 'Sex' } }] },
        null,
        2,
      ),
    );
    const result = await validate({ data: 'penguins.csv', suite: 'kwarg.json' });
    expect(result.code).toBe(1);
    expect(result.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      expect.stringMatching(
        /^kwarg\.json:7:9, key "expectations\[0\]\.kwargs\.colum": expectations\[0\] \(expect_column_values_to_be_unique\): unknown kwarg "colum" \(did you mean "column"\?\); allowed: column, mostly,/,
      ),
    ]);
  });

  it('a data file that does not exist', async () => {
    const result = await validate({ data: 'missing.csv', suite: 'passing.yml' });
    expect(result.code).toBe(1);
    expect(result.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      'missing.csv: no such file',
    ]);
  });
});

describe('validate-data: one text cell in a numeric column, a renamed column', () => {
  it('points at the cell that makes the column text, not at valid rows, and suggests the renamed column', async () => {
    const lines = ['day,wind'];
    for (let line = 2; line <= 30; line++) lines.push(`${line},${line === 21 ? 'abc' : (line * 1.5).toString()}`);
    writeFileSync(join(workspace, 'wind.csv'), `${lines.join('\n')}\n`);
    writeFileSync(
      join(workspace, 'wind.yml'),
      [
        'name: wind',
        'expectations:',
        '  - type: expect_column_values_to_be_of_type',
        '    kwargs: {column: wind, type_: float64}',
        '  - type: expect_column_mean_to_be_between',
        '    kwargs: {column: wind, min_value: 0, max_value: 100}',
        '  - type: expect_column_values_to_not_be_null',
        '    kwargs: {column: wind_speed}',
        '',
      ].join('\n'),
    );
    const result = await runCliInProcess(
      ['validate-data', '--data', 'wind.csv', '--suite', 'wind.yml', '--report', 'wind.json'],
      {
        cwd: workspace,
      },
    );
    expect(result.code, result.stderr).toBe(1);
    const data = join(workspace, 'wind.csv');
    expect(result.stderr).toContain(
      `error: ${data}:21: "abc" (line 21) is the first value of column "wind" that is not a number: pandas reads the whole column as text, so expect_column_values_to_be_of_type(column=wind, type_=float64) failed: observed 29 unexpected:`,
    );
    expect(result.stderr).toContain(
      `error: ${data}:21: "abc" (line 21) is the first value of column "wind" that is not a number: pandas reads the whole column as text, so expect_column_mean_to_be_between(column=wind, min_value=0, max_value=100) failed: raised: could not compute a numeric statistic`,
    );
    // Valid rows are not annotated.
    expect(result.stderr).not.toMatch(new RegExp(`${data.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(2|3|4):`));
    expect(result.stderr).toContain('The column "wind_speed" in BatchData does not exist. (did you mean "wind"?)');
    const report = readReport(join(workspace, 'wind.json'));
    // GE's verdict stands: every value of the (now text) column fails the float64 check.
    expect(report.results[0]!.result.unexpected_count).toBe(29);
    expect(report.results[0]!.result.first_text_cell).toEqual({ value: 'abc', file: 'wind.csv', line: 21 });

    // In the action, the step summary names the cell too.
    const step = await validate({ data: 'wind.csv', suite: 'wind.yml', report: 'wind-action.json' });
    expect(step.code).toBe(1);
    expect(step.summary).toMatch(
      /\|\s+2 \| `expect_column_mean_to_be_between`\s+\| wind\s+\| error: could not compute a numeric statistic.*; the column is text because of "abc" \(wind\.csv:21\)/,
    );
  }, 120_000);
});

describe('validate-data: catastrophic regexes', () => {
  // 24 a's and a '!': ^(a+)+$ backtracks through 2^24 ways on each of these (about half a second
  // each in a backtracking engine: 10,000 of them would take more than an hour).
  beforeAll(() => {
    const rows = Array.from({ length: 10_000 }, (_, index) => `${index},${'a'.repeat(24)}!`);
    writeFileSync(join(workspace, 'aaa.csv'), `id,word\n${rows.join('\n')}\n`);
  });

  it('matches ^(a+)+$ on 10,000 rows in linear time, with the verdict a full match would give', async () => {
    writeFileSync(
      join(workspace, 'nested.yml'),
      `name: nested\nexpectations:\n  - type: expect_column_values_to_match_regex\n    kwargs: {column: word, regex: '^(a+)+$'}\n`,
    );
    const started = Date.now();
    const result = await runCliInProcess(
      ['validate-data', '--data', 'aaa.csv', '--suite', 'nested.yml', '--report', 'nested.json'],
      {
        cwd: workspace,
      },
    );
    expect(result.code, result.stderr).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    const report = readReport(join(workspace, 'nested.json'));
    expect(report.results[0]!.exception_info.raised_exception).toBe(false);
    expect(report.results[0]!.result.unexpected_count).toBe(10_000);
  }, 120_000);

  it('ends a pattern no linear engine can run when its time budget runs out, naming the expectation and the pattern', async () => {
    // A back-reference keeps V8 on its backtracking engine: the budget (suite meta) ends it.
    writeFileSync(
      join(workspace, 'backref.yml'),
      [
        'name: backref',
        'meta: {regex_time_budget_seconds: 0.5}',
        'expectations:',
        '  - type: expect_column_values_to_not_be_null',
        '    kwargs: {column: word}',
        '  - type: expect_column_values_to_match_regex',
        "    kwargs: {column: word, regex: '^(a+)+\\1$'}",
        '',
      ].join('\n'),
    );
    const started = Date.now();
    const result = await runCliBundle(['validate-data', '--data', 'aaa.csv', '--suite', 'backref.yml'], {
      cwd: workspace,
    });
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      /backref\.yml:6:5, key "expectations\[1\]": .*expectations\[1\] \(expect_column_values_to_match_regex\): the regex "\^\(a\+\)\+\\\\1\$" ran past its time budget of 0\.5 s/,
    );
    expect(result.stderr).not.toMatch(STACK);
  }, 120_000);
});

describe('the mlops CLI', () => {
  it('validate-data exits 0, 1 or 2', async () => {
    const pass = await runCliBundle(
      ['validate-data', '--data', 'penguins.csv', '--suite', 'passing.yml', '--report', 'cli.json'],
      { cwd: workspace },
    );
    expect(pass.code, pass.stderr).toBe(0);
    expect(pass.stdout).toContain('PASSED  validate-data: all');
    const fail = await runCliBundle(
      ['validate-data', '--data', 'penguins.csv', '--suite', 'failing.yml', '--max-annotations', '1'],
      { cwd: workspace },
    );
    expect(fail.code).toBe(1);
    expect(fail.stderr).toContain(
      `error: ${join(workspace, 'penguins.csv')}:239: 6300 fails expect_column_values_to_be_between`,
    );
    const bad = await runCliBundle(['validate-data', '--data', 'penguins.csv', '--suite', 'unknown.yml'], {
      cwd: workspace,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^mlops: error: unknown\.yml:5:11, key "expectations\[1\]\.type": /m);
  });

  it('profile writes a starter suite that the same data passes, in every format', async () => {
    const result = await runCliInProcess(
      ['profile', '--data', 'penguins.csv', '--suite-out', 'starter.yml', '--profile-out', 'profile.json'],
      { cwd: workspace },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      [
        'Profiled 344 rows × 7 columns (penguins.csv).',
        'Wrote 31 expectations to starter.yml. Review them, then run:',
        '  mlops validate-data --data penguins.csv --suite starter.yml',
        'Wrote the profile to profile.json.',
        '',
      ].join('\n'),
    );
    const suite = readFileSync(join(workspace, 'starter.yml'), 'utf8');
    // The bundles run from a copy of dist/ with no schemas/ beside it, outside any git work tree:
    // no path would resolve, so the suite says how to add one rather than naming a URL that fails.
    expect(suite.split('\n').slice(0, 3)).toEqual([
      '# For completion in editors, add the line "# yaml-language-server: $schema=<schema>" with <schema>',
      '# https://raw.githubusercontent.com/OWNER/mlops/v1/schemas/expectation-suite.schema.json, where',
      '# OWNER is the GitHub user or organisation that hosts your copy of mlops (or a path to that file).',
    ]);
    expect(suite).toContain('value_set: [ Adelie, Chinstrap, Gentoo ]');
    const profile = JSON.parse(readFileSync(join(workspace, 'profile.json'), 'utf8')) as {
      rows: number;
      suite_profile: { columns: Array<{ name: string; missing: number }> };
    };
    expect(profile.rows).toBe(344);
    expect(profile.suite_profile.columns.find((c) => c.name === 'Sex')!.missing).toBe(10);
    for (const data of ['penguins.csv', 'penguins.parquet', 'penguins.jsonl']) {
      const check = await validate({ data, suite: 'starter.yml', report: `starter-${data}.json` });
      expect(check.code, `${data}: ${check.stdout}`).toBe(0);
      expect(check.outputs.evaluated).toBe('31');
    }
  });

  it('profile refuses to overwrite a suite without --force, and explains its options', async () => {
    const again = await runCliInProcess(['profile', '--data', 'penguins.csv', '--suite-out', 'starter.yml'], {
      cwd: workspace,
    });
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('mlops: error: --suite-out: starter.yml already exists; use --force to overwrite it.\n');
    const forced = await runCliInProcess(
      ['profile', '--data', 'penguins.parquet', '--suite-out', 'starter.yml', '--force', '--json'],
      { cwd: workspace },
    );
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toEqual({
      rows: 344,
      columns: 7,
      expectations: 31,
      suite: join(workspace, 'starter.yml'),
      profile: null,
    });
    const help = await runCliInProcess(['profile', '--help'], { cwd: workspace });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(
      /^mlops profile: Profile a dataset and write a starter expectation suite for validate-data\.\n\nUsage: mlops profile --data <path\|glob> --suite-out <file> \[options\]\n/,
    );
    const missing = await runCliInProcess(['profile', '--data', 'penguins.csv'], { cwd: workspace });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      'mlops: error: Missing required option --suite-out <file> (or --profile-out <file>) (see mlops profile --help).\n',
    );
    const unknown = await runCliInProcess(['profile', '--dat', 'penguins.csv'], { cwd: workspace });
    expect(unknown.stderr).toBe('mlops: error: Unknown option --dat for mlops profile. Did you mean --data?\n');
    const top = await runCliInProcess(['--help'], { cwd: workspace });
    expect(top.stdout).toMatch(/profile\s+Profile a dataset and write a starter expectation suite for validate-data\./);
  });
});
