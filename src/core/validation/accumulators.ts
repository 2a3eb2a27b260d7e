/**
 * Streaming accumulators shared by the expectations (and the profiler): numeric moments, the values
 * kept for exact medians and quantiles, and distinct-value counts. What keeps memory (values and
 * distinct keys) draws on one {@link MemoryBudget}, so a suite cannot exhaust the process.
 */
import type { Cell } from '../data/dataset.js';
import { compareTyped, keyValue, valueKey, type Typed } from './cells.js';

/** Default cap on numeric values kept for exact medians and quantiles, across all columns (8 bytes each). */
export const DEFAULT_MAX_VALUES = 5_000_000;
/** Default cap on distinct values kept for uniqueness and distinct-value expectations, across all columns. */
export const DEFAULT_MAX_DISTINCT = 1_000_000;

/** What the exact statistics may keep in memory; shared by every accumulator of a run. */
export class MemoryBudget {
  /** Values still available. */
  values: number;
  /** Distinct keys still available. */
  distinct: number;
  readonly maxValues: number;
  readonly maxDistinct: number;

  constructor(maxValues: number = DEFAULT_MAX_VALUES, maxDistinct: number = DEFAULT_MAX_DISTINCT) {
    this.values = this.maxValues = maxValues;
    this.distinct = this.maxDistinct = maxDistinct;
  }
}

/** An expectation cannot be computed because it would exceed the memory budget. */
export class BudgetExceededError extends Error {}

/** One numeric column's count, sum, mean, variance, extremes (Welford and Neumaier, one pass). */
export class NumericMoments {
  count = 0;
  private sumHigh = 0;
  private sumLow = 0;
  mean = 0;
  private m2 = 0;
  min = Infinity;
  max = -Infinity;

  add(value: number): void {
    this.count++;
    // Neumaier's compensated sum: exact enough to match pandas on long columns.
    const total = this.sumHigh + value;
    if (Math.abs(this.sumHigh) >= Math.abs(value)) this.sumLow += this.sumHigh - total + value;
    else this.sumLow += value - total + this.sumHigh;
    this.sumHigh = total;
    const delta = value - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (value - this.mean);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  get sum(): number {
    return this.sumHigh + this.sumLow;
  }

  /** Sample standard deviation (ddof = 1, as pandas' `std()`); NaN below two values. */
  get stdev(): number {
    return this.count < 2 ? NaN : Math.sqrt(Math.max(0, this.m2) / (this.count - 1));
  }
}

/**
 * What pandas would make of one column for min/max/mean/sum/stdev: its numbers (booleans count as
 * 0/1), and whether anything non-numeric would turn it into a column of strings.
 */
export class ColumnProfile {
  readonly moments = new NumericMoments();
  booleans = 0;
  /** Present values that are neither numbers nor booleans. */
  nonNumeric = 0;
  /** Present values that are nested JSON (objects, arrays). */
  nested = 0;
  /** Present values read from native (non-text) files that are strings. */
  nativeStrings = 0;
  /** Numbers or booleans read from native files (which pandas would not turn into strings). */
  nativeNumbers = 0;
  /** Min and max over the raw text of every text cell: pandas' view when the column is text. */
  textMin: string | undefined;
  textMax: string | undefined;
  /** Min and max over native strings. */
  stringMin: string | undefined;
  stringMax: string | undefined;
  /** A non-numeric value, for messages. */
  sample: Typed | undefined;
  /**
   * Whether to keep the text and string extremes above (only min/max expectations read them):
   * two string comparisons per cell are a large part of what a numeric column costs otherwise.
   */
  keepExtremes = false;

