/**
 * Profiles and starter suites: what one pass learns about each column, the expectations drawn from
 * it, and the promise that the data a suite was drawn from passes it.
 */
import { describe, expect, it } from 'vitest';
import type { Cell, Dataset } from '../../src/core/data/dataset.js';
import { parse as parseYaml } from 'yaml';
import { profileDataset, roundOutward, starterSuite, starterSuiteYaml } from '../../src/core/profile/index.js';
import { runSuite } from '../../src/core/validation/engine.js';
import { parseSuite } from '../../src/core/validation/suite.js';

function table(columns: string[], rows: Cell[][], file = 'data.csv'): Dataset {
  return {
    files: [file],
    columns,
    async *batches() {
      for (let start = 0; start < rows.length; start += 3) {
        const slice = rows.slice(start, start + 3);
        yield { file, rows: slice, lines: slice.map((_, offset) => start + offset + 2), firstRow: start + 1 };
      }
    },
  };
}

const SEGMENTS = ['a', 'b', 'c'];
const rows: Cell[][] = Array.from({ length: 30 }, (_, index) => [
  String(index + 1),
  index % 10 === 0 ? null : String(20 + (index % 7)),
  (index * 1.25).toFixed(2),
  SEGMENTS[index % 3]!,
  index % 2 === 0 ? 'true' : 'false',
  `2021-01-${String((index % 28) + 1).padStart(2, '0')}`,
  `note number ${index}`,
  null,
]);
const dataset = table(['id', 'age', 'amount', 'segment', 'active', 'day', 'note', 'empty'], rows);

describe('profileDataset', () => {
  it('records types, missing values, statistics and categories in one pass', async () => {
    const profile = await profileDataset(dataset);
    expect(profile).toMatchObject({ profile_version: 1, rows: 30, files: ['data.csv'] });
    const byName = Object.fromEntries(profile.columns.map((column) => [column.name, column]));
    expect(byName.id).toMatchObject({ type: 'integer', dtype: 'int64', count: 30, missing: 0, distinct: 30 });
    expect(byName.id!.categories).toBeUndefined();
    expect(byName.id!.numeric).toMatchObject({ min: 1, max: 30, mean: 15.5 });
    expect(byName.id!.numeric!.quantiles).toMatchObject({ '0': 1, '0.5': 15, '1': 30 });
    expect(byName.age).toMatchObject({ type: 'integer', dtype: 'float64', count: 27, missing: 3, distinct: 7 });
    expect(byName.amount).toMatchObject({ type: 'number', dtype: 'float64' });
    expect(byName.segment).toMatchObject({
      type: 'string',
      dtype: 'object_',
      categories: [
        { value: 'a', count: 10 },
        { value: 'b', count: 10 },
        { value: 'c', count: 10 },
      ],
      lengths: { min: 1, max: 1 },
    });
    expect(byName.active).toMatchObject({
      type: 'boolean',
      dtype: 'bool_',
      categories: [
        { value: false, count: 15 },
        { value: true, count: 15 },
      ],
    });
    expect(byName.day).toMatchObject({
      type: 'date',
      temporal: { kind: 'date', min: '2021-01-01', max: '2021-01-28' },
    });
    expect(byName.note).toMatchObject({ type: 'string', lengths: { min: 13, max: 14 }, distinct: 30 });
    expect(byName.empty).toMatchObject({ type: 'null', dtype: 'float64', count: 0, missing: 30 });
  });
});

