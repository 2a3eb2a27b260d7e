/**
 * The mergeable sketch of a numeric column past its exact limit: a histogram on a grid of
 * power-of-two bin widths. Bin k holds the values in [k·w, (k+1)·w) with w = 2^e, so that:
 *
 * - keys are exact (x / 2^e is exact in binary floating point), whatever the offset of the data:
 *   a sensor at 1000 ± 0.2 gets bins of 0.2/1000, where a relative-error sketch (DDSketch at
 *   α = 0.001) would give bins of 2, ten times its spread, and a Wasserstein distance off by 600%;
 * - two sketches merge exactly: the finer one is coarsened to the other's width (bin k of width w
 *   is bin floor(k/2) of width 2w), then bins add up;
 * - the accuracy is set by the data: the first width is about 1/1000 of the standard deviation of
 *   the first exact-limit values, doubled whenever more than `maxBins` bins are occupied.
 *
 * Every value is at most one bin width from where the sketch puts it; spreading each bin evenly
 * over its width (binning.ts) makes Wasserstein distances and binned shares far closer than that.
 */
import type { DriftSketch } from './types.js';

/** Occupied bins a sketch may hold before it doubles its width (default). */
export const DEFAULT_SKETCH_BINS = 16_384;
/** Bins per standard deviation of the first values. */
const BINS_PER_DEVIATION = 1000;
/** Keys stay exact integers below this. */
const KEY_LIMIT = 2 ** 52;

/** The grid exponent for data of this spread and magnitude: w ≈ spread / 1000, never zero. */
export function gridExponentFor(spread: number, magnitude: number): number {
  const scale = Math.max(spread, magnitude * 2 ** -40, 2 ** -900);
  return Math.floor(Math.log2(scale / BINS_PER_DEVIATION));
}

/** Width of the dense window of bins around the first value (the rest go to a Map). */
const WINDOW = 1 << 16;

/**
 * A grid sketch being filled. Bins near the first value are counted in a dense window (an array
 * increment per value); bins outside it in a Map.
 */
export class GridSketch {
  private window = new Float64Array(WINDOW);
  private windowBase: number | undefined;
  private windowOccupied = 0;
  private outside = new Map<number, number>();
  private inverse: number;

  constructor(
    private exponent: number,
    private readonly maxBins: number = DEFAULT_SKETCH_BINS,
  ) {
    this.inverse = 2 ** -exponent;
  }

  /** Occupied bins. */
  get size(): number {
    return this.windowOccupied + this.outside.size;
  }

  /** Adds `count` values equal to `value`. */
  add(value: number, count = 1): void {
    let scaled = value * this.inverse;
    while (Math.abs(scaled) >= KEY_LIMIT) {
      this.coarsen();
      scaled = value * this.inverse;
    }
    this.addKey(Math.floor(scaled), count);
  }

  private addKey(key: number, count: number): void {
    if (this.windowBase === undefined) this.windowBase = key - WINDOW / 2;
    const index = key - this.windowBase;
    if (index >= 0 && index < WINDOW) {
      if (this.window[index] === 0) this.windowOccupied++;
      this.window[index]! += count;
    } else this.outside.set(key, (this.outside.get(key) ?? 0) + count);
    if (this.windowOccupied + this.outside.size > this.maxBins) this.coarsen();
  }

  /** Every occupied bin, in no particular order. */
  private entries(): Array<[number, number]> {
    const entries: Array<[number, number]> = [...this.outside];
    if (this.windowBase !== undefined)
      for (let i = 0; i < WINDOW; i++) if (this.window[i] !== 0) entries.push([this.windowBase + i, this.window[i]!]);
    return entries;
  }

  /** Doubles the bin width: bin k becomes floor(k / 2). */
  private coarsen(): void {
    const entries = this.entries();
    this.window = new Float64Array(WINDOW);
    this.windowOccupied = 0;
    this.outside = new Map();
    this.exponent++;
    this.inverse = 2 ** -this.exponent;
    const base = this.windowBase;
    this.windowBase = base === undefined ? undefined : Math.floor(base / 2) + WINDOW / 4 - WINDOW / 2;
    for (const [key, count] of entries) this.addKeyQuiet(Math.floor(key / 2), count);
  }

  /** addKey without the size check (coarsening in progress). */
  private addKeyQuiet(key: number, count: number): void {
    if (this.windowBase === undefined) this.windowBase = key - WINDOW / 2;
    const index = key - this.windowBase;
    if (index >= 0 && index < WINDOW) {
      if (this.window[index] === 0) this.windowOccupied++;
      this.window[index]! += count;
    } else this.outside.set(key, (this.outside.get(key) ?? 0) + count);
  }

  /** The sketch as stored in a profile (keys ascending). */
  toJson(): DriftSketch {
    const entries = this.entries().sort((a, b) => a[0] - b[0]);
    return {
      bin_width_log2: this.exponent,
      keys: entries.map(([key]) => key),
      counts: entries.map(([, count]) => count),
    };
  }

  /** A stored sketch, to add to. */
  static fromJson(sketch: DriftSketch, maxBins = DEFAULT_SKETCH_BINS): GridSketch {
    const grid = new GridSketch(sketch.bin_width_log2, Math.max(maxBins, sketch.keys.length));
    sketch.keys.forEach((key, i) => grid.addKeyQuiet(key, sketch.counts[i]!));
    return grid;
  }

  /** Brings this sketch to at least `exponent` (coarsening only). */
  coarsenTo(exponent: number): void {
    while (this.exponent < exponent) this.coarsen();
  }

  /** Adds the bins of another sketch (coarsening whichever is finer to the other's width). */
  merge(other: DriftSketch): void {
    const theirs = GridSketch.fromJson(other);
    theirs.coarsenTo(this.exponent);
    this.coarsenTo(theirs.exponent);
    for (const [key, count] of theirs.entries()) this.addKeyQuiet(key, count);
    while (this.size > this.maxBins) this.coarsen();
  }
}

/** The values a stored sketch holds. */
export function sketchCount(sketch: DriftSketch): number {
  let total = 0;
  for (const count of sketch.counts) total += count;
  return total;
}
