/**
 * Parquet reader over a random-access byte source, via hyparquet and hyparquet-compressors
 * (Snappy, Gzip, ZSTD, Brotli, LZ4, LZ4_RAW; pure JavaScript and WebAssembly, no native code).
 *
 * Row groups are decoded one at a time, so memory is bounded by the largest row group (Parquet's
 * unit of decoding in every reader); rows are handed out in batches from the decoded columns.
 *
 * Values become cells as the other formats give them: null and NaN are missing (`null`); INT64
 * becomes a number when it is a safe integer, else a bigint; DATE becomes `YYYY-MM-DD`; TIMESTAMP
 * and INT96 become ISO 8601 text at the stored precision (with `Z` when the column is UTC-adjusted,
 * without for local/naive timestamps); TIME becomes `HH:MM:SS[.fraction]`; strings stay strings;
 * structs, lists and maps stay nested values.
 */
import { parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import type { FileMetaData, ParquetParsers, SchemaElement } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { ConfigurationError } from '../errors.js';
import type { Cell } from './dataset.js';
import type { ParsedBatch } from './delimited.js';

/** Random access to the bytes of one file (the shape hyparquet calls AsyncBuffer). */
export interface RandomAccessBytes {
  byteLength: number;
  slice(start: number, end?: number): ArrayBuffer | Promise<ArrayBuffer>;
}

/** Options of {@link readParquet}. */
export interface ParquetOptions {
  /** The file name used in error messages. */
  file: string;
  /** Rows per batch (default 2048). */
  batchSize?: number;
}

/** A Parquet file whose footer has been read; its rows stream from `batches()`. */
export interface ParquetTable {
  columns: string[];
  /** Rows in the file, from the footer. */
  numRows: number;
  rowGroups: number;
  /** Reads the rows, one row group at a time; `lines` holds 1-based row numbers in the file. */
  batches(): AsyncIterable<ParsedBatch>;
}

const MAGIC = 0x31524150; // "PAR1" little-endian
const DEFAULT_BATCH_SIZE = 2048;

function pad(value: number | bigint, width = 2): string {
  return String(value).padStart(width, '0');
}

/** ISO 8601 text for nanoseconds since the epoch, with only as many fraction digits as needed (3, 6 or 9). */
export function isoFromNanos(nanos: bigint): string {
  let millis = nanos / 1_000_000n;
  let rest = nanos % 1_000_000n;
  if (rest < 0n) {
    millis -= 1n;
    rest += 1_000_000n;
  }
  const date = new Date(Number(millis));
  if (Number.isNaN(date.getTime())) return nanos.toString();
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ (or ±YYYYYY-…)
  const whole = iso.slice(0, iso.length - 5);
  let fraction = iso.slice(iso.length - 4, iso.length - 1) + pad(rest, 6);
  while (fraction.endsWith('000')) fraction = fraction.slice(0, -3);
  return `${whole}${fraction ? '.' + fraction : ''}Z`;
}

/** `YYYY-MM-DD` for days since the epoch. */
export function isoDateFromDays(days: number): string {
  const date = new Date(days * 86_400_000);
  if (Number.isNaN(date.getTime())) return String(days);
  return date.toISOString().split('T')[0]!;
}

function timeOfDay(value: number | bigint, unit: 'MILLIS' | 'MICROS' | 'NANOS'): string {
  const perSecond = unit === 'MILLIS' ? 1000n : unit === 'MICROS' ? 1_000_000n : 1_000_000_000n;
  const total = BigInt(value);
  const seconds = total / perSecond;
  const fractionDigits = unit === 'MILLIS' ? 3 : unit === 'MICROS' ? 6 : 9;
  let fraction = pad(total % perSecond, fractionDigits);
  while (fraction.endsWith('000')) fraction = fraction.slice(0, -3);
  const text = `${pad(seconds / 3600n)}:${pad((seconds / 60n) % 60n)}:${pad(seconds % 60n)}`;
  return fraction ? `${text}.${fraction}` : text;
}

const PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (millis: bigint) => isoFromNanos(BigInt(millis) * 1_000_000n),
  timestampFromMicroseconds: (micros: bigint) => isoFromNanos(BigInt(micros) * 1000n),
  timestampFromNanoseconds: (nanos: bigint) => isoFromNanos(BigInt(nanos)),
  dateFromDays: (days: number) => isoDateFromDays(Number(days)),
};