describe('starterSuite', () => {
  it('draws expectations from the profile', async () => {
    const suite = starterSuite(await profileDataset(dataset), { name: 'people' });
    expect(suite.name).toBe('people');
    const of = (column: string) =>
      suite.expectations.filter((e) => e.kwargs.column === column).map((e) => [e.type, e.kwargs]);
    expect(suite.expectations.slice(0, 2)).toEqual([
      {
        type: 'expect_table_columns_to_match_ordered_list',
        kwargs: { column_list: ['id', 'age', 'amount', 'segment', 'active', 'day', 'note', 'empty'] },
      },
      { type: 'expect_table_row_count_to_be_between', kwargs: { min_value: 15, max_value: 60 } },
    ]);
    expect(of('id')).toEqual([
      ['expect_column_values_to_not_be_null', { column: 'id' }],
      ['expect_column_values_to_be_in_type_list', { column: 'id', type_list: ['int64', 'float64'] }],
      ['expect_column_values_to_be_between', { column: 'id', min_value: 1, max_value: 30 }],
      ['expect_column_mean_to_be_between', { column: 'id', min_value: 11.09, max_value: 19.91 }],
      ['expect_column_stdev_to_be_between', { column: 'id', min_value: 4.401, max_value: 17.61 }],
      ['expect_column_values_to_be_unique', { column: 'id' }],
    ]);
    // 27 of 30 present: 90%, less 1% of slack. Seven distinct ages repeat: a set, not a range.
    expect(of('age').slice(0, 3)).toEqual([
      ['expect_column_values_to_not_be_null', { column: 'age', mostly: 0.89 }],
      ['expect_column_values_to_be_in_type_list', { column: 'age', type_list: ['int64', 'float64'] }],
      ['expect_column_values_to_be_in_set', { column: 'age', value_set: [20, 21, 22, 23, 24, 25, 26] }],
    ]);
    expect(of('segment')).toEqual([
      ['expect_column_values_to_not_be_null', { column: 'segment' }],
      ['expect_column_values_to_be_of_type', { column: 'segment', type_: 'str' }],
      ['expect_column_values_to_be_in_set', { column: 'segment', value_set: ['a', 'b', 'c'] }],
    ]);
    expect(of('active')).toContainEqual([
      'expect_column_values_to_be_in_set',
      { column: 'active', value_set: [false, true] },
    ]);
    expect(of('day')).toEqual([
      ['expect_column_values_to_not_be_null', { column: 'day' }],
      ['expect_column_values_to_be_of_type', { column: 'day', type_: 'str' }],
      ['expect_column_values_to_match_strftime_format', { column: 'day', strftime_format: '%Y-%m-%d' }],
      ['expect_column_values_to_be_between', { column: 'day', min_value: '2021-01-01', max_value: '2021-01-28' }],
    ]);
    expect(of('note')).toContainEqual([
      'expect_column_value_lengths_to_be_between',
      { column: 'note', min_value: 13, max_value: 14 },
    ]);
    expect(of('note')).toContainEqual(['expect_column_values_to_be_unique', { column: 'note' }]);
    expect(of('empty')).toEqual([['expect_column_values_to_be_null', { column: 'empty' }]]);
  });

  it('writes a suite that validate-data accepts and that its own data passes', async () => {
    const suite = starterSuite(await profileDataset(dataset));
    const parsed = parseSuite(JSON.stringify(suite), 'starter.json');
    const run = await runSuite(dataset, parsed);
    expect(run.outcomes.filter((outcome) => !outcome.success).map((outcome) => outcome.config.type)).toEqual([]);
  });

  it('keeps the same expectations for the same data read from JSON', async () => {
    const json = table(
      ['id', 'age', 'amount', 'segment', 'active', 'day', 'note', 'empty'],
      rows.map((row) =>
        row.map((cell, index) =>
          cell === null || index >= 5 || index === 3 ? cell : index === 4 ? cell === 'true' : Number(cell),
        ),
      ),
      'data.jsonl',
    );
    const fromCsv = starterSuite(await profileDataset(dataset));
    const fromJson = starterSuite(await profileDataset(json));
    expect(fromJson.expectations).toEqual(fromCsv.expectations);
  });
  it('types JSON strings that spell numbers or booleans as strings, so their suite passes them', async () => {
    const codes = table(
      ['zip', 'flag', 'day'],
      Array.from({ length: 12 }, (_, index): Cell[] => [
        String(10_000 + index),
        index % 2 === 0 ? 'true' : 'false',
        `2021-01-${String(index + 1).padStart(2, '0')}`,
      ]),
      'codes.jsonl',
    );
    const profile = await profileDataset(codes);
    expect(profile.columns.map((column) => [column.name, column.type, column.dtype])).toEqual([
      ['zip', 'string', 'object_'],
      ['flag', 'string', 'object_'],
      ['day', 'date', 'object_'],
    ]);
    const run = await runSuite(codes, parseSuite(JSON.stringify(starterSuite(profile)), 'starter.json'));
    expect(run.outcomes.filter((outcome) => !outcome.success).map((outcome) => outcome.config.type)).toEqual([]);
  });
});

