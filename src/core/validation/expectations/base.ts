/**
 * What every family of expectations shares: the evaluator interface, the batch view, outcomes in
 * GE's BASIC result format, the per-column shared accumulators, and the two shapes of a column map
 * expectation (over typed values, over the text as read).
 */
import type { Cell } from '../../data/dataset.js';
import type { ExpectationKwargs, ExpectationType } from '../../../generated/expectation-kwargs.js';
import { ColumnProfile, ValueBuffer, ValueCounts, BudgetExceededError, type MemoryBudget } from '../accumulators.js';
import { NumericCellKind, pythonText, typeCell, type NumericColumn, type Typed } from '../cells.js';
import type { ExpectationConfig } from '../suite.js';

/** A failure GE reports as an exception (`exception_info`), not as unexpected values. */
export class ExpectationError extends Error {}

/** Where a row is: its file (by index in the dataset) and line (row number for Parquet). */
export const POSITION_SCALE = 2 ** 32;

/** A failing row kept for the report and annotations. */
export interface UnexpectedRow {
  value: unknown;
  /** fileIndex * 2^32 + line. */
  position: number;
}

/** The verdict on one expectation. */
export interface ExpectationOutcome {
  config: ExpectationConfig;
  success: boolean;
  /** GE's `result` object (BASIC result format). */
  result: Record<string, unknown>;
  /** Set when the expectation raised (GE's exception_info.exception_message). */
  exception?: string;
  /** The first failing rows, in row order (at most the partial list's length). */
  unexpected: UnexpectedRow[];
  /**
   * On a failure in a mostly numeric column of a text file: the first cell that is not a number,
   * which makes pandas (and so GE) read the whole column as strings. Reports point at it instead
   * of at the valid rows that then fail.
   */
  textCause?: UnexpectedRow;
}

/** A batch as the evaluators see it: typed columns computed once per batch and shared. */
export interface BatchView {
  readonly rowCount: number;
  readonly fileIndex: number;
  /** True when the batch's file is a text format (strings may spell numbers). */
  readonly text: boolean;
  readonly lines: readonly number[];
  /** The cells as read, row by row (index a row, then a column). */
  readonly rows: ReadonlyArray<readonly Cell[]>;
  typed(column: number): ReadonlyArray<Typed | null>;
  /** The column's numbers, unboxed, with what each cell is (see {@link NumericColumn}). */
  numbers(column: number): NumericColumn;
}

/** What a finished run knows about the table. */
export interface TableFacts {
  rows: number;
  columns: readonly string[];
  /** True when every file of the dataset is a text format. */
  allText: boolean;
}

export interface Evaluator {
  /** 1 for the main pass; 2 for the few that need statistics of the whole column first. */
  readonly pass: 1 | 2;
  consume?(view: BatchView): void;
  /**
   * Asked after the main passes, and after each extra pass: true when the evaluator needs the data
   * once more (uniqueness beyond the distinct-value cap, one hash partition per pass).
   */
  wantsAnotherPass?(): boolean;
  finish(table: TableFacts): Omit<ExpectationOutcome, 'config'>;
}

/** Per-column accumulators shared by every expectation on the column, fed once per batch. */
export class SharedColumn {
  profile: ColumnProfile | undefined;
  buffer: ValueBuffer | undefined;
  counts: ValueCounts | undefined;
  nonNull = 0;

  constructor(
    readonly index: number,
    private readonly budget: MemoryBudget,
  ) {}

  useProfile(): ColumnProfile {
    return (this.profile ??= new ColumnProfile());
  }

  useBuffer(): ValueBuffer {
    return (this.buffer ??= new ValueBuffer(this.budget));
  }

  useCounts(): ValueCounts {
    return (this.counts ??= new ValueCounts(this.budget));
  }

  consume(view: BatchView): void {
    const rows = view.rows;
    const column = this.index;
    const { profile, buffer, counts } = this;
    const { kinds, numbers, others } = view.numbers(column);
    // Numbers take the unboxed path; the rest (and numbers whose text min/max is kept) the typed one.
    const typed = others > 0 || profile?.keepExtremes === true ? view.typed(column) : undefined;
    const numbersOnly = profile?.keepExtremes !== true;
    let nonNull = 0;
    for (let row = 0; row < view.rowCount; row++) {
      const kind = kinds[row]!;
      if (kind === NumericCellKind.Missing) continue;
      nonNull++;
      if (kind !== NumericCellKind.Other && numbersOnly) {
        const number = numbers[row]!;
        profile?.addNumber(number, kind === NumericCellKind.NativeNumber);
        buffer?.add(number);
        counts?.add(number);
        continue;
      }
      const value = typed![row]!;
      profile?.add(value, rows[row]![column]);
      if (buffer) {
        if (typeof value === 'number') buffer.add(value);
        else if (typeof value === 'boolean') buffer.add(value ? 1 : 0);
      }
      counts?.add(value);
    }
    this.nonNull += nonNull;
  }
}

