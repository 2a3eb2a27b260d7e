import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { andersonDarlingKSample, cramerVonMises2 } from '../../src/core/stats/index.js';
import { expectClose, sample, vectors, type SampleSpec } from './stats-reference.js';

interface AndersonCase {
  name: string;
  samples: SampleSpec[];
  statistic: number;
  criticalValues: number[];
  significanceLevel: number;
  warning: string | null;
}

interface CramerCase {
  name: string;
  a: SampleSpec;
  b: SampleSpec;
  statistic: number;
  pValue: number;
}

describe('andersonDarlingKSample against scipy.stats.anderson_ksamp (midrank)', () => {
  for (const reference of vectors.andersonKSample as AndersonCase[]) {
    it(reference.name, () => {
      const result = andersonDarlingKSample(reference.samples.map(sample));
      expectClose(result.statistic, reference.statistic, 1e-10, 'statistic');
      result.criticalValues.forEach((value, i) =>
        expectClose(value, reference.criticalValues[i]!, 1e-14, `critical value ${i}`),
      );
      expectClose(result.significanceLevel, reference.significanceLevel, 1e-9, 'significance level');
      expect(result.warning).toBe(reference.warning);
    });
  }

  it('rejects one sample, an empty sample, too few values and a single distinct value', () => {
    expect(() => andersonDarlingKSample([[1, 2, 3]])).toThrow(
      new InputError('samples has 1 sample(s): the Anderson–Darling k-sample test needs at least 2.'),
    );
    expect(() => andersonDarlingKSample([[1, 2], []])).toThrow(/^samples\[1\] is empty/);
    expect(() => andersonDarlingKSample([[1], [2, 3]])).toThrow(/^samples hold 3 values in all/);
    expect(() =>
      andersonDarlingKSample([
        [1, 1],
        [1, 1],
      ]),
    ).toThrow(/^samples hold one distinct value only/);
  });
});

describe('cramerVonMises2 against scipy.stats.cramervonmises_2samp (auto)', () => {
  for (const reference of vectors.cramerVonMises2 as CramerCase[]) {
    it(reference.name, () => {
      const result = cramerVonMises2(sample(reference.a), sample(reference.b));
      expectClose(result.statistic, reference.statistic, 1e-10, 'statistic');
      expectClose(result.pValue, reference.pValue, 1e-9, 'p-value');
    });
  }

  it('rejects a sample of fewer than two values, naming the argument', () => {
    expect(() => cramerVonMises2([1], [1, 2])).toThrow(
      new InputError('a has 1 value(s): this statistic needs at least 2.'),
    );
    expect(() => cramerVonMises2([1, 2], [NaN, 1])).toThrow(/^b\[0\] is NaN/);
  });
});
