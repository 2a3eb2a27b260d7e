/**
 * Every bad input to the drift engine is one clear error naming what and where: an empty column,
 * columns missing on one side, a profile of another dataset, a numeric column holding text (file
 * and line), numbers against text, an unknown test or key in the config.
 */
import { describe, expect, it } from 'vitest';
import type { Cell } from '../../src/core/data/dataset.js';
import {
  defaultTest,
  detectDrift,
  DriftProfileBuilder,
  parseDriftConfig,
  type DriftProfile,
} from '../../src/core/drift/index.js';
import { ConfigurationError, InputError, type UserError } from '../../src/core/errors.js';

function profile(columns: string[], rows: Cell[][], file: string, linesAreRows = false): DriftProfile {
  const builder = new DriftProfileBuilder(columns, { exactLimit: Infinity });
  builder.addBatch({
    file,
    rows,
    lines: rows.map((_, i) => (linesAreRows ? i + 1 : i + 2)),
    firstRow: 1,
    ...(linesAreRows ? { linesAreRows: true } : {}),
  });
  return builder.finish({ files: [file] });
}

function caught(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    return error as UserError;
  }
  throw new Error('expected an error');
}

const numbers = (count: number, offset = 0): Cell[][] =>
  Array.from({ length: count }, (_, i) => [String(i + offset), ['a', 'b', 'c'][i % 3]!]);

describe("Evidently's default test choice", () => {
  it.each([
    ['numeric', 1000, 6, 'ks'],
    ['numeric', 1000, 5, 'chisquare'],
    ['numeric', 1000, 3, 'chisquare'],
    ['numeric', 1000, 2, 'z'],
    ['numeric', 1001, 6, 'wasserstein'],
    ['numeric', 1001, 5, 'jensenshannon'],
    ['numeric', 1001, 2, 'jensenshannon'],
    ['categorical', 1000, 3, 'chisquare'],
    ['categorical', 1000, 2, 'z'],
    ['categorical', 1001, 30, 'jensenshannon'],
  ] as const)('%s, %i reference values, %i distinct: %s', (type, rows, distinct, test) => {
    expect(defaultTest(type, rows, distinct)).toBe(test);
  });
});

