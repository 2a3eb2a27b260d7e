import { describe, expect, it } from 'vitest';
import {
  JsonKeyCollector,
  parseJsonArray,
  parseJsonLines,
  recordsToRows,
  type JsonOptions,
  type JsonRecordBatch,
} from '../../src/core/data/json.js';
import { ConfigurationError } from '../../src/core/errors.js';

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

const encode = (text: string) => new TextEncoder().encode(text);

type Parser = (chunks: AsyncIterable<Uint8Array>, options: JsonOptions) => AsyncGenerator<JsonRecordBatch>;

async function read(parser: Parser, input: string | Uint8Array, chunkSize = 1 << 16, batchSize?: number) {
  const bytes = typeof input === 'string' ? encode(input) : input;
  const records: unknown[] = [];
  const lines: number[] = [];
  for await (const batch of parser(chunked(bytes, chunkSize), {
    file: 'data/x.json',
    ...(batchSize ? { batchSize } : {}),
  })) {
    records.push(...batch.records);
    lines.push(...batch.lines);
  }
  return { records, lines };
}

async function readEverySplit(parser: Parser, input: string) {
  const whole = await read(parser, input);
  for (const size of [1, 2, 3, 5, 7]) expect(await read(parser, input, size), `chunk size ${size}`).toEqual(whole);
  return whole;
}

async function readError(parser: Parser, input: string | Uint8Array, chunkSize = 1 << 16): Promise<string> {
  try {
    await read(parser, input, chunkSize);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).located;
  }
  throw new Error('expected a ConfigurationError');
}

