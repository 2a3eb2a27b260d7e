import { describe, expect, it } from 'vitest';
import type { Cell } from '../../src/core/data/dataset.js';
import { dedupeHeader, parseDelimited, sniffDelimiter, type DelimitedOptions } from '../../src/core/data/delimited.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { seededRandom } from '../support/random.mjs';

/** Yields `bytes` in pieces of `size` bytes, as a stream would (split anywhere, even inside a character). */
async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

const encode = (text: string) => new TextEncoder().encode(text);

interface Parsed {
  columns: string[];
  delimiter: string;
  rows: Cell[][];
  lines: number[];
}

async function parse(
  input: string | Uint8Array,
  options: Partial<DelimitedOptions> = {},
  chunkSize = 1 << 16,
): Promise<Parsed> {
  const bytes = typeof input === 'string' ? encode(input) : input;
  const table = await parseDelimited(chunked(bytes, chunkSize), { file: 'data/x.csv', ...options });
  const rows: Cell[][] = [];
  const lines: number[] = [];
  for await (const batch of table.batches) {
    rows.push(...batch.rows);
    lines.push(...batch.lines);
  }
  return { columns: table.columns, delimiter: table.delimiter, rows, lines };
}

/** Parses with every chunk size from 1 to 9 and a large one, and checks they all agree. */
async function parseEverySplit(input: string | Uint8Array, options: Partial<DelimitedOptions> = {}): Promise<Parsed> {
  const whole = await parse(input, options);
  for (const size of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
    expect(await parse(input, options, size), `chunk size ${size}`).toEqual(whole);
  }
  return whole;
}

async function parseError(
  input: string | Uint8Array,
  options: Partial<DelimitedOptions> = {},
  chunkSize = 1 << 16,
): Promise<string> {
  try {
    await parse(input, options, chunkSize);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).located;
  }
  throw new Error('expected a ConfigurationError');
}

