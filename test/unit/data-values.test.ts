import { describe, expect, it } from 'vitest';
import type { Cell, Dataset, RowBatch } from '../../src/core/data/dataset.js';
import { ColumnTypeAccumulator, inferColumnType, inferColumnTypes } from '../../src/core/data/infer.js';
import { rowLocation } from '../../src/core/data/location.js';
import {
  cellToString,
  inferCellType,
  isMissing,
  isNaToken,
  PANDAS_NA_TOKENS,
  parseTemporal,
  toBoolean,
  toDate,
  toInteger,
  toNumber,
  toTimestamp,
} from '../../src/core/data/values.js';

describe('NA tokens', () => {
  it('match pandas read_csv defaults exactly', () => {
    for (const token of PANDAS_NA_TOKENS) expect(isNaToken(token), token).toBe(true);
    for (const text of ['na', 'Na', ' NA', 'NA ', 'none', 'NONE', 'nil', '0', '-', 'N/A N/A', '#N/A N/A ', 'NaNa']) {
      expect(isNaToken(text), text).toBe(false);
    }
    expect(PANDAS_NA_TOKENS).toHaveLength(19);
  });

  it('isMissing: null, undefined and NaN only', () => {
    expect([null, undefined, NaN].every((value) => isMissing(value))).toBe(true);
    expect([0, '', 'NA', false, []].some((value) => isMissing(value))).toBe(false);
  });
});

describe('toNumber', () => {
  it.each([
    ['42', 42],
    ['-3.5', -3.5],
    ['+7', 7],
    ['1e3', 1000],
    ['1.5E-2', 0.015],
    ['.5', 0.5],
    ['5.', 5],
    [' 12 ', 12],
    ['007', 7],
    ['inf', Infinity],
    ['-Infinity', -Infinity],
    ['INF', Infinity],
  ])('reads %j as %d', (text, value) => {
    expect(toNumber(text)).toBe(value);
  });

  it.each(['', ' ', '0x10', '0b1', '0o7', '1_000', '1,5', 'abc', '1e', '--1', '2024-01-01', 'NaN', 'true'])(
    'rejects %j',
    (text) => {
      expect(toNumber(text)).toBeUndefined();
    },
  );

  it('takes numbers and bigints, not booleans, NaN or missing values', () => {
    expect(toNumber(3.25)).toBe(3.25);
    expect(toNumber(12n)).toBe(12);
    expect(toNumber(NaN)).toBeUndefined();
    expect(toNumber(true)).toBeUndefined();
    expect(toNumber(null)).toBeUndefined();
    expect(toNumber({ a: 1 })).toBeUndefined();
  });
});

describe('toInteger, toBoolean', () => {
  it('reads integers exactly, bigint past 2^53', () => {
    expect(toInteger('12')).toBe(12);
    expect(toInteger(' -3 ')).toBe(-3);
    expect(toInteger('9007199254740993')).toBe(9007199254740993n);
    expect(toInteger(9007199254740993n)).toBe(9007199254740993n);
    expect(toInteger(5n)).toBe(5);
    expect(toInteger(2.0)).toBe(2);
    expect(toInteger(2.5)).toBeUndefined();
    expect(toInteger('2.0')).toBeUndefined();
  });

  it('reads pandas boolean spellings', () => {
    for (const text of ['true', 'True', 'TRUE']) expect(toBoolean(text)).toBe(true);
    for (const text of ['false', 'False', 'FALSE']) expect(toBoolean(text)).toBe(false);
    for (const value of ['yes', 't', '1', 1, 0, 'tRue', null]) expect(toBoolean(value)).toBeUndefined();
    expect(toBoolean(false)).toBe(false);
  });
});

describe('dates', () => {
  it('reads ISO dates and date-times', () => {
    expect(parseTemporal('2024-02-29')).toEqual({ kind: 'date', epochMs: Date.UTC(2024, 1, 29), hasOffset: false });
    expect(parseTemporal('2024-01-31T12:34:56.789Z')?.epochMs).toBe(Date.UTC(2024, 0, 31, 12, 34, 56, 789));
    expect(parseTemporal('2024-01-31 12:34')?.epochMs).toBe(Date.UTC(2024, 0, 31, 12, 34));
    expect(parseTemporal('2024-01-31T12:00:00+02:00')?.epochMs).toBe(Date.UTC(2024, 0, 31, 10));
    expect(parseTemporal('2024-01-31T12:00:00-0130')?.epochMs).toBe(Date.UTC(2024, 0, 31, 13, 30));
    expect(parseTemporal('2020-01-01T00:00:01.000003')?.epochMs).toBeCloseTo(Date.UTC(2020, 0, 1, 0, 0, 1) + 0.003, 6);
    expect(parseTemporal('0099-05-01')?.epochMs).toBe(new Date('0099-05-01T00:00:00Z').getTime());
    expect(parseTemporal('0099-05-01T01:00')?.epochMs).toBe(new Date('0099-05-01T01:00:00Z').getTime());
  });

  it.each([
    '2023-02-29',
    '2024-13-01',
    '2024-00-10',
    '2024-04-31',
    '2024-01-01T24:00',
    '2024-01-01T10:60',
    '2024/01/01',
    '20240101',
    '2024-1-1',
    'x',
  ])('rejects %j', (text) => {
    expect(parseTemporal(text)).toBeUndefined();
  });

  it('toTimestamp and toDate read strings only', () => {
    expect(toTimestamp('1970-01-02')).toBe(86_400_000);
    expect(toTimestamp(86_400_000)).toBeUndefined();
    expect(toDate('2024-03-01T00:00:00Z')?.toISOString()).toBe('2024-03-01T00:00:00.000Z');
    expect(toDate(null)).toBeUndefined();
  });
});

