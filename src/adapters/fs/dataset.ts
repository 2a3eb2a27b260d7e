/**
 * The file side of dataset reading: expands globs, lists and directories into files, detects each
 * file's format, opens streams (gunzipping `.gz`), gives Parquet random access, checks that all
 * files have the same columns, and returns a `Dataset` whose batches stream every file in order.
 * The parsing itself is the core's (src/core/data); this module only moves bytes.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { createGunzip } from 'node:zlib';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { Cell, Dataset, RowBatch } from '../../core/data/dataset.js';
import { parseDelimited, type ParsedBatch } from '../../core/data/delimited.js';
import {
  JsonKeyCollector,
  parseJsonArray,
  parseJsonLines,
  recordsToRows,
  type JsonRecordBatch,
} from '../../core/data/json.js';
import type { RandomAccessBytes } from '../../core/data/parquet.js';
import { ConfigurationError, InputError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';

/** A data file format. */
export type DatasetFormat = 'csv' | 'tsv' | 'json' | 'jsonl' | 'parquet';

/** Options of {@link openDataset}. */
export interface OpenDatasetOptions {
  /** `auto` (default) detects each file's format from its extension. */
  format?: 'auto' | DatasetFormat;
  /** Relative paths and globs are resolved against this directory. */
  cwd: string;
  /** Rows per batch (default 2048; CSV batches hold whole decoded chunks, so they may be larger). */
  batchSize?: number;
  /**
   * When every file has columns but no rows (a header-only CSV, an empty Parquet file), return an
   * empty dataset with a warning instead of failing. Default false: a validation step that sees no
   * rows at all has almost always been handed the wrong file.
   */
  allowEmpty?: boolean;
  /** Where warnings go (renamed columns, empty files among others). */
  log?: Logger;
}

/** One file of a dataset. */
export interface DatasetFile {
  /** The name used in messages and row batches: relative to `cwd` when inside it, with `/`. */
  file: string;
  /** Absolute path. */
  path: string;
  format: DatasetFormat;
  /** Whether the bytes are gzip-compressed (by extension or by content). */
  gzip: boolean;
}

/** A dataset opened from files, with what was learned about them. */
export interface OpenedDataset extends Dataset {
  readonly sources: readonly DatasetFile[];
  /** Data rows over all files when known without reading every row (JSON, JSON Lines, Parquet), else undefined. */
  readonly rowCount: number | undefined;
}

/**
 * Whether a file of `dataset` is a text format (CSV, TSV), whose cells the engine reads numbers,
 * booleans and dates out of. By format, not name: `--format csv` on `export.txt` is text too.
 */
export function textFilePredicate(dataset: OpenedDataset): (file: string) => boolean {
  const textFiles = new Set(
    dataset.sources.filter((source) => source.format === 'csv' || source.format === 'tsv').map((source) => source.file),
  );
  return (file) => textFiles.has(file);
}

// 64 KiB reads: as fast as 256 KiB ones (TextDecoder is quicker on the smaller chunks), and text
// cells, which are substrings of their chunk, keep less memory alive.
const CHUNK_BYTES = 64 * 1024;
const DEFAULT_BATCH_SIZE = 2048;

const EXTENSIONS: Record<string, DatasetFormat> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.parquet': 'parquet',
  '.pq': 'parquet',
};

/** The extensions recognised, for messages and directory listings. */
export const DATA_EXTENSIONS: readonly string[] = Object.keys(EXTENSIONS);

/**
 * Splits `data` inputs into entries: each input may hold several, one per line or separated by
 * commas (commas inside a glob's `{a,b}` braces do not split). A line naming an existing file is
 * kept whole, so a file name may contain a comma. Blank entries are dropped.
 */
export async function splitDataInputs(inputs: readonly string[], cwd: string): Promise<string[]> {
  const entries: string[] = [];
  for (const input of inputs) {
    for (const rawLine of input.split(/\r?\n/)) {
      const line = rawLine.trim();
      if (line === '') continue;
      if (line.includes(',') && (await exists(resolve(cwd, line)))) {
        entries.push(line);
        continue;
      }
      entries.push(...splitOutsideBraces(line));
    }
  }
  return entries;
}

