/**
 * The expectations: one evaluator per expectation of a suite, fed batch by batch.
 *
 * Semantics are Great Expectations' pandas engine (GE 1.x, with the 0.x kwargs it accepted):
 * - map expectations ignore missing values; `mostly` is the fraction of non-missing values
 *   (of all rows for expect_column_values_to_(not_)be_null), and a column with no value to check is
 *   a vacuous success;
 * - bounds are inclusive unless strict_min/strict_max; regexes are searched (`re.search`);
 * - uniqueness counts every copy of a repeated value as unexpected;
 * - aggregates (`mean`, `median`...) of an empty column are null and fail, except `sum` (0);
 * - an expectation that raises in GE (a string compared with numbers, a missing column) fails with
 *   `exception_info` instead of stopping the run.
 */
import type { Cell } from '../data/dataset.js';
import { ConfigurationError, type SourceLocation } from '../errors.js';
import { nearest } from '../suggest.js';
import {
  BudgetExceededError,
  ColumnProfile,
  median,
  SeenNumbers,
  quantiles,
  ValueBuffer,
  ValueCounts,
  type Interpolation,
  type MemoryBudget,
} from './accumulators.js';
import {
  codePointLength,
  compareTyped,
  isoInstant,
  keyValue,
  pythonText,
  pythonTypeName,
  typeCell,
  CellKind,
  type NumericColumn,
  valueKey,
  type Typed,
} from './cells.js';
import { parseDateutil, isDateutilParseable } from './dateutil.js';
import { compilePythonRegex } from './pyregex.js';
import {
  DtypeAccumulator,
  dtypeMatches,
  isRecognizedTypeName,
  OBJECT_TYPE_NAMES,
  pythonTypeMatches,
} from './pytypes.js';
import { matchesStrftime } from './strptime.js';
import type { ExpectationConfig } from './suite.js';

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
      if (kind === CellKind.Missing) continue;
      nonNull++;
      if (kind !== CellKind.Other && numbersOnly) {
        const number = numbers[row]!;
        profile?.addNumber(number, kind === CellKind.NativeNumber);
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
class UnexpectedSample {
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
 * mostly numbers (then that cell is why pandas reads the column as strings). Batches without such
 * a cell cost one look at the batch's count of non-numeric cells, plus a count of its numbers.
 */
export class FirstTextCell {
  private numbers = 0;
  private texts = 0;
  private first: UnexpectedRow | undefined;

  constructor(private readonly column: number) {}

  consume(view: BatchView): void {
    // A column that is text throughout has no single cause: stop looking once that is clear.
    if (!view.text || (this.texts > this.numbers && this.texts >= 100)) return;
    const { kinds, others } = view.numbers(this.column);
    const typed = others > 0 ? view.typed(this.column) : undefined;
    const base = view.fileIndex * POSITION_SCALE;
    for (let row = 0; row < view.rowCount; row++) {
      const kind = kinds[row]!;
      if (kind === CellKind.TextNumber) this.numbers++;
      else if (kind === CellKind.Other && typeof typed![row] === 'string') {
        this.texts++;
        this.first ??= { value: typed![row], position: base + view.lines[row]! };
      }
    }
  }

  /** The first non-numeric cell when the column is mostly numbers, else undefined. */
  cause(): UnexpectedRow | undefined {
    return this.numbers > this.texts ? this.first : undefined;
  }
}

/**
 * `evaluator`, whose failure names the cell that made its column text (see
 * {@link ExpectationOutcome.textCause}): for the expectations that a string among numbers fails
 * (bounds, numeric statistics, types).
 */
function withTextCause(column: number, evaluator: Evaluator): Evaluator {
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
function mapResult(
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

function failed(message: string): Omit<ExpectationOutcome, 'config'> {
  return { success: false, result: {}, exception: message, unexpected: [] };
}

function betweenVerdict(
  observed: number | string | boolean | null,
  kwargs: Record<string, unknown>,
  compare: (a: unknown, b: unknown) => number = (a, b) => compareScalars(a, b),
): boolean {
  if (observed === null || (typeof observed === 'number' && Number.isNaN(observed))) return false;
  const { min_value: min = null, max_value: max = null, strict_min: strictMin, strict_max: strictMax } = kwargs;
  if (min !== null) {
    const order = compare(observed, min);
    if (strictMin ? !(order > 0) : !(order >= 0)) return false;
  }
  if (max !== null) {
    const order = compare(observed, max);
    if (strictMax ? !(order < 0) : !(order <= 0)) return false;
  }
  return true;
}

/** Python's ordering of two scalars; throws ExpectationError where Python raises TypeError. */
export function compareScalars(a: unknown, b: unknown, operator = '<'): number {
  if (isNumericScalar(a) && isNumericScalar(b)) {
    const left = Number(a);
    const right = Number(b);
    return left < right ? -1 : left > right ? 1 : left === right ? 0 : NaN;
  }
  if (typeof a === 'string' && typeof b === 'string') return compareTexts(a, b);
  throw new ExpectationError(`'${operator}' not supported between instances of '${pyTypeOf(a)}' and '${pyTypeOf(b)}'`);
}

function isNumericScalar(value: unknown): boolean {
  return typeof value === 'number' || typeof value === 'boolean';
}

/** {@link compareScalars} for two strings. */
function compareTexts(a: string, b: string): number {
  // Dates and date-times written in ISO 8601 compare as instants; other text as Python strings.
  // When the first ten characters (an ISO date's) differ and neither has a time zone, both
  // orders agree, whether or not the texts are dates: no need to parse.
  const early = firstDifference(a, b, 10);
  if (early !== 0 && a.length >= 10 && b.length >= 10 && !hasZone(a) && !hasZone(b)) return early;
  const left = isoInstant(a);
  const right = left === undefined ? undefined : isoInstant(b);
  if (left !== undefined && right !== undefined) return left < right ? -1 : left > right ? 1 : 0;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The sign of the first difference between a and b within `limit` characters, else 0. */
function firstDifference(a: string, b: string, limit: number): number {
  for (let index = 0; index < limit; index++) {
    const difference = a.charCodeAt(index) - b.charCodeAt(index);
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return 0;
}

/** True when an ISO-looking text may carry a time zone (`Z`, `+hh`, `-hh` after the date). */
function hasZone(text: string): boolean {
  for (let index = 10; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 43 || code === 45 || code === 90 || code === 122) return true;
  }
  return false;
}

function pyTypeOf(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return Array.isArray(value) ? 'list' : 'dict';
}

/** A text value parsed as dateutil would (for parse_strings_as_datetimes); other values unchanged. */
function asDatetime(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const epoch = parseDateutil(value);
  if (epoch === undefined) throw new ExpectationError(`Unknown string format: ${value}`);
  return epoch;
}

/** The shortest common start that makes a renamed column (`wind` for `wind_speed`) worth suggesting. */
const MIN_PREFIX = 3;

/**
 * The column a missing one was probably renamed to: the same name in another case, else one a
 * couple of edits away (a typo, a unit suffix), else one that extends the name or that the name
 * extends (`wind` and `wind_speed`; the closest in length first).
 */
export function suggestColumn(name: string, columns: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const extended = (column: string) => {
    const other = column.toLowerCase();
    const [short, long] = other.length < lower.length ? [other, lower] : [lower, other];
    return short.length >= MIN_PREFIX && long.startsWith(short);
  };
  return (
    columns.find((column) => column.toLowerCase() === lower) ??
    nearest(name, columns, Math.max(2, Math.floor(name.length / 5))) ??
    columns.filter(extended).sort((a, b) => Math.abs(a.length - name.length) - Math.abs(b.length - name.length))[0]
  );
}

function columnMissing(context: EvaluatorContext, name: string): Evaluator {
  const near = suggestColumn(name, context.columns);
  const hint = near ? ` (did you mean "${near}"?)` : '';
  return {
    pass: 1,
    finish: () => failed(`The column "${name}" in BatchData does not exist.${hint}`),
  };
}

type Test = (value: Typed, raw: Cell | undefined, text: boolean) => boolean;

/**
 * A column map expectation over non-missing values. `numberTest`, when given, must give the same
 * verdict as `test` for every number: numeric cells are then tested unboxed.
 */
function columnMap(
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
            if (kind === CellKind.Missing) continue;
            present++;
            if (kind !== CellKind.Other) {
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
          const value = typed[row]!;
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
function textMap(
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
function cellText(raw: NonNullable<Cell>): string {
  return typeof raw === 'string' ? raw : pythonText(typeCell(raw, false)!, raw);
}

/** expect_column_values_to_(not_)be_null: the domain is every row. */
function nullMap(context: EvaluatorContext, column: number, mostly: number, expectNull: boolean): Evaluator {
  const sample = new UnexpectedSample(context.limit);
  return {
    pass: 1,
    consume(view) {
      const { kinds } = view.numbers(column);
      const base = view.fileIndex * POSITION_SCALE;
      for (let row = 0; row < view.rowCount; row++) {
        if ((kinds[row] === CellKind.Missing) !== expectNull) {
          sample.add(expectNull ? view.typed(column)[row]! : null, base + view.lines[row]!);
        }
      }
    },
    finish: (table) => mapResult(table.rows, null, sample, mostly),
  };
}

/** Members of a value set typed the way the column's cells are. */
function valueSetKeys(values: unknown[], text: boolean, parseDates: boolean): Set<unknown> {
  return new Set(
    values.map((member) => {
      if (member === null) return null;
      const typed = typeCell(member as Cell, text) ?? member;
      return parseDates ? asDatetime(typed) : valueKey(typed as Typed);
    }),
  );
}

function setTest(values: unknown[], parseDates: boolean, member: boolean): Test {
  const textKeys = valueSetKeys(values, true, parseDates);
  const nativeKeys = valueSetKeys(values, false, parseDates);
  return (value, _raw, text) => {
    const key = parseDates ? asDatetime(value) : valueKey(value);
    return (text ? textKeys : nativeKeys).has(key) === member;
  };
}

function regexTest(patterns: string[], mode: 'any' | 'all' | 'none'): (raw: NonNullable<Cell>) => boolean {
  const regexes = patterns.map((pattern) => compilePythonRegex(pattern));
  if (regexes.length === 1) {
    const regex = regexes[0]!;
    return mode === 'none' ? (raw) => !regex.test(cellText(raw)) : (raw) => regex.test(cellText(raw));
  }
  return (raw) => {
    const text = cellText(raw);
    if (mode === 'any') return regexes.some((regex) => regex.test(text));
    if (mode === 'all') return regexes.every((regex) => regex.test(text));
    return !regexes.some((regex) => regex.test(text));
  };
}

/** Where the regex time budget is set, most specific first: the expectation's meta, the suite's meta. */
export const REGEX_TIME_BUDGET_KEY = 'regex_time_budget_seconds';

/** The default regex time budget per expectation, in seconds. */
export const DEFAULT_REGEX_TIME_BUDGET_SECONDS = 10;

/**
 * Reads a `regex_time_budget_seconds` from a meta object: undefined when absent, else a positive
 * number; anything else is a ConfigurationError at `location`.
 */
export function readRegexTimeBudget(
  meta: Record<string, unknown> | undefined,
  location: SourceLocation,
  where: string,
): number | undefined {
  const value = meta?.[REGEX_TIME_BUDGET_KEY];
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  throw new ConfigurationError(
    `${where}: meta.${REGEX_TIME_BUDGET_KEY} must be a positive number of seconds, not ${JSON.stringify(value)}.`,
    location,
  );
}

/** How many values are matched between two looks at the clock (a look costs about as much as a match). */
const CLOCK_EVERY = 8;

/**
 * A regex test under a time budget. A backtracking engine can take exponential time on some
 * patterns (`^(a+)+$` against `aaaa…!`), and nothing can interrupt a running match: the clock is
 * read every few values, and once the matching time of this expectation (summed over batches)
 * passes the budget, the expectation fails with an error that names it and its pattern. The
 * validate-data step also lets V8 switch such a pattern to its linear-time engine
 * (adapters/regex-engine.ts), so the budget is the last resort: for patterns V8 cannot run in
 * linear time (back-references, lookarounds) or cells that alone exceed the budget.
 */
function regexBudget(
  config: ExpectationConfig,
  context: EvaluatorContext,
  patterns: string[],
  test: (raw: NonNullable<Cell>) => boolean,
): { test: (raw: NonNullable<Cell>) => boolean; wrap: (evaluator: Evaluator) => Evaluator } {
  const seconds =
    readRegexTimeBudget(config.meta, config.location, `expectations[${config.index}]`) ??
    context.regexTimeBudgetSeconds;
  const budgetMs = seconds * 1000;
  const { now } = context;
  let spentBefore = 0;
  let batchStart = 0;
  let matched = 0;
  return {
    test(raw) {
      if (++matched % CLOCK_EVERY === 0 && spentBefore + (now() - batchStart) > budgetMs) {
        const shown =
          patterns.length === 1
            ? `the regex ${JSON.stringify(patterns[0])}`
            : `one of the regexes ${JSON.stringify(patterns)}`;
        throw new ExpectationError(
          `expectations[${config.index}] (${config.type}): ${shown} ran past its time budget of ${seconds} s after ${matched.toLocaleString('en-US')} values: the pattern backtracks heavily; rewrite it (a nested quantifier such as (a+)+ is the usual cause), or raise meta.${REGEX_TIME_BUDGET_KEY} on the expectation or the suite.`,
        );
      }
      return test(raw);
    },
    wrap(evaluator) {
      const consume = evaluator.consume!;
      return {
        ...evaluator,
        consume(view) {
          batchStart = now();
          try {
            consume.call(evaluator, view);
          } finally {
            spentBefore += now() - batchStart;
          }
        },
      };
    },
  };
}

function stringOnly(name: string): (raw: NonNullable<Cell>) => string {
  return (raw) => {
    if (typeof raw === 'string') return raw;
    throw new ExpectationError(
      `Values passed to ${name} must be of type string.\nIf you want to validate a column of dates or timestamps, please call the expectation before converting from string format.`,
    );
  };
}

/**
 * The test of a length expectation, as pandas' `Series.str.len()`: a text's length in code points,
 * a list's or mapping's number of items, and NaN (so unexpected) for a number or boolean in a
 * mixed column. pandas refuses the `.str` accessor (GE then raises) only when the column holds
 * nothing but numbers or nothing but booleans: `error()` says so once the column has been read.
 */
function lengthTest(accept: (length: number) => boolean): {
  test: (raw: NonNullable<Cell>) => boolean;
  error: () => string | undefined;
} {
  let sized = false;
  let numbers = false;
  let booleans = false;
  return {
    test(raw) {
      if (typeof raw === 'string') {
        sized = true;
        return accept(codePointLength(raw));
      }
      if (typeof raw === 'number' || typeof raw === 'bigint') {
        numbers = true;
        return false;
      }
      if (typeof raw === 'boolean') {
        booleans = true;
        return false;
      }
      sized = true;
      return accept(Array.isArray(raw) ? raw.length : Object.keys(raw).length);
    },
    // infer_dtype says integer/floating/boolean (refused) rather than mixed (accepted).
    error: () => (!sized && numbers !== booleans ? 'Can only use .str accessor with string values!' : undefined),
  };
}

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    // Python's json also reads the NaN, Infinity and -Infinity literals.
    if (!/NaN|Infinity/.test(text)) return false;
    try {
      JSON.parse(text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g, (token) => (token.startsWith('"') ? token : '0')));
      return true;
    } catch {
      return false;
    }
  }
}

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
  add(key: number | boolean | string, position: number, value: unknown): void {
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
      const copy = typeof value === 'function' ? (value as () => unknown)() : value;
      this.sample.addOrdered(copy, state);
      this.sample.addOrdered(copy, position);
    } else {
      this.sample.addOrdered(typeof value === 'function' ? (value as () => unknown)() : value, position);
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
        if (kind === CellKind.Missing) continue;
        finder.countRow();
        if (kind !== CellKind.Other) {
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
          const value = typedColumns[index]![row]!;
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

/** expect_column_pair_values_a_to_be_greater_than_b. */
function pairGreater(context: EvaluatorContext, a: number, b: number, kwargs: Record<string, unknown>): Evaluator {
  const sample = new UnexpectedSample(context.limit);
  const mostly = (kwargs.mostly as number | undefined) ?? 1;
  const orEqual = kwargs.or_equal === true;
  const ignoreRowIf = (kwargs.ignore_row_if as string | undefined) ?? 'both_values_are_missing';
  const parseDates = kwargs.parse_strings_as_datetimes === true;
  const crossType = kwargs.allow_cross_type_comparisons === true;
  let considered = 0;
  let error: string | undefined;
  return {
    pass: 1,
    consume(view) {
      if (error !== undefined) return;
      const left = view.typed(a);
      const right = view.typed(b);
      const base = view.fileIndex * POSITION_SCALE;
      try {
        for (let row = 0; row < view.rowCount; row++) {
          const x = left[row]!;
          const y = right[row]!;
          if (ignoreRowIf === 'both_values_are_missing' && x === null && y === null) continue;
          if (ignoreRowIf === 'either_value_is_missing' && (x === null || y === null)) continue;
          considered++;
          let expected: boolean;
          if (x === null || y === null) expected = false;
          else if (typeof x === 'string' && typeof y === 'string' && !parseDates) {
            // Text against text (dates, usually) cannot raise: no try needed.
            const order = compareTexts(x, y);
            expected = orEqual ? order >= 0 : order > 0;
          } else {
            let order: number;
            try {
              order = compareScalars(parseDates ? asDatetime(x) : x, parseDates ? asDatetime(y) : y, '>');
            } catch (caught) {
              if (!crossType || !(caught instanceof ExpectationError)) throw caught;
              order = NaN;
            }
            expected = orEqual ? order >= 0 : order > 0;
          }
          if (!expected) sample.add([x, y], base + view.lines[row]!);
        }
      } catch (caught) {
        if (!(caught instanceof ExpectationError)) throw caught;
        error = caught.message;
      }
    },
    finish(table) {
      if (error !== undefined) return failed(error);
      return mapResult(table.rows, considered, sample, mostly);
    },
  };
}

/** expect_column_values_to_be_of_type / _in_type_list: dtype check, or per value for object columns. */
function typeCheck(
  context: EvaluatorContext,
  column: number,
  mostly: number,
  names: string[] | null,
  single: boolean,
): Evaluator {
  const dtype = new DtypeAccumulator();
  // Text cells of an object column all share one Python type (str, or bool): decided at the end.
  const textSample = new UnexpectedSample(context.limit);
  const nativeSample = new UnexpectedSample(context.limit);
  let nonNull = 0;
  const matchesAny = (pythonType: string) => (names ?? []).some((name) => pythonTypeMatches(pythonType, name));
  return {
    pass: 1,
    consume(view) {
      const typed = view.typed(column);
      const rows = view.rows;
      const base = view.fileIndex * POSITION_SCALE;
      for (let row = 0; row < typed.length; row++) {
        const value = typed[row]!;
        const raw = rows[row]![column];
        dtype.add(raw, value);
        if (value === null) continue;
        nonNull++;
        const position = base + view.lines[row]!;
        if (typeof raw === 'string' && view.text) textSample.add(value, position);
        else if (!matchesAny(pythonTypeName(value, raw))) nativeSample.add(value, position);
      }
    },
    finish(table) {
      const observed = dtype.dtype(table.rows);
      const aggregate = observed !== 'object_' || names === null || (single && OBJECT_TYPE_NAMES.includes(names[0]!));
      if (aggregate) {
        const success = names === null || names.some((name) => dtypeMatches(observed, name));
        return { success, result: { observed_value: observed }, unexpected: [] };
      }
      if (!single && !names.some((name) => isRecognizedTypeName(name))) {
        return failed(`No recognized numpy/python type in list: ${JSON.stringify(names)}`);
      }
      const textType = dtype.allBoolean ? 'bool' : 'str';
      const combined = new UnexpectedSample(context.limit);
      const rows = [...(matchesAny(textType) ? [] : textSample.rows), ...nativeSample.rows].sort(
        (x, y) => x.position - y.position,
      );
      for (const row of rows.slice(0, context.limit)) combined.rows.push(row);
      combined.count = nativeSample.count + (matchesAny(textType) ? 0 : textSample.count);
      return mapResult(table.rows, nonNull, combined, mostly);
    },
  };
}

type Aggregate = (table: TableFacts) => Omit<ExpectationOutcome, 'config'>;

function aggregate(finish: Aggregate): Evaluator {
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

/** The numbers of a column for mean/median/stdev/sum/quantiles, or GE's TypeError. */
function requireNumeric(profile: ColumnProfile): void {
  if (!profile.numeric) {
    throw new ExpectationError(
      `could not compute a numeric statistic: the column holds non-numeric values (e.g. ${JSON.stringify(profile.sample)})`,
    );
  }
}

/** pandas' min or max of a column: numbers, booleans, or text when the column is text. */
function extreme(profile: ColumnProfile, which: 'min' | 'max', allText: boolean): number | boolean | string | null {
  const present = profile.moments.count + profile.nonNumeric;
  if (present === 0) return null;
  if (profile.nested > 0) throw new ExpectationError(`'<' not supported between instances of 'dict' and 'dict'`);
  if (profile.numeric) {
    const value = which === 'min' ? profile.moments.min : profile.moments.max;
    return profile.allBooleans ? value === 1 : value;
  }
  if (allText) return (which === 'min' ? profile.textMin : profile.textMax) ?? null;
  if (profile.nativeNumbers > 0) throw new ExpectationError(`'<' not supported between instances of 'str' and 'int'`);
  return (which === 'min' ? profile.stringMin : profile.stringMax) ?? null;
}

function numberOrNull(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

/** The expectations that a string among numbers fails: their failures name that string's cell. */
const FAILED_BY_TEXT = new Set([
  'expect_column_values_to_be_between',
  'expect_column_values_to_be_of_type',
  'expect_column_values_to_be_in_type_list',
  'expect_column_value_z_scores_to_be_less_than',
  'expect_column_min_to_be_between',
  'expect_column_max_to_be_between',
  'expect_column_mean_to_be_between',
  'expect_column_median_to_be_between',
  'expect_column_stdev_to_be_between',
  'expect_column_sum_to_be_between',
  'expect_column_quantile_values_to_be_between',
]);

/** Builds the evaluator of one expectation. */
export function createEvaluator(config: ExpectationConfig, context: EvaluatorContext): Evaluator {
  const evaluator = buildEvaluator(config, context);
  const column = FAILED_BY_TEXT.has(config.type) ? context.columns.indexOf(String(config.kwargs.column)) : -1;
  return column === -1 ? evaluator : withTextCause(column, evaluator);
}

function buildEvaluator(config: ExpectationConfig, context: EvaluatorContext): Evaluator {
  const { kwargs } = config;
  const columnIndex = (name: unknown) => context.columns.indexOf(String(name));
  const mostly = (kwargs.mostly as number | undefined) ?? 1;
  const betweenOnTable = (observe: (table: TableFacts) => number) =>
    aggregate((table) => {
      const observed = observe(table);
      return { success: betweenVerdict(observed, kwargs), result: { observed_value: observed }, unexpected: [] };
    });

  switch (config.type) {
    case 'expect_column_to_exist':
      return aggregate((table) => {
        const index = kwargs.column_index as number | null | undefined;
        let success: boolean;
        // As in GE: a column_index of 0 (falsy in Python) only checks that the column exists.
        if (index) {
          const at = index < 0 ? table.columns.length + index : index;
          success = table.columns[at] === kwargs.column;
        } else success = table.columns.includes(String(kwargs.column));
        return { success, result: {}, unexpected: [] };
      });
    case 'expect_table_row_count_to_be_between':
      return betweenOnTable((table) => table.rows);
    case 'expect_table_row_count_to_equal':
      return aggregate((table) => ({
        success: table.rows === kwargs.value,
        result: { observed_value: table.rows },
        unexpected: [],
      }));
    case 'expect_table_column_count_to_be_between':
      return betweenOnTable((table) => table.columns.length);
    case 'expect_table_column_count_to_equal':
      return aggregate((table) => ({
        success: table.columns.length === kwargs.value,
        result: { observed_value: table.columns.length },
        unexpected: [],
      }));
    case 'expect_table_columns_to_match_ordered_list':
      return aggregate((table) => {
        const expected = kwargs.column_list as string[] | null;
        const observed = [...table.columns];
        if (
          expected === null ||
          (expected.length === observed.length && expected.every((name, index) => observed[index] === name))
        ) {
          return { success: true, result: { observed_value: observed }, unexpected: [] };
        }
        const mismatched = [];
        for (let index = 0; index < Math.max(expected.length, observed.length); index++) {
          if (expected[index] !== observed[index]) {
            mismatched.push({
              'Expected Column Position': index,
              Expected: expected[index] ?? null,
              Found: observed[index] ?? null,
            });
          }
        }
        return { success: false, result: { observed_value: observed, details: { mismatched } }, unexpected: [] };
      });
    case 'expect_table_columns_to_match_set':
      return aggregate((table) => {
        const expected = kwargs.column_set as string[] | null;
        const exact = kwargs.exact_match !== false && kwargs.exact_match !== null;
        const observed = [...table.columns].sort();
        const wanted = new Set(expected ?? []);
        const actual = new Set(table.columns);
        const unexpectedColumns = [...actual].filter((name) => !wanted.has(name)).sort();
        const missing = [...wanted].filter((name) => !actual.has(name)).sort();
        if ((expected === null && !exact) || (unexpectedColumns.length === 0 && missing.length === 0)) {
          return { success: true, result: { observed_value: observed }, unexpected: [] };
        }
        const mismatched: Record<string, string[]> = {};
        if (unexpectedColumns.length) mismatched.unexpected = unexpectedColumns;
        if (missing.length) mismatched.missing = missing;
        return {
          success: exact ? false : missing.length === 0,
          result: { observed_value: observed, details: { mismatched } },
          unexpected: [],
        };
      });
    default:
      break;
  }

  if (config.type === 'expect_compound_columns_to_be_unique') {
    const names = kwargs.column_list as string[];
    const missing = names.find((name) => columnIndex(name) === -1);
    if (missing !== undefined) return columnMissing(context, missing);
    return compoundUnique(
      context,
      names.map(columnIndex),
      names,
      mostly,
      (kwargs.ignore_row_if as string | undefined) ?? 'all_values_are_missing',
    );
  }
  if (config.type === 'expect_column_pair_values_a_to_be_greater_than_b') {
    for (const name of [kwargs.column_A, kwargs.column_B])
      if (columnIndex(name) === -1) return columnMissing(context, String(name));
    return pairGreater(context, columnIndex(kwargs.column_A), columnIndex(kwargs.column_B), kwargs);
  }

  const column = columnIndex(kwargs.column);
  if (column === -1) return columnMissing(context, String(kwargs.column));
  const shared = () => context.shared(column);
  const parseDates = kwargs.parse_strings_as_datetimes === true;

  switch (config.type) {
    case 'expect_column_values_to_not_be_null':
      return nullMap(context, column, mostly, false);
    case 'expect_column_values_to_be_null':
      return nullMap(context, column, mostly, true);
    case 'expect_column_values_to_be_between': {
      const crossType = kwargs.allow_cross_type_comparisons === true;
      const min = parseDates ? asDatetime(kwargs.min_value ?? null) : (kwargs.min_value ?? null);
      const max = parseDates ? asDatetime(kwargs.max_value ?? null) : (kwargs.max_value ?? null);
      const bounds = { ...kwargs, min_value: min, max_value: max };
      const strictMin = kwargs.strict_min === true;
      const strictMax = kwargs.strict_max === true;
      const numericBounds = (min === null || typeof min === 'number') && (max === null || typeof max === 'number');
      const low = typeof min === 'number' ? min : -Infinity;
      const high = typeof max === 'number' ? max : Infinity;
      const textBound = typeof min === 'string' || typeof max === 'string';
      // The common case, numbers against numeric bounds, without the general comparison.
      const numberTest =
        numericBounds && !parseDates
          ? (value: number) => (strictMin ? value > low : value >= low) && (strictMax ? value < high : value <= high)
          : undefined;
      return columnMap(
        context,
        column,
        mostly,
        (value) => {
          if (numberTest && typeof value === 'number') return numberTest(value);
          const candidate = parseDates ? asDatetime(value) : value;
          if (!crossType && (min !== null || max !== null) && (typeof candidate === 'string') !== textBound) {
            throw new ExpectationError(
              'Column values, min_value, and max_value must either be None or of the same type.',
            );
          }
          try {
            return betweenVerdict(candidate as number | string | boolean, bounds);
          } catch (caught) {
            if (crossType && caught instanceof ExpectationError) return false;
            throw caught;
          }
        },
        1,
        numberTest,
      );
    }
    case 'expect_column_values_to_be_in_set':
    case 'expect_column_values_to_not_be_in_set':
      return columnMap(
        context,
        column,
        mostly,
        setTest(kwargs.value_set as unknown[], parseDates, config.type === 'expect_column_values_to_be_in_set'),
      );
    case 'expect_column_values_to_match_regex':
    case 'expect_column_values_to_not_match_regex':
    case 'expect_column_values_to_match_regex_list':
    case 'expect_column_values_to_not_match_regex_list': {
      const single =
        config.type === 'expect_column_values_to_match_regex' ||
        config.type === 'expect_column_values_to_not_match_regex';
      const patterns = single ? [kwargs.regex as string] : (kwargs.regex_list as string[]);
      const mode = config.type.includes('_not_') ? 'none' : kwargs.match_on === 'all' ? 'all' : 'any';
      const budget = regexBudget(config, context, patterns, regexTest(patterns, mode));
      return budget.wrap(textMap(context, column, mostly, budget.test));
    }
    case 'expect_column_values_to_be_unique':
      return uniqueMap(context, column, mostly);
    case 'expect_column_values_to_be_of_type':
      return typeCheck(context, column, mostly, [kwargs.type_ as string], true);
    case 'expect_column_values_to_be_in_type_list':
      return typeCheck(context, column, mostly, (kwargs.type_list as string[] | null) ?? null, false);
    case 'expect_column_values_to_match_strftime_format': {
      const text = stringOnly(config.type);
      const format = kwargs.strftime_format as string;
      return textMap(context, column, mostly, (raw) => matchesStrftime(text(raw), format));
    }
    case 'expect_column_values_to_be_dateutil_parseable': {
      const text = stringOnly(config.type);
      return textMap(context, column, mostly, (raw) => isDateutilParseable(text(raw)));
    }
    case 'expect_column_values_to_be_json_parseable':
      return textMap(context, column, mostly, (raw) => typeof raw === 'string' && isJsonText(raw));
    case 'expect_column_value_lengths_to_be_between': {
      const { min_value: min = null, max_value: max = null } = kwargs;
      if ((min === null || typeof min === 'number') && (max === null || typeof max === 'number')) {
        // Numeric bounds (the schema's usual case): compared directly, without betweenVerdict's
        // general comparison for every cell.
        const low = min ?? -Infinity;
        const high = max ?? Infinity;
        const strictMin = Boolean(kwargs.strict_min);
        const strictMax = Boolean(kwargs.strict_max);
        const lengths = lengthTest(
          (length) => (strictMin ? length > low : length >= low) && (strictMax ? length < high : length <= high),
        );
        return textMap(context, column, mostly, lengths.test, lengths.error);
      }
      const lengths = lengthTest((length) => betweenVerdict(length, kwargs));
      return textMap(context, column, mostly, lengths.test, lengths.error);
    }
    case 'expect_column_value_lengths_to_equal': {
      const lengths = lengthTest((length) => length === kwargs.value);
      return textMap(context, column, mostly, lengths.test, lengths.error);
    }
    case 'expect_column_value_z_scores_to_be_less_than': {
      const profile = shared().useProfile();
      const threshold = kwargs.threshold as number;
      const doubleSided = kwargs.double_sided !== false;
      return columnMap(
        context,
        column,
        mostly,
        (value) => {
          if (!profile.numeric)
            throw new ExpectationError('Cannot complete Z-score calculations on a non-numerical column.');
          const z = (Number(value) - profile.moments.mean) / profile.moments.stdev;
          return doubleSided ? Math.abs(z) < Math.abs(threshold) : z < threshold;
        },
        2,
      );
    }
    default:
      break;
  }

  // Column aggregates, computed from the shared per-column accumulators.
  const between = (observe: (table: TableFacts) => number | string | boolean | null) =>
    aggregate((table) => {
      const observed = observe(table);
      const compare = parseDates ? (a: unknown, b: unknown) => compareScalars(asDatetime(a), asDatetime(b)) : undefined;
      return {
        success: betweenVerdict(observed, kwargs, compare),
        result: { observed_value: observed },
        unexpected: [],
      };
    });
  switch (config.type) {
    case 'expect_column_min_to_be_between':
    case 'expect_column_max_to_be_between': {
      const profile = shared().useProfile();
      profile.keepExtremes = true;
      return between((table) =>
        extreme(profile, config.type === 'expect_column_min_to_be_between' ? 'min' : 'max', table.allText),
      );
    }
    case 'expect_column_mean_to_be_between': {
      const profile = shared().useProfile();
      return between(() => {
        requireNumeric(profile);
        return profile.moments.count === 0 ? null : numberOrNull(profile.moments.mean);
      });
    }
    case 'expect_column_stdev_to_be_between': {
      const profile = shared().useProfile();
      return between(() => {
        requireNumeric(profile);
        return numberOrNull(profile.moments.stdev);
      });
    }
    case 'expect_column_sum_to_be_between': {
      const profile = shared().useProfile();
      return between(() => {
        requireNumeric(profile);
        return profile.moments.sum;
      });
    }
    case 'expect_column_median_to_be_between': {
      const profile = shared().useProfile();
      const buffer = shared().useBuffer();
      return between(() => {
        requireNumeric(profile);
        return median(buffer.sortedValues());
      });
    }
    case 'expect_column_quantile_values_to_be_between': {
      const profile = shared().useProfile();
      const buffer = shared().useBuffer();
      const ranges = kwargs.quantile_ranges as {
        quantiles: number[];
        value_ranges: Array<[number | null, number | null]>;
      };
      const relative = kwargs.allow_relative_error;
      const method: Interpolation = typeof relative === 'string' ? (relative as Interpolation) : 'nearest';
      return aggregate(() => {
        // GE's pandas metric passes a truthy allow_relative_error to .quantile(interpolation=...),
        // which accepts only a method's name: `true` (a Spark/SQL setting) raises there.
        if (relative === true) {
          throw new ExpectationError(
            "If specified for pandas, allow_relative_error must be one an allowed value for the 'interpolation' parameter of .quantile() (one of ('linear', 'lower', 'higher', 'midpoint', 'nearest'))",
          );
        }
        requireNumeric(profile);
        const sorted = buffer.sortedValues();
        const values = quantiles(sorted, ranges.quantiles, method);
        const details = values.map((value, index) => {
          if (value === null) return false;
          const [low, high] = ranges.value_ranges[index]!;
          return (low === null || low <= value) && (high === null || value <= high);
        });
        return {
          success: details.every(Boolean),
          result: { observed_value: { quantiles: ranges.quantiles, values }, details: { success_details: details } },
          unexpected: [],
        };
      });
    }
    case 'expect_column_unique_value_count_to_be_between': {
      const counts = shared().useCounts();
      return between(() => {
        counts.check();
        return counts.counts.size;
      });
    }
    case 'expect_column_proportion_of_unique_values_to_be_between': {
      const counts = shared().useCounts();
      const columnState = shared();
      return between(() => {
        counts.check();
        return columnState.nonNull > 0 ? counts.counts.size / columnState.nonNull : 0;
      });
    }
    case 'expect_column_distinct_values_to_be_in_set':
    case 'expect_column_distinct_values_to_contain_set':
    case 'expect_column_distinct_values_to_equal_set': {
      const counts = shared().useCounts();
      const type = config.type;
      return aggregate((table) => {
        const sorted = counts.sorted();
        const text = table.allText;
        const expected = valueSetKeys(kwargs.value_set as unknown[], text, parseDates);
        const observedKeys = new Set(sorted.map(({ value }) => (parseDates ? asDatetime(value) : valueKey(value))));
        const subset = [...observedKeys].every((key) => expected.has(key));
        const superset = [...expected].every((key) => observedKeys.has(key));
        const success =
          type === 'expect_column_distinct_values_to_be_in_set'
            ? subset
            : type === 'expect_column_distinct_values_to_contain_set'
              ? superset
              : subset && superset;
        const limit = 1000;
        const result: Record<string, unknown> = {
          observed_value: sorted.slice(0, limit).map(({ value }) => value),
          details: { value_counts: sorted.slice(0, limit).map(({ value, count }) => ({ value, count })) },
        };
        if (sorted.length > limit) result.observed_value_truncated_to = limit;
        return { success, result, unexpected: [] };
      });
    }
    case 'expect_column_most_common_value_to_be_in_set': {
      const counts = shared().useCounts();
      return aggregate((table) => {
        counts.check();
        let best = 0;
        for (const count of counts.counts.values()) if (count > best) best = count;
        const modes = [...counts.counts.entries()]
          .filter(([, count]) => count === best && best > 0)
          .map(([key]) => keyValue(key))
          .sort(compareTyped);
        const expected = valueSetKeys((kwargs.value_set as unknown[] | null) ?? [], table.allText, false);
        const intersection = modes.filter((mode) => expected.has(valueKey(mode))).length;
        const success = kwargs.ties_okay === true ? intersection > 0 : modes.length === 1 && intersection === 1;
        return { success, result: { observed_value: modes }, unexpected: [] };
      });
    }
    default:
      throw new Error(`No evaluator for ${config.type}.`);
  }
}
