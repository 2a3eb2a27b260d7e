/**
 * Dataset profiles, and the starter expectation suite written from one.
 *
 * A profile is what one streaming pass learns about each column: its type, missing values,
 * numeric moments and quantiles, text lengths, and its values when they are few. The starter suite
 * turns that into expectations a user then edits (docs/validate-data.md, "mlops profile"). Profiles
 * are plain JSON so that other checks (drift against a reference) can store and compare them.
 */
import type { Cell, ColumnType, Dataset } from '../data/dataset.js';
import { ColumnTypeAccumulator } from '../data/infer.js';
import { inferCellType, parseTemporal, type CellType } from '../data/values.js';
import { MemoryBudget, NumericMoments, quantiles, ValueBuffer, ValueCounts } from '../validation/accumulators.js';
import { codePointLength, compareTyped, keyValue, typeCell, type Typed } from '../validation/cells.js';
import { isTextFileName } from '../validation/engine.js';
import { DtypeAccumulator, type NumpyType } from '../validation/pytypes.js';

/** The quantiles a profile records for numeric columns. */
export const PROFILE_QUANTILES: readonly number[] = [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1];

export interface ColumnProfileJson {
  name: string;
  /** mlops' inferred type (integer, number, boolean, date, datetime, string, null). */
  type: ColumnType;
  /** The dtype pandas would give the column. */
  dtype: NumpyType;
  /** Present (non-missing) values. */
  count: number;
  missing: number;
  /** Distinct present values, when they fit in memory. */
  distinct?: number;
  /** Every value with its count, when there are at most `maxCategories` of them (sorted by value). */
  categories?: Array<{ value: Typed; count: number }>;
  numeric?: {
    min: number;
    max: number;
    mean: number;
    stdev: number | null;
    /** Quantiles (pandas "nearest"), keyed by quantile. */
    quantiles?: Record<string, number>;
  };
  /** Lengths of text values, in code points. */
  lengths?: { min: number; max: number };
  /** Set when every present value is an ISO 8601 date (`%Y-%m-%d`) or date-time. */
  temporal?: { kind: 'date' | 'datetime'; min: string; max: string };
}

export interface DatasetProfileJson {
  /** Format version of this document. */
  profile_version: 1;
  rows: number;
  files: string[];
  columns: ColumnProfileJson[];
}

export interface ProfileOptions {
  /** Columns with at most this many distinct values get their categories recorded (default 20). */
  maxCategories?: number;
  isTextFile?: (file: string) => boolean;
  maxValues?: number;
  maxDistinct?: number;
  onProgress?: (rows: number) => void;
}

class ColumnState {
  readonly types = new ColumnTypeAccumulator();
  readonly dtype = new DtypeAccumulator();
  readonly moments = new NumericMoments();
  readonly counts: ValueCounts;
  readonly values: ValueBuffer;
  minLength = Infinity;
  maxLength = -Infinity;
  temporalMin: string | undefined;
  temporalMax: string | undefined;

  constructor(budget: MemoryBudget) {
    this.counts = new ValueCounts(budget);
    this.values = new ValueBuffer(budget);
  }
}

/**
 * The type of a cell as validate-data reads it (`typeCell`): text from CSV/TSV may spell numbers,
 * booleans and dates; a JSON or Parquet string is a string even when it spells a number (`"42"`),
 * and only its dates are recognised. (Typing `"42"` as an integer would make the starter suite ask
 * for int64 values that its own data does not have.)
 */
function cellType(raw: Cell | undefined, text: boolean): CellType {
  if (text || typeof raw !== 'string') return inferCellType(raw);
  return parseTemporal(raw)?.kind ?? 'string';
}

