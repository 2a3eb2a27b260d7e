import { InputError } from '../errors.js';
import { requireSample, sortedCopy } from './inputs.js';
import { logGamma, scaledBesselK } from './special.js';
import { CompensatedSum } from './summation.js';

/** anderson_ksamp's result: the standardized statistic, its critical values and the interpolated p-value. */
export interface AndersonKSampleResult {
  statistic: number;
  /** At significance levels 25%, 10%, 5%, 2.5%, 1%, 0.5%, 0.1%. */
  criticalValues: number[];
  /** The approximate p-value, capped to [0.001, 0.25] as SciPy does. */
  significanceLevel: number;
  /** SciPy's warning when the p-value is capped or floored, else null. */
  warning: string | null;
}

/** scipy's significance levels for anderson_ksamp's critical values. */
const SIGNIFICANCE_LEVELS = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];
// Interpolation coefficients of Scholz and Stephens 1987, Table 2.
const B0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
const B1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
const B2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];

/** The least-squares quadratic through the points (numpy.polyfit(x, y, 2)), by Gram–Schmidt QR on scaled columns. */
function quadraticFit(x: readonly number[], y: readonly number[]): [number, number, number] {
  const columns = [x.map((v) => v * v), x.map((v) => v), x.map(() => 1)];
  const scales = columns.map((column) => Math.sqrt(column.reduce((sum, v) => sum + v * v, 0)));
  const q = columns.map((column, c) => column.map((v) => v / scales[c]!));
  const r = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < c; p++) {
      const dot = q[p]!.reduce((sum, v, i) => sum + v * q[c]![i]!, 0);
      r[p]![c] = dot;
      q[c] = q[c]!.map((v, i) => v - dot * q[p]![i]!);
    }
    const norm = Math.sqrt(q[c]!.reduce((sum, v) => sum + v * v, 0));
    r[c]![c] = norm;
    q[c] = q[c]!.map((v) => v / norm);
  }
  const qty = q.map((column) => column.reduce((sum, v, i) => sum + v * y[i]!, 0));
  const solution = [0, 0, 0];
  for (let c = 2; c >= 0; c--) {
    let value = qty[c]!;
    for (let p = c + 1; p < 3; p++) value -= r[c]![p]! * solution[p]!;
    solution[c] = value / r[c]![c]!;
  }
  return [solution[0]! / scales[0]!, solution[1]! / scales[1]!, solution[2]! / scales[2]!];
}

