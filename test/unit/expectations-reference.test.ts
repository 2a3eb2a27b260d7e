/**
 * Results on real public data (the Palmer penguins, as vega-datasets distributes them) match Great Expectations'
 * pandas engine: test/fixtures/reference/penguins-ge0.json holds what scripts/gen-ge-reference.py
 * computed with pandas, following GE's metric implementations, for every expectation of
 * test/fixtures/suites/penguins-ge0.json (a GE 0.x suite).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/core/data/dataset.js';
import { parseDelimited } from '../../src/core/data/delimited.js';
import { runSuite, type ValidationRun } from '../../src/core/validation/engine.js';
import { buildReport, type ValidationReportJson } from '../../src/core/validation/report.js';
import { parseSuite } from '../../src/core/validation/suite.js';
import { repoRoot } from '../support/runner.js';

interface Reference {
  results: Array<{ success: boolean; result: Record<string, unknown>; lines?: number[]; exception?: boolean }>;
}

const dataFile = join(repoRoot, 'test/fixtures/data/penguins.csv');
const suiteText = readFileSync(join(repoRoot, 'test/fixtures/suites/penguins-ge0.json'), 'utf8');
const reference = JSON.parse(
  readFileSync(join(repoRoot, 'test/fixtures/reference/penguins-ge0.json'), 'utf8'),
) as Reference;

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

/** The penguins CSV through the core reader, in small batches so that state crosses batches. */
async function penguins(): Promise<Dataset> {
  const bytes = new Uint8Array(readFileSync(dataFile));
  const { columns } = await parseDelimited(chunks(bytes, bytes.length), { file: 'penguins.csv' });
  return {
    files: ['penguins.csv'],
    columns,
    async *batches() {
      const table = await parseDelimited(chunks(bytes, 997), { file: 'penguins.csv', batchSize: 16 });
      for await (const batch of table.batches)
        yield { file: 'penguins.csv', rows: batch.rows, lines: batch.lines, firstRow: 0 };
    },
  };
}

/** Deep equality with numbers compared to 1e-9 relative. */
function expectClose(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    expect(Math.abs(actual - expected), `${path}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
      1e-9 * Math.max(1, Math.abs(expected)),
    );
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, `${path} length`).toBe(expected.length);
    expected.forEach((item, index) => expectClose((actual as unknown[])[index], item, `${path}[${index}]`));
    return;
  }
  if (expected && typeof expected === 'object') {
    expect(actual && typeof actual === 'object', path).toBeTruthy();
    for (const [key, value] of Object.entries(expected))
      expectClose((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    return;
  }
  expect(actual, path).toEqual(expected);
}

describe('GE semantics on the penguins dataset', () => {
  let run: ValidationRun;
  let report: ValidationReportJson;
  beforeAll(async () => {
    run = await runSuite(await penguins(), parseSuite(suiteText, 'penguins-ge0.json'));
    report = buildReport(run, { files: ['penguins.csv'], suite: 'penguins-ge0.json' });
  });

  it('evaluates every expectation of the suite, in order', () => {
    expect(report.results).toHaveLength(reference.results.length);
    expect(run.rows).toBe(344);
    expect(run.passes).toBe(2);
  });

  it.each(reference.results.map((expected, index) => [index, expected] as const))(
    'expectation %i',
    (index, expected) => {
      const actual = report.results[index]!;
      const label = `${index} ${actual.expectation_config.type}`;
      expect(actual.success, label).toBe(expected.success);
      expect(actual.exception_info.raised_exception, label).toBe(expected.exception === true);
      if (expected.exception) return;
      expectClose(actual.result, expected.result, label);
      if (expected.lines) {
        const lines = (actual.result.partial_unexpected_locations as Array<{ line: number }>).map(
          (location) => location.line,
        );
        expect(lines, `${label} lines`).toEqual(expected.lines);
      }
    },
  );
});