describe('parseDelimited: RFC 4180', () => {
  it('reads a plain file with a header and a trailing newline', async () => {
    const parsed = await parseEverySplit('id,name,score\n1,ann,0.5\n2,bob,0.75\n');
    expect(parsed.columns).toEqual(['id', 'name', 'score']);
    expect(parsed.rows).toEqual([
      ['1', 'ann', '0.5'],
      ['2', 'bob', '0.75'],
    ]);
    expect(parsed.lines).toEqual([2, 3]);
  });

  it('reads the last record without a trailing newline', async () => {
    const parsed = await parseEverySplit('a,b\n1,2\n3,4');
    expect(parsed.rows).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('reads quoted fields with delimiters, doubled quotes and embedded line breaks', async () => {
    const parsed = await parseEverySplit('a,b,c\n"x,y","say ""hi""","line1\nline2"\n"","""",plain\n');
    expect(parsed.rows).toEqual([
      ['x,y', 'say "hi"', 'line1\nline2'],
      [null, '"', 'plain'],
    ]);
    expect(parsed.lines).toEqual([2, 4]);
  });

  it('keeps CRLF inside quoted fields and counts it as one line break', async () => {
    const parsed = await parseEverySplit('a,b\r\n"multi\r\nline",1\r\n"x",2\r\n');
    expect(parsed.rows).toEqual([
      ['multi\r\nline', '1'],
      ['x', '2'],
    ]);
    expect(parsed.lines).toEqual([2, 4]);
  });

  it('accepts CRLF, LF and CR line endings, mixed', async () => {
    const parsed = await parseEverySplit('a,b\r\n1,2\n3,4\r5,6\r\n');
    expect(parsed.rows).toEqual([
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
    expect(parsed.lines).toEqual([2, 3, 4]);
  });

  it('numbers lines correctly after many embedded line breaks', async () => {
    const parsed = await parseEverySplit('id,text\n1,"a\nb\nc"\n2,plain\n3,"\r\n\r\n"\n4,end\n');
    expect(parsed.lines).toEqual([2, 5, 6, 9]);
    expect(parsed.rows.map((row) => row[0])).toEqual(['1', '2', '3', '4']);
  });

  it('drops a UTF-8 byte-order mark, even when split across chunks', async () => {
    const parsed = await parseEverySplit('\ufeffid,ville\n1,Zürich\n2,São Paulo\n');
    expect(parsed.columns).toEqual(['id', 'ville']);
    expect(parsed.rows).toEqual([
      ['1', 'Zürich'],
      ['2', 'São Paulo'],
    ]);
  });

  it('reads multi-byte characters split at every byte', async () => {
    const parsed = await parseEverySplit('k,v\n1,日本語\n2,😀 emoji\n');
    expect(parsed.rows).toEqual([
      ['1', '日本語'],
      ['2', '😀 emoji'],
    ]);
  });

  it('skips blank and whitespace-only lines, as pandas does', async () => {
    const parsed = await parseEverySplit('\n\na,b\n\n1,2\n   \n\t\n3,4\n\n');
    expect(parsed.rows).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(parsed.lines).toEqual([5, 8]);
  });

  it('keeps a quoted blank field as a value, not a blank line', async () => {
    const parsed = await parseEverySplit('a\n"  "\nx\n');
    expect(parsed.rows).toEqual([['  '], ['x']]);
  });

  it('reads empty cells and pandas NA tokens as missing, quoted or not', async () => {
    const parsed = await parseEverySplit('a,b,c\n,NA,"N/A"\nnull,NaN,""\n#N/A,<NA>,None\nna, NA,NA \n');
    expect(parsed.rows).toEqual([
      [null, null, null],
      [null, null, null],
      [null, null, null],
      ['na', ' NA', 'NA '],
    ]);
  });

  it('takes custom missing-value tokens instead of pandas defaults', async () => {
    const parsed = await parse('a,b\n-,NA\n', { missing: ['-', ''] });
    expect(parsed.rows).toEqual([[null, 'NA']]);
  });

  it('handles a trailing delimiter as an empty last field', async () => {
    const parsed = await parseEverySplit('a,b,\n1,2,\n3,4,x\n');
    expect(parsed.columns).toEqual(['a', 'b', 'Unnamed: 2']);
    expect(parsed.rows).toEqual([
      ['1', '2', null],
      ['3', '4', 'x'],
    ]);
  });

  it('is lenient where pandas is: stray quotes inside unquoted fields and text after a closing quote', async () => {
    const parsed = await parseEverySplit('a,b\nx"y,"ab"c\n');
    expect(parsed.rows).toEqual([['x"y', 'abc']]);
  });

  it('reads a single-column file', async () => {
    const parsed = await parseEverySplit('value\n1\n\n2\n');
    expect(parsed.rows).toEqual([['1'], ['2']]);
  });

  it('batches rows, each batch with its start lines', async () => {
    const text = 'n\n' + Array.from({ length: 50 }, (_, index) => `${index}\n`).join('');
    const table = await parseDelimited(chunked(encode(text), 16), { file: 'x.csv', batchSize: 7 });
    const sizes: number[] = [];
    let expected = 0;
    for await (const batch of table.batches) {
      sizes.push(batch.rows.length);
      for (const [index, row] of batch.rows.entries()) {
        expect(row).toEqual([String(expected)]);
        expect(batch.lines[index]).toBe(expected + 2);
        expected++;
      }
    }
    expect(expected).toBe(50);
    expect(sizes.every((size, index) => size >= 7 || index === sizes.length - 1)).toBe(true);
  });
});

describe('parseDelimited: delimiters and headers', () => {
  it.each([
    [';', 'a;b;c\n1,5;2,5;x\n4;5;6\n'],
    ['\t', 'a\tb\n1,2\t3\n4\t5,6\n'],
    ['|', 'a|b\n"x|y"|1\n2|3\n'],
    [',', 'a,b\n1,2\n'],
  ])('sniffs %j', async (delimiter, text) => {
    const parsed = await parseEverySplit(text);
    expect(parsed.delimiter).toBe(delimiter);
    expect(parsed.rows.every((row) => row.length === parsed.columns.length)).toBe(true);
  });

  it('prefers the delimiter consistent on every line, ignoring quoted text', () => {
    expect(sniffDelimiter('name;comment\nann;"a, b, c"\nbob;"d, e"\n')).toBe(';');
    expect(sniffDelimiter('a,b\n1,x|y\n2,z\n')).toBe(',');
    expect(sniffDelimiter('single\n1\n2\n')).toBe(',');
    expect(sniffDelimiter('')).toBe(',');
  });

  it('uses a delimiter given instead of sniffing', async () => {
    const parsed = await parse('a;b\n1;2\n', { delimiter: ',' });
    expect(parsed.columns).toEqual(['a;b']);
    expect(parsed.rows).toEqual([['1;2']]);
  });

  it('names empty and repeated header columns as pandas does', () => {
    expect(dedupeHeader(['a', '', 'a', 'a.1']).columns).toEqual(['a', 'Unnamed: 1', 'a.2', 'a.1']);
    expect(dedupeHeader(['x', 'x', 'x']).columns).toEqual(['x', 'x.1', 'x.2']);
    expect(dedupeHeader(['', 'b']).renamed).toEqual([{ index: 0, from: '', to: 'Unnamed: 0' }]);
  });

  it('keeps header cells that look like NA tokens as names', async () => {
    const parsed = await parse('NA,null\n1,2\n');
    expect(parsed.columns).toEqual(['NA', 'null']);
  });
});

describe('parseDelimited: bad input', () => {
  it('rejects a row with fewer fields than the header, naming the line', async () => {
    expect(await parseError('a,b,c\n1,2,3\n4,5\n')).toBe('data/x.csv:3: row has 2 fields, the header has 3');
  });

  it('rejects a row with more fields, with the line right after embedded line breaks', async () => {
    for (const size of [1, 3, 1 << 16]) {
      expect(await parseError('a,b\n"x\ny",1\n"p\r\nq",2,3\n', {}, size)).toBe(
        'data/x.csv:4: row has 3 fields, the header has 2',
      );
    }
  });

  it('rejects an unquoted ragged row found by the fast path', async () => {
    expect(await parseError('a,b\n1,2\n3,4,5\n')).toBe('data/x.csv:3: row has 3 fields, the header has 2');
    expect(await parseError('a,b\n1,2\n3\n')).toBe('data/x.csv:3: row has 1 field, the header has 2');
  });

  it('rejects an unterminated quoted field at the line and column where it opens', async () => {
    for (const size of [1, 2, 1 << 16]) {
      expect(await parseError('a,b\n1,2\n3,"open\n4,5\n', {}, size)).toBe(
        'data/x.csv:3:3: unterminated quoted field (opened here)',
      );
    }
  });

  it('rejects invalid UTF-8 with the byte, its offset, and the line and column', async () => {
    const bytes = new Uint8Array([...encode('a,b\n1,Zürich\n2,x'), 0xff, ...encode('y\n')]);
    for (const size of [1, 5, 1 << 16]) {
      expect(await parseError(bytes, {}, size)).toBe('data/x.csv:3:4: invalid UTF-8 (byte 0xff at offset 17)');
    }
  });

  it('rejects an overlong encoding and a lone continuation byte', async () => {
    expect(await parseError(new Uint8Array([...encode('a\n'), 0xc0, 0xaf, 10]))).toBe(
      'data/x.csv:2:1: invalid UTF-8 (byte 0xc0 at offset 2)',
    );
    expect(await parseError(new Uint8Array([...encode('a\nb'), 0x80, 10]))).toBe(
      'data/x.csv:2:2: invalid UTF-8 (byte 0x80 at offset 3)',
    );
  });

  it('rejects a file that ends inside a multi-byte character', async () => {
    expect(await parseError(new Uint8Array([...encode('a\nx'), 0xe6, 0x97]))).toBe(
      'data/x.csv:2:2: invalid UTF-8 (the data ends inside a multi-byte character at offset 3)',
    );
  });

  it('recognises UTF-16 and says so', async () => {
    const utf16 = new Uint8Array([0xff, 0xfe, 0x61, 0x00, 0x0a, 0x00]);
    expect(await parseError(utf16)).toBe(
      'data/x.csv:1:1: invalid UTF-8 (byte 0xff at offset 0); the file looks like UTF-16: save it as UTF-8',
    );
  });

  it('rejects an empty file and a file of blank lines', async () => {
    expect(await parseError('')).toBe('data/x.csv: the file is empty (no header row)');
    expect(await parseError('\ufeff')).toBe('data/x.csv: the file is empty (no header row)');
    expect(await parseError('\n \n\r\n')).toBe('data/x.csv: the file is empty (no header row)');
  });

  it('reads a header-only file as columns and no rows (openDataset decides what that means)', async () => {
    const parsed = await parse('id,name\n');
    expect(parsed.columns).toEqual(['id', 'name']);
    expect(parsed.rows).toEqual([]);
  });

  it('stops a stray quote from swallowing the whole file', async () => {
    const text = 'a,b\n1,"x' + 'y'.repeat(5000) + '\n2,3\n';
    expect(await parseError(text, { maxFieldLength: 1000 }, 256)).toBe(
      'data/x.csv:2:3: quoted field longer than 1000 characters: probably an unterminated quote (opened here)',
    );
  });

  it('rejects a delimiter that is not one character', async () => {
    expect(await parseError('a\n', { delimiter: '::' })).toBe(
      'data/x.csv: the delimiter must be one character, got "::"',
    );
    expect(await parseError('a\n', { delimiter: '"' })).toBe('data/x.csv: the delimiter cannot be "\\""');
  });
});

describe('parseDelimited: streaming', () => {
  it('closes the source when the consumer stops early', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield encode('n\n');
        for (let index = 0; ; index++) yield encode(`${index}\n`.repeat(100));
      } finally {
        closed = true;
      }
    }
    const table = await parseDelimited(source(), { file: 'x.csv', batchSize: 10 });
    for await (const batch of table.batches) {
      expect(batch.rows.length).toBeGreaterThan(0);
      break;
    }
    expect(closed).toBe(true);
  });

  it('closes the source on close() without reading rows', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield encode('a,b\n1,2\n');
        yield encode('3,4\n');
      } finally {
        closed = true;
      }
    }
    const table = await parseDelimited(source(), { file: 'x.csv' });
    await table.close();
    expect(closed).toBe(true);
  });
});

