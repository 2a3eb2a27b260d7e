/**
 * The Python behaviours expectations depend on, checked against vectors produced by the real
 * libraries (scripts/gen-ge-reference.py, committed in test/fixtures/reference/python-semantics.json):
 * pandas medians, quantiles and standard deviations, dateutil.parser.parse, datetime.strptime,
 * re.search, and str() of floats.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  median,
  NumericMoments,
  quantile,
  SortedValues,
  ValueBuffer,
  MemoryBudget,
  type Interpolation,
} from '../../src/core/validation/accumulators.js';
import { pythonFloatText } from '../../src/core/validation/cells.js';
import { parseDateutil } from '../../src/core/validation/dateutil.js';
import { compilePythonRegex } from '../../src/core/validation/pyregex.js';
import { matchesStrftime } from '../../src/core/validation/strptime.js';
import { repoRoot } from '../support/runner.js';

interface Vectors {
  statistics: Array<{
    values: number[];
    median: number;
    std: number | null;
    mean: number;
    sum: number;
    quantiles: number[];
    by_method: Record<Interpolation, number[]>;
  }>;
  dateutil: Array<{ text: string; parseable: boolean; epoch_ms: number | null }>;
  dateutil_today: string;
  strptime: Array<{ text: string; format: string; matches: boolean }>;
  regex: Array<{ pattern: string; text: string; search: boolean }>;
  float_text: Array<{ value: number; text: string }>;
}

const vectors = JSON.parse(
  readFileSync(join(repoRoot, 'test/fixtures/reference/python-semantics.json'), 'utf8'),
) as Vectors;

function closeTo(actual: number | null, expected: number | null): void {
  if (expected === null) {
    expect(actual).toBeNull();
    return;
  }
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
}

describe('statistics match pandas', () => {
  it.each(vectors.statistics.map((c) => [c.values.length, c] as const))(
    'n=%i: median, mean, sum, sample std',
    (_n, c) => {
      const sorted = SortedValues.of(c.values);
      closeTo(median(sorted), c.median);
      const moments = new NumericMoments();
      for (const value of c.values) moments.add(value);
      closeTo(moments.mean, c.mean);
      closeTo(moments.sum, c.sum);
      closeTo(Number.isNaN(moments.stdev) ? null : moments.stdev, c.std);
    },
  );

  it.each(vectors.statistics.map((c) => [c.values.length, c] as const))(
    'n=%i: quantiles with every interpolation',
    (_n, c) => {
      const sorted = SortedValues.of(c.values);
      for (const [method, expected] of Object.entries(c.by_method)) {
        c.quantiles.forEach((q, index) => closeTo(quantile(sorted, q, method as Interpolation), expected[index]!));
      }
    },
  );

  it('an empty column has no median or quantile', () => {
    expect(median(SortedValues.of([]))).toBeNull();
    expect(quantile(SortedValues.of([]), 0.5)).toBeNull();
  });

  it('reads ranks across many sorted chunks as from one sorted array', () => {
    const values = Array.from({ length: 200_003 }, (_, index) => ((index * 7919) % 200_003) - 100_000.5);
    const buffer = new ValueBuffer(new MemoryBudget());
    for (const value of values) buffer.add(value);
    const chunked = buffer.sortedValues();
    const whole = SortedValues.of(values);
    const ranks = [0, 1, 65_535, 65_536, 100_001, 131_072, 200_002];
    expect(chunked.at(ranks)).toEqual(whole.at(ranks));
    for (const q of [0.01, 0.25, 0.5, 0.75, 0.99]) expect(quantile(chunked, q)).toBe(quantile(whole, q));
    expect(median(chunked)).toBe(median(whole));
  });
});

describe('dateutil.parser.parse', () => {
  const today = new Date(vectors.dateutil_today + 'Z');
  it.each(vectors.dateutil.map((c) => [JSON.stringify(c.text), c] as const))('%s', (_label, c) => {
    const epoch = parseDateutil(c.text, today);
    expect(epoch !== undefined).toBe(c.parseable);
    if (c.parseable && c.epoch_ms !== null) expect(epoch).toBe(c.epoch_ms);
  });
});

describe('datetime.strptime', () => {
  it.each(vectors.strptime.map((c) => [c.text, c.format, c.matches] as const))(
    '%j with %j -> %s',
    (text, format, matches) => {
      expect(matchesStrftime(text, format)).toBe(matches);
    },
  );
});

describe('re.search', () => {
  it.each(vectors.regex.map((c) => [c.pattern, c.text, c.search] as const))(
    '%j in %j -> %s',
    (pattern, text, search) => {
      expect(compilePythonRegex(pattern).test(text)).toBe(search);
    },
  );
});

describe('str(float)', () => {
  it.each(vectors.float_text.map((c) => [c.value, c.text] as const))('%d -> %s', (value, text) => {
    expect(pythonFloatText(value)).toBe(text);
  });
});
