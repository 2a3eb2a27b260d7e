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
 * observed's to 1e-8 relative, as SciPy requires. df = k - 1 - ddof.
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