describe('parseJsonArray', () => {
  it('streams the elements of a top-level array with their start lines', async () => {
    const text =
      '[\n  {"a": 1, "b": "x"},\n  {"a": null,\n   "b": "y, ]} \\" z"},\n  {"nested": {"k": [1, {"d": 2}]}}\n]\n';
    const { records, lines } = await readEverySplit(parseJsonArray, text);
    expect(records).toEqual([{ a: 1, b: 'x' }, { a: null, b: 'y, ]} " z' }, { nested: { k: [1, { d: 2 }] } }]);
    expect(lines).toEqual([2, 3, 5]);
  });

  it('ends strings correctly after runs of backslashes, split anywhere', async () => {
    // JSON text: C:\\dir\\ (escaped backslashes before the closing quote), an escaped quote
    // followed by ] and an escaped backslash, and four backslashes.
    const text = '[{"p": "C:\\\\dir\\\\", "q": "\\"]\\\\\\""}, {"r": "\\\\\\\\"}]';
    const { records } = await readEverySplit(parseJsonArray, text);
    expect(records).toEqual([{ p: 'C:\\dir\\', q: '"]\\"' }, { r: '\\\\' }]);
  });

  it('reads a compact one-line array, a BOM and CRLF', async () => {
    expect((await readEverySplit(parseJsonArray, '\ufeff[{"a":1},{"a":2}]')).records).toEqual([{ a: 1 }, { a: 2 }]);
    expect((await readEverySplit(parseJsonArray, '[\r\n{"a":1},\r\n{"a":2}\r\n]\r\n')).lines).toEqual([2, 3]);
  });

  it('batches records', async () => {
    const text = '[' + Array.from({ length: 25 }, (_, index) => `{"i":${index}}`).join(',') + ']';
    const sizes: number[] = [];
    for await (const batch of parseJsonArray(chunked(encode(text), 8), { file: 'x.json', batchSize: 10 }))
      sizes.push(batch.records.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(25);
    expect(sizes.length).toBeGreaterThan(1);
  });

  it('reads an empty array as no records', async () => {
    expect((await read(parseJsonArray, ' [ ] ')).records).toEqual([]);
  });

  it('rejects invalid JSON inside an element at its line and column', async () => {
    for (const size of [1, 4, 1 << 16]) {
      expect(await readError(parseJsonArray, '[\n  {"a": 1},\n  {"a": 2,, "b": 3}\n]', size)).toBe(
        'data/x.json:3:11: invalid JSON in element 2: Expected double-quoted property name',
      );
    }
  });

  it('rejects a raw line break inside a string at the right line', async () => {
    expect(await readError(parseJsonArray, '[{"a": "x\ny"}]')).toBe(
      'data/x.json:1:10: invalid JSON in element 1: Bad control character in string literal',
    );
  });

  it('rejects elements that are not objects', async () => {
    expect(await readError(parseJsonArray, '[{"a": 1}, 2]')).toBe(
      'data/x.json:1:12: element 2 is a number, expected an object',
    );
    expect(await readError(parseJsonArray, '[[1, 2]]')).toBe(
      'data/x.json:1:2: element 1 is an array, expected an object',
    );
    expect(await readError(parseJsonArray, '[null]')).toBe('data/x.json:1:2: element 1 is null, expected an object');
    expect(await readError(parseJsonArray, '["s"]')).toBe('data/x.json:1:2: element 1 is a string, expected an object');
  });

  it('rejects a top-level object or scalar', async () => {
    expect(await readError(parseJsonArray, '{"a": 1}\n{"a": 2}\n')).toBe(
      'data/x.json:1:1: expected a JSON array of objects, found an object (for one object per line, use JSON Lines: .jsonl)',
    );
    expect(await readError(parseJsonArray, '\n  42')).toBe('data/x.json:2:3: expected a JSON array of objects');
  });

  it('rejects broken array syntax', async () => {
    expect(await readError(parseJsonArray, '[{"a":1},]')).toBe(
      'data/x.json:1:10: trailing comma before the end of the array',
    );
    expect(await readError(parseJsonArray, '[,{"a":1}]')).toBe("data/x.json:1:2: expected element 1, found ','");
    expect(await readError(parseJsonArray, '[{"a":1} {"a":2}]')).toBe(
      "data/x.json:1:10: expected ',' or ']' after element 1",
    );
    expect(await readError(parseJsonArray, '[{"a":1}] x')).toBe(
      'data/x.json:1:11: unexpected text after the end of the array',
    );
  });

  it('rejects an array left open at the end of the file', async () => {
    expect(await readError(parseJsonArray, '[\n{"a":1},\n{"a":2}\n')).toBe(
      'data/x.json:4: the file ends before the JSON array is closed',
    );
    expect(await readError(parseJsonArray, '[\n{"a":1},\n{"a":')).toBe(
      'data/x.json:3:1: the file ends inside element 2 (which starts here)',
    );
  });

  it('rejects an empty file and invalid UTF-8', async () => {
    expect(await readError(parseJsonArray, '')).toBe('data/x.json: the file is empty (no JSON array)');
    expect(await readError(parseJsonArray, new Uint8Array([...encode('[\n{"a": "'), 0xfe, ...encode('"}]')]))).toBe(
      'data/x.json:2:8: invalid UTF-8 (byte 0xfe at offset 9)',
    );
  });
});

describe('parseJsonLines', () => {
  it('reads one object per line, skipping blank lines, with LF or CRLF', async () => {
    const { records, lines } = await readEverySplit(parseJsonLines, '{"a":1}\n\n{"a":"x\\ny"}\r\n  \n{"b":[1,2]}');
    expect(records).toEqual([{ a: 1 }, { a: 'x\ny' }, { b: [1, 2] }]);
    expect(lines).toEqual([1, 3, 5]);
  });

  it('rejects a line of invalid JSON at its line and column', async () => {
    for (const size of [1, 1 << 16]) {
      expect(await readError(parseJsonLines, '{"a": 1}\n{"a": 2}\n{"a": 3\n', size)).toBe(
        "data/x.json:3:8: invalid JSON: Expected ',' or '}' after property value",
      );
    }
  });

  it('rejects a line that is not an object', async () => {
    expect(await readError(parseJsonLines, '{"a": 1}\n[1, 2]\n')).toBe(
      'data/x.json:2: expected a JSON object on each line, found an array',
    );
    expect(await readError(parseJsonLines, '{"a": 1}\nnull\n')).toBe(
      'data/x.json:2: expected a JSON object on each line, found null',
    );
  });

  it('rejects a pretty-printed object (one object over several lines)', async () => {
    expect(await readError(parseJsonLines, '{\n"a": 1\n}\n')).toBe(
      "data/x.json:1:2: invalid JSON: Expected property name or '}'",
    );
  });

  it('rejects an empty file', async () => {
    expect(await readError(parseJsonLines, '')).toBe('data/x.json: the file is empty (no JSON records)');
    expect(await readError(parseJsonLines, '\n\n  \n')).toBe('data/x.json: the file is empty (no JSON records)');
  });
});

/** `count` chunks of `size` bytes of `byte` (after `head`), counting how many the parser pulled. */
function endless(head: string, byte: number, size: number, count: number) {
  const pulled = { chunks: 0 };
  const chunk = new Uint8Array(size).fill(byte);
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield encode(head);
    for (; pulled.chunks < count; pulled.chunks++) yield chunk;
  }
  return { chunks: chunks(), pulled };
}