/** The first index in [from, to) of a sorted array whose value is >= value (to when none). */
function firstAtLeast(values: Float64Array, value: number, from: number, to: number): number {
  let low = from;
  let high = to;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The Anderson–Darling k-sample test, as scipy.stats.anderson_ksamp(samples) with midrank=True
 * (Scholz and Stephens 1987, A²akN for ties): the standardized statistic, the critical values for
 * k - 1 degrees of freedom, and the p-value interpolated on the log scale between them. Outside
 * the table SciPy caps the p-value at 0.25 or floors it at 0.001 with a warning; `warning` carries
 * SciPy's text then. Needs two or more non-empty samples, 4 values in all and 2 distinct values.
 */
export function andersonDarlingKSample(samples: ArrayLike<number>[]): AndersonKSampleResult {
  const k = samples.length;
  if (k < 2) throw new InputError(`samples has ${k} sample(s): the Anderson–Darling k-sample test needs at least 2.`);
  samples.forEach((values, i) => requireSample(values, `samples[${i}]`));
  const sorted = samples.map(sortedCopy);
  const sizes = sorted.map((values) => values.length);
  const total = sizes.reduce((sum, n) => sum + n, 0);
  if (total < 4) {
    throw new InputError(`samples hold ${total} values in all: the Anderson–Darling k-sample test needs at least 4.`);
  }
  const all = new Float64Array(total);
  let offset = 0;
  for (const values of sorted) {
    all.set(values, offset);
    offset += values.length;
  }
  all.sort();
  // Distinct values with, for each, how many values lie below it (left) and equal it (ties).
  const distinct = new Float64Array(total);
  const below = new Float64Array(total);
  const ties = new Float64Array(total);
  let distinctCount = 0;
  for (let i = 0; i < total;) {
    let j = i;
    while (j < total && all[j] === all[i]) j++;
    distinct[distinctCount] = all[i]!;
    below[distinctCount] = i;
    ties[distinctCount] = j - i;
    distinctCount++;
    i = j;
  }
  if (distinctCount < 2)
    throw new InputError('samples hold one distinct value only: the Anderson–Darling k-sample test needs two.');
  const N = total;
  let a2akN = 0;
  for (let s = 0; s < k; s++) {
    const values = sorted[s]!;
    const size = values.length;
    const inner = new CompensatedSum();
    let position = 0;
    for (let j = 0; j < distinctCount; j++) {
      const value = distinct[j]!;
      const start = position;
      while (position < size && values[position]! <= value) position++;
      // Values of this sample equal to the distinct value are the last ones passed.
      const equal = position - firstAtLeast(values, value, start, position);
      const mij = position - equal / 2;
      const lj = ties[j]!;
      const bj = below[j]! + lj / 2;
      const deviation = N * mij - bj * size;
      inner.add(((lj / N) * (deviation * deviation)) / (bj * (N - bj) - (N * lj) / 4));
    }
    a2akN += inner.value / size;
  }
  a2akN *= (N - 1) / N;

  const H = sizes.reduce((sum, n) => sum + 1 / n, 0);
  // hs_cs = cumsum(1 / arange(N - 1, 1, -1)); numpy's cumsum adds in order.
  let cumulative = 0;
  const g = new CompensatedSum();
  for (let t = 0; t < N - 2; t++) {
    cumulative += 1 / (N - 1 - t);
    g.add(cumulative / (t + 2));
  }
  const h = cumulative + 1;
  const gv = g.value;
  const a = (4 * gv - 6) * (k - 1) + (10 - 6 * gv) * H;
  const b = (2 * gv - 4) * k ** 2 + 8 * h * k + (2 * gv - 14 * h - 4) * H - 8 * h + 4 * gv - 6;
  const c = (6 * h + 2 * gv - 2) * k ** 2 + (4 * h - 4 * gv + 6) * k + (2 * h - 6) * H + 4 * h;
  const d = (2 * h + 6) * k ** 2 - 4 * h * k;
  const sigmaSquared = (a * N ** 3 + b * N ** 2 + c * N + d) / ((N - 1) * (N - 2) * (N - 3));
  const m = k - 1;
  const statistic = (a2akN - m) / Math.sqrt(sigmaSquared);
  const criticalValues = B0.map((b0, i) => b0 + B1[i]! / Math.sqrt(m) + B2[i]! / m);
  let significanceLevel: number;
  let warning: string | null = null;
  if (statistic < Math.min(...criticalValues)) {
    significanceLevel = Math.max(...SIGNIFICANCE_LEVELS);
    warning = `p-value capped: true value larger than ${significanceLevel}`;
  } else if (statistic > Math.max(...criticalValues)) {
    significanceLevel = Math.min(...SIGNIFICANCE_LEVELS);
    warning = `p-value floored: true value smaller than ${significanceLevel}`;
  } else {
    const [c2, c1, c0] = quadraticFit(criticalValues, SIGNIFICANCE_LEVELS.map(Math.log));
    significanceLevel = Math.exp((c2 * statistic + c1) * statistic + c0);
  }
  return { statistic, criticalValues, significanceLevel, warning };
}

/** numpy's floor_divide for doubles (npy_divmod), which the exact Cramér–von Mises bound uses. */
function floorDivide(a: number, b: number): number {
  const mod = a % b;
  let div = (a - mod) / b;
  // A remainder of the other sign than b means the truncated quotient was one too high.
  if (mod && b < 0 !== mod < 0) div -= 1;
  if (!div) return 0 * (a / b);
  let floor = Math.floor(div);
  if (div - floor > 0.5) floor += 1;
  return floor;
}

function greatestCommonDivisor(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * The exact p-value of the two-sample Cramér–von Mises statistic U for sizes m and n
 * (scipy `_pval_cvm_2samp_exact`, the frequency tables of Xiao, Gordon and Yakovlev 2006).
 */
function cramerVonMisesExactPValue(s: number, m: number, n: number): number {
  const lcm = (m / greatestCommonDivisor(m, n)) * n;
  const a = lcm / m;
  const b = lcm / n;
  const mn = m * n;
  const zeta = floorDivide(lcm ** 2 * (m + n) * (6 * s - mn * (4 * mn - 1)), 6 * mn ** 2);
  let tables: Map<number, number>[] = [new Map([[0, 1]])];
  for (let v = 1; v <= m; v++) tables.push(new Map());
  for (let u = 0; u <= n; u++) {
    const next: Map<number, number>[] = [];
    let running = new Map<number, number>();
    for (let v = 0; v < tables.length; v++) {
      const merged = new Map(running);
      for (const [value, frequency] of tables[v]!) merged.set(value, (merged.get(value) ?? 0) + frequency);
      const shift = (a * v - b * u) ** 2;
      running = new Map();
      for (const [value, frequency] of merged) running.set(value + shift, frequency);
      next.push(running);
    }
    tables = next;
  }
  let count = 0;
  for (const [value, frequency] of tables[m]!) if (value >= zeta) count += frequency;
  let combinations = 1;
  for (let i = 1; i <= m; i++) combinations = (combinations * (n + i)) / i;
  return count / combinations;
}

/** The limiting CDF of the Cramér–von Mises statistic (scipy `_cdf_cvm_inf`, Csörgő and Faraway 1996, eq. 1.3). */
function cramerVonMisesLimitCdf(x: number): number {
  let total = 0;
  for (let k = 0; ; k++) {
    const u = Math.exp(logGamma(k + 0.5) - logGamma(k + 1)) / (Math.PI ** 1.5 * Math.sqrt(x));
    const y = 4 * k + 1;
    const q = y ** 2 / (16 * x);
    // exp(-q) K_0.25(q) = exp(-2q) times the scaled Bessel function.
    const term = u * Math.sqrt(y) * Math.exp(-2 * q) * scaledBesselK(0.25, q);
    total += term;
    if (Math.abs(term) < 1e-7) return total;
  }
}

/**
 * The two-sample Cramér–von Mises test, as scipy.stats.cramervonmises_2samp(a, b) with
 * method='auto': exact when both samples have at most 20 values, else Anderson's normalized
 * statistic against the limiting distribution. Midranks for ties. Each sample needs 2 values.
 */
export function cramerVonMises2(a: ArrayLike<number>, b: ArrayLike<number>): { statistic: number; pValue: number } {
  requireSample(a, 'a', 2);
  requireSample(b, 'b', 2);
  const x = sortedCopy(a);
  const y = sortedCopy(b);
  const nx = x.length;
  const ny = y.length;
  const exact = Math.max(nx, ny) <= 20;
  const sumX = new CompensatedSum();
  const sumY = new CompensatedSum();
  let i = 0;
  let j = 0;
  let rank = 0;
  while (i < nx || j < ny) {
    const value = j >= ny || (i < nx && x[i]! <= y[j]!) ? x[i]! : y[j]!;
    let endI = i;
    let endJ = j;
    while (endI < nx && x[endI] === value) endI++;
    while (endJ < ny && y[endJ] === value) endJ++;
    const run = endI - i + (endJ - j);
    const averageRank = rank + (run + 1) / 2;
    for (; i < endI; i++) sumX.add((averageRank - (i + 1)) ** 2);
    for (; j < endJ; j++) sumY.add((averageRank - (j + 1)) ** 2);
    rank += run;
  }
  const u = nx * sumX.value + ny * sumY.value;
  const k = nx * ny;
  const N = nx + ny;
  const statistic = u / (k * N) - (4 * k - 1) / (6 * N);
  if (exact) return { statistic, pValue: cramerVonMisesExactPValue(u, nx, ny) };
  const expected = (1 + 1 / N) / 6;
  const variance = ((N + 1) * (4 * k * N - 3 * (nx ** 2 + ny ** 2) - 2 * k)) / (45 * N ** 2 * 4 * k);
  const normalized = 1 / 6 + (statistic - expected) / Math.sqrt(45 * variance);
  if (normalized < 0.003) return { statistic, pValue: 1 };
  return { statistic, pValue: Math.max(0, 1 - cramerVonMisesLimitCdf(normalized)) };
}