/** What building an evaluator needs. */
export interface EvaluatorContext {
  columns: readonly string[];
  budget: MemoryBudget;
  /** How many unexpected values the report lists (GE's partial_unexpected_count, 20). */
  limit: number;
  /** Seconds of matching a regex expectation may take before it fails (see {@link regexBudget}). */
  regexTimeBudgetSeconds: number;
  /** A monotonic clock in milliseconds (performance.now), for the regex time budget. */
  now: () => number;
  shared(column: number): SharedColumn;
}

/** Keeps the count of unexpected values and the first `limit` of them with their positions. */
export class UnexpectedSample {
  count = 0;
  readonly rows: UnexpectedRow[] = [];

  constructor(readonly limit: number) {}

  add(value: unknown, position: number): void {
    this.count++;
    if (this.rows.length < this.limit) this.rows.push({ value, position });
  }

  /** Forgets everything (uniqueness starts over, partition by partition). */
  reset(): void {
    this.count = 0;
    this.rows.length = 0;
  }

  /** Adds a row that may precede rows already kept (uniqueness finds first copies late). */
  addOrdered(value: unknown, position: number): void {
    this.count++;
    if (this.rows.length === this.limit && position >= this.rows[this.rows.length - 1]!.position) return;
    let index = this.rows.length;
    while (index > 0 && this.rows[index - 1]!.position > position) index--;
    this.rows.splice(index, 0, { value, position });
    if (this.rows.length > this.limit) this.rows.pop();
  }
}

/**
 * Finds the first cell of a text-file column that is not a number, and whether the column is
 * mostly numbers or empty cells (then that cell is why pandas reads the column as strings). A
 * batch of numbers and empty cells only costs a look at its count of other cells.
 */
export class FirstTextCell {
  /** Numbers, empty cells (and the odd boolean) seen so far. */
  private notText = 0;
  private texts = 0;
  private first: UnexpectedRow | undefined;

  constructor(private readonly column: number) {}

  consume(view: BatchView): void {
    // A column that is text throughout has no single cause: stop looking once that is clear.
    if (!view.text || (this.texts > this.notText && this.texts >= 100)) return;
    const { others } = view.numbers(this.column);
    if (others === 0) {
      this.notText += view.rowCount;
      return;
    }
    const typed = view.typed(this.column);
    const base = view.fileIndex * POSITION_SCALE;
    for (let row = 0; row < view.rowCount; row++) {
      const value = typed[row];
      if (typeof value !== 'string') this.notText++;
      else {
        this.texts++;
        this.first ??= { value, position: base + view.lines[row]! };
      }
    }
  }

  /** The first non-numeric cell when the column is mostly numbers or empty cells, else undefined. */
  cause(): UnexpectedRow | undefined {
    return this.notText > this.texts ? this.first : undefined;
  }
}

/**
 * `evaluator`, whose failure names the cell that made its column text (see
 * {@link ExpectationOutcome.textCause}): for the expectations that a string among numbers fails
 * (bounds, numeric statistics, types).
 */
export function withTextCause(column: number, evaluator: Evaluator): Evaluator {
  const cells = new FirstTextCell(column);
  const consume = evaluator.consume;
  return {
    ...evaluator,
    consume(view) {
      cells.consume(view);
      consume?.call(evaluator, view);
    },
    finish(table) {
      const outcome = evaluator.finish(table);
      const cause = outcome.success ? undefined : cells.cause();
      return cause ? { ...outcome, textCause: cause } : outcome;
    },
  };
}

/** GE's `_format_map_output` for result_format BASIC. */
export function mapResult(
  elementCount: number,
  nonNull: number | null,
  sample: UnexpectedSample,
  mostly: number,
): Omit<ExpectationOutcome, 'config'> {
  const unexpected = sample.count;
  const considered = nonNull ?? elementCount;
  const success = elementCount === 0 || considered === 0 ? true : (considered - unexpected) / considered >= mostly;
  const total = elementCount > 0 ? (unexpected / elementCount) * 100 : null;
  const result: Record<string, unknown> = {
    element_count: elementCount,
    unexpected_count: unexpected,
    unexpected_percent: null,
    partial_unexpected_list: sample.rows.map((row) => row.value),
  };
  if (nonNull === null) {
    result.unexpected_percent = total;
  } else {
    const missing = elementCount - nonNull;
    const nonMissing = elementCount > 0 && nonNull > 0 ? (unexpected / nonNull) * 100 : null;
    result.unexpected_percent = nonMissing;
    result.missing_count = missing;
    result.missing_percent = elementCount > 0 ? (missing / elementCount) * 100 : null;
    result.unexpected_percent_total = total;
    result.unexpected_percent_nonmissing = nonMissing;
  }
  return { success, result, unexpected: sample.rows };
}

