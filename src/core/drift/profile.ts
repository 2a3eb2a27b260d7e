/**
 * Drift profiles: what drift-check keeps of a dataset, built in one streaming pass and mergeable.
 *
 * Per numeric column the finite values are kept exactly (a growable Float64Array, sorted at the
 * end) up to `exactLimit`; beyond that the profile keeps exact counts, Chan-merged moments and a
 * grid sketch (sketch.ts: power-of-two bin widths, exactly mergeable), plus exact counts per distinct value while
 * there are at most `categoryCap` of them. Categorical columns keep exact counts per category (a
 * Map). Nothing is kept per cell but the numbers themselves.
 */
import type { Cell, RowBatch } from '../data/dataset.js';
import { toNumber } from '../data/values.js';
import { InputError } from '../errors.js';
import { DEFAULT_SKETCH_BINS, gridExponentFor, GridSketch } from './sketch.js';
import { sortDoubles } from './sort.js';
import type {
  DriftColumnProfile,
  DriftColumnType,
  DriftMoments,
  DriftProfile,
  DriftProfileOptions,
  DriftProfileSource,
  DriftSketch,
  DriftTextCell,
} from './types.js';

/** Finite values a profile keeps exactly per numeric column before it sketches them. */
export const DEFAULT_EXACT_LIMIT = 100_000;
/** Distinct values counted exactly per column (categories, or values of a sketched numeric column). */
export const DEFAULT_CATEGORY_CAP = 10_000;
/** Evidently switches numeric columns to per-value shares at 20 distinct reference values: counts must reach past that. */
const MIN_CATEGORY_CAP = 21;

const INTEGER_TEXT = /^[ \t]*[+-]?\d+[ \t]*$/;

/**
 * The number in a text cell, as toNumber reads it, with a fast path: `+text` for cells that start
 * like a decimal number (a digit, sign or point, and not 0x/0b/0o, which Number() would accept);
 * anything else (blanks, inf, words) goes through toNumber's full pattern.
 */
export function textToNumber(text: string): number | undefined {
  const first = text.charCodeAt(0);
  if ((first >= 48 && first <= 57) || first === 45 || first === 46) {
    const second = text.charCodeAt(1) | 32;
    if (first !== 48 || (second !== 120 && second !== 98 && second !== 111)) {
      const value = +text;
      if (value === value && text.charCodeAt(text.length - 1) > 32) return value;
    }
  }
  return toNumber(text);
}

/** A growable array of doubles: no per-value objects, amortised doubling. */
class DoubleBuffer {
  data = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  /** The values, sorted ascending (a view; the buffer is not used afterwards). */
  sorted(): Float64Array {
    return sortDoubles(this.data.subarray(0, this.length));
  }
}

/**
 * Sorted values as a profile holds them: a Float64Array that JSON.stringify writes as a plain
 * array (its own toJSON), so a profile stays one JSON.stringify away from its file.
 */
export function jsonValues(values: Float64Array): Float64Array {
  Object.defineProperty(values, 'toJSON', { value: () => Array.from(values), enumerable: false });
  return values;
}

/** Welford/Chan running moments of finite values. */
class Moments {
  count = 0;
  mean = 0;
  m2 = 0;
  min = Infinity;
  max = -Infinity;

  /** Moments of values seen so far, to continue from. */
  static from(moments: DriftMoments): Moments {
    return Object.assign(new Moments(), moments);
  }

  add(value: number): void {
    this.count++;
    const delta = value - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (value - this.mean);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  toJson(): DriftMoments {
    return { count: this.count, mean: this.mean, m2: this.m2, min: this.min, max: this.max };
  }
}

/**
 * Chan et al.'s pairwise combination of two sets of moments (count, mean, M2): exact in real
 * arithmetic, so a merged profile's moments equal the whole's up to rounding.
 */
export function mergeMoments(a: DriftMoments, b: DriftMoments): DriftMoments {
  if (a.count === 0) return { ...b };
  if (b.count === 0) return { ...a };
  const count = a.count + b.count;
  const delta = b.mean - a.mean;
  const mean = a.mean + (delta * b.count) / count;
  const m2 = a.m2 + b.m2 + (delta * delta * a.count * b.count) / count;
  return { count, mean, m2, min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) };
}

/** Moments of exact values, two-pass (as numpy's mean and std compute them). */
export function momentsOf(values: ArrayLike<number>): DriftMoments {
  const count = values.length;
  if (count === 0) return { count: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity };
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < count; i++) {
    const value = values[i]!;
    sum += value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const mean = sum / count;
  let m2 = 0;
  for (let i = 0; i < count; i++) {
    const deviation = values[i]! - mean;
    m2 += deviation * deviation;
  }
  return { count, mean, m2, min, max };
}