/** Profiles a dataset in one pass. */
export async function profileDataset(dataset: Dataset, options: ProfileOptions = {}): Promise<DatasetProfileJson> {
  const isText = options.isTextFile ?? isTextFileName;
  const maxCategories = options.maxCategories ?? 20;
  const budget = new MemoryBudget(options.maxValues, options.maxDistinct);
  const states = dataset.columns.map(() => new ColumnState(budget));
  let rows = 0;
  for await (const batch of dataset.batches()) {
    const text = isText(batch.file);
    rows += batch.rows.length;
    for (const row of batch.rows) {
      for (let index = 0; index < states.length; index++) {
        const state = states[index]!;
        const raw = row[index];
        const value = typeCell(raw, text);
        state.types.addType(cellType(raw, text));
        state.dtype.add(raw, value);
        if (value === null) continue;
        state.counts.add(value);
        if (typeof value === 'number' || typeof value === 'boolean') {
          const number = Number(value);
          state.moments.add(number);
          state.values.add(number);
        }
        if (typeof value === 'string') {
          const length = codePointLength(value);
          if (length < state.minLength) state.minLength = length;
          if (length > state.maxLength) state.maxLength = length;
          // Only meaningful when the column turns out to hold ISO dates, which sort as text.
          if (state.temporalMin === undefined || value < state.temporalMin) state.temporalMin = value;
          if (state.temporalMax === undefined || value > state.temporalMax) state.temporalMax = value;
        }
      }
    }
    options.onProgress?.(rows);
  }
  const columns = dataset.columns.map((name, index): ColumnProfileJson => {
    const state = states[index]!;
    const type = state.types.type;
    const profile: ColumnProfileJson = {
      name,
      type,
      dtype: state.dtype.dtype(rows),
      count: state.types.present,
      missing: state.types.missing,
    };
    if (!state.counts.overflow) {
      profile.distinct = state.counts.counts.size;
      if (state.counts.counts.size <= maxCategories) {
        profile.categories = [...state.counts.counts.entries()]
          .map(([key, count]) => ({ value: keyValue(key), count }))
          .sort((a, b) => compareTyped(a.value, b.value));
      }
    }
    if ((type === 'integer' || type === 'number' || type === 'boolean') && state.moments.count > 0) {
      const stdev = state.moments.stdev;
      profile.numeric = {
        min: state.moments.min,
        max: state.moments.max,
        mean: state.moments.mean,
        stdev: Number.isNaN(stdev) ? null : stdev,
      };
      if (!state.values.overflow) {
        const sorted = state.values.sortedValues();
        const values = quantiles(sorted, PROFILE_QUANTILES);
        profile.numeric.quantiles = Object.fromEntries(
          PROFILE_QUANTILES.map((q, index) => [String(q), values[index]!]),
        );
      }
    }
    if (type === 'string' || type === 'date' || type === 'datetime') {
      if (state.minLength !== Infinity) profile.lengths = { min: state.minLength, max: state.maxLength };
    }
    if ((type === 'date' || type === 'datetime') && state.temporalMin !== undefined) {
      profile.temporal = { kind: type, min: state.temporalMin, max: state.temporalMax! };
    }
    return profile;
  });
  return { profile_version: 1, rows, files: [...dataset.files], columns };
}

/** A GE 1.x expectation as the starter suite writes it. */
export interface StarterExpectation {
  type: string;
  kwargs: Record<string, unknown>;
  meta?: Record<string, unknown>;
}

export interface StarterSuite {
  name: string;
  expectations: StarterExpectation[];
  meta: Record<string, unknown>;
}

/** Rounds down (or up) to `digits` significant digits, so that observed extremes stay inside. */
export function roundOutward(value: number, direction: 'down' | 'up', digits = 6): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const scale = 10 ** (digits - 1 - magnitude);
  const scaled = value * scale;
  const rounded = direction === 'down' ? Math.floor(scaled + 1e-9) : Math.ceil(scaled - 1e-9);
  const result = rounded / scale;
  // Guard against the division landing a hair inside the observed value.
  return direction === 'down' ? Math.min(result, value) : Math.max(result, value);
}

/** The `mostly` for a non-null check: the observed share, rounded down to 1%, less 1% of slack. */
function mostlyFor(present: number, rows: number): number {
  const share = present / rows;
  return Math.max(0, Math.floor(share * 100) / 100 - 0.01);
}

/**
 * A starter suite from a profile:
 * - the table: its columns in order, and a row count within half to twice the profiled one;
 * - every column: not null (with `mostly` a little under the observed share when some values are
 *   missing), or null when it has no value at all; its type as pandas sees it;
 * - few distinct values (at most `maxCategories`, and not a continuous number): the set of them;
 * - numbers: the observed range, the mean within half a standard deviation, the standard deviation
 *   between half and twice the observed one;
 * - text: the observed lengths; ISO dates: the format and the observed range;
 * - integer or text columns whose values are all distinct (10 or more): unique.
 */