  add(value: Typed, raw: Cell | undefined): void {
    if (typeof raw === 'string' && this.keepExtremes) {
      if (this.textMin === undefined || raw < this.textMin) this.textMin = raw;
      if (this.textMax === undefined || raw > this.textMax) this.textMax = raw;
    }
    switch (typeof value) {
      case 'number':
        this.moments.add(value);
        if (typeof raw !== 'string') this.nativeNumbers++;
        return;
      case 'boolean':
        this.booleans++;
        this.moments.add(value ? 1 : 0);
        if (typeof raw !== 'string') this.nativeNumbers++;
        return;
      case 'string':
        this.nonNumeric++;
        this.sample ??= value;
        if (typeof raw !== 'string') {
          this.nativeStrings++;
          if (!this.keepExtremes) return;
          if (this.stringMin === undefined || value < this.stringMin) this.stringMin = value;
          if (this.stringMax === undefined || value > this.stringMax) this.stringMax = value;
        }
        return;
      default:
        this.nonNumeric++;
        this.nested++;
        this.sample ??= value;
    }
  }

  /** {@link add} for a number when the text extremes are not kept (`native`: not read from text). */
  addNumber(value: number, native: boolean): void {
    this.moments.add(value);
    if (native) this.nativeNumbers++;
  }

  /** True when every present value is a number or a boolean. */
  get numeric(): boolean {
    return this.nonNumeric === 0;
  }

  /** True when every present value is a boolean. */
  get allBooleans(): boolean {
    return this.booleans > 0 && this.booleans === this.moments.count;
  }
}

const CHUNK = 65_536;

/** The numeric values of one column, kept (within the budget) for exact medians and quantiles. */
export class ValueBuffer {
  private chunks: Float64Array[] = [];
  private fill = CHUNK;
  count = 0;
  /** Set when the budget ran out; the buffer then holds nothing. */
  overflow = false;
  private sorted: SortedValues | undefined;

  constructor(private readonly budget: MemoryBudget) {}

  add(value: number): void {
    if (this.overflow) return;
    if (this.fill === CHUNK) {
      if (this.budget.values < CHUNK) {
        this.overflow = true;
        this.budget.values += this.chunks.length * CHUNK;
        this.chunks = [];
        return;
      }
      this.budget.values -= CHUNK;
      this.chunks.push(new Float64Array(CHUNK));
      this.fill = 0;
    }
    this.chunks[this.chunks.length - 1]![this.fill++] = value;
    this.count++;
  }

  /**
   * The values in ascending order, as a view that reads order statistics: each chunk is sorted in
   * place and the k-th smallest value is found by merging the chunks, so that no second copy of the
   * values is ever made.
   */
  sortedValues(): SortedValues {
    if (this.overflow) {
      throw new BudgetExceededError(
        `exact medians and quantiles keep every value in memory, and the suite's numeric columns hold more than the cap of ${this.budget.maxValues.toLocaleString('en-US')} values`,
      );
    }
    if (!this.sorted) {
      const chunks = this.chunks.map((chunk, index) =>
        index === this.chunks.length - 1 ? chunk.subarray(0, this.count - index * CHUNK) : chunk,
      );
      // Chunks are sorted only if a rank cannot be found by sampling (see SortedValues.at).
      this.sorted = new SortedValues(chunks, this.count, chunks.length === 1);
      if (chunks.length === 1) chunks[0]!.sort();
    }
    return this.sorted;
  }
}

/** Values in sorted chunks, read by rank (0-based) through a k-way merge. */
export class SortedValues {
  private readonly cache = new Map<number, number>();

  /** `sorted`: whether each chunk is sorted already (otherwise they are sorted when needed). */
  constructor(
    private readonly chunks: Float64Array[],
    readonly length: number,
    private sorted = true,
  ) {}

  /** Values sorted in one array (for small inputs and tests). */
  static of(values: ArrayLike<number>): SortedValues {
    const sorted = Float64Array.from(values).sort();
    return new SortedValues([sorted], sorted.length);
  }