async function linesError(chunks: AsyncIterable<Uint8Array>, options: Partial<JsonOptions> = {}): Promise<string> {
  try {
    for await (const batch of parseJsonLines(chunks, { file: 'data/x.jsonl', ...options })) void batch;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).located;
  }
  throw new Error('expected a ConfigurationError');
}

describe('parseJsonLines on very long lines', () => {
  it('reads an 8M-character line given in 256-byte chunks in linear time', async () => {
    // 32,768 chunks: rescanning the growing line at each one (the old reader) is ~10^11 character
    // steps, minutes; a linear scan is ~10^7, well under a second. The timeout only catches the former.
    const text = 'x'.repeat(8 * 1024 * 1024);
    const bytes = encode(`{"id": 1}\n{"text": "${text}"}\n{"id": 3}\n`);
    const { records, lines } = await read(parseJsonLines, bytes, 256);
    expect(records.map((record) => Object.keys(record as object))).toEqual([['id'], ['text'], ['id']]);
    expect((records[1] as { text: string }).text.length).toBe(text.length);
    expect(lines).toEqual([1, 2, 3]);
  }, 60_000);

  it('stops at the CSV field limit (16 Mi characters) in a string, as soon as it passes it', async () => {
    const { chunks, pulled } = endless('{"id": 1}\n{"id": 2, "text": "', 0x61, 1 << 16, 1_000);
    expect(await linesError(chunks)).toBe(
      'data/x.jsonl:2:19: string longer than 16777216 characters (it starts here): is this a JSON Lines file?',
    );
    expect(pulled.chunks).toBeLessThanOrEqual(16 * 16 + 1);
  });

  it('stops at 64 Mi characters on a line of NUL bytes, without reading the rest', async () => {
    const { chunks, pulled } = endless('{"id": 1}\n', 0, 1 << 16, 1_600); // 100 MiB of NUL bytes
    expect(await linesError(chunks)).toBe(
      'data/x.jsonl:2: line longer than 67108864 characters: is this a JSON Lines file?',
    );
    expect(pulled.chunks).toBeLessThanOrEqual(64 * 16 + 1);
  }, 60_000);

  it('counts a string split across many chunks, and accepts one at the limit', async () => {
    const options = { maxFieldLength: 1000, maxRecordLength: 4000 };
    const at = (length: number) => chunked(encode(`{"a": "${'y'.repeat(length)}", "b": 1}\n`), 7);
    let records = 0;
    for await (const batch of parseJsonLines(at(1000), { file: 'data/x.jsonl', ...options }))
      records += batch.records.length;
    expect(records).toBe(1);
    expect(await linesError(at(1001), options)).toBe(
      'data/x.jsonl:1:7: string longer than 1000 characters (it starts here): is this a JSON Lines file?',
    );
    const escaped = chunked(encode(`{"a": "${'\\"'.repeat(600)}"}\n`), 7);
    expect(await linesError(escaped, options)).toMatch(/^data\/x\.jsonl:1:7: string longer than 1000 characters/);
    // Escaped backslashes and quotes split at every offset: the string ends where JSON says it does.
    const escapes = '\\\\\\"'.repeat(250); // \\\" : 4 characters each, 1000 in all
    for (const size of [1, 2, 3, 5, 7]) {
      const line = (extra: string) => chunked(encode(`{"a": "${escapes}${extra}", "b": "${'z'.repeat(900)}"}\n`), size);
      let read = 0;
      for await (const batch of parseJsonLines(line(''), { file: 'data/x.jsonl', ...options }))
        read += batch.records.length;
      expect(read, `chunk size ${size}`).toBe(1);
      expect(await linesError(line('a'), options), `chunk size ${size}`).toMatch(/^data\/x\.jsonl:1:7: string longer/);
    }
  });
});