/** How a top-level column's raw values need adjusting beyond hyparquet's conversion. */
type ColumnFix = { kind: 'naive-timestamp' } | { kind: 'time'; unit: 'MILLIS' | 'MICROS' | 'NANOS' } | undefined;

function columnFix(element: SchemaElement): ColumnFix {
  const logical = element.logical_type;
  if (logical?.type === 'TIMESTAMP' && !logical.isAdjustedToUTC) return { kind: 'naive-timestamp' };
  if (logical?.type === 'TIME') return { kind: 'time', unit: logical.unit };
  if (element.converted_type === 'TIME_MILLIS') return { kind: 'time', unit: 'MILLIS' };
  if (element.converted_type === 'TIME_MICROS') return { kind: 'time', unit: 'MICROS' };
  return undefined;
}

function toHex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
}

/** One decoded value as a cell. */
function toCell(value: unknown, fix: ColumnFix): Cell {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number':
      if (Number.isNaN(value)) return null;
      return fix?.kind === 'time' ? timeOfDay(value, fix.unit) : value;
    case 'bigint':
      if (fix?.kind === 'time') return timeOfDay(value, fix.unit);
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(value)
        : value;
    case 'string':
      return fix?.kind === 'naive-timestamp' && value.endsWith('Z') ? value.slice(0, -1) : value;
    case 'boolean':
      return value;
    default:
      if (value instanceof Uint8Array) return toHex(value);
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      return value as Cell;
  }
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^parquet /, '');
}

async function readBytes(file: RandomAccessBytes, start: number, end: number): Promise<DataView> {
  const buffer = await file.slice(start, end);
  return new DataView(buffer);
}

/**
 * Reads the footer of a Parquet file and returns its columns and a stream of row batches. Not a
 * Parquet file, a truncated file, an unreadable footer and a row group that cannot be decoded are
 * `ConfigurationError`s naming the file (and the first row of the row group).
 */