export function failed(message: string): Omit<ExpectationOutcome, 'config'> {
  return { success: false, result: {}, exception: message, unexpected: [] };
}

export type Test = (value: Typed, raw: Cell | undefined, text: boolean) => boolean;

/**
 * A column map expectation over non-missing values. `numberTest`, when given, must give the same
 * verdict as `test` for every number: numeric cells are then tested unboxed.
 */
export function columnMap(
  context: EvaluatorContext,
  column: number,
  mostly: number,
  test: Test,
  pass: 1 | 2 = 1,
  numberTest?: (value: number) => boolean,
): Evaluator {
  const sample = new UnexpectedSample(context.limit);
  let nonNull = 0;
  let error: string | undefined;
  return {
    pass,
    consume(view) {
      if (error !== undefined) return;
      const rows = view.rows;
      const base = view.fileIndex * POSITION_SCALE;
      try {
        if (numberTest) {
          const { kinds, numbers, others } = view.numbers(column);
          const typed = others > 0 ? view.typed(column) : undefined;
          let present = 0;
          for (let row = 0; row < view.rowCount; row++) {
            const kind = kinds[row]!;
            if (kind === NumericCellKind.Missing) continue;
            present++;
            if (kind !== NumericCellKind.Other) {
              const number = numbers[row]!;
              if (!numberTest(number)) sample.add(number, base + view.lines[row]!);
              continue;
            }
            const value = typed![row]!;
            if (!test(value, rows[row]![column], view.text)) sample.add(value, base + view.lines[row]!);
          }
          // (After an ExpectationError the count no longer matters: the result is the error.)
          nonNull += present;
          return;
        }
        const typed = view.typed(column);
        for (let row = 0; row < typed.length; row++) {
          const value = typed[row] ?? null;
          if (value === null) continue;
          nonNull++;
          if (!test(value, rows[row]![column], view.text)) sample.add(value, base + view.lines[row]!);
        }
      } catch (caught) {
        if (!(caught instanceof ExpectationError)) throw caught;
        error = caught.message;
      }
    },
    finish(table) {
      if (error !== undefined) return failed(error);
      return mapResult(table.rows, nonNull, sample, mostly);
    },
  };
}

/**
 * A column map expectation whose test reads a value's text (regexes, lengths, formats): text cells
 * are tested as read, without typing them; only the unexpected ones are typed, for the report.
 */
export function textMap(
  context: EvaluatorContext,
  column: number,
  mostly: number,
  test: (raw: NonNullable<Cell>) => boolean,
  finalError?: () => string | undefined,
): Evaluator {
  const sample = new UnexpectedSample(context.limit);
  let nonNull = 0;
  let error: string | undefined;
  return {
    pass: 1,
    consume(view) {
      if (error !== undefined) return;
      const rows = view.rows;
      const base = view.fileIndex * POSITION_SCALE;
      try {
        for (let row = 0; row < rows.length; row++) {
          const raw = rows[row]![column];
          if (raw === null || raw === undefined || (typeof raw === 'number' && Number.isNaN(raw))) continue;
          nonNull++;
          if (!test(raw)) sample.add(typeCell(raw, view.text), base + view.lines[row]!);
        }
      } catch (caught) {
        if (!(caught instanceof ExpectationError)) throw caught;
        error = caught.message;
      }
    },
    finish(table) {
      error ??= finalError?.();
      if (error !== undefined) return failed(error);
      return mapResult(table.rows, nonNull, sample, mostly);
    },
  };
}

/** The text GE's pandas engine tests for a present cell (`str(value)`). */
export function cellText(raw: NonNullable<Cell>): string {
  return typeof raw === 'string' ? raw : pythonText(typeCell(raw, false)!, raw);
}

export type Aggregate = (table: TableFacts) => Omit<ExpectationOutcome, 'config'>;

export function aggregate(finish: Aggregate): Evaluator {
  return {
    pass: 1,
    finish(table) {
      try {
        return finish(table);
      } catch (caught) {
        if (caught instanceof ExpectationError || caught instanceof BudgetExceededError) return failed(caught.message);
        throw caught;
      }
    },
  };
}

/** What the builder of one expectation's evaluator gets. */
export interface BuildContext {
  config: ExpectationConfig;
  run: EvaluatorContext;
  /** The index of a column the expectation names (each was checked to exist before building). */
  column(name: string): number;
}

/** Builds the evaluator of one expectation type from its kwargs (checked against the schema). */
export type EvaluatorBuilder<T extends ExpectationType> = (
  kwargs: ExpectationKwargs[T],
  build: BuildContext,
) => Evaluator;

/** The builders of a family of expectations, keyed by type. */
export type EvaluatorTable<T extends ExpectationType> = { [P in T]: EvaluatorBuilder<P> };
