import { InputError } from '../errors.js';
import { requireSample, sortedCopy } from './inputs.js';
import { kolmogorovSf } from './kolmogorov.js';

/** Options of ks2samp; as scipy.stats.ks_2samp, only the two-sided alternative is offered. */
export interface KsOptions {
  alternative?: 'two-sided';
  /** 'auto' (default): exact when max(n1, n2) <= 10,000, else asymptotic. */
  method?: 'auto' | 'exact' | 'asymp';
}

/** The result of ks2samp; `method` is the branch that produced the p-value. */
export interface KsResult {
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymp';
}

/** scipy's MAX_AUTO_N: 'auto' computes the exact p-value up to this sample size. */
export const KS_EXACT_MAX_N = 10_000;
const INT32_MAX = 2147483647;

function greatestCommonDivisor(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** numpy's round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const difference = x - floor;
  if (difference > 0.5) return floor + 1;
  if (difference < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Pr(D_{n,n} >= h/n) for two samples of equal size (scipy `_compute_prob_outside_square`):
 * 2 (A0 (1 - A1 (1 - A2 (...)))) by a Horner-like scheme that avoids the cancellation.
 */
function probabilityOutsideSquare(n: number, h: number): number {
  let probability = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    probability = p1 * (1 - probability);
  }
  return 2 * probability;
}

/**
 * The share of lattice paths from (0, 0) to (m, n) that leave the band |x/m - y/n| < h / lcm(m, n)
 * (scipy `_compute_outer_prob_inside_method`, Viehmann's recursion for 1 - p).
 */
function outerProbabilityInside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minJ = 0;
  let maxJ = Math.min(Math.ceil(h / mg), n + 1);
  let currentLength = maxJ - minJ;
  const lengthA = Math.min(2 * maxJ + 2, n + 1);
  const a = new Float64Array(lengthA).fill(1);
  a.fill(0, minJ, maxJ);
  for (let i = 1; i <= m; i++) {
    const lastMinJ = minJ;
    const lastLength = currentLength;
    minJ = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxJ = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxJ <= minJ) return 1;
    let value = minJ === 0 ? 0 : 1;
    for (let jj = 0; jj < maxJ - minJ; jj++) {
      const j = jj + minJ;
      value = (a[jj + minJ - lastMinJ]! * i + value * j) / (i + j);
      a[jj] = value;
    }
    currentLength = maxJ - minJ;
    if (lastLength > currentLength) a.fill(1, maxJ - minJ, maxJ - minJ + (lastLength - currentLength));
  }
  return a[maxJ - minJ - 1]!;
}

/**
 * The largest distance between the two empirical CDFs, max(max(cdf1 - cdf2), max(cdf2 - cdf1)),
 * evaluated at every value of either sample as SciPy's searchsorted(side='right') does (ties
 * count once, at their value).
 */
function ksStatistic(sortedA: Float64Array, sortedB: Float64Array): number {
  const n1 = sortedA.length;
  const n2 = sortedB.length;
  let i = 0;
  let j = 0;
  let largest = -Infinity;
  let smallest = Infinity;
  while (i < n1 || j < n2) {
    const value = j >= n2 || (i < n1 && sortedA[i]! <= sortedB[j]!) ? sortedA[i]! : sortedB[j]!;
    while (i < n1 && sortedA[i]! <= value) i++;
    while (j < n2 && sortedB[j]! <= value) j++;
    const difference = i / n1 - j / n2;
    if (difference > largest) largest = difference;
    if (difference < smallest) smallest = difference;
  }
  const minS = Math.min(Math.max(-smallest, 0), 1);
  return minS > largest ? minS : largest;
}

/** scipy `_attempt_exact_2kssamp`, two-sided: the rounded statistic and its p-value, or null when the computation fails. */
function exactKs(n1: number, n2: number, g: number, d: number): { statistic: number; pValue: number | null } {
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const statistic = h / lcm;
  if (h === 0) return { statistic, pValue: 1 };
  const probability = n1 === n2 ? probabilityOutsideSquare(n1, h) : outerProbabilityInside(n1, n2, g, h);
  return { statistic, pValue: probability >= 0 && probability <= 1 ? probability : null };
}

/**
 * The two-sample Kolmogorov–Smirnov test, as scipy.stats.ks_2samp(a, b) (SciPy 1.10, two-sided):
 * with method 'auto' the exact p-value when max(n1, n2) <= 10,000, else Smirnov's asymptotic one
 * through kstwo.sf(d, round(n1 n2 / (n1 + n2))); 'exact' falls back to 'asymp' when lcm(n1, n2) is
 * too large or the exact computation fails, as SciPy does (it warns; `method` says which ran).
 * Sorts each sample once into a Float64Array; O(n log n) time.
 */
export function ks2samp(a: ArrayLike<number>, b: ArrayLike<number>, options: KsOptions = {}): KsResult {
  // Typed as string: callers pass these on from config files, so they are checked at run time.
  const alternative: string = options.alternative ?? 'two-sided';
  const requested: string = options.method ?? 'auto';
  if (alternative !== 'two-sided')
    throw new InputError(`alternative "${alternative}" is not supported: use "two-sided".`);
  if (requested !== 'auto' && requested !== 'exact' && requested !== 'asymp') {
    throw new InputError(`method "${requested}" is not one of auto, exact, asymp.`);
  }
  let method = requested;
  requireSample(a, 'a');
  requireSample(b, 'b');
  const sortedA = sortedCopy(a);
  const sortedB = sortedCopy(b);
  const n1 = sortedA.length;
  const n2 = sortedB.length;
  let statistic = ksStatistic(sortedA, sortedB);
  const g = greatestCommonDivisor(n1, n2);
  if (method === 'auto') method = Math.max(n1, n2) <= KS_EXACT_MAX_N ? 'exact' : 'asymp';
  else if (method === 'exact' && n1 / g >= INT32_MAX / (n2 / g)) method = 'asymp';
  if (method === 'exact') {
    const exact = exactKs(n1, n2, g, statistic);
    statistic = exact.statistic;
    if (exact.pValue !== null) return { statistic, pValue: exact.pValue, method: 'exact' };
  }
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const effectiveN = (m * n) / (m + n);
  const pValue = Math.min(Math.max(kolmogorovSf(roundHalfEven(effectiveN), statistic), 0), 1);
  return { statistic, pValue, method: 'asymp' };
}
