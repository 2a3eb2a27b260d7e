import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { ks2samp } from '../../src/core/stats/index.js';
import { expectClose, sample, vectors, type SampleSpec } from './stats-reference.js';

interface KsCase {
  name: string;
  a: SampleSpec;
  b: SampleSpec;
  method: 'auto' | 'exact' | 'asymp';
  statistic: number;
  pValue: number;
  ran: 'exact' | 'asymp';
}

describe('ks2samp against scipy.stats.ks_2samp (SciPy 1.10)', () => {
  for (const reference of vectors.ks2samp as KsCase[]) {
    it(`${reference.name} (${reference.method})`, () => {
      const result = ks2samp(sample(reference.a), sample(reference.b), { method: reference.method });
      expectClose(result.statistic, reference.statistic, 1e-12, 'statistic');
      expectClose(result.pValue, reference.pValue, 1e-9, 'p-value');
      expect(result.method).toBe(reference.ran);
    });
  }

  it('chooses the exact branch up to 10,000 values and the asymptotic one from 10,001', () => {
    const small = sample({ seed: 90, n: 10_000, scale: 1, shift: 0, integer: false });
    const large = sample({ seed: 91, n: 10_001, scale: 1, shift: 0, integer: false });
    expect(ks2samp(small, small.subarray(0, 5000)).method).toBe('exact');
    expect(ks2samp(large, small).method).toBe('asymp');
  });

  it('does not depend on the order of the values or of the samples', () => {
    const a = sample({ seed: 92, n: 300, scale: 1, shift: 0, integer: false });
    const b = sample({ seed: 93, n: 200, scale: 1, shift: 0.05, integer: false });
    const reversed = Float64Array.from(a).reverse();
    expect(ks2samp(reversed, b)).toEqual(ks2samp(a, b));
    expect(ks2samp(b, a)).toEqual(ks2samp(a, b));
  });

  it('rejects an empty sample, a non-finite value and an unknown method, naming the argument', () => {
    expect(() => ks2samp([], [1, 2])).toThrow(new InputError('a is empty: a statistic needs at least one value.'));
    expect(() => ks2samp([1], [])).toThrow(/^b is empty/);
    expect(() => ks2samp([1, NaN], [1])).toThrow(/^a\[1\] is NaN/);
    expect(() => ks2samp([1], [Infinity])).toThrow(InputError);
    expect(() => ks2samp([1], [2], { method: 'approx' as 'auto' })).toThrow(
      /^method "approx" is not one of auto, exact, asymp/,
    );
  });
});
