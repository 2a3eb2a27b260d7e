// Every bad input of the list, read through openDataset as validate-data reads data: each
// gives one ConfigurationError whose message names the file and, where there is one, the line,
// column or row. Nothing crashes and nothing is left open.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDataset } from '../../src/adapters/fs/dataset.js';
import { ConfigurationError, isUserError } from '../../src/core/errors.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'data');

async function failure(inputs: string[], cwd = fixtures): Promise<string> {
  try {
    const dataset = await openDataset(inputs, { cwd });
    for await (const batch of dataset.batches()) void batch;
  } catch (error) {
    expect(isUserError(error), String(error)).toBe(true);
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).located;
  }
  throw new Error(`expected ${inputs.join(', ')} to fail`);
}

describe('bad data files: one clear error each', () => {
  it.each([
    ['bad/ragged.csv', 'bad/ragged.csv:3: row has 2 fields, the header has 3'],
    ['bad/ragged-extra.csv', 'bad/ragged-extra.csv:5: row has 4 fields, the header has 3'],
    ['bad/unterminated.csv', 'bad/unterminated.csv:3:3: unterminated quoted field (opened here)'],
    ['bad/invalid-utf8.csv', 'bad/invalid-utf8.csv:3:5: invalid UTF-8 (byte 0xff at offset 26)'],
    [
      'bad/utf16.csv',
      'bad/utf16.csv:1:1: invalid UTF-8 (byte 0xff at offset 0); the file looks like UTF-16: save it as UTF-8',
    ],
    ['bad/empty.csv', 'bad/empty.csv: the file is empty (no header row)'],
    ['bad/blank-lines.csv', 'bad/blank-lines.csv: the file is empty (no header row)'],
    ['bad/header-only.csv', 'bad/header-only.csv:1: the file has a header row but no data rows'],
    ['bad/empty.json', 'bad/empty.json: the file is empty (no JSON array)'],
    ['bad/empty-array.json', 'bad/empty-array.json: the file holds no records (an empty JSON array)'],
    [
      'bad/object.json',
      'bad/object.json:1:1: expected a JSON array of objects, found an object (for one object per line, use JSON Lines: .jsonl)',
    ],
    ['bad/not-objects.json', 'bad/not-objects.json:1:12: element 2 is a number, expected an object'],
    ['bad/broken.json', 'bad/broken.json:3:11: invalid JSON in element 2: Expected double-quoted property name'],
    ['bad/unclosed.json', 'bad/unclosed.json:4: the file ends before the JSON array is closed'],
    ['bad/broken.jsonl', "bad/broken.jsonl:3:8: invalid JSON: Expected ',' or '}' after property value"],
    ['bad/array-line.jsonl', 'bad/array-line.jsonl:2: expected a JSON object on each line, found an array'],
    ['bad/not-parquet.parquet', 'bad/not-parquet.parquet: not a Parquet file (no PAR1 magic at the start)'],
    [
      'bad/truncated-footer.parquet',
      'bad/truncated-footer.parquet: truncated Parquet file (no PAR1 magic at the end: the footer is missing)',
    ],
    ['bad/empty-rows.parquet', 'bad/empty-rows.parquet: the file has columns but no rows'],
    ['bad/not-gzip.csv.gz', 'bad/not-gzip.csv.gz: not valid gzip data (incorrect header check)'],
    ['bad/truncated.csv.gz', 'bad/truncated.csv.gz: not valid gzip data (unexpected end of file)'],
    [
      'bad/unknown.txt',
      'bad/unknown.txt: cannot tell the data format from the file name; use one of .csv, .tsv, .tab, .json, .jsonl, .ndjson, .parquet, .pq (or .gz of a text format), or set format',
    ],
    ['bad/missing.csv', 'bad/missing.csv: no such file'],
    ['bad/*.nothing', 'bad/*.nothing: no file matches the pattern "bad/*.nothing"'],
    [
      'mixed-columns',
      'mixed-columns/b.csv:1: columns differ from those of mixed-columns/a.csv: missing "name"; extra "full_name"',
    ],
  ])('%s', async (input, message) => {
    expect(await failure([input])).toBe(message);
  });

  it('a Parquet file with damaged data pages: the row group and its first row', async () => {
    expect(await failure(['bad/truncated-pages.parquet'])).toMatch(
      /^bad\/truncated-pages\.parquet, row 1: cannot decode row group 1 \(rows 1-2048\): .+; the file may be truncated or corrupt$/,
    );
  });

  describe('in files made on the spot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-bad-data-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('a ragged row deep in a large file, past many chunks', async () => {
      const rows = Array.from({ length: 50_000 }, (_, index) => `${index},"text, with comma",${index * 2}`);
      rows[41_999] = '41999,short';
      writeFileSync(join(dir, 'large.csv'), 'id,text,double\n' + rows.join('\n') + '\n');
      expect(await failure(['large.csv'], dir)).toBe('large.csv:42001: row has 2 fields, the header has 3');
    });

    it('a bad file after good ones is still named', async () => {
      writeFileSync(join(dir, 'a-good.csv'), 'x,y\n1,2\n');
      writeFileSync(join(dir, 'b-bad.csv'), 'x,y\n3,4\n5\n');
      expect(await failure(['a-good.csv', 'b-bad.csv'], dir)).toBe('b-bad.csv:3: row has 1 field, the header has 2');
    });

    it('a directory with no data file', async () => {
      const empty = mkdtempSync(join(dir, 'empty-'));
      writeFileSync(join(empty, 'notes.md'), '# notes\n');
      writeFileSync(join(empty, 'data.csv.bak'), 'a\n1\n');
      expect(await failure([empty], dir)).toMatch(
        /^empty-\w+: the directory holds no data file \(\.csv, \.tsv, \.tab, \.json, \.jsonl, \.ndjson, \.parquet, \.pq, or \.gz of the text ones\)$/,
      );
    });

    it('gzip-compressed Parquet', async () => {
      writeFileSync(join(dir, 'x.parquet.gz'), 'x');
      expect(await failure(['x.parquet.gz'], dir)).toBe(
        'x.parquet.gz: gzip-compressed Parquet is not supported: Parquet compresses its pages itself',
      );
    });
  });
});
