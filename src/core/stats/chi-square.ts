import { InputError } from '../errors.js';
import { requireNonNegative, requireSameLength, requireSample } from './inputs.js';
import { chiSquareSf } from './special.js';
import { compensatedSum } from './summation.js';

/** A chi-square test's statistic, p-value and degrees of freedom. */
export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  df: number;
}

/**
 * Pearson's chi-square goodness-of-fit test, as scipy.stats.chisquare(observed, expected, ddof):
 * expected defaults to equal frequencies (the mean of observed); when given, its sum must equal
 * observed's to 1e-8 relative, as SciPy requires. df = k - 1 - ddof. As in SciPy, a count where
 * 0 is expected makes the statistic +inf and p 0 (a category new to the reference drifts), and 0
 * observed where 0 is expected makes both NaN.
 */
export function chiSquareGoodnessOfFit(
  observed: ArrayLike<number>,
  expected?: ArrayLike<number>,
  ddof = 0,
): ChiSquareResult {
  requireSample(observed, 'observed');
  requireNonNegative(observed, 'observed');
  if (!Number.isInteger(ddof) || ddof < 0) throw new InputError(`ddof is ${ddof}: it must be a whole number >= 0.`);
  const k = observed.length;
  let expectations: ArrayLike<number>;
  if (expected === undefined) {
    let total = 0;
    for (let i = 0; i < k; i++) total += observed[i]!;
    expectations = new Float64Array(k).fill(total / k);
  } else {
    requireSameLength(expected, 'expected', observed, 'observed');
    requireNonNegative(expected, 'expected');
    const observedSum = compensatedSum(observed);
    const expectedSum = compensatedSum(expected);
    const relativeDifference = Math.abs(observedSum - expectedSum) / Math.min(observedSum, expectedSum);
    if (relativeDifference > 1e-8) {
      throw new InputError(
        `expected sums to ${expectedSum} but observed to ${observedSum}: the totals must agree to 1e-8 relative (scale expected to the observed total).`,
      );
    }
    expectations = expected;
  }
  let statistic = 0;
  for (let i = 0; i < k; i++) {
    const difference = observed[i]! - expectations[i]!;
    statistic += (difference * difference) / expectations[i]!;
  }
  const df = k - 1 - ddof;
  return { statistic, pValue: df > 0 ? chiSquareSf(statistic, df) : NaN, df };
}

/** chiSquareContingency's result: the test plus the table of expected frequencies. */
export interface ContingencyResult extends ChiSquareResult {
  expected: number[][];
}

/**
 * Pearson's chi-square test of independence on an r × c table of counts, as
 * scipy.stats.chi2_contingency(table, correction): expected frequencies from the margins,
 * df = (r - 1)(c - 1), Yates' continuity correction when df = 1 and `correction` (the default;
 * each cell moves at most 0.5 towards its expectation); df = 0 gives statistic 0 and p = 1.
 */
export function chiSquareContingency(table: number[][], correction = true): ContingencyResult {
  if (table.length === 0 || table[0]!.length === 0)
    throw new InputError('table is empty: it needs at least one row and one column.');
  const columns = table[0]!.length;
  table.forEach((row, r) => {
    if (row.length !== columns)
      throw new InputError(`table row ${r + 1} has ${row.length} cells but row 1 has ${columns}.`);
    requireNonNegative(row, `table[${r}]`);
  });
  const rowSums = table.map((row) => row.reduce((sum, value) => sum + value, 0));
  const columnSums = Array.from({ length: columns }, (_, c) => table.reduce((sum, row) => sum + row[c]!, 0));
  const total = rowSums.reduce((sum, value) => sum + value, 0);
  const emptyRow = rowSums.indexOf(0);
  if (emptyRow !== -1)
    throw new InputError(`table row ${emptyRow + 1} sums to 0: its expected frequencies would be 0.`);
  const emptyColumn = columnSums.indexOf(0);
  if (emptyColumn !== -1)
    throw new InputError(`table column ${emptyColumn + 1} sums to 0: its expected frequencies would be 0.`);
  const expected = rowSums.map((rowSum) => columnSums.map((columnSum) => (rowSum * columnSum) / total));
  const df = (table.length - 1) * (columns - 1);
  if (df === 0) return { statistic: 0, pValue: 1, df, expected };
  let statistic = 0;
  for (let r = 0; r < table.length; r++) {
    for (let c = 0; c < columns; c++) {
      let observed = table[r]![c]!;
      const expectation = expected[r]![c]!;
      if (df === 1 && correction) {
        const difference = expectation - observed;
        observed += Math.min(0.5, Math.abs(difference)) * Math.sign(difference);
      }
      statistic += (observed - expectation) ** 2 / expectation;
    }
  }
  return { statistic, pValue: chiSquareSf(statistic, df), df, expected };
}