export async function readParquet(source: RandomAccessBytes, options: ParquetOptions): Promise<ParquetTable> {
  const { file } = options;
  const size = source.byteLength;
  if (size === 0) throw new ConfigurationError('the file is empty (not a Parquet file)', { file });
  if (size < 12) throw new ConfigurationError(`not a Parquet file (only ${size} bytes)`, { file });
  if ((await readBytes(source, 0, 4)).getUint32(0, true) !== MAGIC) {
    throw new ConfigurationError('not a Parquet file (no PAR1 magic at the start)', { file });
  }
  if ((await readBytes(source, size - 4, size)).getUint32(0, true) !== MAGIC) {
    throw new ConfigurationError('truncated Parquet file (no PAR1 magic at the end: the footer is missing)', { file });
  }
  // The footer's length sits just before the final magic; the decoder trusts it blindly.
  const footerLength = (await readBytes(source, size - 8, size - 4)).getUint32(0, true);
  if (footerLength === 0) {
    throw new ConfigurationError(
      size === 12
        ? 'not a Parquet file, or a truncated one (12 bytes: only the PAR1 magic numbers and an empty footer)'
        : 'truncated Parquet file (its footer is empty)',
      { file },
    );
  }
  if (footerLength > size - 12) {
    throw new ConfigurationError(
      `truncated Parquet file (the footer says it is ${footerLength} bytes long, but the file has only ${size - 12} bytes between its PAR1 magic numbers)`,
      { file },
    );
  }
  let metadata: FileMetaData;
  let schema: ReturnType<typeof parquetSchema>;
  try {
    metadata = await parquetMetadataAsync(source, { parsers: PARSERS });
    schema = parquetSchema(metadata);
  } catch (error) {
    // A TypeError is the decoder tripping over bytes that are not Thrift metadata: its text
    // ("Cannot read properties of undefined") would only mislead.
    const reason =
      error instanceof TypeError
        ? 'it does not decode as Parquet metadata: the file is corrupt or truncated'
        : describe(error);
    throw new ConfigurationError(`unreadable Parquet footer (${reason})`, { file }, { cause: error });
  }
  const columns = schema.children.map((child) => child.element.name);
  const fixes = schema.children.map((child) => (child.children.length === 0 ? columnFix(child.element) : undefined));
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const groups: { start: number; rows: number }[] = [];
  let numRows = 0;
  for (const group of metadata.row_groups) {
    const rows = Number(group.num_rows);
    groups.push({ start: numRows, rows });
    numRows += rows;
  }

  async function* batches(): AsyncGenerator<ParsedBatch> {
    for (const [groupIndex, group] of groups.entries()) {
      if (group.rows === 0) continue;
      const decoded = await decodeRowGroup(group.start, group.rows, groupIndex);
      for (let offset = 0; offset < group.rows; offset += batchSize) {
        const end = Math.min(offset + batchSize, group.rows);
        const rows: Cell[][] = new Array<Cell[]>(end - offset);
        const lines: number[] = new Array<number>(end - offset);
        for (let index = offset; index < end; index++) {
          const row: Cell[] = new Array<Cell>(columns.length);
          for (let column = 0; column < columns.length; column++) {
            row[column] = toCell(decoded[column]!(index), fixes[column]);
          }
          rows[index - offset] = row;
          lines[index - offset] = group.start + index + 1;
        }
        yield { rows, lines };
      }
    }
  }

  /** Decodes one row group; returns, per column, a getter of the value at a row of the group. */
  async function decodeRowGroup(
    start: number,
    rows: number,
    groupIndex: number,
  ): Promise<((row: number) => unknown)[]> {
    const pieces = columns.map(() => [] as { rowStart: number; data: ArrayLike<unknown> }[]);
    const where = { file, row: start + 1 };
    try {
      await parquetRead({
        file: source,
        metadata,
        rowStart: start,
        rowEnd: start + rows,
        compressors,
        parsers: PARSERS,
        onChunk: ({ columnName, columnData, rowStart }) => {
          const index = columns.indexOf(columnName);
          if (index !== -1) pieces[index]!.push({ rowStart: rowStart - start, data: columnData as ArrayLike<unknown> });
        },
      });
    } catch (error) {
      throw new ConfigurationError(
        `cannot decode row group ${groupIndex + 1} (rows ${start + 1}-${start + rows}): ${describe(error)}; the file may be truncated or corrupt`,
        where,
        { cause: error },
      );
    }
    return pieces.map((chunks, column) => {
      chunks.sort((a, b) => a.rowStart - b.rowStart);
      const covered = chunks.reduce((total, chunk) => total + chunk.data.length, 0);
      if (covered < rows) {
        throw new ConfigurationError(
          `cannot decode row group ${groupIndex + 1}: column "${columns[column]}" has ${covered} values for ${rows} rows`,
          where,
        );
      }
      if (chunks.length === 1 && chunks[0]!.rowStart === 0) {
        const data = chunks[0]!.data;
        return (row: number) => data[row];
      }
      const values: unknown[] = new Array<unknown>(rows);
      for (const chunk of chunks) {
        for (let index = 0; index < chunk.data.length && chunk.rowStart + index < rows; index++) {
          values[chunk.rowStart + index] = chunk.data[index];
        }
      }
      return (row: number) => values[row];
    });
  }

  return { columns, numRows, rowGroups: groups.length, batches };
}
