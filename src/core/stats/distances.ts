import { InputError } from '../errors.js';
import { requireNonNegative, requireSameLength, requireSample, sortedCopy } from './inputs.js';
import { CompensatedSum, compensatedSum } from './summation.js';

/** Values sorted ascending with, when weighted, the cumulative weights in the same order (cumulative[0] = 0). */
interface SortedDistribution {
  values: Float64Array;
  cumulative: Float64Array | null;
}

/** Whether the values are in ascending order (ties allowed); NaN-free input is checked elsewhere. */
export function isSortedAscending(values: ArrayLike<number>): boolean {
  for (let i = 1; i < values.length; i++) if (values[i]! < values[i - 1]!) return false;
  return true;
}

/** The values as a Float64Array, without a copy when they are one (read only here). */
function asFloat64(values: ArrayLike<number>): Float64Array {
  return values instanceof Float64Array ? values : Float64Array.from(values);
}

function sortedDistribution(
  values: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
  name: string,
): SortedDistribution {
  requireSample(values, name);
  // Profiles hand over values already sorted: one pass to check it saves a copy and an O(n log n) sort.
  if (weights === undefined)
    return { values: isSortedAscending(values) ? asFloat64(values) : sortedCopy(values), cumulative: null };
  const weightsName = `${name}Weights`;
  requireSameLength(weights, weightsName, values, name);
  requireNonNegative(weights, weightsName);
  const total = compensatedSum(weights);
  if (!(total > 0 && Number.isFinite(total)))
    throw new InputError(`${weightsName} must have a positive, finite sum (it is ${total}).`);
  const order = new Uint32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((x, y) => values[x]! - values[y]!);
  const sorted = new Float64Array(values.length);
  const cumulative = new Float64Array(values.length + 1);
  for (let i = 0; i < order.length; i++) {
    sorted[i] = values[order[i]!]!;
    cumulative[i + 1] = cumulative[i]! + weights[order[i]!]!;
  }
  return { values: sorted, cumulative };
}

/**
 * scipy.stats `_cdf_distance`: the integral of |U(x) - V(x)|^p over the merged support, walking
 * the two sorted samples once (searchsorted 'right' on every value but the last).
 */
function cdfDistance(p: 1 | 2, u: SortedDistribution, v: SortedDistribution): number {
  const un = u.values.length;
  const vn = v.values.length;
  const sum = new CompensatedSum();
  let i = 0;
  let j = 0;
  // The merged values in order; the first is the smaller head.
  let previous = u.values[0]! <= v.values[0]! ? u.values[0]! : v.values[0]!;
  while (i < un || j < vn) {
    while (i < un && u.values[i]! <= previous) i++;
    while (j < vn && v.values[j]! <= previous) j++;
    if (i >= un && j >= vn) break;
    const next = j >= vn || (i < un && u.values[i]! <= v.values[j]!) ? u.values[i]! : v.values[j]!;
    const uCdf = u.cumulative ? u.cumulative[i]! / u.cumulative[un]! : i / un;
    const vCdf = v.cumulative ? v.cumulative[j]! / v.cumulative[vn]! : j / vn;
    const difference = Math.abs(uCdf - vCdf);
    sum.add((p === 1 ? difference : difference * difference) * (next - previous));
    previous = next;
  }
  return p === 1 ? sum.value : Math.sqrt(sum.value);
}

/**
 * The first Wasserstein distance between two 1-D distributions (scipy.stats.wasserstein_distance):
 * samples u and v, each optionally weighted (a profile passes sketch bins as weighted values).
 */
export function wassersteinDistance(
  u: ArrayLike<number>,
  v: ArrayLike<number>,
  uWeights?: ArrayLike<number>,
  vWeights?: ArrayLike<number>,
): number {
  return cdfDistance(1, sortedDistribution(u, uWeights, 'u'), sortedDistribution(v, vWeights, 'v'));
}

/** The energy distance between two 1-D distributions (scipy.stats.energy_distance): √2 times the L2 distance of the CDFs. */
export function energyDistance(
  u: ArrayLike<number>,
  v: ArrayLike<number>,
  uWeights?: ArrayLike<number>,
  vWeights?: ArrayLike<number>,
): number {
  return Math.SQRT2 * cdfDistance(2, sortedDistribution(u, uWeights, 'u'), sortedDistribution(v, vWeights, 'v'));
}

/** Checks two paired frequency or share vectors and returns them divided by their sums. */
function normalisedPair(
  p: ArrayLike<number>,
  pName: string,
  q: ArrayLike<number>,
  qName: string,
): [Float64Array, Float64Array] {
  requireSample(p, pName);
  requireSample(q, qName);
  requireSameLength(p, pName, q, qName);
  requireNonNegative(p, pName);
  requireNonNegative(q, qName);
  const normalise = (values: ArrayLike<number>, name: string): Float64Array => {
    let total = 0;
    for (let i = 0; i < values.length; i++) total += values[i]!;
    if (!(total > 0)) throw new InputError(`${name} sums to 0: a distribution needs some mass.`);
    const result = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) result[i] = values[i]! / total;
    return result;
  };
  return [normalise(p, pName), normalise(q, qName)];
}

