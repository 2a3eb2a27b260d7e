/**
 * The contract between dataset readers and their consumers (validation, profiling, drift).
 * Readers are pure parsers over bytes (core); the file-system side (globs, opening, gunzip,
 * random access for Parquet) lives in src/adapters/fs/dataset.ts.
 */

/**
 * One value as read. `null` is a missing value (empty CSV cell, NA token, JSON null, Parquet
 * null), never 0 or "". Text formats (CSV/TSV) yield strings; JSON, JSON Lines and Parquet yield
 * their native scalars; dates and timestamps from Parquet arrive as ISO 8601 strings; nested JSON
 * values arrive as objects/arrays.
 */
export type Cell = string | number | boolean | bigint | null | readonly unknown[] | { readonly [key: string]: unknown };

/** Inferred column types, from the narrowest to the widest (documented in README). */
export type ColumnType = 'integer' | 'number' | 'boolean' | 'date' | 'datetime' | 'string' | 'null';

/** A run of consecutive rows from one file. */
export interface RowBatch {
  /** The file the rows came from (as given to the reader). */
  file: string;
  /** Cells by column position (the dataset's `columns` order), one array per row. */
  rows: Cell[][];
  /** For each row, the 1-based line where it starts in its file (text formats), or its 1-based row number (Parquet). */
  lines: number[];
  /** 1-based index of the first row of this batch within the whole dataset (header excluded). */
  firstRow: number;
  /** True when `lines` holds row numbers within the file (Parquet) rather than line numbers. */
  linesAreRows?: boolean;
}

/** A dataset: one or more files read as one table, in constant memory. */
export interface Dataset {
  readonly files: readonly string[];
  readonly columns: readonly string[];
  /** Streams the rows once; readers may be iterated more than once (each pass re-reads). */
  batches(): AsyncIterable<RowBatch>;
}
