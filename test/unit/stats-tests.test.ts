import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { chiSquareContingency, chiSquareGoodnessOfFit, twoProportionZ } from '../../src/core/stats/index.js';
import { expectClose, vectors } from './stats-reference.js';

interface ChiSquareCase {
  name: string;
  observed: number[];
  expected: number[] | null;
  ddof: number;
  statistic: number;
  pValue: number;
  df: number;
}

describe('chiSquareGoodnessOfFit against scipy.stats.chisquare', () => {
  for (const reference of vectors.chisquare as ChiSquareCase[]) {
    it(reference.name, () => {
      const result = chiSquareGoodnessOfFit(reference.observed, reference.expected ?? undefined, reference.ddof);
      expectClose(result.statistic, reference.statistic, 1e-12, 'statistic');
      expectClose(result.pValue, reference.pValue, 1e-9, 'p-value');
      expect(result.df).toBe(reference.df);
    });
  }

  it('rejects empty, negative and mismatched frequencies and totals that differ, naming the argument', () => {
    expect(() => chiSquareGoodnessOfFit([])).toThrow(
      new InputError('observed is empty: a statistic needs at least one value.'),
    );
    expect(() => chiSquareGoodnessOfFit([3, -1])).toThrow(/^observed\[1\] is -1: it must be a finite number >= 0\./);
    expect(() => chiSquareGoodnessOfFit([3, 1], [2, 1, 1])).toThrow(/^expected has 3 values but observed has 2/);
    expect(() => chiSquareGoodnessOfFit([3, 1], [2, 1])).toThrow(/^expected sums to 3 but observed to 4/);
    expect(() => chiSquareGoodnessOfFit([3, 1], undefined, 1.5)).toThrow(/^ddof is 1\.5/);
  });
});

describe('twoProportionZ against Evidently 0.7 z_stattest (pooled, 2 (1 - norm.cdf(|z|)))', () => {
  for (const reference of vectors.twoProportionZ as {
    counts: [number, number, number, number];
    statistic: number;
    pValue: number;
  }[]) {
    it(reference.counts.join(', '), () => {
      const result = twoProportionZ(...reference.counts);
      expectClose(result.statistic, reference.statistic, 1e-12, 'statistic');
      expectClose(result.pValue, reference.pValue, 1e-9, 'p-value');
    });
  }

  it('gives p = 1 when both samples hold one and the same value, as Evidently returns before dividing 0 by 0', () => {
    expect(twoProportionZ(0, 10, 0, 20)).toEqual({ statistic: 0, pValue: 1 });
    expect(twoProportionZ(10, 10, 20, 20)).toEqual({ statistic: 0, pValue: 1 });
  });

  it('rejects negative, fractional and impossible counts, naming the argument', () => {
    expect(() => twoProportionZ(-1, 10, 2, 10)).toThrow(
      new InputError('successesA is -1: it must be a whole number >= 0.'),
    );
    expect(() => twoProportionZ(1, 10, 2.5, 10)).toThrow(/^successesB is 2\.5/);
    expect(() => twoProportionZ(1, 0, 2, 10)).toThrow(/^totalA is 0/);
    expect(() => twoProportionZ(1, 10, 12, 10)).toThrow(/^successesB \(12\) is larger than totalB \(10\)/);
  });
});

interface ContingencyCase {
  name: string;
  table: number[][];
  correction: boolean;
  statistic: number;
  pValue: number;
  df: number;
  expected: number[][];
}

describe('chiSquareContingency against scipy.stats.chi2_contingency', () => {
  for (const reference of vectors.contingency as ContingencyCase[]) {
    it(reference.name, () => {
      const result = chiSquareContingency(reference.table, reference.correction);
      expectClose(result.statistic, reference.statistic, 1e-12, 'statistic');
      expectClose(result.pValue, reference.pValue, 1e-9, 'p-value');
      expect(result.df).toBe(reference.df);
      result.expected.forEach((row, r) =>
        row.forEach((cell, c) => expectClose(cell, reference.expected[r]![c]!, 1e-14, `expected[${r}][${c}]`)),
      );
    });
  }

  it('rejects empty, ragged and negative tables and an empty row or column, naming the place', () => {
    expect(() => chiSquareContingency([])).toThrow(
      new InputError('table is empty: it needs at least one row and one column.'),
    );
    expect(() => chiSquareContingency([[1, 2], [3]])).toThrow(/^table row 2 has 1 cells but row 1 has 2\./);
    expect(() =>
      chiSquareContingency([
        [1, -2],
        [3, 4],
      ]),
    ).toThrow(/^table\[0\]\[1\] is -2/);
    expect(() =>
      chiSquareContingency([
        [0, 0],
        [3, 4],
      ]),
    ).toThrow(/^table row 1 sums to 0/);
    expect(() =>
      chiSquareContingency([
        [0, 1],
        [0, 4],
      ]),
    ).toThrow(/^table column 1 sums to 0/);
  });
});
