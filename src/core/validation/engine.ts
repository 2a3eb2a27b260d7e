/**
 * Runs a suite over a dataset in one streaming pass: every expectation gets each batch, and the
 * per-column accumulators it shares with others (moments, value buffers, distinct counts) are fed
 * once. Only expect_column_value_z_scores_to_be_less_than needs a second pass (z-scores need the
 * column's mean and standard deviation first); the dataset is then read again for those alone.
 */
import type { Cell, Dataset, RowBatch } from '../data/dataset.js';
import { MemoryBudget } from './accumulators.js';
import { classifyColumn, classifyColumns, typeCell, type NumericColumn, type Typed } from './cells.js';
import {
  createEvaluator,
  DEFAULT_REGEX_TIME_BUDGET_SECONDS,
  ExpectationError,
  readRegexTimeBudget,
  SharedColumn,
  type BatchView,
  type Evaluator,
  type EvaluatorContext,
  type ExpectationOutcome,
} from './expectations.js';
import type { ExpectationSuite } from './suite.js';

/** GE's default partial_unexpected_count. */
export const PARTIAL_UNEXPECTED_COUNT = 20;

const TEXT_FILE = /\.(csv|tsv|tab|txt|psv)(\.gz)?$/i;

/** True for files read as text (CSV/TSV), whose strings may spell numbers and booleans. */
export function isTextFileName(file: string): boolean {
  return TEXT_FILE.test(file);
}

export interface RunOptions {
  /** Whether a file's cells come from a text format (default: by extension, .csv/.tsv/.txt[.gz]). */
  isTextFile?: (file: string) => boolean;
  /** Cap on numeric values kept for exact medians and quantiles (all columns together). */
  maxValues?: number;
  /** Cap on distinct values kept for uniqueness and distinct-value expectations (all columns together). */
  maxDistinct?: number;
  /** How many unexpected values each result lists (default 20, as GE). */
  partialUnexpectedCount?: number;
  /**
   * Seconds of matching each regex expectation may take (default 10); the suite's or the
   * expectation's `meta.regex_time_budget_seconds` takes precedence.
   */
  regexTimeBudgetSeconds?: number;
  /** A monotonic clock in milliseconds (default performance.now). */
  now?: () => number;
  /** Called after each batch. */
  onProgress?: (progress: { pass: number; rows: number }) => void;
}

export interface ValidationRun {
  suite: ExpectationSuite;
  /** One outcome per expectation, in suite order. */
  outcomes: ExpectationOutcome[];
  rows: number;
  columns: readonly string[];
  /** The dataset's files; outcome positions refer to them by index. */
  files: string[];
  /** How many times the data was read (more with z-scores, or uniqueness beyond the distinct cap). */
  passes: number;
  allText: boolean;
}

/**
 * The batch being read. Typed columns are computed on first use and shared by every expectation;
 * their arrays are reused from batch to batch (no evaluator keeps them past `consume`).
 */
class View implements BatchView {
  private readonly ready: boolean[] = [];
  private readonly numericReady: boolean[] = [];
  private readonly numericPool: Array<{ kinds: Uint8Array; numbers: Float64Array; others: number }> = [];
  rowCount = 0;
  lines: readonly number[] = [];
  rows: ReadonlyArray<readonly Cell[]> = [];
  fileIndex = 0;
  text = false;

  constructor(private readonly pool: Array<Array<Typed | null>>) {}

  /** Points the view at the next batch. */
  reset(batch: RowBatch, fileIndex: number, text: boolean): void {
    this.rows = batch.rows;
    this.rowCount = batch.rows.length;
    this.lines = batch.lines;
    this.fileIndex = fileIndex;
    this.text = text;
    this.ready.length = 0;
    this.numericReady.length = 0;
    this.numericColumns = this.requested;
    this.requested = [];
    this.asked.length = 0;
  }

  /**
   * Columns read as numbers in the previous batch, which the consumers will ask for again: on the
   * first request in a batch they are classified together, row by row.
   */
  private numericColumns: number[] = [];
  private requested: number[] = [];
  private readonly asked: boolean[] = [];

  numbers(column: number): NumericColumn {
    const rows = this.rows;
    if (this.asked[column] !== true) {
      this.asked[column] = true;
      this.requested.push(column);
    }
    if (this.numericReady[column] !== true) {
      const columns = [
        column,
        ...this.numericColumns.filter((other) => other !== column && this.numericReady[other] !== true),
      ];
      const pools = columns.map((candidate) => {
        let values = this.numericPool[candidate];
        if (!values || values.kinds.length < rows.length) {
          // Batches hold whole decoded chunks, so their sizes vary: leave room to spare.
          const size = Math.max(rows.length, 4096);
          this.numericPool[candidate] = values = {
            kinds: new Uint8Array(size),
            numbers: new Float64Array(size),
            others: 0,
          };
        }
        return values;
      });
      const others =
        columns.length === 1
          ? [classifyColumn(rows, column, this.text, pools[0]!.kinds, pools[0]!.numbers)]
          : classifyColumns(
              rows,
              columns,
              this.text,
              pools.map((pool) => pool.kinds),
              pools.map((pool) => pool.numbers),
            );
      columns.forEach((candidate, index) => {
        pools[index]!.others = others[index]!;
        this.numericReady[candidate] = true;
      });
    }
    return this.numericPool[column]!;
  }

