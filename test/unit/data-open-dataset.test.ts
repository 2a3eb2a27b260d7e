import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openDataset, splitDataInputs, detectFormat, type OpenDatasetOptions } from '../../src/adapters/fs/dataset.js';
import type { Cell, RowBatch } from '../../src/core/data/dataset.js';
import { toNumber } from '../../src/core/data/values.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { memoryLogger } from '../../src/core/logger.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'data');
const scratch = mkdtempSync(join(tmpdir(), 'mlops-data-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function readDataset(inputs: string[], options: Partial<OpenDatasetOptions> = {}) {
  const dataset = await openDataset(inputs, { cwd: fixtures, ...options });
  const rows: Cell[][] = [];
  const batches: RowBatch[] = [];
  for await (const batch of dataset.batches()) {
    batches.push(batch);
    rows.push(...batch.rows);
  }
  return { dataset, rows, batches };
}

async function openError(inputs: string[], options: Partial<OpenDatasetOptions> = {}): Promise<string> {
  try {
    await readDataset(inputs, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).located;
  }
  throw new Error('expected a ConfigurationError');
}

/** A cell as a number when it reads as one, so that "39.1" (CSV) and 39.1 (JSON, Parquet) compare equal. */
const normalise = (row: Cell[]) => row.map((cell) => toNumber(cell) ?? cell);

const PENGUIN_COLUMNS = [
  'Species',
  'Island',
  'Beak Length (mm)',
  'Beak Depth (mm)',
  'Flipper Length (mm)',
  'Body Mass (g)',
  'Sex',
];

describe('openDataset: formats', () => {
  it('reads the same real data identically from CSV, JSON, JSON Lines, Parquet and gzip', async () => {
    const reference = await readDataset(['penguins.json']);
    expect(reference.dataset.columns).toEqual(PENGUIN_COLUMNS);
    expect(reference.rows).toHaveLength(344);
    // Palmer penguins: 2 birds without measurements, 11 without a recorded sex (10 null in this copy, 1 ".").
    expect(reference.rows.filter((row) => row[2] === null)).toHaveLength(2);
    expect(reference.rows.filter((row) => row[6] === null)).toHaveLength(10);
    expect(reference.rows[0]).toEqual(['Adelie', 'Torgersen', 39.1, 18.7, 181, 3750, 'MALE']);
    for (const name of ['penguins.csv', 'penguins.csv.gz', 'penguins.jsonl', 'penguins.jsonl.gz', 'penguins.parquet']) {
      const { dataset, rows } = await readDataset([name]);
      expect(dataset.columns, name).toEqual(PENGUIN_COLUMNS);
      expect(rows.map(normalise), name).toEqual(reference.rows.map(normalise));
    }
  });

  it('gives CSV cells as strings and missing cells as null', async () => {
    const { rows, batches } = await readDataset(['penguins.csv']);
    expect(rows[0]).toEqual(['Adelie', 'Torgersen', '39.1', '18.7', '181', '3750', 'MALE']);
    const missing = rows.findIndex((row) => row[2] === null);
    expect(rows[missing]).toEqual(['Adelie', 'Torgersen', null, null, null, null, null]);
    expect(batches[0]!.lines[missing]).toBe(missing + 2);
  });

  it('reads a real TSV file (U.S. unemployment by county)', async () => {
    const { dataset, rows } = await readDataset(['unemployment.tsv']);
    expect(dataset.columns).toEqual(['id', 'rate']);
    expect(rows).toHaveLength(3218);
    expect(rows[0]).toEqual(['1001', '.097']);
    expect(rows.every((row) => toNumber(row[1]) !== undefined)).toBe(true);
  });

  it('reports each file, its format and the row count when it is known up front', async () => {
    const json = await openDataset(['penguins.jsonl.gz'], { cwd: fixtures });
    expect(json.sources).toEqual([
      { file: 'penguins.jsonl.gz', path: join(fixtures, 'penguins.jsonl.gz'), format: 'jsonl', gzip: true },
    ]);
    expect(json.rowCount).toBe(344);
    expect((await openDataset(['typed-zstd.parquet'], { cwd: fixtures })).rowCount).toBe(4500);
    const parquet = await readDataset(['typed-zstd.parquet'], { batchSize: 1000 });
    expect(parquet.batches.map((batch) => [batch.firstRow, batch.lines[0], batch.linesAreRows])).toEqual([
      [1, 1, true],
      [1001, 1001, true],
      [2001, 2001, true],
      [2049, 2049, true],
      [3049, 3049, true],
      [4049, 4049, true],
      [4097, 4097, true],
    ]);
    expect((await openDataset(['penguins.csv'], { cwd: fixtures })).rowCount).toBeUndefined();
  });

  it('streams again on each call of batches()', async () => {
    const dataset = await openDataset(['penguins.csv.gz'], { cwd: fixtures });
    const count = async () => {
      let rows = 0;
      for await (const batch of dataset.batches()) rows += batch.rows.length;
      return rows;
    };
    expect(await count()).toBe(344);
    expect(await count()).toBe(344);
  });

  it('detects formats from extensions', () => {
    expect(detectFormat('a/b.CSV')).toEqual({ format: 'csv', gzip: false });
    expect(detectFormat('x.tsv.gz')).toEqual({ format: 'tsv', gzip: true });
    expect(detectFormat('x.ndjson')).toEqual({ format: 'jsonl', gzip: false });
    expect(detectFormat('x.pq')).toEqual({ format: 'parquet', gzip: false });
    expect(detectFormat('x.txt')).toBeUndefined();
    expect(detectFormat('csv')).toBeUndefined();
  });

  it('honours a forced format, and finds gzip by its magic bytes', async () => {
    const dir = join(scratch, 'forced');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'export.txt'), 'a;b\n1;2\n');
    writeFileSync(join(dir, 'records.data'), gzipSync('{"a": 1}\n{"a": 2}\n'));
    expect((await readDataset(['export.txt'], { cwd: dir, format: 'csv' })).rows).toEqual([['1', '2']]);
    expect((await readDataset(['records.data'], { cwd: dir, format: 'jsonl' })).rows).toEqual([[1], [2]]);
    expect(await openError(['export.txt'], { cwd: dir, format: 'json' })).toBe(
      'export.txt:1:1: expected a JSON array of objects',
    );
  });
});