describe('detectDrift refuses', () => {
  it('an empty column, saying what was dropped', () => {
    const reference = profile(['x'], [[null], ['inf'], ['-inf'], [null]], 'ref.csv');
    const current = profile(['x'], [['1'], ['2']], 'cur.csv');
    const error = caught(() => detectDrift({ reference, current }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      'column "x" is empty in the reference (ref.csv): no value left of 4 rows after dropping 2 missing and 2 NaN/inf (Evidently drops them before testing); exclude the column or fix the data.',
    );
  });

  it('columns missing on one side, naming them and the side', () => {
    const reference = profile(['x', 'y', 'z'], [['1', '2', '3']], 'ref.csv');
    const current = profile(['x', 'w'], [['1', '2']], 'cur.csv');
    const error = caught(() => detectDrift({ reference, current }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      'column "y", "z" are missing in the current data (cur.csv), and "w" is missing in the reference (ref.csv); exclude them in the drift config to test the others.',
    );
    // Excluded in the config, the rest is tested.
    const config = parseDriftConfig('exclude: [y, z, w]\n', 'drift.yml');
    expect(detectDrift({ reference, current, config }).columns.map((c) => c.column)).toEqual(['x']);
  });

  it('a profile of another dataset (no column in common)', () => {
    const reference = profile(['age', 'income'], [['1', '2']], 'ref.csv');
    const current = profile(['sku', 'price'], [['1', '2']], 'cur.csv');
    expect(caught(() => detectDrift({ reference, current })).message).toBe(
      'the reference (ref.csv) and the current data (cur.csv) share no column, so they are not the same dataset: the reference has "age", "income"; the current data has "sku", "price".',
    );
  });

  it('a numeric column with text, naming the file and line of the first text cell', () => {
    const reference = profile(['x', 'k'], numbers(20), 'ref.csv');
    const rows = numbers(20);
    rows[7]![0] = 'n/a yet';
    const current = profile(['x', 'k'], rows, 'cur.csv');
    const error = caught(() => detectDrift({ reference, current }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.located).toBe(
      'cur.csv:9: column "x" is numeric but the current data (cur.csv) holds the text "n/a yet"; fix the data, exclude the column, or set columns.x.type: categorical in the drift config.',
    );
    // Parquet and JSON files name the row instead.
    const parquet = profile(['x', 'k'], rows, 'cur.parquet', true);
    expect(caught(() => detectDrift({ reference, current: parquet })).location).toEqual({
      file: 'cur.parquet',
      row: 8,
    });
  });

  it('numbers on one side and text on the other', () => {
    const reference = profile(['x'], [['1'], ['2']], 'ref.csv');
    const current = profile(['x'], [['a'], ['b']], 'cur.csv');
    expect(caught(() => detectDrift({ reference, current })).message).toBe(
      'column "x" is numeric in the reference (ref.csv) but text in the current data (cur.csv); the two must hold the same kind of values (or set columns.x.type in the drift config).',
    );
  });

  it('a test that does not apply to the column type, naming the config key', () => {
    const reference = profile(['x', 'k'], numbers(20), 'ref.csv');
    const config = parseDriftConfig('columns:\n  k:\n    test: ks\n', 'drift.yml');
    const error = caught(() => detectDrift({ reference, current: reference, config }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.located).toBe(
      'drift.yml, key "columns.k.test": test "ks" applies to numeric columns, but column "k" is categorical; choose another test or set its type.',
    );
  });
});

describe('parseDriftConfig', () => {
  it('reads every setting', () => {
    const config = parseDriftConfig(
      [
        'drift-share: 0.3',
        'threshold: 0.2',
        'default-test: {numeric: psi}',
        'exclude: [id]',
        'columns:',
        '  age: {test: kl_div, threshold: 0.05, bins: {quantiles: 10}}',
        '  zip: {type: categorical}',
        '  note: {exclude: true}',
        '',
      ].join('\n'),
      'drift.yml',
    );
    expect(config).toEqual({
      source: 'drift.yml',
      driftShare: 0.3,
      threshold: 0.2,
      defaultTest: { numeric: 'psi' },
      exclude: ['id'],
      columns: {
        age: { test: 'kl_div', threshold: 0.05, bins: { quantiles: 10 } },
        zip: { type: 'categorical' },
        note: { exclude: true },
      },
    });
  });

  it.each([
    [
      'an unknown test, listing the known ones',
      'columns:\n  age:\n    test: kolmogorov\n',
      'drift.yml:3:5, key "columns.age.test": columns.age.test: unknown test "kolmogorov"; known tests: ks, chisquare, z, wasserstein, jensenshannon, psi, kl_div, hellinger, anderson, cramer_von_mises, ed, t_test, mannw.',
    ],
    [
      'an unknown default test',
      '{"default-test": {"categorical": "fisher"}}',
      'drift.yml:1:19, key "default-test.categorical": default-test.categorical: unknown test "fisher"; known tests: ks, chisquare, z, wasserstein, jensenshannon, psi, kl_div, hellinger, anderson, cramer_von_mises, ed, t_test, mannw.',
    ],
    [
      'an unknown column setting',
      'columns:\n  age:\n    treshold: 0.1\n',
      'drift.yml:3:5, key "columns.age.treshold": unknown setting "treshold" for column "age"; known settings: test, threshold, bins, type, exclude.',
    ],
    [
      'an unknown top-level key',
      'drift_share: 0.5\n',
      'drift.yml:1:1, key "drift_share": unknown key "drift_share"; known keys: columns, include, exclude, drift-share, default-test, threshold.',
    ],
    [
      'bad bins',
      'columns:\n  age:\n    bins: 0\n',
      'drift.yml:3:5, key "columns.age.bins": columns.age.bins must be a whole number of bins (1 to 10000) or {quantiles: n}.',
    ],
    ['a drift share above 1', 'drift-share: 1.5\n', 'drift.yml:1:1, key "drift-share": drift-share must be <= 1.'],
  ])('refuses %s', (_name, text, located) => {
    const error = caught(() => parseDriftConfig(text, 'drift.yml'));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.located).toBe(located);
  });
});

describe('reading numbers out of text cells', () => {
  it('reads every cell as toNumber does, fast path or not', async () => {
    const { textToNumber } = await import('../../src/core/drift/profile.js');
    const { toNumber } = await import('../../src/core/data/values.js');
    const cells = [
      '1',
      '-2.5',
      '.5',
      '1.',
      '1e3',
      '-1E-3',
      '007',
      '0',
      '0x10',
      '0b1',
      '0o7',
      '-0x1',
      ' 4',
      '4 ',
      '4\t',
      'inf',
      '-Infinity',
      '1e400',
      '-',
      '.',
      '1,5',
      'abc',
      '',
      '1_0',
      '+3',
    ];
    for (const cell of cells) expect(textToNumber(cell), JSON.stringify(cell)).toBe(toNumber(cell));
  });

  it('compares a numeric-looking column as categories when the config says so', () => {
    const rows: Cell[][] = [['1'], ['2'], ['x'], ['2']];
    const builder = new DriftProfileBuilder(['code'], { exactLimit: Infinity, columnTypes: { code: 'categorical' } });
    builder.addBatch({ file: 'codes.csv', rows, lines: [2, 3, 4, 5], firstRow: 1 });
    const column = builder.finish({ files: ['codes.csv'] }).columns[0]!;
    expect(column.type).toBe('categorical');
    expect(column.counts).toEqual([
      ['1', 1],
      ['2', 2],
      ['x', 1],
    ]);
  });
});