describe('cellToString', () => {
  it('gives text for present cells', () => {
    expect(cellToString('a')).toBe('a');
    expect(cellToString(1.5)).toBe('1.5');
    expect(cellToString(10n)).toBe('10');
    expect(cellToString(true)).toBe('true');
    expect(cellToString({ a: [1, 2n] })).toBe('{"a":[1,"2"]}');
    expect(cellToString(null)).toBeUndefined();
    expect(cellToString(NaN)).toBeUndefined();
  });
});

describe('type inference', () => {
  it('classifies cells', () => {
    const cases: [Cell, string][] = [
      [null, 'null'],
      [NaN, 'null'],
      [3, 'integer'],
      [3.5, 'number'],
      [12n, 'integer'],
      [true, 'boolean'],
      ['12', 'integer'],
      [' -4 ', 'integer'],
      ['1.0', 'number'],
      ['1e5', 'number'],
      ['-inf', 'number'],
      ['True', 'boolean'],
      ['2024-01-01', 'date'],
      ['2024-01-01T10:00:00Z', 'datetime'],
      ['2024-01-01 10:00', 'datetime'],
      ['2024-02-30', 'string'],
      ['hello', 'string'],
      ['', 'string'],
      ['yes', 'string'],
      [[1, 2], 'nested'],
      [{ a: 1 }, 'nested'],
    ];
    for (const [cell, kind] of cases) expect(inferCellType(cell), JSON.stringify(String(cell))).toBe(kind);
  });

  it('folds kinds into the narrowest column type, ignoring missing values', () => {
    expect(inferColumnType(['1', null, '2'])).toBe('integer');
    expect(inferColumnType(['1', '2.5'])).toBe('number');
    expect(inferColumnType([1, 2.5, null])).toBe('number');
    expect(inferColumnType(['true', 'False'])).toBe('boolean');
    expect(inferColumnType(['2024-01-01', null])).toBe('date');
    expect(inferColumnType(['2024-01-01', '2024-01-02T00:00'])).toBe('datetime');
    expect(inferColumnType(['1', 'true'])).toBe('string');
    expect(inferColumnType(['2024-01-01', '3'])).toBe('string');
    expect(inferColumnType(['a', '1'])).toBe('string');
    expect(inferColumnType([[1], [2]])).toBe('string');
    expect(inferColumnType([null, null])).toBe('null');
    expect(inferColumnType([])).toBe('null');
  });

  it('counts present and missing cells', () => {
    const accumulator = new ColumnTypeAccumulator();
    for (const cell of ['1', null, '3', NaN]) accumulator.add(cell);
    expect([accumulator.type, accumulator.present, accumulator.missing]).toEqual(['integer', 2, 2]);
  });

  it('infers every column of a dataset in one pass', async () => {
    const batches: RowBatch[] = [
      {
        file: 'x.csv',
        rows: [
          ['1', 'a', null],
          ['2', 'b', '2024-01-01'],
        ],
        lines: [2, 3],
        firstRow: 1,
      },
      { file: 'x.csv', rows: [['3.5', 'c', '2024-01-02']], lines: [4], firstRow: 3 },
    ];
    const dataset: Dataset = {
      files: ['x.csv'],
      columns: ['n', 's', 'd'],
      async *batches() {
        yield* batches;
      },
    };
    expect(await inferColumnTypes(dataset, { countAll: true })).toEqual([
      { name: 'n', type: 'number', present: 3, missing: 0 },
      { name: 's', type: 'string', present: 3, missing: 0 },
      { name: 'd', type: 'date', present: 2, missing: 1 },
    ]);
  });
});

describe('rowLocation', () => {
  it('gives a line for text formats and a row for Parquet', () => {
    const text: RowBatch = { file: 'a.csv', rows: [['1']], lines: [42], firstRow: 1 };
    const parquet: RowBatch = { file: 'a.parquet', rows: [['1']], lines: [7], firstRow: 1, linesAreRows: true };
    expect(rowLocation(text, 0)).toEqual({ file: 'a.csv', line: 42 });
    expect(rowLocation(parquet, 0, 'age')).toEqual({ file: 'a.parquet', row: 7, key: 'age' });
  });
});