function splitOutsideBraces(line: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (char === '{') depth++;
    else if (char === '}' && depth > 0) depth--;
    else if (char === ',' && depth === 0) {
      parts.push(line.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(line.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The name shown for a file: relative to `cwd` with `/` when inside it, else absolute. */
export function displayName(path: string, cwd: string): string {
  const inside = relative(cwd, path);
  if (inside !== '' && !inside.startsWith('..') && !isAbsolute(inside)) return inside.split(sep).join('/');
  return path;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function fsMessage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'cannot read the file (permission denied)';
    case 'EISDIR':
      return 'is a directory, not a file';
    default:
      return `cannot read the file (${error instanceof Error ? error.message : String(error)})`;
  }
}

/**
 * Expands entries (paths, globs, directories) into absolute file paths: glob matches and directory
 * listings sorted by path, entries in the order given, duplicates dropped. A path that does not
 * exist and a glob or directory that matches nothing are errors.
 */
export async function expandDataFiles(entries: readonly string[], cwd: string): Promise<string[]> {
  const files: string[] = [];
  const seen = new Set<string>();
  const add = (path: string) => {
    if (!seen.has(path)) {
      seen.add(path);
      files.push(path);
    }
  };
  for (const entry of entries) {
    const pattern = process.platform === 'win32' ? entry.replaceAll('\\', '/') : entry;
    // A name such as `data (1).csv` or `[2024].csv` looks like a pattern: an existing file wins.
    if (isDynamicPattern(pattern) && !(await exists(resolve(cwd, entry)))) {
      const matches = await glob(pattern, {
        cwd,
        absolute: true,
        onlyFiles: true,
        dot: false,
        expandDirectories: false,
      });
      if (matches.length === 0) throw new ConfigurationError(`no file matches the pattern "${entry}"`, { file: entry });
      for (const match of matches.map((path) => resolve(path)).sort(compareText)) add(match);
      continue;
    }
    const path = resolve(cwd, entry);
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw new ConfigurationError(fsMessage(error), { file: displayName(path, cwd) }, { cause: error });
    }
    if (info.isDirectory()) {
      const matches = (await glob('*', { cwd: path, absolute: true, onlyFiles: true, dot: false }))
        .filter((file) => detectFormat(file) !== undefined)
        .map((file) => resolve(file))
        .sort(compareText);
      if (matches.length === 0) {
        throw new ConfigurationError(
          `the directory holds no data file (${DATA_EXTENSIONS.join(', ')}, or .gz of the text ones)`,
          {
            file: displayName(path, cwd),
          },
        );
      }
      for (const match of matches) add(match);
      continue;
    }
    add(path);
  }
  return files;
}

/** The format of a file from its extension (`.gz` stripped first), or undefined. */
export function detectFormat(path: string): { format: DatasetFormat; gzip: boolean } | undefined {
  const lower = path.toLowerCase();
  const gzip = lower.endsWith('.gz');
  const name = gzip ? lower.slice(0, -3) : lower;
  const dot = name.lastIndexOf('.');
  const format = dot === -1 ? undefined : EXTENSIONS[name.slice(dot)];
  return format ? { format, gzip } : undefined;
}

async function hasGzipMagic(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const bytes = new Uint8Array(2);
    const { bytesRead } = await handle.read(bytes, 0, 2, 0);
    return bytesRead === 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** Streams a file's bytes (gunzipped when `gzip`); I/O and gzip errors become ConfigurationErrors. */
async function* readChunks(source: DatasetFile): AsyncGenerator<Uint8Array> {
  const stream = createReadStream(source.path, { highWaterMark: CHUNK_BYTES });
  const gunzip = source.gzip ? createGunzip({ chunkSize: CHUNK_BYTES }) : undefined;
  if (gunzip) {
    stream.on('error', (error) => gunzip.destroy(error));
    stream.pipe(gunzip);
  }
  const input = gunzip ?? stream;
  try {
    for await (const chunk of input) yield chunk as Uint8Array;
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (gunzip && typeof code === 'string' && code.startsWith('Z_')) {
      throw new ConfigurationError(
        `not valid gzip data (${(error as Error).message})`,
        { file: source.file },
        { cause: error },
      );
    }
    throw new ConfigurationError(fsMessage(error), { file: source.file }, { cause: error });
  } finally {
    stream.destroy();
    gunzip?.destroy();
  }
}

/** Random access to a file for Parquet, reading only the byte ranges asked for. */
async function openRandomAccess(source: DatasetFile): Promise<RandomAccessBytes & { close(): Promise<void> }> {
  let handle;
  try {
    handle = await open(source.path, 'r');
  } catch (error) {
    throw new ConfigurationError(fsMessage(error), { file: source.file }, { cause: error });
  }
  const { size } = await handle.stat();
  const file = handle;
  return {
    byteLength: size,
    async slice(start: number, end: number = size): Promise<ArrayBuffer> {
      const from = Math.max(0, Math.min(start, size));
      const to = Math.max(from, Math.min(end, size));
      const buffer = new ArrayBuffer(to - from);
      const view = new Uint8Array(buffer);
      let filled = 0;
      while (filled < view.length) {
        const { bytesRead } = await file.read(view, filled, view.length - filled, from + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return filled === view.length ? buffer : buffer.slice(0, filled);
    },
    close: () => file.close(),
  };
}

/** What opening a file taught us: its columns, whether it has rows, and its row count when cheap. */
interface FileSchema {
  columns: string[];
  hasRows: boolean;
  rows: number | undefined;
  /** 1-based line of the header (delimited files). */
  headerLine?: number;
}

async function loadParquet() {
  // Loaded on first use: the decompressors instantiate WebAssembly, which no other format needs.
  return import('../../core/data/parquet.js');
}

function parseJsonFile(source: DatasetFile, batchSize: number): AsyncGenerator<JsonRecordBatch> {
  const options = { file: source.file, batchSize };
  return source.format === 'json'
    ? parseJsonArray(readChunks(source), options)
    : parseJsonLines(readChunks(source), options);
}

async function readSchema(source: DatasetFile, log: Logger): Promise<FileSchema> {
  switch (source.format) {
    case 'csv':
    case 'tsv': {
      const table = await parseDelimited(readChunks(source), {
        file: source.file,
        batchSize: 1,
        ...(source.format === 'tsv' ? { delimiter: '\t' } : {}),
      });
      for (const { index, from, to } of table.renamed) {
        log.warning(
          from === ''
            ? `column ${index + 1} has no name; it is called "${to}"`
            : `column ${index + 1} repeats the name "${from}"; it is called "${to}"`,
          { file: source.file, line: table.headerLine },
        );
      }
      const iterator = table.batches[Symbol.asyncIterator]();
      try {
        const first = await iterator.next();
        return { columns: table.columns, hasRows: !first.done, rows: undefined, headerLine: table.headerLine };
      } finally {
        await iterator.return?.();
      }
    }
    case 'json':
    case 'jsonl': {
      // The columns of a JSON file are the union of its records' keys: that takes a full pass.
      const keys = new JsonKeyCollector();
      for await (const batch of parseJsonFile(source, DEFAULT_BATCH_SIZE))
        for (const record of batch.records) keys.add(record);
      return { columns: keys.keys, hasRows: keys.records > 0, rows: keys.records };
    }
    case 'parquet': {
      const { readParquet } = await loadParquet();
      const bytes = await openRandomAccess(source);
      try {
        const table = await readParquet(bytes, { file: source.file });
        return { columns: table.columns, hasRows: table.numRows > 0, rows: table.numRows };
      } finally {
        await bytes.close();
      }
    }
  }
}

/** Positions in `columns` of each dataset column, or undefined when the order is the same. */
function columnMapping(dataset: readonly string[], columns: readonly string[]): number[] | undefined {
  if (dataset.length === columns.length && dataset.every((name, index) => columns[index] === name)) return undefined;
  return dataset.map((name) => columns.indexOf(name));
}

function describeDifference(expected: readonly string[], actual: readonly string[]): string {
  const missing = expected.filter((name) => !actual.includes(name));
  const extra = actual.filter((name) => !expected.includes(name));
  const list = (names: string[]) => names.map((name) => JSON.stringify(name)).join(', ');
  const parts: string[] = [];
  if (missing.length) parts.push(`missing ${list(missing)}`);
  if (extra.length) parts.push(`extra ${list(extra)}`);
  return parts.join('; ');
}

/** Streams one file's rows as parsed batches, in the file's own column order. */
async function* fileBatches(
  source: DatasetFile,
  columns: readonly string[],
  batchSize: number,
): AsyncGenerator<ParsedBatch> {
  switch (source.format) {
    case 'csv':
    case 'tsv': {
      const table = await parseDelimited(readChunks(source), {
        file: source.file,
        batchSize,
        ...(source.format === 'tsv' ? { delimiter: '\t' } : {}),
      });
      yield* table.batches;
      return;
    }
    case 'json':
    case 'jsonl':
      for await (const batch of parseJsonFile(source, batchSize)) {
        yield { rows: recordsToRows(batch, columns, source.file), lines: batch.lines };
      }
      return;
    case 'parquet': {
      const { readParquet } = await loadParquet();
      const bytes = await openRandomAccess(source);
      try {
        const table = await readParquet(bytes, { file: source.file, batchSize });
        yield* table.batches();
      } finally {
        await bytes.close();
      }
    }
  }
}

/**
 * Opens one or more files as one dataset. `inputs` are paths, globs (`data/*.csv`,
 * `data/**\/part-*.parquet`), directories (their data files), or several of these per input
 * separated by newlines or commas. Files are read in the order given, glob matches sorted by path.
 *
 * Every file is opened once up front (JSON files are read whole, in constant memory, to collect
 * their keys), so that a missing file, an unknown format or columns that differ between files fail
 * before any row is validated. Columns may come in another order in later files; a file whose
 * columns differ from the first file's is an error naming both files and the difference.
 */
export async function openDataset(inputs: readonly string[], options: OpenDatasetOptions): Promise<OpenedDataset> {
  const cwd = resolve(options.cwd);
  const log = options.log ?? silentLogger;
  const forced = options.format === undefined || options.format === 'auto' ? undefined : options.format;
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const entries = await splitDataInputs(inputs, cwd);
  if (entries.length === 0) throw new InputError('no data file given');
  const paths = await expandDataFiles(entries, cwd);

  const sources: DatasetFile[] = [];
  for (const path of paths) {
    const file = displayName(path, cwd);
    const detected = detectFormat(path);
    const format = forced ?? detected?.format;
    if (format === undefined) {
      throw new ConfigurationError(
        `cannot tell the data format from the file name; use one of ${DATA_EXTENSIONS.join(', ')} (or .gz of a text format), or set format`,
        { file },
      );
    }
    let gzip = detected?.gzip ?? path.toLowerCase().endsWith('.gz');
    if (!gzip) {
      try {
        gzip = await hasGzipMagic(path);
      } catch (error) {
        throw new ConfigurationError(fsMessage(error), { file }, { cause: error });
      }
    }
    if (gzip && format === 'parquet') {
      throw new ConfigurationError('gzip-compressed Parquet is not supported: Parquet compresses its pages itself', {
        file,
      });
    }
    sources.push({ file, path, format, gzip });
  }

  const schemas: FileSchema[] = [];
  for (const source of sources) schemas.push(await readSchema(source, log));

  // The first file with columns sets them (an empty JSON array has none and matches any).
  const reference = schemas.findIndex((schema) => schema.columns.length > 0);
  if (reference === -1) {
    throw new ConfigurationError(
      sources.length === 1
        ? 'the file holds no records (an empty JSON array)'
        : `none of the ${sources.length} files holds a record`,
      { file: sources[0]!.file },
    );
  }
  const columns = schemas[reference]!.columns;
  const mappings: (number[] | undefined)[] = [];
  sources.forEach((source, index) => {
    const schema = schemas[index]!;
    if (schema.columns.length === 0 && !schema.hasRows) {
      mappings.push(undefined);
      return;
    }
    const difference = describeDifference(columns, schema.columns);
    if (difference) {
      throw new ConfigurationError(`columns differ from those of ${sources[reference]!.file}: ${difference}`, {
        file: source.file,
        ...(schema.headerLine === undefined ? {} : { line: schema.headerLine }),
      });
    }
    mappings.push(columnMapping(columns, schema.columns));
  });

  if (!schemas.some((schema) => schema.hasRows)) {
    const first = sources[reference]!;
    const what =
      first.format === 'csv' || first.format === 'tsv' ? 'a header row but no data rows' : 'columns but no rows';
    const message =
      sources.length === 1
        ? `the file has ${what}`
        : `none of the ${sources.length} files has a data row (${first.file} has ${what})`;
    const location = {
      file: first.file,
      ...(schemas[reference]!.headerLine === undefined ? {} : { line: schemas[reference]!.headerLine }),
    };
    if (!options.allowEmpty) throw new ConfigurationError(message, location);
    log.warning(`${message}: the dataset has 0 rows`, location);
  } else {
    sources.forEach((source, index) => {
      if (!schemas[index]!.hasRows) log.info(`${source.file}: no data rows`);
    });
  }

  const rowCount = schemas.every((schema) => schema.rows !== undefined)
    ? schemas.reduce((total, schema) => total + schema.rows!, 0)
    : undefined;

  async function* batches(): AsyncGenerator<RowBatch> {
    let nextRow = 1;
    for (const [index, source] of sources.entries()) {
      const schema = schemas[index]!;
      if (!schema.hasRows) continue;
      const mapping = mappings[index];
      for await (const batch of fileBatches(source, schema.columns, batchSize)) {
        const rows = mapping ? batch.rows.map((row) => remap(row, mapping)) : batch.rows;
        yield {
          file: source.file,
          rows,
          lines: batch.lines,
          firstRow: nextRow,
          ...(source.format === 'parquet' ? { linesAreRows: true } : {}),
        };
        nextRow += rows.length;
      }
    }
  }

  return {
    files: sources.map((source) => source.file),
    columns,
    sources,
    rowCount,
    batches,
  };
}

function remap(row: readonly Cell[], mapping: readonly number[]): Cell[] {
  const out: Cell[] = new Array<Cell>(mapping.length);
  for (let index = 0; index < mapping.length; index++) out[index] = row[mapping[index]!] ?? null;
  return out;
}