  /** The values at the given ranks, found in one merge up to the highest rank. */
  at(ranks: readonly number[]): number[] {
    const wanted = [...new Set(ranks.filter((rank) => !this.cache.has(rank)))].sort((a, b) => a - b);
    if (wanted.length) {
      if (this.chunks.length === 1 && this.sorted) {
        for (const rank of wanted) this.cache.set(rank, this.chunks[0]![rank]!);
      } else {
        const missed = this.sorted ? wanted : wanted.filter((rank) => !this.sample(rank));
        if (missed.length) {
          if (!this.sorted) {
            for (const chunk of this.chunks) chunk.sort();
            this.sorted = true;
          }
          this.merge(missed);
        }
      }
    }
    return ranks.map((rank) => this.cache.get(rank)!);
  }

  /**
   * Finds the value at `rank` without sorting (Floyd and Rivest's selection): a sorted sample of
   * 16,384 values gives two bounds that almost surely bracket the rank; one pass counts the values
   * below the lower bound and gathers those between the bounds, which are few, and sorts them.
   * False when the bounds miss the rank or too many values tie within them (the caller then sorts
   * the chunks): the answer is exact either way.
   */
  private sample(rank: number): boolean {
    const n = this.length;
    const size = Math.min(n, 16_384);
    const sample = new Float64Array(size);
    const starts: number[] = [];
    let total = 0;
    for (const chunk of this.chunks) {
      starts.push(total);
      total += chunk.length;
    }
    let chunk = 0;
    for (let index = 0; index < size; index++) {
      const at = Math.floor((index * n) / size);
      while (chunk + 1 < starts.length && starts[chunk + 1]! <= at) chunk++;
      sample[index] = this.chunks[chunk]![at - starts[chunk]!]!;
    }
    sample.sort();
    // The rank's place in the sample, widened by six standard deviations of the sampling error
    // (at most sqrt(size) / 2): about 5% of the values fall between the bounds.
    const place = (rank / n) * size;
    const margin = Math.ceil(3 * Math.sqrt(size)) + 2;
    const lowIndex = Math.floor(place) - margin;
    const highIndex = Math.ceil(place) + margin;
    const low = lowIndex <= 0 ? -Infinity : sample[lowIndex]!;
    const high = highIndex >= size - 1 ? Infinity : sample[highIndex]!;
    const limit = Math.max(65_536, n >>> 3);
    let between = new Float64Array(Math.min(limit, 16_384));
    let count = 0;
    let below = 0;
    for (const values of this.chunks) {
      for (let index = 0; index < values.length; index++) {
        const value = values[index]!;
        if (value < low) below++;
        else if (value <= high) {
          if (count === between.length) {
            if (count >= limit) return false;
            const grown = new Float64Array(Math.min(limit, count * 2));
            grown.set(between);
            between = grown;
          }
          between[count++] = value;
        }
      }
    }
    if (rank < below || rank >= below + count) return false;
    const candidates = between.subarray(0, count).sort();
    this.cache.set(rank, candidates[rank - below]!);
    return true;
  }