/** scipy.special.rel_entr: x log(x / y), 0 when x = 0, +inf when y = 0 < x. */
function relativeEntropy(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/**
 * The Jensen–Shannon distance (scipy.spatial.distance.jensenshannon): p and q are normalised to
 * sum 1; natural logarithm unless `base` is given. Evidently's jensenshannon passes the shares
 * without replacing empty ones.
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>, base?: number): number {
  if (base !== undefined && !(base > 0 && base !== 1))
    throw new InputError(`base is ${base}: it must be a positive number other than 1.`);
  const [pn, qn] = normalisedPair(p, 'p', q, 'q');
  const left = new CompensatedSum();
  const right = new CompensatedSum();
  for (let i = 0; i < pn.length; i++) {
    const m = (pn[i]! + qn[i]!) / 2;
    left.add(relativeEntropy(pn[i]!, m));
    right.add(relativeEntropy(qn[i]!, m));
  }
  let js = left.value + right.value;
  if (base !== undefined) js /= Math.log(base);
  return Math.sqrt(js / 2);
}

/** Checks the shares PSI and KL divergence take: paired, and all > 0 (Evidently replaces empty ones first). */
function requirePositiveShares(reference: ArrayLike<number>, current: ArrayLike<number>, statistic: string): void {
  requireSample(reference, 'referenceShares');
  requireSample(current, 'currentShares');
  requireSameLength(reference, 'referenceShares', current, 'currentShares');
  for (const [values, name] of [
    [reference, 'referenceShares'],
    [current, 'currentShares'],
  ] as const) {
    for (let i = 0; i < values.length; i++) {
      if (!(values[i]! > 0) || !Number.isFinite(values[i])) {
        throw new InputError(
          `${name}[${i}] is ${values[i]}: ${statistic} needs every share > 0; replace empty shares first as Evidently does.`,
        );
      }
    }
  }
}

/**
 * The population stability index Σ (r - c) log(r / c), as Evidently 0.7's psi computes it from the
 * shares (not renormalised). Evidently first replaces each empty share by min(non-empty shares)/1e6
 * when that minimum is <= 0.0001, else by 0.0001 (utils.get_binned_data, feel_zeroes), separately
 * for reference and current; that replacement is the caller's (src/core/drift), so every share here must be > 0.
 */
export function populationStabilityIndex(referenceShares: ArrayLike<number>, currentShares: ArrayLike<number>): number {
  requirePositiveShares(referenceShares, currentShares, 'PSI');
  const sum = new CompensatedSum();
  for (let i = 0; i < referenceShares.length; i++) {
    const r = referenceShares[i]!;
    const c = currentShares[i]!;
    sum.add((r - c) * Math.log(r / c));
  }
  return sum.value;
}

/**
 * The Kullback–Leibler divergence KL(reference ‖ current), as Evidently 0.7's kl_div computes it:
 * scipy.stats.entropy(reference, current), which renormalises both share vectors to sum 1. Empty
 * shares are replaced by the caller as for populationStabilityIndex (Evidently's get_binned_data).
 */
export function klDivergence(referenceShares: ArrayLike<number>, currentShares: ArrayLike<number>): number {
  requirePositiveShares(referenceShares, currentShares, 'KL divergence');
  const [r, c] = normalisedPair(referenceShares, 'referenceShares', currentShares, 'currentShares');
  const sum = new CompensatedSum();
  for (let i = 0; i < r.length; i++) sum.add(relativeEntropy(r[i]!, c[i]!));
  return sum.value;
}

/**
 * The Hellinger distance √(1 - Σ √(p q)) between two distributions given as shares or counts
 * (each normalised to sum 1), as Evidently's hellinger and TFDV compute it; in [0, 1].
 */
export function hellingerDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const [pn, qn] = normalisedPair(p, 'p', q, 'q');
  const sum = new CompensatedSum();
  for (let i = 0; i < pn.length; i++) sum.add(Math.sqrt(pn[i]! * qn[i]!));
  return Math.sqrt(1 - Math.min(Math.max(sum.value, 0), 1));
}

/** The L-infinity distance max |p - q| of two distributions normalised to sum 1 (TFDV's categorical drift comparator). */
export function lInfinityDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const [pn, qn] = normalisedPair(p, 'p', q, 'q');
  let largest = 0;
  for (let i = 0; i < pn.length; i++) largest = Math.max(largest, Math.abs(pn[i]! - qn[i]!));
  return largest;
}