describe('deeply nested values', () => {
  const arrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
  const objects = (levels: number) => `${'{"k": '.repeat(levels)}1${'}'.repeat(levels)}`;
  const tooDeep = 'nested more than 64 levels deep; mlops reads documents up to 64 levels of objects and lists.';

  it('refuses a record nested over 64 levels with its line and key path (JSON Lines)', async () => {
    // V8's JSON.parse reads 100,000 levels; JSON.stringify (comparing and printing cells) overflows.
    expect(await readError(parseJsonLines, `{"x": 1}\n{"x": 2, "y": ${arrays(100_000)}}\n`)).toBe(
      `data/x.json:2, key "y${'[0]'.repeat(63)}": ${tooDeep}`,
    );
    expect(await readError(parseJsonLines, `{"x": 1}\n{"x": 2, "y": ${objects(100_000)}}\n`)).toBe(
      `data/x.json:2, key "y${'.k'.repeat(63)}": ${tooDeep}`,
    );
    const { records } = await read(parseJsonLines, `{"x": 1, "y": ${arrays(63)}}\n`);
    expect(records).toHaveLength(1);
  });

  it('refuses an array element nested over 64 levels with its line and key path', async () => {
    expect(await readError(parseJsonArray, `[{"x": 1},\n {"x": 2, "y": ${arrays(100_000)}}]`)).toBe(
      `data/x.json:2:2, key "y${'[0]'.repeat(63)}": ${tooDeep}`,
    );
    expect(await readError(parseJsonArray, `[{"x": 1},\n {"x": 2, "y": ${objects(100_000)}}]`)).toMatch(
      new RegExp(`^data/x\\.json:2:\\d+, key "y(\\.k){63}": nested more than 64 levels deep`),
    );
  });
});

describe('records to rows', () => {
  it('collects keys in first-seen order and fills missing keys with null', () => {
    const keys = new JsonKeyCollector();
    const records: Record<string, unknown>[] = [{ a: 1, b: null }, { c: 'x', a: 2 }, { toString: 5 }];
    for (const record of records) keys.add(record);
    expect(keys.keys).toEqual(['a', 'b', 'c', 'toString']);
    expect(keys.records).toBe(3);
    expect(recordsToRows({ records, lines: [1, 2, 3] }, keys.keys, 'x.json')).toEqual([
      [1, null, null, null],
      [2, null, 'x', null],
      [null, null, null, 5],
    ]);
  });

  it('does not mistake inherited members for values', () => {
    const rows = recordsToRows(
      { records: [{ a: 1 }], lines: [1] },
      ['a', 'constructor', '__proto__', 'hasOwnProperty'],
      'x.json',
    );
    expect(rows).toEqual([[1, null, null, null]]);
  });

  it('rejects a key that is not a column', () => {
    expect(() => recordsToRows({ records: [{ a: 1, z: 2 }], lines: [7] }, ['a'], 'x.json')).toThrow(
      'key "z" is not a column of the dataset (did the file change while it was read?)',
    );
  });
});