  /**
   * Finds the values at `wanted` ranks (ascending) without merging the chunks: for each rank, a
   * pivot from the chunk with the most candidates left splits every chunk's candidate range by
   * binary search, and the ranges on the side holding the rank are kept. Each step halves the
   * largest range, so a rank costs O(chunks² · log² chunk length) comparisons, not O(rank).
   */
  private merge(wanted: number[]): void {
    const chunks = this.chunks;
    const count = chunks.length;
    const low = new Int32Array(count);
    const high = new Int32Array(count);
    const below = new Int32Array(count);
    const through = new Int32Array(count);
    for (const rank of wanted) {
      low.fill(0);
      for (let chunk = 0; chunk < count; chunk++) high[chunk] = chunks[chunk]!.length;
      let remaining = rank;
      for (;;) {
        let widest = 0;
        for (let chunk = 1; chunk < count; chunk++) {
          if (high[chunk]! - low[chunk]! > high[widest]! - low[widest]!) widest = chunk;
        }
        const pivot = chunks[widest]![(low[widest]! + high[widest]!) >>> 1]!;
        let less = 0;
        let lessOrEqual = 0;
        for (let chunk = 0; chunk < count; chunk++) {
          const values = chunks[chunk]!;
          below[chunk] = boundary(values, pivot, low[chunk]!, high[chunk]!, false);
          through[chunk] = boundary(values, pivot, below[chunk]!, high[chunk]!, true);
          less += below[chunk]! - low[chunk]!;
          lessOrEqual += through[chunk]! - low[chunk]!;
        }
        if (remaining < less) high.set(below);
        else if (remaining < lessOrEqual) {
          this.cache.set(rank, pivot);
          break;
        } else {
          remaining -= lessOrEqual;
          low.set(through);
        }
      }
    }
  }
}

/**
 * The first index in `values[from..to)` (sorted) holding a value above `pivot` (`orEqual`), or at
 * least `pivot` (otherwise); `to` when there is none.
 */
function boundary(values: Float64Array, pivot: number, from: number, to: number, orEqual: boolean): number {
  let low = from;
  let high = to;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const value = values[middle]!;
    if (orEqual ? value <= pivot : value < pivot) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** pandas' median: the middle value, or the mean of the two middle values. */
export function median(sorted: SortedValues): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const middle = n >> 1;
  if (n % 2 === 1) return sorted.at([middle])[0]!;
  const [low, high] = sorted.at([middle - 1, middle]) as [number, number];
  return (low + high) / 2;
}

/** The interpolation methods of pandas' `Series.quantile` (numpy's `percentile`). */
export type Interpolation = 'linear' | 'lower' | 'higher' | 'midpoint' | 'nearest';

/** Round half to even, as numpy's `around`. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const difference = value - floor;
  if (difference > 0.5) return floor + 1;
  if (difference < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** numpy's `_lerp`, which rounds the same way on both halves of the interval. */
function lerp(a: number, b: number, t: number): number {
  const difference = b - a;
  return t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
}

/**
 * A quantile as pandas computes it (`Series.quantile(q, interpolation)`, which calls
 * `np.percentile(values, q * 100)`), over sorted values. Null when there are none.
 */
function positionOf(q: number, n: number): number {
  // pandas passes q * 100 to np.percentile, which divides by 100 again: keep the same rounding.
  return ((q * 100) / 100) * (n - 1);
}

/** Several quantiles, their ranks read in one merge. */
export function quantiles(
  sorted: SortedValues,
  qs: readonly number[],
  method: Interpolation = 'nearest',
): Array<number | null> {
  const n = sorted.length;
  if (n === 0) return qs.map(() => null);
  const ranks = qs.flatMap((q) => {
    const position = positionOf(q, n);
    return [Math.floor(position), Math.ceil(position), roundHalfEven(position)].map((rank) =>
      Math.min(n - 1, Math.max(0, rank)),
    );
  });
  sorted.at(ranks);
  return qs.map((q) => quantile(sorted, q, method));
}

export function quantile(sorted: SortedValues, q: number, method: Interpolation = 'nearest'): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const position = positionOf(q, n);
  const clamp = (index: number) => Math.min(n - 1, Math.max(0, index));
  const lowRank = clamp(Math.floor(position));
  const highRank = clamp(Math.ceil(position));
  const fraction = position - Math.floor(position);
  if (method === 'nearest') return sorted.at([clamp(roundHalfEven(position))])[0]!;
  const [low, high] = sorted.at([lowRank, highRank]) as [number, number];
  switch (method) {
    case 'lower':
      return low;
    case 'higher':
      return high;
    case 'midpoint':
      return fraction === 0 ? low : lerp(low, high, 0.5);
    default:
      return fraction === 0 ? low : lerp(low, high, fraction);
  }
}

/** Counts of each distinct present value of a column, within the distinct budget. */
export class ValueCounts {
  readonly counts = new Map<number | boolean | string, number>();
  overflow = false;

  constructor(private readonly budget: MemoryBudget) {}

  add(value: Typed): void {
    if (this.overflow) return;
    const key = valueKey(value);
    const count = this.counts.get(key);
    if (count !== undefined) {
      this.counts.set(key, count + 1);
      return;
    }
    if (this.budget.distinct <= 0) {
      this.overflow = true;
      this.budget.distinct += this.counts.size;
      this.counts.clear();
      return;
    }
    this.budget.distinct--;
    this.counts.set(key, 1);
  }

