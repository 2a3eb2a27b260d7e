/**
 * Histograms as Evidently and numpy build them: Sturges edges over the combined range
 * (numpy's `histogram_bin_edges(a, 'sturges')`), counts per bin (`np.histogram` with explicit
 * edges), shares per value, Evidently's replacement of empty shares, and the same counts
 * estimated from a reference sketch.
 */
import type { DriftSketch } from './types.js';

/**
 * numpy's `np.linspace(start, stop, num)` (numpy/core/function_base.py, numpy 1.24): `i * step +
 * start` with `step = (stop - start) / (num - 1)`, the last point set to `stop`, and `i / div *
 * delta` when the step underflows to zero. The same float operations in the same order.
 */
export function linspace(start: number, stop: number, num: number): number[] {
  const div = num - 1;
  const delta = stop - start;
  const out = new Array<number>(num);
  if (div <= 0) {
    for (let i = 0; i < num; i++) out[i] = i * delta + start;
    return out;
  }
  const step = delta / div;
  for (let i = 0; i < num; i++) out[i] = (step === 0 ? (i / div) * delta : i * step) + start;
  out[num - 1] = stop;
  return out;
}

/**
 * numpy's `histogram_bin_edges(a, bins='sturges')` for data of `size` values between `min` and
 * `max` (numpy/lib/histograms.py, numpy 1.24: `_get_outer_edges`, `_hist_bin_sturges`,
 * `_get_bin_edges`): width = ptp / (log2(size) + 1), bins = ceil((last - first) / width), with the
 * range widened by 0.5 each side when every value is equal. Kept as numpy's float steps, so that
 * e.g. 1024 values give 12 bins when ptp / (ptp / 11) rounds just above 11, as numpy does.
 */
export function sturgesEdges(min: number, max: number, size: number): number[] {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = (max - min) / (Math.log2(size) + 1);
  const bins = width ? Math.ceil((last - first) / width) : 1;
  return linspace(first, last, bins + 1);
}

/** numpy's `histogram_bin_edges(a, bins=n)`: n equal-width bins over [min, max]. */
export function equalWidthEdges(min: number, max: number, bins: number): number[] {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  return linspace(first, last, bins + 1);
}

/** Index of the first element of sorted `values` that is >= x (`searchsorted(..., 'left')`). */
function lowerBound(values: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element of sorted `values` that is > x (`searchsorted(..., 'right')`). */
function upperBound(values: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `np.histogram(values, bins=edges)[0]` for sorted values: bin i holds edges[i] <= x <
 * edges[i+1], the last bin also its right edge, values outside the edges nowhere (numpy's
 * `_search_sorted_inclusive`).
 */
export function histogramCounts(sorted: ArrayLike<number>, edges: readonly number[]): number[] {
  const cumulative = edges.map((edge, i) =>
    i === edges.length - 1 ? upperBound(sorted, edge) : lowerBound(sorted, edge),
  );
  return cumulative.slice(1).map((count, i) => count - cumulative[i]!);
}

/** A piece of a sketched distribution: `count` values spread evenly over [lo, hi]. */
export interface SketchSegment {
  lo: number;
  hi: number;
  count: number;
}

/**
 * The sketch's bins as segments in ascending order (bin k spans [k·w, (k+1)·w), w = 2^e), the
 * outermost clipped to the exact min and max the profile keeps.
 */
export function sketchSegments(sketch: DriftSketch, min: number, max: number): SketchSegment[] {
  const width = 2 ** sketch.bin_width_log2;
  return sketch.keys.map((key, i) => ({
    lo: Math.min(Math.max(key * width, min), max),
    hi: Math.min(Math.max((key + 1) * width, min), max),
    count: sketch.counts[i]!,
  }));
}

/** Histogram counts of a sketched distribution: each segment's count spread over the bins it overlaps. */
export function sketchHistogramCounts(segments: readonly SketchSegment[], edges: readonly number[]): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(bins).fill(0);
  const first = edges[0]!;
  const last = edges[bins]!;
  for (const { lo, hi, count } of segments) {
    if (hi < first || lo > last) continue;
    if (hi === lo) {
      // A point mass (the zero bucket, or a clipped end): numpy's rule, last bin closed.
      const index = lo === last ? bins - 1 : upperBound(edges, lo) - 1;
      counts[index] = (counts[index] ?? 0) + count;
      continue;
    }
    const width = hi - lo;
    let b = Math.max(0, upperBound(edges, lo) - 1);
    for (; b < bins && edges[b]! < hi; b++) {
      const overlap = Math.min(hi, edges[b + 1]!) - Math.max(lo, edges[b]!);
      if (overlap > 0) counts[b]! += (count * overlap) / width;
    }
  }
  return counts;
}

/**
 * W1 between a sketched reference (segments, each uniform over its span) and an exact sorted
 * sample: ∫ |F_ref(x) - F_cur(x)| dx, integrated piece by piece between every breakpoint, where
 * F_ref is linear and F_cur constant, so each piece has a closed form.
 */
export function sketchWasserstein(segments: readonly SketchSegment[], current: ArrayLike<number>): number {
  const total = segments.reduce((sum, segment) => sum + segment.count, 0);
  const n = current.length;
  let result = 0;
  let refBefore = 0; // reference mass below the current segment
  let j = 0; // current values consumed (<= x)
  let x = Math.min(segments[0]?.lo ?? Infinity, current[0] ?? Infinity);
  let s = 0;
  // Walk breakpoints in order: segment ends and current values.
  const refCdf = (at: number): number => {
    // CDF of the reference at `at`, inside segment s (or between segments).
    const segment = segments[s];
    if (!segment || at <= segment.lo) return refBefore / total;
    if (at >= segment.hi) return (refBefore + segment.count) / total;
    return (refBefore + (segment.count * (at - segment.lo)) / (segment.hi - segment.lo)) / total;
  };
  while (s < segments.length || j < n) {
    const segment = segments[s];
    const nextRef = segment ? (x < segment.lo ? segment.lo : segment.hi) : Infinity;
    const nextCur = j < n ? current[j]! : Infinity;
    const next = Math.min(nextRef, nextCur);
    if (next > x) {
      const c = j / n;
      const a = refCdf(x) - c;
      const b = refCdf(next) - c;
      const width = next - x;
      if ((a >= 0 && b >= 0) || (a <= 0 && b <= 0)) result += (Math.abs(a + b) / 2) * width;
      else result += ((a * a + b * b) / (2 * Math.abs(a - b))) * width;
      x = next;
    }
    while (j < n && current[j]! <= x) j++;
    while (segments[s] && x >= segments[s]!.hi) {
      refBefore += segments[s]!.count;
      s++;
    }
  }
  return result;
}

/**
 * Evidently's replacement of empty shares before psi and kl_div (`utils.get_binned_data`,
 * `feel_zeroes=True`): every 0 becomes the smallest non-zero share / 10^6 when that share is at
 * most 0.0001, else 0.0001.
 */
export function fillEmptyShares(shares: readonly number[]): number[] {
  let smallest = Infinity;
  for (const share of shares) if (share !== 0 && share < smallest) smallest = share;
  const filler = smallest <= 0.0001 ? smallest / 10 ** 6 : 0.0001;
  return shares.map((share) => (share === 0 ? filler : share));
}
