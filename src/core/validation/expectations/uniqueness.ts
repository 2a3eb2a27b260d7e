/**
 * Uniqueness: expect_column_values_to_be_unique and expect_compound_columns_to_be_unique, exact
 * within the distinct-value budget (extra passes over hash partitions beyond it). Every copy of a
 * repeated value is unexpected, as pandas' duplicated(keep=False).
 */
import { SeenNumbers, type MemoryBudget } from '../accumulators.js';
import { NumericCellKind, valueKey, type Typed } from '../cells.js';
import {
  failed,
  mapResult,
  POSITION_SCALE,
  UnexpectedSample,
  type EvaluatorContext,
  type Evaluator,
  type EvaluatorTable,
  type ExpectationOutcome,
} from './base.js';

/**
 * What a numeric key kept in the ascending run costs of the distinct-value budget: 16 bytes against
 * the ~64 of a hashed key. Not a quarter but 0.3, so that the run (at most 3.3 million keys, 53 MB)
 * plus the value buffer and the reader stay under 200 MB of peak RSS.
 */
const RUN_KEY_COST = 0.3;

/**
 * Distinct keys with where they were first seen: a key maps to the position of its only copy so
 * far (>= 0), or to -(number of copies) once repeated. Numbers go to a SeenNumbers, the rest to a Map.
 */
class FirstSeen {
  private readonly numbers: SeenNumbers;
  private readonly others = new Map<boolean | string, number>();

  /**
   * `expected`: how many numeric keys to make room for up front (no growth garbage); `maxEntries`:
   * the most keys it may ever hold (the distinct budget).
   */
  constructor(expected?: number, maxEntries?: number) {
    this.numbers = new SeenNumbers(expected, maxEntries);
  }

  get size(): number {
    return this.numbers.size + this.others.size;
  }

  get(key: number | boolean | string): number | undefined {
    return typeof key === 'number' ? this.numbers.get(key) : this.others.get(key);
  }

  /** Whether the last new key went to the ascending run of numbers (see {@link SeenNumbers}). */
  get lastWasRun(): boolean {
    return this.numbers.lastWasRun;
  }

  /** SeenNumbers.markSeen for any key. */
  markSeen(key: number | boolean | string, position: number): number | undefined {
    if (typeof key === 'number') return this.numbers.markSeen(key, position);
    this.numbers.lastWasRun = false;
    const state = this.others.get(key);
    this.others.set(key, state === undefined ? position : state >= 0 ? -2 : state - 1);
    return state;
  }
}

/** FNV-1a over a key's text, to split keys into partitions. */
function partitionHash(key: number | boolean | string): number {
  const text = typeof key === 'string' ? key : String(key);
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return hash >>> 0;
}

/** What a uniqueness expectation reports for a copy: a typed cell, or a function that builds the record. */
type ReportedValue = Typed | (() => Record<string, unknown>);

/** The value of {@link ReportedValue}, built on demand. */
function reported(value: ReportedValue): unknown {
  return typeof value === 'function' ? value() : value;
}

/**
 * Finds every copy of repeated keys, exactly, within the distinct-value budget. Keys are kept with
 * their first position; when the budget runs out, the finder drops them and asks for more passes
 * over the data, each keeping only the keys of one hash partition (every copy of a key falls in the
 * same partition), so memory stays bounded whatever the number of distinct keys.
 */
class DuplicateFinder {
  readonly sample: UnexpectedSample;
  private seen: FirstSeen;
  /** Rows considered (counted on the first pass only). */
  considered = 0;
  private charged = 0;
  private partitions = 1;
  private partition = 0;
  private overflowAt: { considered: number; distinct: number } | undefined;
  /** Set when even a partition would not fit: the expectation then fails with this message. */
  failure: string | undefined;

  constructor(
    private readonly budget: MemoryBudget,
    limit: number,
  ) {
    this.sample = new UnexpectedSample(limit);
    this.seen = new FirstSeen(undefined, budget.maxDistinct);
  }

  /** False once the finder has given up (the expectation then fails). */
  get active(): boolean {
    return this.failure === undefined;
  }

  /** Counts a row towards `considered` (first pass only). */
  countRow(): void {
    if (this.partition === 0 && this.partitions === 1) this.considered++;
  }

  /**
   * `value` is the value reported for an unexpected copy; a function is called only then (compound
   * keys build their record lazily). Typed cell values are never functions.
   */
  add(key: number | boolean | string, position: number, value: ReportedValue): void {
    // After the budget ran out on the first pass, only rows are counted, for the partition count;
    // after a partition overflowed, the pass is wasted until the restart.
    if ((this.partitions === 1 && this.overflowAt !== undefined) || this.restart) return;
    if (this.partitions > 1 && partitionHash(key) % this.partitions !== this.partition) return;
    if (this.budget.distinct <= 0 && this.seen.get(key) === undefined) {
      this.overflow();
      return;
    }
    const state = this.seen.markSeen(key, position);
    if (state === undefined) {
      // A key appended to the ascending run of numbers costs 16 bytes, about a quarter of a hashed one.
      const cost = this.seen.lastWasRun ? RUN_KEY_COST : 1;
      this.budget.distinct -= cost;
      this.charged += cost;
    } else if (state >= 0) {
      const copy = reported(value);
      this.sample.addOrdered(copy, state);
      this.sample.addOrdered(copy, position);
    } else {
      this.sample.addOrdered(reported(value), position);
    }
  }

  private release(): void {
    this.budget.distinct += this.charged;
    this.charged = 0;
    this.seen = new FirstSeen(this.partitionSize, this.budget.maxDistinct);
  }