describe('openDataset: several files as one dataset', () => {
  it('reads a glob in path order, continuing row numbers, reordering columns to match the first file', async () => {
    const whole = await readDataset(['penguins.csv']);
    const { dataset, rows, batches } = await readDataset(['parts/*.csv']);
    expect(dataset.files).toEqual(['parts/part-0.csv', 'parts/part-1.csv', 'parts/part-2.csv']);
    expect(dataset.columns).toEqual(PENGUIN_COLUMNS);
    expect(rows).toEqual(whole.rows);
    let expectedFirst = 1;
    for (const batch of batches) {
      expect(batch.firstRow).toBe(expectedFirst);
      expectedFirst += batch.rows.length;
    }
    expect(new Set(batches.map((batch) => batch.file))).toEqual(new Set(dataset.files));
    expect(batches.find((batch) => batch.file === 'parts/part-1.csv')!.lines[0]).toBe(2);
  });

  it('reads lists separated by newlines and commas, and keeps commas inside braces', async () => {
    const whole = await readDataset(['penguins.csv']);
    const listed = await readDataset(['parts/part-0.csv, parts/part-1.csv\n  parts/part-2.csv\n']);
    expect(listed.rows).toEqual(whole.rows);
    const braced = await readDataset(['parts/part-{0,1}.csv', 'parts/part-2.csv']);
    expect(braced.dataset.files).toEqual(['parts/part-0.csv', 'parts/part-1.csv', 'parts/part-2.csv']);
    expect(await splitDataInputs(['a.csv,b.csv', 'c/{x,y}.csv\n\nd.csv'], fixtures)).toEqual([
      'a.csv',
      'b.csv',
      'c/{x,y}.csv',
      'd.csv',
    ]);
  });

  it('reads a directory as its data files, and drops duplicates', async () => {
    const { dataset } = await readDataset(['parts', 'parts/part-0.csv']);
    expect(dataset.files).toEqual(['parts/part-0.csv', 'parts/part-1.csv', 'parts/part-2.csv']);
  });

  it('keeps a file name with a comma whole when that file exists', async () => {
    const dir = join(scratch, 'comma');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a,b.csv'), 'x\n1\n');
    expect((await readDataset(['a,b.csv'], { cwd: dir })).dataset.files).toEqual(['a,b.csv']);
  });

  it('reads a file whose name looks like a glob', async () => {
    const dir = join(scratch, 'literal');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '[2024] data (1).csv'), 'x\n1\n');
    expect((await readDataset(['[2024] data (1).csv'], { cwd: dir })).rows).toEqual([['1']]);
  });

  it('mixes formats when the columns agree', async () => {
    const { rows } = await readDataset(['penguins.parquet', 'penguins.jsonl']);
    expect(rows).toHaveLength(688);
  });

  it('rejects files whose columns differ, naming the file and the difference', async () => {
    expect(await openError(['mixed-columns/*.csv'])).toBe(
      'mixed-columns/b.csv:1: columns differ from those of mixed-columns/a.csv: missing "name"; extra "full_name"',
    );
    expect(await openError(['penguins.csv', 'typed-zstd.parquet'])).toMatch(
      /^typed-zstd\.parquet: columns differ from those of penguins\.csv: missing "Species", .+; extra "id", .+"big"$/,
    );
  });

  it('names files outside the working directory by their absolute path', async () => {
    const { dataset } = await readDataset([join(fixtures, 'penguins.csv')], { cwd: scratch });
    expect(dataset.files).toEqual([join(fixtures, 'penguins.csv')]);
  });
});