/** The stored sketch of exact values (their spread sets the grid). */
export function sketchOfValues(values: ArrayLike<number>, maxBins = DEFAULT_SKETCH_BINS): DriftSketch {
  const moments = momentsOf(values);
  const grid = new GridSketch(
    gridExponentFor(
      Math.sqrt(moments.m2 / Math.max(moments.count, 1)),
      Math.max(Math.abs(moments.min), Math.abs(moments.max)),
    ),
    maxBins,
  );
  for (let i = 0; i < values.length; i++) grid.add(values[i]!);
  return grid.toJson();
}

/** Merges two stored sketches exactly (the finer coarsened to the other's bin width). */
export function mergeSketches(a: DriftSketch, b: DriftSketch, maxBins = DEFAULT_SKETCH_BINS): DriftSketch {
  const grid = GridSketch.fromJson(a, maxBins);
  grid.merge(b);
  return grid.toJson();
}

/** Exact counts of distinct values, up to a cap; `undefined` once the cap is passed. */
type Counts = Map<string | number, number> | undefined;

function countInto(counts: Counts, value: string | number, by: number, cap: number): Counts {
  if (!counts) return undefined;
  const previous = counts.get(value);
  if (previous !== undefined) counts.set(value, previous + by);
  else {
    if (counts.size >= cap) return undefined;
    counts.set(value, by);
  }
  return counts;
}

/** Counts of sorted values, as [value, count] pairs; `undefined` when there are more than `cap` distinct values. */
export function countsOfSorted(values: ArrayLike<number>, cap: number): Array<[number, number]> | undefined {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < values.length;) {
    const value = values[i]!;
    let j = i + 1;
    while (j < values.length && values[j] === value) j++;
    if (pairs.length >= cap) return undefined;
    pairs.push([value, j - i]);
    i = j;
  }
  return pairs;
}

/** The text form of a categorical cell: strings as they are, booleans as pandas prints them. */
function categoryOf(cell: Exclude<Cell, null>): string {
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'boolean') return cell ? 'True' : 'False';
  if (typeof cell === 'object') return JSON.stringify(cell);
  return String(cell);
}

/** The state of one column while rows stream in. */
class ColumnAccumulator {
  type: DriftColumnType | undefined;
  rows = 0;
  nulls = 0;
  nonFinite = 0;
  integer = true;
  values: DoubleBuffer | undefined = new DoubleBuffer();
  moments = new Moments();
  sketch: GridSketch | undefined;
  counts: Counts = new Map();
  text: DriftTextCell | undefined;

  constructor(
    readonly name: string,
    readonly forcedType: DriftColumnType | undefined,
    private readonly exactLimit: number,
    private readonly categoryCap: number,
    private readonly sketchBins: number,
  ) {
    this.type = forcedType;
  }

  add(cell: Cell | undefined, file: string, line: number, lineIsRow: boolean): void {
    this.rows++;
    if (cell === null || cell === undefined) {
      this.nulls++;
      this.integer = false;
      return;
    }
    if (this.type === undefined) {
      // The first present value decides, as pandas' dtype would for a clean column; a text cell
      // after numbers is remembered and reported (a numeric column with text is a data error).
      this.type =
        typeof cell === 'number' || typeof cell === 'bigint' || toNumber(cell) !== undefined
          ? 'numeric'
          : 'categorical';
      if (typeof cell === 'number' && Number.isNaN(cell)) this.type = 'numeric';
    }
    if (this.type === 'categorical') {
      this.integer = false;
      this.counts = countInto(this.counts, categoryOf(cell), 1, this.categoryCap);
      return;
    }
    const value = typeof cell === 'number' ? cell : typeof cell === 'string' ? textToNumber(cell) : toNumber(cell);
    if (value === undefined) {
      this.integer = false;
      this.text ??= { file, line, ...(lineIsRow ? { row_in_file: true as const } : {}), value: categoryOf(cell) };
      return;
    }
    if (!Number.isFinite(value)) {
      this.nonFinite++;
      this.integer = false;
      return;
    }
    if (this.integer && !(typeof cell === 'string' ? INTEGER_TEXT.test(cell) : Number.isInteger(value)))
      this.integer = false;
    if (this.values) {
      // Exact values get their moments at the end, two-pass (momentsOf): nothing per value here.
      this.values.push(value);
      if (this.values.length > this.exactLimit) this.startSketch();
    } else {
      this.moments.add(value);
      this.sketch!.add(value);
      this.counts = countInto(this.counts, value, 1, this.categoryCap);
    }
  }

