import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Cell } from '../../src/core/data/dataset.js';
import { isoDateFromDays, isoFromNanos, readParquet, type RandomAccessBytes } from '../../src/core/data/parquet.js';
import { ConfigurationError } from '../../src/core/errors.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'data');

/** Random access over bytes in memory. */
function memoryBytes(input: Uint8Array): RandomAccessBytes {
  const bytes = Uint8Array.from(input); // a Buffer's slice() is a view into a shared pool; this one copies
  return { byteLength: bytes.length, slice: (start: number, end = bytes.length) => bytes.slice(start, end).buffer };
}

async function readAll(name: string, batchSize?: number) {
  const table = await readParquet(memoryBytes(readFileSync(join(fixtures, name))), {
    file: name,
    ...(batchSize ? { batchSize } : {}),
  });
  const rows: Cell[][] = [];
  const lines: number[] = [];
  for await (const batch of table.batches()) {
    rows.push(...batch.rows);
    lines.push(...batch.lines);
  }
  return { table, rows, lines };
}

/** The rows of the `typed` table as scripts/gen-data-fixtures.mjs defines it in SQL. */
function expectedTypedRow(i: number): Cell[] {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const day = new Date(Date.UTC(2020, 0, 1) + (i % 1000) * 86_400_000).toISOString().slice(0, 10);
  const micros = i * 1000003;
  const localSeconds = Math.floor(micros / 1e6);
  const fraction = micros % 1e6;
  const local = new Date(Date.UTC(2020, 0, 1) + localSeconds * 1000).toISOString().slice(0, 19);
  let fractionText = pad(fraction, 6);
  while (fractionText.endsWith('000')) fractionText = fractionText.slice(0, -3);
  const utc = new Date(Date.UTC(2020, 0, 1) + i * 61 * 1000).toISOString().slice(0, 19) + 'Z';
  const big = 9007199254740990n + BigInt(i);
  return [
    i,
    i % 7 === 0 ? null : (i * 37) % 1000,
    i % 11 === 0 || i % 13 === 0 ? null : i / 8,
    i % 3 === 0,
    day,
    fractionText ? `${local}.${fractionText}` : local,
    utc,
    ['red', 'green', 'blue', null][i % 4] ?? null,
    big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big,
  ];
}

describe('readParquet', () => {
  const codecs = ['uncompressed', 'snappy', 'gzip', 'zstd', 'brotli', 'lz4', 'lz4_raw'];

  it.each(codecs)('reads every row of a %s file written by DuckDB, over several row groups', async (codec) => {
    const { table, rows, lines } = await readAll(`typed-${codec}.parquet`, 1000);
    expect(table.columns).toEqual([
      'id',
      'quantity',
      'ratio',
      'flag',
      'day',
      'local_time',
      'utc_time',
      'colour',
      'big',
    ]);
    expect(table.numRows).toBe(4500);
    expect(table.rowGroups).toBeGreaterThan(1);
    expect(rows).toHaveLength(4500);
    expect(lines[0]).toBe(1);
    expect(lines[4499]).toBe(4500);
    for (const i of [1, 2, 3, 7, 11, 13, 77, 1000, 2048, 2049, 4095, 4096, 4097, 4500]) {
      expect(rows[i - 1], `row ${i}`).toEqual(expectedTypedRow(i));
    }
    // Every row, not just a sample: compare cheaply by JSON with bigints spelled out.
    const spell = (row: Cell[]) =>
      JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));
    rows.forEach((row, index) => {
      if (spell(row) !== spell(expectedTypedRow(index + 1)))
        expect(row, `row ${index + 1}`).toEqual(expectedTypedRow(index + 1));
    });
  });

  it('reads nested and less common types', async () => {
    const { rows } = await readAll('nested.parquet');
    expect(rows).toEqual([
      [1, [1, 2, 3], { a: 1, b: 'x' }, '12:34:56.789', 12.34, 'café', -5],
      [2, [], { a: null, b: 'y' }, '00:00:01', -0.5, null, 127],
      [3, null, null, null, null, '', null],
    ]);
  });

  it('formats timestamps at their precision', () => {
    expect(isoFromNanos(0n)).toBe('1970-01-01T00:00:00Z');
    expect(isoFromNanos(1_500_000_000n)).toBe('1970-01-01T00:00:01.500Z');
    expect(isoFromNanos(1_000_001_000n)).toBe('1970-01-01T00:00:01.000001Z');
    expect(isoFromNanos(1n)).toBe('1970-01-01T00:00:00.000000001Z');
    expect(isoFromNanos(-1n)).toBe('1969-12-31T23:59:59.999999999Z');
    expect(isoDateFromDays(19_723)).toBe('2024-01-01');
    expect(isoDateFromDays(-1)).toBe('1969-12-31');
  });

  it.each([
    ['bad/not-parquet.parquet', 'bad/not-parquet.parquet: not a Parquet file (no PAR1 magic at the start)'],
    [
      'bad/truncated-footer.parquet',
      'bad/truncated-footer.parquet: truncated Parquet file (no PAR1 magic at the end: the footer is missing)',
    ],
  ])('rejects %s', async (name, message) => {
    const error = await readAll(name).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).located).toBe(message);
  });

  it('rejects a file whose data pages are damaged, naming the row group and its first row', async () => {
    const error = await readAll('bad/truncated-pages.parquet').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).located).toMatch(
      /^bad\/truncated-pages\.parquet, row 1: cannot decode row group 1 \(rows 1-2048\): .+; the file may be truncated or corrupt$/,
    );
  });

  it('rejects empty, tiny and footer-damaged files', async () => {
    const read = (bytes: Uint8Array) =>
      readParquet(memoryBytes(bytes), { file: 'x.parquet' }).then(
        () => 'no error',
        (error: unknown) => (error as ConfigurationError).located,
      );
    expect(await read(new Uint8Array())).toBe('x.parquet: the file is empty (not a Parquet file)');
    expect(await read(new TextEncoder().encode('PAR1PAR1'))).toBe('x.parquet: not a Parquet file (only 8 bytes)');
    const good = readFileSync(join(fixtures, 'penguins.parquet'));
    const damaged = Uint8Array.from(good);
    damaged.fill(0xff, damaged.length - 60, damaged.length - 8);
    expect(await read(damaged)).toMatch(/^x\.parquet: unreadable Parquet footer \(.+\)$/);
  });

  it('says a 12-byte file or a footer longer than the file is truncated, not a decoder crash', async () => {
    const read = (bytes: Uint8Array) =>
      readParquet(memoryBytes(bytes), { file: 'x.parquet' }).then(
        () => 'no error',
        (error: unknown) => (error as ConfigurationError).located,
      );
    const withFooterLength = (length: number, body = 0) => {
      const bytes = new Uint8Array(12 + body);
      bytes.set(new TextEncoder().encode('PAR1'), 0);
      new DataView(bytes.buffer).setUint32(4 + body, length, true);
      bytes.set(new TextEncoder().encode('PAR1'), 8 + body);
      return bytes;
    };
    expect(await read(withFooterLength(0))).toBe(
      'x.parquet: not a Parquet file, or a truncated one (12 bytes: only the PAR1 magic numbers and an empty footer)',
    );
    expect(await read(withFooterLength(1000, 20))).toBe(
      'x.parquet: truncated Parquet file (the footer says it is 1000 bytes long, but the file has only 20 bytes between its PAR1 magic numbers)',
    );
  });

  it('reads a file with columns but no rows as no rows', async () => {
    const { table, rows } = await readAll('bad/empty-rows.parquet');
    expect(table.columns).toHaveLength(9);
    expect(rows).toEqual([]);
  });
});
