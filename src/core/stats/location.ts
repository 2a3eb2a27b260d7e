import { requireSample, sortedCopy } from './inputs.js';
import { normalSf, studentTSf } from './special.js';
import { CompensatedSum } from './summation.js';

/** A two-sample test's statistic and two-sided p-value. */
export interface TwoSampleResult {
  statistic: number;
  pValue: number;
}

/** Welch's t test's result; df is the Welch–Satterthwaite degrees of freedom. */
export interface WelchResult extends TwoSampleResult {
  df: number;
}

/** Mean and sample variance (ddof = 1), each from a compensated sum as numpy's mean and var compute them. */
function meanAndVariance(values: ArrayLike<number>): { mean: number; variance: number } {
  const sum = new CompensatedSum();
  for (let i = 0; i < values.length; i++) sum.add(values[i]!);
  const mean = sum.value / values.length;
  const squares = new CompensatedSum();
  for (let i = 0; i < values.length; i++) squares.add((values[i]! - mean) ** 2);
  return { mean, variance: squares.value / (values.length - 1) };
}

/**
 * Welch's two-sample t test, as scipy.stats.ttest_ind(a, b, equal_var=False) (two-sided):
 * t = (mean a - mean b) / √(va/na + vb/nb), p = 2 P(T_df > |t|). Each sample needs 2 values.
 */
export function welchTTest(a: ArrayLike<number>, b: ArrayLike<number>): WelchResult {
  requireSample(a, 'a', 2);
  requireSample(b, 'b', 2);
  const first = meanAndVariance(a);
  const second = meanAndVariance(b);
  const vn1 = first.variance / a.length;
  const vn2 = second.variance / b.length;
  let df = (vn1 + vn2) ** 2 / (vn1 ** 2 / (a.length - 1) + vn2 ** 2 / (b.length - 1));
  // SciPy: both variances 0 leave df undefined; any df will do as t is then ±inf or NaN.
  if (Number.isNaN(df)) df = 1;
  const statistic = (first.mean - second.mean) / Math.sqrt(vn1 + vn2);
  return { statistic, pValue: 2 * studentTSf(Math.abs(statistic), df), df };
}

/** floor(num / den) as a double to about one rounding, for BigInt counts far beyond 2^53. */
function bigRatio(numerator: bigint, denominator: bigint): number {
  if (numerator === 0n) return 0;
  const shift = denominator.toString(2).length - numerator.toString(2).length + 64;
  const quotient =
    shift >= 0 ? (numerator << BigInt(shift)) / denominator : numerator / (denominator << BigInt(-shift));
  let result = Number(quotient);
  let remaining = -shift;
  while (remaining < -1000) {
    result *= 2 ** -1000;
    remaining += 1000;
  }
  return result * 2 ** remaining;
}

/**
 * P(U <= k) for the Mann–Whitney U statistic of samples of sizes m and n without ties: the
 * counts are the coefficients of the Gaussian binomial [m + n choose m]_q, built as
 * Π (1 - q^(n+i)) / (1 - q^i) truncated at degree k, in exact integers (SciPy's _MWU counts the
 * same paths by recursion).
 */
function mannWhitneyExactCdf(k: number, m: number, n: number): number {
  const small = Math.min(m, n);
  const large = Math.max(m, n);
  let paths = 1n;
  for (let i = 1; i <= small; i++) paths = (paths * BigInt(large + i)) / BigInt(i);
  if (paths <= BigInt(Number.MAX_SAFE_INTEGER)) {
    // Every count is at most C(m + n, m): doubles hold them exactly, and much faster than BigInt.
    const counts = new Float64Array(k + 1);
    counts[0] = 1;
    for (let i = 1; i <= small; i++) {
      for (let d = k; d >= large + i; d--) counts[d]! -= counts[d - large - i]!;
      for (let d = i; d <= k; d++) counts[d]! += counts[d - i]!;
    }
    let total = 0;
    for (let d = 0; d <= k; d++) total += counts[d]!;
    return total / Number(paths);
  }
  const counts: bigint[] = new Array<bigint>(k + 1).fill(0n);
  counts[0] = 1n;
  for (let i = 1; i <= small; i++) {
    for (let d = k; d >= large + i; d--) counts[d]! -= counts[d - large - i]!;
    for (let d = i; d <= k; d++) counts[d]! += counts[d - i]!;
  }
  let total = 0n;
  for (const count of counts) total += count;
  return bigRatio(total, paths);
}

/**
 * The Mann–Whitney U test, as scipy.stats.mannwhitneyu(a, b) (two-sided, use_continuity=True,
 * method='auto'): U is a's statistic R_a - na(na+1)/2 with midranks for ties; the p-value is
 * exact when either sample has at most 8 values and there are no ties, else the normal
 * approximation with the tie correction and continuity correction.
 */
export function mannWhitneyU(a: ArrayLike<number>, b: ArrayLike<number>): TwoSampleResult {
  requireSample(a, 'a');
  requireSample(b, 'b');
  const x = sortedCopy(a);
  const y = sortedCopy(b);
  const n1 = x.length;
  const n2 = y.length;
  const n = n1 + n2;
  // Walk the merged order once: each run of equal values shares the average of its ranks.
  let rankSumA = 0;
  let tieTerm = 0;
  let i = 0;
  let j = 0;
  let rank = 0;
  while (i < n1 || j < n2) {
    const value = j >= n2 || (i < n1 && x[i]! <= y[j]!) ? x[i]! : y[j]!;
    let inA = 0;
    let inB = 0;
    while (i < n1 && x[i] === value) {
      i++;
      inA++;
    }
    while (j < n2 && y[j] === value) {
      j++;
      inB++;
    }
    const run = inA + inB;
    const averageRank = rank + (run + 1) / 2;
    rankSumA += inA * averageRank;
    tieTerm += run ** 3 - run;
    rank += run;
  }
  const u1 = rankSumA - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const u = Math.max(u1, u2);
  let pValue: number;
  if ((n1 <= 8 || n2 <= 8) && tieTerm === 0) {
    pValue = 2 * mannWhitneyExactCdf(n1 * n2 - u, n1, n2);
  } else {
    const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
    const z = (u - (n1 * n2) / 2 - 0.5) / s;
    pValue = 2 * normalSf(z);
  }
  return { statistic: u1, pValue: Math.min(Math.max(pValue, 0), 1) };
}