export function starterSuite(
  profile: DatasetProfileJson,
  options: { name?: string; maxCategories?: number } = {},
): StarterSuite {
  const maxCategories = options.maxCategories ?? 20;
  const expectations: StarterExpectation[] = [];
  const add = (type: string, kwargs: Record<string, unknown>) => expectations.push({ type, kwargs });
  add('expect_table_columns_to_match_ordered_list', { column_list: profile.columns.map((column) => column.name) });
  add('expect_table_row_count_to_be_between', {
    min_value: Math.floor(profile.rows / 2),
    max_value: Math.ceil(profile.rows * 2),
  });
  for (const column of profile.columns) {
    const name = column.name;
    if (column.count === 0) {
      add('expect_column_values_to_be_null', { column: name });
      continue;
    }
    if (column.missing === 0) add('expect_column_values_to_not_be_null', { column: name });
    else add('expect_column_values_to_not_be_null', { column: name, mostly: mostlyFor(column.count, profile.rows) });
    if (column.type === 'integer' || column.type === 'number')
      add('expect_column_values_to_be_in_type_list', { column: name, type_list: ['int64', 'float64'] });
    else if (column.type === 'boolean')
      add('expect_column_values_to_be_in_type_list', { column: name, type_list: ['bool'] });
    else if (column.type === 'string' || column.type === 'date' || column.type === 'datetime')
      add('expect_column_values_to_be_of_type', { column: name, type_: 'str' });
    const continuous = column.type === 'number';
    const categorical =
      column.categories !== undefined &&
      column.categories.length <= maxCategories &&
      !continuous &&
      column.type !== 'date' &&
      column.type !== 'datetime' &&
      (column.type === 'boolean' || column.categories.length < column.count);
    if (categorical) {
      add('expect_column_values_to_be_in_set', {
        column: name,
        value_set: column.categories!.map((category) => category.value),
      });
    }
    if (column.numeric && (column.type === 'integer' || column.type === 'number')) {
      const { min, max, mean, stdev } = column.numeric;
      if (!categorical)
        add('expect_column_values_to_be_between', {
          column: name,
          min_value: roundOutward(min, 'down'),
          max_value: roundOutward(max, 'up'),
        });
      if (stdev !== null && stdev > 0 && !categorical) {
        // A column without negative values (counts, amounts) cannot have a negative mean: a band
        // reaching below 0 would accept nothing more and read as a mistake.
        const low = roundOutward(mean - stdev / 2, 'down', 4);
        add('expect_column_mean_to_be_between', {
          column: name,
          min_value: min >= 0 ? Math.max(0, low) : low,
          max_value: roundOutward(mean + stdev / 2, 'up', 4),
        });
        add('expect_column_stdev_to_be_between', {
          column: name,
          min_value: roundOutward(stdev / 2, 'down', 4),
          max_value: roundOutward(stdev * 2, 'up', 4),
        });
      }
    }
    if (column.temporal) {
      if (column.temporal.kind === 'date')
        add('expect_column_values_to_match_strftime_format', { column: name, strftime_format: '%Y-%m-%d' });
      else add('expect_column_values_to_be_dateutil_parseable', { column: name });
      add('expect_column_values_to_be_between', {
        column: name,
        min_value: column.temporal.min,
        max_value: column.temporal.max,
      });
    } else if (column.type === 'string' && column.lengths && !categorical) {
      add('expect_column_value_lengths_to_be_between', {
        column: name,
        min_value: column.lengths.min,
        max_value: column.lengths.max,
      });
    }
    if (
      (column.type === 'integer' || column.type === 'string') &&
      column.distinct === column.count &&
      column.count >= 10
    ) {
      add('expect_column_values_to_be_unique', { column: name });
    }
  }
  return {
    name: options.name ?? 'starter',
    expectations,
    meta: {
      generated_by: 'mlops profile',
      profiled_rows: profile.rows,
      profiled_files: profile.files,
      notes: 'A starting point from the data: review each expectation, then tighten or loosen it.',
    },
  };
}