  /** Throws BudgetExceededError when the counts were dropped for lack of memory. */
  check(): void {
    if (this.overflow) {
      throw new BudgetExceededError(
        `distinct-value expectations keep every distinct value in memory, and the suite's columns hold more than the cap of ${this.budget.maxDistinct.toLocaleString('en-US')} distinct values`,
      );
    }
  }

  /** The distinct values with their counts, sorted by value. */
  sorted(): Array<{ value: Typed; count: number }> {
    this.check();
    return [...this.counts.entries()]
      .map(([key, count]) => ({ value: keyValue(key), count }))
      .sort((a, b) => compareTyped(a.value, b.value));
  }
}

const FLOAT = new Float64Array(1);
const WORDS = new Uint32Array(FLOAT.buffer);

/** A well-mixed 32-bit hash of a double (small integers, the common case, skip the bit view). */
function hashNumber(key: number): number {
  let h: number;
  if ((key | 0) === key) h = key;
  else {
    FLOAT[0] = key;
    h = WORDS[0]! ^ Math.imul(WORDS[1]!, 0x85ebca6b);
  }
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return h ^ (h >>> 16);
}

/**
 * A map from numbers to numbers with open addressing over typed arrays (NaN marks an empty slot;
 * keys are never NaN): 16 bytes a slot at most 70% full, doubling when full, instead of a Map's 60 to 80
 * bytes an entry, and several times faster on a million distinct ids.
 */
export class NumberTable {
  private keys: Float64Array;
  private values: Float64Array;
  private slots: number;
  size = 0;

  private readonly maxSlots: number;

  /**
   * `expected` entries fit without growing; the table never grows past what `maxEntries` need
   * (growth doubles, so without this cap a table near the distinct budget could be twice as big).
   */
  constructor(expected = 1024, maxEntries = Infinity) {
    this.maxSlots = Math.max(16, Math.ceil(maxEntries / 0.7) + 1);
    this.slots = Math.min(this.maxSlots, Math.max(16, Math.ceil(expected / 0.7) + 1));
    this.keys = new Float64Array(this.slots).fill(NaN);
    this.values = new Float64Array(this.slots);
  }

  /** The slot holding `key`, or the empty slot where it would go. */
  private slot(key: number): number {
    const keys = this.keys;
    const slots = this.slots;
    // Lemire's multiply-shift maps the hash onto any table size.
    let index = Math.floor(((hashNumber(key) >>> 0) * slots) / 4294967296);
    for (;;) {
      const found = keys[index]!;
      if (found === key || found !== found) return index;
      if (++index === slots) index = 0;
    }
  }

  get(key: number): number | undefined {
    const index = this.slot(key + 0);
    return Number.isNaN(this.keys[index]!) ? undefined : this.values[index];
  }

  private insertSlot(normalized: number): number {
    if ((this.size + 1) * 10 > this.slots * 7) this.grow();
    return this.slot(normalized);
  }

  set(key: number, value: number): void {
    const normalized = key + 0; // -0 and 0 are one key, as in a Map.
    let index = this.slot(normalized);
    if (Number.isNaN(this.keys[index]!)) {
      index = this.insertSlot(normalized);
      this.keys[index] = normalized;
      this.size++;
    }
    this.values[index] = value;
  }

  /**
   * Uniqueness bookkeeping in one probe: a new key gets `position` (the result is undefined); a key
   * seen once (state >= 0) becomes -2 and its first position is returned; a key seen n times
   * (state -n) becomes -(n + 1) and -n is returned.
   */
  markSeen(key: number, position: number): number | undefined {
    // Room for one more key is made up front (one probe instead of two for a new key; the table
    // may grow one key early).
    if ((this.size + 1) * 10 > this.slots * 7) this.grow();
    const normalized = key + 0;
    const index = this.slot(normalized);
    const found = this.keys[index]!;
    if (found !== found) {
      this.keys[index] = normalized;
      this.values[index] = position;
      this.size++;
      return undefined;
    }
    const state = this.values[index]!;
    this.values[index] = state >= 0 ? -2 : state - 1;
    return state;
  }