describe('starter suite YAML', () => {
  it('quotes what a YAML 1.1 reader such as PyYAML would not read as text: dates, yes/no, sexagesimals', async () => {
    const text = starterSuiteYaml(starterSuite(await profileDataset(dataset)), ['a header']);
    expect(text.startsWith('# a header\n')).toBe(true);
    expect(text).toContain('min_value: "2021-01-01"');
    expect(text).toMatch(/value_set: \[ a, b, c \]/);
    // YAML 1.1 resolution, as PyYAML does it: every date stays a string.
    const asPyYaml = parseYaml(text, { version: '1.1' }) as {
      expectations: Array<{ kwargs: Record<string, unknown> }>;
    };
    const bounds = asPyYaml.expectations.filter(
      (entry) => entry.kwargs.column === 'day' && 'min_value' in entry.kwargs,
    );
    expect(bounds[0]!.kwargs).toMatchObject({ min_value: '2021-01-01', max_value: '2021-01-28' });
    const answers = table(['answer'], [['yes'], ['no'], ['on'], ['1:20'], ['yes'], ['no'], ['on'], ['1:20']]);
    const answerText = starterSuiteYaml(starterSuite(await profileDataset(answers)), []);
    const set = (
      parseYaml(answerText, { version: '1.1' }) as {
        expectations: Array<{ type: string; kwargs: { value_set?: unknown[] } }>;
      }
    ).expectations.find((entry) => entry.type === 'expect_column_values_to_be_in_set');
    expect([...(set?.kwargs.value_set ?? [])].sort()).toEqual(['1:20', 'no', 'on', 'yes']);
  });
});

describe('starter mean band', () => {
  it('keeps the mean band of a column without negative values at 0 or above', async () => {
    // Mostly zeros and 21 distinct large values (not a category): mean - stdev / 2 is negative.
    const skewed = (rest: string) =>
      table(
        ['rain_mm'],
        Array.from({ length: 200 }, (_, index) => [index % 9 === 0 && index < 189 ? String(1000 + index) : rest]),
      );
    const mean = starterSuite(await profileDataset(skewed('0'))).expectations.find(
      (entry) => entry.type === 'expect_column_mean_to_be_between',
    )!;
    expect(mean.kwargs.min_value).toBe(0);
    expect(mean.kwargs.max_value as number).toBeGreaterThan(0);
    // A column with negative values keeps the band as observed.
    const signedMean = starterSuite(await profileDataset(skewed('-1'))).expectations.find(
      (entry) => entry.type === 'expect_column_mean_to_be_between',
    )!;
    expect(signedMean.kwargs.min_value as number).toBeLessThan(0);
  });
});

describe('roundOutward', () => {
  it('rounds to significant digits away from the observed value', () => {
    expect(roundOutward(123.456789, 'down', 4)).toBe(123.4);
    expect(roundOutward(123.456789, 'up', 4)).toBe(123.5);
    expect(roundOutward(-0.0012345, 'down', 2)).toBe(-0.0013);
    expect(roundOutward(59.6, 'up')).toBe(59.6);
    expect(roundOutward(32.1, 'down')).toBe(32.1);
    expect(roundOutward(0, 'down')).toBe(0);
  });
});