describe('openDataset: empty data', () => {
  it('rejects a header-only file by default', async () => {
    expect(await openError(['bad/header-only.csv'])).toBe(
      'bad/header-only.csv:1: the file has a header row but no data rows',
    );
  });

  it('reads a header-only file as 0 rows with a warning when allowEmpty is set', async () => {
    const log = memoryLogger();
    const { dataset, rows } = await readDataset(['bad/header-only.csv'], { allowEmpty: true, log });
    expect(dataset.columns).toEqual(['id', 'name', 'score']);
    expect(rows).toEqual([]);
    expect(log.records).toEqual([
      {
        level: 'warning',
        message: 'the file has a header row but no data rows: the dataset has 0 rows',
        location: { file: 'bad/header-only.csv', line: 1 },
      },
    ]);
  });

  it('accepts a header-only shard among shards with rows, and empty JSON arrays', async () => {
    const dir = join(scratch, 'shards');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'part-0.csv'), 'a,b\n1,2\n');
    writeFileSync(join(dir, 'part-1.csv'), 'a,b\n');
    writeFileSync(join(dir, 'part-2.csv'), 'b,a\n4,3\n');
    writeFileSync(join(dir, 'j-0.json'), '[{"a": 1, "b": 2}]');
    writeFileSync(join(dir, 'j-1.json'), '[]');
    const log = memoryLogger();
    const csv = await readDataset(['part-*.csv'], { cwd: dir, log });
    expect(csv.rows).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(log.records.map((record) => record.message)).toEqual(['part-1.csv: no data rows']);
    expect((await readDataset(['j-*.json'], { cwd: dir })).rows).toEqual([[1, 2]]);
    expect(await openError(['part-1.csv', 'j-1.json'], { cwd: dir })).toBe(
      'part-1.csv:1: none of the 2 files has a data row (part-1.csv has a header row but no data rows)',
    );
  });

  it('rejects an empty JSON array, and a Parquet file without rows', async () => {
    expect(await openError(['bad/empty-array.json'])).toBe(
      'bad/empty-array.json: the file holds no records (an empty JSON array)',
    );
    expect(await openError(['bad/empty-rows.parquet'])).toBe(
      'bad/empty-rows.parquet: the file has columns but no rows',
    );
  });
});

describe('openDataset: warnings', () => {
  it('warns about header names it had to change', async () => {
    const dir = join(scratch, 'names');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'x.csv'), ',a,a\n0,1,2\n');
    const log = memoryLogger();
    const { dataset } = await readDataset(['x.csv'], { cwd: dir, log });
    expect(dataset.columns).toEqual(['Unnamed: 0', 'a', 'a.1']);
    expect(log.records.map((record) => `${record.level}: ${record.message}`)).toEqual([
      'warning: column 1 has no name; it is called "Unnamed: 0"',
      'warning: column 3 repeats the name "a"; it is called "a.1"',
    ]);
  });
});
