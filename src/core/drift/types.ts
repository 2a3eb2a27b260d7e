/**
 * The drift engine's public types: the parsed config, the reference/current profile document
 * (`mlops-drift-profile`, format 1) and the report (`mlops-drift-report`, format 1). They are the
 * contract between src/core/drift, the drift-check action and `mlops profile`; docs/drift-check.md
 * describes them for users.
 */

/** How a column is compared: numbers, or categories (strings, booleans). */
export type DriftColumnType = 'numeric' | 'categorical';

/**
 * The tests a config may name, with Evidently 0.7's ids (`stattests/*.py`, `StatTest(name=...)`).
 * `value` is a p-value for tests (drift when below the threshold) and a distance for the others
 * (drift when at or above it).
 */
export const DRIFT_TESTS = [
  'ks',
  'chisquare',
  'z',
  'wasserstein',
  'jensenshannon',
  'psi',
  'kl_div',
  'hellinger',
  'anderson',
  'cramer_von_mises',
  'ed',
  't_test',
  'mannw',
] as const;

/** One of DRIFT_TESTS. */
export type DriftTestName = (typeof DRIFT_TESTS)[number];

/** Binning of a numeric column for jensenshannon/psi/kl_div: a bin count, or quantile bins of the reference. */
export type DriftBins = number | { quantiles: number };

/** What the config says about one column. */
export interface DriftColumnConfig {
  test?: DriftTestName;
  threshold?: number;
  bins?: DriftBins;
  type?: DriftColumnType;
  exclude?: true;
}

/** A parsed, schema-checked drift config file (schemas/drift-config.schema.json). */
export interface DriftConfig {
  /** The file the config came from (for error messages). */
  source: string;
  /** Per column settings, by column name. */
  columns: Record<string, DriftColumnConfig>;
  /** Only these columns are tested (default: every column both sides share). */
  include?: string[];
  /** These columns are never tested. */
  exclude?: string[];
  /** Dataset drift when the share of drifted columns is at least this (default 0.5). */
  driftShare?: number;
  /** The test for every column without its own, by column type (default: Evidently's choice). */
  defaultTest?: { numeric?: DriftTestName; categorical?: DriftTestName };
  /** The threshold for every column without its own (default: the test's own). */
  threshold?: number;
}

/** Where a profile's rows came from. */
export interface DriftProfileSource {
  files: string[];
  sha256?: string;
}

/** Chan-mergeable moments of the finite values of a numeric column. */
export interface DriftMoments {
  count: number;
  mean: number;
  /** Sum of squared deviations from the mean (population variance = m2 / count). */
  m2: number;
  min: number;
  max: number;
}

/**
 * A numeric column's values past the exact limit, on a grid of bins of width 2^bin_width_log2:
 * counts[i] values lie in [keys[i]·w, (keys[i]+1)·w) (src/core/drift/sketch.ts).
 */
export interface DriftSketch {
  bin_width_log2: number;
  /** Occupied bins, ascending. */
  keys: number[];
  counts: number[];
}

/** A text cell met in a column that was numeric until then: where the first one is. */
export interface DriftTextCell {
  file: string;
  /** 1-based line in a text file, or row within the file when `row_in_file` is set. */
  line: number;
  row_in_file?: true;
  value: string;
}

/** What a profile keeps of one column: enough for every default test. */
export interface DriftColumnProfile {
  name: string;
  type: DriftColumnType;
  /**
   * Set when every cell is an integer and none is missing: pandas reads the column as int64, and
   * Evidently then treats it as categorical when the reference has at most 5 distinct values.
   */
  integer?: true;
  /** All cells of the column. */
  rows: number;
  /** Missing cells (null, empty, NA tokens). */
  nulls: number;
  /** NaN and ±inf values of a numeric column (Evidently drops them, like the nulls). */
  non_finite: number;
  /**
   * Finite values of a numeric column, sorted, when there are at most `exact_limit` of them. In
   * memory a Float64Array (1,000,000 values cost 8 MB, not a JS array's 10x); JSON.stringify
   * writes it as a plain array (jsonValues).
   */
  values?: Float64Array;
  /** Numeric columns: moments of the finite values. */
  moments?: DriftMoments;
  /** Numeric columns beyond `exact_limit` values: the sketch. */
  sketch?: DriftSketch;
  /**
   * Exact counts per distinct value (categories as strings; numeric values as numbers), sorted by
   * value, while there are at most `category_cap` distinct values; absent beyond that.
   */
  counts?: Array<[string | number, number]>;
  /** True when the column had more distinct values than `category_cap` (counts then absent). */
  counts_overflow?: true;
  /** The first text cell of a numeric column, if any (detectDrift reports it). */
  text?: DriftTextCell;
}

/** A drift profile document (schemas/drift-profile.schema.json). */
export interface DriftProfile {
  kind: 'mlops-drift-profile';
  format: 1;
  rows: number;
  source: DriftProfileSource;
  /** Finite numeric values kept exactly per column (beyond: sketch). */
  exact_limit: number | null;
  /** Distinct values counted exactly per column (beyond: `counts_overflow`). */
  category_cap: number | null;
  columns: DriftColumnProfile[];
  /**
   * What the starter expectation suite is written from (`mlops profile`'s dataset profile), kept
   * beside the drift columns so one file serves both; absent after a merge.
   */
  suite_profile?: Record<string, unknown>;
}

/** Options of DriftProfileBuilder. */
export interface DriftProfileOptions {
  /** Finite values kept exactly per numeric column (default 100,000; Infinity: always exact). */
  exactLimit?: number;
  /** Distinct values counted per column once it is sketched (default 10,000, at least 21). */
  categoryCap?: number;
  /** Column types that override inference (from the config). */
  columnTypes?: Record<string, DriftColumnType>;
  /** Occupied bins a sketch may hold before it doubles its bin width (default 16,384). */
  sketchBins?: number;
}

/** The histogram behind a column's test, as shares of each side's kept values. */
export type DriftHistogram =
  | { kind: 'bins'; edges: number[]; reference: number[]; current: number[] }
  | { kind: 'categories'; categories: string[]; reference: number[]; current: number[] };

/** One column's result. */
export interface DriftColumnReport {
  column: string;
  type: DriftColumnType;
  test: DriftTestName;
  /** The test statistic (for distances, the distance itself). */
  statistic: number;
  p_value?: number;
  /** What is compared with `threshold`: the p-value of a test, or the distance. */
  value: number;
  threshold: number;
  drift: boolean;
  /** p-value: drift when value < threshold (ks: <=); distance: drift when value >= threshold. */
  direction: 'p-value' | 'distance';
  /** Values each side kept (after dropping). */
  reference_rows: number;
  current_rows: number;
  /** Cells dropped each side: null, NaN, ±inf. */
  dropped: { reference: number; current: number };
  histogram: DriftHistogram;
}

/** The drift report (DESIGN.md's drift report, extended). */
export interface DriftReport {
  kind: 'mlops-drift-report';
  format: 1;
  drift: boolean;
  share: number;
  drift_share: number;
  number_of_columns: number;
  number_of_drifted_columns: number;
  drifted_columns: string[];
  reference: { rows: number; source: DriftProfileSource };
  current: { rows: number; source: DriftProfileSource };
  columns: DriftColumnReport[];
}

/** The input of detectDrift. */
export interface DetectDriftInput {
  reference: DriftProfile;
  /** Built with exactLimit Infinity (exact). */
  current: DriftProfile;
  config?: DriftConfig;
  /** Overrides the config's `drift-share` (default 0.5). */
  driftShare?: number;
  /** Only these columns (overrides the config's include). */
  columns?: string[];
}