  /** Every entry, in no particular order. */
  *entries(): IterableIterator<[number, number]> {
    for (let index = 0; index < this.slots; index++) {
      const key = this.keys[index]!;
      if (!Number.isNaN(key)) yield [key, this.values[index]!];
    }
  }

  private grow(): void {
    const { keys, values } = this;
    // Doubling: every key is moved about once in all (growing by half moved each key twice).
    this.slots = this.slots >= this.maxSlots ? Math.ceil(this.slots * 1.5) : Math.min(this.maxSlots, this.slots * 2);
    this.keys = new Float64Array(this.slots).fill(NaN);
    this.values = new Float64Array(this.slots);
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index]!;
      if (!Number.isNaN(key)) {
        const target = this.slot(key);
        this.keys[target] = key;
        this.values[target] = values[index]!;
      }
    }
  }
}

const RUN_CHUNK = 65_536;

/**
 * Uniqueness bookkeeping for numeric keys (see {@link NumberTable.markSeen} for the states): keys
 * that arrive in ascending order — sorted ids, the usual case — are appended to a sorted run, in
 * sequential memory, instead of being scattered over a hash table (a cache miss a key on a
 * million ids); a key at or below the run's last key is looked up in the run by binary search and
 * otherwise goes to the hash table. Every key is in exactly one of the two.
 */
export class SeenNumbers {
  private readonly table: NumberTable;
  private readonly keyChunks: Float64Array[] = [];
  private readonly stateChunks: Float64Array[] = [];
  private runLength = 0;
  private last = -Infinity;
  /** Whether the last new key went to the run (it then costs less memory than in the table). */
  lastWasRun = false;

  constructor(expected?: number, maxEntries?: number) {
    this.table = new NumberTable(expected, maxEntries);
  }

  get size(): number {
    return this.runLength + this.table.size;
  }

  /** The state of `key`, or undefined when it has not been seen. */
  get(key: number): number | undefined {
    const at = key > this.last ? -1 : this.find(key + 0);
    if (at === -1) return this.table.get(key);
    return this.stateChunks[Math.floor(at / RUN_CHUNK)]![at % RUN_CHUNK];
  }

  /** As {@link NumberTable.markSeen}. */
  markSeen(key: number, position: number): number | undefined {
    const normalized = key + 0;
    if (normalized > this.last) {
      // Above every run key, and so above every key of the table too (they were all below the
      // run's last key when they came): new.
      const offset = this.runLength % RUN_CHUNK;
      if (offset === 0) {
        this.keyChunks.push(new Float64Array(RUN_CHUNK));
        this.stateChunks.push(new Float64Array(RUN_CHUNK));
      }
      this.keyChunks[this.keyChunks.length - 1]![offset] = normalized;
      this.stateChunks[this.stateChunks.length - 1]![offset] = position;
      this.runLength++;
      this.last = normalized;
      this.lastWasRun = true;
      return undefined;
    }
    this.lastWasRun = false;
    const at = this.find(normalized);
    if (at === -1) return this.table.markSeen(normalized, position);
    const states = this.stateChunks[Math.floor(at / RUN_CHUNK)]!;
    const offset = at % RUN_CHUNK;
    const state = states[offset]!;
    states[offset] = state >= 0 ? -2 : state - 1;
    return state;
  }

  /** The index of `key` in the run, or -1 (binary search over the sorted chunks). */
  private find(key: number): number {
    let low = 0;
    let high = this.runLength;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const found = this.keyChunks[Math.floor(middle / RUN_CHUNK)]![middle % RUN_CHUNK]!;
      if (found < key) low = middle + 1;
      else if (found > key) high = middle;
      else return middle;
    }
    return -1;
  }
}