  /** The expected keys per partition, once partitioned (with some slack for an uneven hash). */
  private partitionSize: number | undefined;

  private overflow(): void {
    if (this.partitions > 1) {
      // An unlucky or skewed partition: start over with twice as many.
      if (this.partitions >= 4096) {
        this.failure = `1/${this.partitions} of the distinct values still exceeds the memory cap of ${this.budget.maxDistinct.toLocaleString('en-US')} distinct values`;
      }
      this.restart = true;
    } else {
      // In budget units (run keys are cheaper), so that partitions are sized in the same units.
      this.overflowAt = { considered: this.considered, distinct: this.charged };
    }
    this.release();
  }

  private restart = false;

  /** After a pass: whether another pass over the data is needed, and its set-up. */
  wantsAnotherPass(): boolean {
    if (this.failure !== undefined) return false;
    if (this.restart) {
      this.restart = false;
      this.partitions *= 2;
      if (this.partitionSize !== undefined) this.partitionSize = Math.ceil(this.partitionSize / 2);
      this.partition = 0;
      this.sample.reset();
      this.release();
      return true;
    }
    if (this.partitions === 1) {
      if (!this.overflowAt) return false;
      // Extrapolate the distinct count from where the budget ran out; partitions of 3/4 of the cap.
      const estimate = (this.overflowAt.distinct * this.considered) / Math.max(1, this.overflowAt.considered);
      this.partitions = Math.max(2, Math.ceil(estimate / (this.budget.maxDistinct * 0.75)));
      this.partitionSize = Math.ceil((estimate / this.partitions) * 1.1);
      this.partition = 0;
      this.sample.reset();
      this.release();
      return true;
    }
    this.release();
    this.partition++;
    return this.partition < this.partitions;
  }

  /** Extra passes made, for the report. */
  get extraPasses(): number {
    return this.partitions === 1 ? 0 : this.partitions;
  }
}

/** The outcome of a uniqueness expectation, or its failure when even a partition would not fit. */
function uniquenessResult(finder: DuplicateFinder, rows: number, mostly: number): Omit<ExpectationOutcome, 'config'> {
  if (finder.failure !== undefined) return failed(`uniqueness could not be checked: ${finder.failure}`);
  return mapResult(rows, finder.considered, finder.sample, mostly);
}

/** expect_column_values_to_be_unique: every copy of a repeated value is unexpected. */
function uniqueMap(context: EvaluatorContext, column: number, mostly: number): Evaluator {
  const finder = new DuplicateFinder(context.budget, context.limit);
  return {
    pass: 1,
    consume(view) {
      if (!finder.active) return;
      const { kinds, numbers, others } = view.numbers(column);
      const typed = others > 0 ? view.typed(column) : undefined;
      const base = view.fileIndex * POSITION_SCALE;
      for (let row = 0; row < view.rowCount; row++) {
        const kind = kinds[row]!;
        if (kind === NumericCellKind.Missing) continue;
        finder.countRow();
        if (kind !== NumericCellKind.Other) {
          const number = numbers[row]!;
          finder.add(number, base + view.lines[row]!, number);
        } else {
          const value = typed![row]!;
          finder.add(typeof value === 'number' ? value : valueKey(value), base + view.lines[row]!, value);
        }
      }
    },
    wantsAnotherPass: () => finder.wantsAnotherPass(),
    finish: (table) => uniquenessResult(finder, table.rows, mostly),
  };
}

/** expect_compound_columns_to_be_unique. */
function compoundUnique(
  context: EvaluatorContext,
  columns: number[],
  names: string[],
  mostly: number,
  ignoreRowIf: string,
): Evaluator {
  const finder = new DuplicateFinder(context.budget, context.limit);
  return {
    pass: 1,
    consume(view) {
      if (!finder.active) return;
      const typedColumns = columns.map((column) => view.typed(column));
      const base = view.fileIndex * POSITION_SCALE;
      const parts: string[] = new Array<string>(columns.length);
      for (let row = 0; row < view.rowCount; row++) {
        let missing = 0;
        for (let index = 0; index < typedColumns.length; index++) {
          const value = typedColumns[index]![row] ?? null;
          if (value === null) {
            missing++;
            parts[index] = '\u0001';
          } else {
            const key = valueKey(value);
            parts[index] = typeof key === 'string' ? `s${key}` : typeof key === 'number' ? `n${key}` : `b${key}`;
          }
        }
        if (ignoreRowIf === 'all_values_are_missing' && missing === columns.length) continue;
        if (ignoreRowIf === 'any_value_is_missing' && missing > 0) continue;
        finder.countRow();
        finder.add(parts.join('\u0002'), base + view.lines[row]!, () =>
          Object.fromEntries(names.map((name, index) => [name, typedColumns[index]![row]])),
        );
      }
    },
    wantsAnotherPass: () => finder.wantsAnotherPass(),
    finish: (table) => uniquenessResult(finder, table.rows, mostly),
  };
}

export const uniquenessEvaluators: EvaluatorTable<
  'expect_column_values_to_be_unique' | 'expect_compound_columns_to_be_unique'
> = {
  expect_column_values_to_be_unique: (kwargs, { run, column }) =>
    uniqueMap(run, column(kwargs.column), kwargs.mostly ?? 1),
  expect_compound_columns_to_be_unique: (kwargs, { run, column }) =>
    compoundUnique(
      run,
      kwargs.column_list.map(column),
      kwargs.column_list,
      kwargs.mostly ?? 1,
      kwargs.ignore_row_if ?? 'all_values_are_missing',
    ),
};
