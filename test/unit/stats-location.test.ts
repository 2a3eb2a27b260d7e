import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { erf, mannWhitneyU, welchTTest } from '../../src/core/stats/index.js';
import { expectClose, float, sample, vectors, type JsonFloat, type SampleSpec } from './stats-reference.js';

interface LocationCase {
  name: string;
  a: SampleSpec;
  b: SampleSpec;
  welch: { statistic: JsonFloat; pValue: JsonFloat; df: JsonFloat };
  mannWhitneyU: { statistic: number; pValue: number };
}

describe('welchTTest against scipy.stats.ttest_ind(equal_var=False)', () => {
  for (const reference of (vectors.location as LocationCase[]).filter((c) => !Number.isNaN(float(c.welch.statistic)))) {
    it(reference.name, () => {
      const result = welchTTest(sample(reference.a), sample(reference.b));
      expectClose(result.statistic, reference.welch.statistic, 1e-10, 'statistic');
      expectClose(result.pValue, reference.welch.pValue, 1e-9, 'p-value');
      expectClose(result.df, reference.welch.df, 1e-10, 'df');
    });
  }

  it('rejects a sample of fewer than two values (SciPy returns NaN), naming the argument', () => {
    expect(() => welchTTest([0.5], [0.1, 0.2])).toThrow(
      new InputError('a has 1 value(s): this statistic needs at least 2.'),
    );
    expect(() => welchTTest([0.5, 1], [])).toThrow(/^b has 0 value\(s\)/);
    expect(() => welchTTest([0.5, NaN], [1, 2])).toThrow(/^a\[1\] is NaN/);
  });
});

describe('mannWhitneyU against scipy.stats.mannwhitneyu (two-sided, auto)', () => {
  for (const reference of vectors.location as LocationCase[]) {
    it(reference.name, () => {
      const result = mannWhitneyU(sample(reference.a), sample(reference.b));
      expect(result.statistic).toBe(reference.mannWhitneyU.statistic);
      expectClose(result.pValue, reference.mannWhitneyU.pValue, 1e-9, 'p-value');
    });
  }

  it('rejects an empty sample, naming the argument', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(new InputError('a is empty: a statistic needs at least one value.'));
    expect(() => mannWhitneyU([1], [Infinity])).toThrow(/^b\[0\] is Infinity/);
  });
});

describe('mannWhitneyU exact branch on an unbalanced pair', () => {
  it('counts 8 values against 2,000 without ties quickly and agrees with the normal approximation near the middle', () => {
    const a = sample({ seed: 140, n: 8, scale: 1, shift: 0, integer: false });
    const b = sample({ seed: 141, n: 2000, scale: 1, shift: 0, integer: false });
    const started = performance.now();
    const exact = mannWhitneyU(a, b);
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(exact.pValue).toBeGreaterThan(0);
    expect(exact.pValue).toBeLessThanOrEqual(1);
    // With 8 values against 2,000 the normal approximation is close; the exact count must be too.
    const z = (Math.max(exact.statistic, 8 * 2000 - exact.statistic) - 8000 - 0.5) / Math.sqrt((8 * 2000 * 2009) / 12);
    const approximate = Math.min(1, 2 * (0.5 * (1 - erf(z / Math.SQRT2))));
    expect(Math.abs(exact.pValue - approximate)).toBeLessThan(0.05);
  });
});