  typed(column: number): ReadonlyArray<Typed | null> {
    let values = this.pool[column];
    if (!values) this.pool[column] = values = [];
    if (this.ready[column] !== true) {
      const rows = this.rows;
      const text = this.text;
      values.length = rows.length;
      for (let row = 0; row < rows.length; row++) values[row] = typeCell(rows[row]![column], text);
      this.ready[column] = true;
    }
    return values;
  }
}

function failing(message: string): Evaluator {
  return { pass: 1, finish: () => ({ success: false, result: {}, exception: message, unexpected: [] }) };
}

/** Validates `dataset` against `suite`. Reads the data once (twice with z-score expectations). */
export async function runSuite(
  dataset: Dataset,
  suite: ExpectationSuite,
  options: RunOptions = {},
): Promise<ValidationRun> {
  const isText = options.isTextFile ?? isTextFileName;
  const files = [...dataset.files];
  const fileIndexes = new Map(files.map((file, index) => [file, index]));
  const textByFile = new Map<string, boolean>();
  const budget = new MemoryBudget(options.maxValues, options.maxDistinct);
  const shared = new Map<number, SharedColumn>();
  const context: EvaluatorContext = {
    columns: dataset.columns,
    budget,
    limit: options.partialUnexpectedCount ?? PARTIAL_UNEXPECTED_COUNT,
    regexTimeBudgetSeconds:
      readRegexTimeBudget(suite.meta, { file: suite.file }, 'the suite') ??
      options.regexTimeBudgetSeconds ??
      DEFAULT_REGEX_TIME_BUDGET_SECONDS,
    now: options.now ?? (() => performance.now()),
    shared(column) {
      let state = shared.get(column);
      if (!state) shared.set(column, (state = new SharedColumn(column, budget)));
      return state;
    },
  };
  const evaluators = suite.expectations.map((config) => {
    try {
      return createEvaluator(config, context);
    } catch (error) {
      if (error instanceof ExpectationError) return failing(error.message);
      throw error;
    }
  });
  const fileIndexOf = (file: string) => {
    let index = fileIndexes.get(file);
    if (index === undefined) {
      index = files.length;
      files.push(file);
      fileIndexes.set(file, index);
    }
    return index;
  };
  const textOf = (file: string) => {
    let text = textByFile.get(file);
    if (text === undefined) textByFile.set(file, (text = isText(file)));
    return text;
  };

  const view = new View([]);
  const read = async (pass: number, consumers: Array<{ consume(view: BatchView): void }>) => {
    let rows = 0;
    for await (const batch of dataset.batches()) {
      rows += batch.rows.length;
      if (consumers.length) {
        view.reset(batch, fileIndexOf(batch.file), textOf(batch.file));
        for (const consumer of consumers) consumer.consume(view);
      }
      options.onProgress?.({ pass, rows });
    }
    return rows;
  };

  const firstPass = [
    ...shared.values(),
    ...evaluators.filter(
      (evaluator): evaluator is Evaluator & Required<Pick<Evaluator, 'consume'>> =>
        evaluator.pass === 1 && !!evaluator.consume,
    ),
  ];
  const rows = await read(1, firstPass);
  const secondPass = evaluators.filter(
    (evaluator): evaluator is Evaluator & Required<Pick<Evaluator, 'consume'>> =>
      evaluator.pass === 2 && !!evaluator.consume,
  );
  let passes = 1;
  if (secondPass.length) {
    await read(2, secondPass);
    passes = 2;
  }
  // Uniqueness beyond the distinct-value cap: one more pass per hash partition of the values.
  for (;;) {
    const again = evaluators.filter(
      (evaluator): evaluator is Evaluator & Required<Pick<Evaluator, 'consume'>> =>
        !!evaluator.consume && evaluator.wantsAnotherPass?.() === true,
    );
    if (again.length === 0) break;
    passes++;
    await read(passes, again);
  }
  const allText = files.length > 0 && files.every((file) => textOf(file));
  const table = { rows, columns: dataset.columns, allText };
  const outcomes = suite.expectations.map((config, index) => ({ config, ...evaluators[index]!.finish(table) }));
  return { suite, outcomes, rows, columns: dataset.columns, files, passes, allText };
}