  /** Past the exact limit: the buffered values go into the sketch and the counts, and the buffer is freed. */
  private startSketch(): void {
    const sorted = this.values!.sorted();
    this.values = undefined;
    const moments = momentsOf(sorted);
    this.moments = Moments.from(moments);
    const sketch = new GridSketch(
      gridExponentFor(Math.sqrt(moments.m2 / moments.count), Math.max(Math.abs(moments.min), Math.abs(moments.max))),
      this.sketchBins,
    );
    for (let i = 0; i < sorted.length; i++) sketch.add(sorted[i]!);
    this.sketch = sketch;
    const pairs = countsOfSorted(sorted, this.categoryCap);
    this.counts = pairs ? new Map(pairs) : undefined;
  }

  toJson(): DriftColumnProfile {
    const type = this.type ?? 'numeric';
    const column: DriftColumnProfile = {
      name: this.name,
      type,
      rows: this.rows,
      nulls: this.nulls,
      non_finite: this.nonFinite,
    };
    if (type === 'categorical') {
      if (this.counts) column.counts = sortedCounts(this.counts);
      else column.counts_overflow = true;
      return column;
    }
    const kept = this.values ? this.values.length : this.moments.count;
    if (this.integer && kept > 0 && !this.text) column.integer = true;
    if (this.values) {
      const sorted = this.values.sorted();
      column.values = jsonValues(sorted);
      column.moments = momentsOf(sorted);
    } else {
      column.moments = this.moments.toJson();
      column.sketch = this.sketch!.toJson();
      if (this.counts) column.counts = sortedCounts(this.counts);
      else column.counts_overflow = true;
    }
    if (this.text) column.text = this.text;
    return column;
  }
}

function compareKeys(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function sortedCounts(counts: Map<string | number, number>): Array<[string | number, number]> {
  return [...counts.entries()].sort((a, b) => compareKeys(a[0], b[0]));
}

function checkLimit(value: number, label: string, minimum: number): void {
  if (!(value === Infinity || (Number.isInteger(value) && value >= minimum)))
    throw new InputError(`${label} must be a whole number of at least ${minimum}, got ${value}.`);
}

/**
 * Builds a drift profile in one streaming pass: numbers into growable Float64Arrays, categories
 * into Map counts, beyond `exactLimit` values per column Chan-merged moments and a DDSketch. A
 * column's type is the config's (`columnTypes`), else numeric when its first present value is a
 * number; the first text cell met in a numeric column is remembered with its file and line.
 */
export class DriftProfileBuilder {
  private readonly columns: ColumnAccumulator[];
  private readonly exactLimit: number;
  private readonly categoryCap: number;
  private rows = 0;

  constructor(columns: readonly string[], options: DriftProfileOptions = {}) {
    this.exactLimit = options.exactLimit ?? DEFAULT_EXACT_LIMIT;
    this.categoryCap = options.categoryCap ?? DEFAULT_CATEGORY_CAP;
    const sketchBins = options.sketchBins ?? DEFAULT_SKETCH_BINS;
    checkLimit(this.exactLimit, 'The exact limit of a drift profile', 0);
    checkLimit(this.categoryCap, 'The category cap of a drift profile', MIN_CATEGORY_CAP);
    checkLimit(sketchBins, 'The sketch bins of a drift profile', 16);
    this.columns = columns.map(
      (name) => new ColumnAccumulator(name, options.columnTypes?.[name], this.exactLimit, this.categoryCap, sketchBins),
    );
  }

  /** Adds a batch of rows (cells by column position). */
  addBatch(batch: RowBatch): void {
    const { rows, lines, file } = batch;
    const lineIsRow = batch.linesAreRows === true;
    const columns = this.columns;
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c]!;
      for (let r = 0; r < rows.length; r++) column.add(rows[r]![c], file, lines[r]!, lineIsRow);
    }
    this.rows += rows.length;
  }

  /** The profile of every row added. */
  finish(source: DriftProfileSource): DriftProfile {
    return {
      kind: 'mlops-drift-profile',
      format: 1,
      rows: this.rows,
      source: { files: [...source.files], ...(source.sha256 !== undefined ? { sha256: source.sha256 } : {}) },
      exact_limit: this.exactLimit === Infinity ? null : this.exactLimit,
      category_cap: this.categoryCap === Infinity ? null : this.categoryCap,
      columns: this.columns.map((column) => column.toJson()),
    };
  }
}