describe('parseDelimited: round trip of random files', () => {
  const pieces = ['a', 'bc', ' ', ',', ';', '"', '""', '\n', '\r\n', '\r', 'é', '日', '😀', 'x1', '0.5', '\t'];

  it('reads back what a quoting writer wrote, with correct line numbers, at any chunk size', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const next = seededRandom(seed);
      const width = 1 + Math.floor(next() * 4);
      const header = Array.from({ length: width }, (_, index) => `c${index}`);
      const rows: string[][] = [];
      for (let count = Math.floor(next() * 12); count > 0; count--) {
        rows.push(
          Array.from({ length: width }, () => {
            let cell = '';
            for (let length = Math.floor(next() * 4); length > 0; length--)
              cell += pieces[Math.floor(next() * pieces.length)];
            return cell;
          }),
        );
      }
      const ending = next() < 0.5 ? '\n' : '\r\n';
      const quote = (cell: string) =>
        /[",\r\n]/.test(cell) || cell.trim() === '' || cell !== cell.trim() ? `"${cell.replaceAll('"', '""')}"` : cell;
      const records = [header, ...rows].map((row) => row.map(quote).join(','));
      const text = records.join(ending) + (next() < 0.5 ? ending : '');
      const expectedLines: number[] = [];
      let line = 1;
      records.forEach((record, index) => {
        if (index > 0) expectedLines.push(line);
        line += (record.match(/\r\n|\r|\n/g) ?? []).length + 1;
      });
      const parsed = await parseEverySplit(text, { delimiter: ',' });
      expect(parsed.columns).toEqual(header);
      expect(parsed.rows, `seed ${seed}`).toEqual(rows.map((row) => row.map((cell) => (cell === '' ? null : cell))));
      expect(parsed.lines, `seed ${seed}`).toEqual(expectedLines);
    }
  });
});
