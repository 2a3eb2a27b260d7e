/**
 * Each expectation's semantics on small in-memory datasets: GE's null handling and `mostly`,
 * vacuous truth, strict bounds, regex search, uniqueness counting every copy, types, and the
 * memory caps.
 */
import { describe, expect, it } from 'vitest';
import type { Cell, Dataset } from '../../src/core/data/dataset.js';
import { runSuite, type RunOptions, type ValidationRun } from '../../src/core/validation/engine.js';
import type { ExpectationOutcome } from '../../src/core/validation/expectations.js';
import { parseSuite } from '../../src/core/validation/suite.js';

/** A dataset from rows, split into batches of `batchSize`; row i is on line i + 2 (after a header). */
function table(columns: string[], rows: Cell[][], options: { file?: string; batchSize?: number } = {}): Dataset {
  const file = options.file ?? 'data.csv';
  const size = options.batchSize ?? 2;
  return {
    files: [file],
    columns,
    async *batches() {
      for (let start = 0; start < rows.length; start += size) {
        const slice = rows.slice(start, start + size);
        yield { file, rows: slice, lines: slice.map((_, offset) => start + offset + 2), firstRow: start + 1 };
      }
    },
  };
}

/** One column's dataset. */
function column(values: Cell[], options: { file?: string; batchSize?: number; name?: string } = {}): Dataset {
  return table(
    [options.name ?? 'x'],
    values.map((value) => [value]),
    options,
  );
}

async function check(
  dataset: Dataset,
  type: string,
  kwargs: Record<string, unknown>,
  options: RunOptions = {},
): Promise<ExpectationOutcome> {
  const suite = parseSuite(JSON.stringify({ name: 't', expectations: [{ type, kwargs }] }), 'suite.json');
  const run = await runSuite(dataset, suite, options);
  return run.outcomes[0]!;
}

async function runAll(
  dataset: Dataset,
  expectations: Array<[string, Record<string, unknown>]>,
  options: RunOptions = {},
): Promise<ValidationRun> {
  const suite = parseSuite(
    JSON.stringify({ name: 't', expectations: expectations.map(([type, kwargs]) => ({ type, kwargs })) }),
    'suite.json',
  );
  return runSuite(dataset, suite, options);
}

const lines = (outcome: ExpectationOutcome) => outcome.unexpected.map((row) => row.position % 2 ** 32);

describe('column map expectations: nulls and mostly', () => {
  it('leaves missing values out of the denominator of mostly', async () => {
    // 4 present values, 1 unexpected: 75% of the non-missing values, though only 50% of the rows.
    const data = column(['1', '2', '3', '99', null, null, null, null]);
    const outcome = await check(data, 'expect_column_values_to_be_between', {
      column: 'x',
      min_value: 0,
      max_value: 10,
      mostly: 0.75,
    });
    expect(outcome.success).toBe(true);
    expect(outcome.result).toMatchObject({
      element_count: 8,
      missing_count: 4,
      missing_percent: 50,
      unexpected_count: 1,
      unexpected_percent: 25,
      unexpected_percent_total: 12.5,
      unexpected_percent_nonmissing: 25,
      partial_unexpected_list: [99],
    });
    const stricter = await check(data, 'expect_column_values_to_be_between', {
      column: 'x',
      min_value: 0,
      max_value: 10,
      mostly: 0.76,
    });
    expect(stricter.success).toBe(false);
  });

  it('counts nulls over every row for not_be_null, without missing_count', async () => {
    const data = column(['a', null, 'b', null]);
    const outcome = await check(data, 'expect_column_values_to_not_be_null', { column: 'x', mostly: 0.5 });
    expect(outcome.success).toBe(true);
    expect(outcome.result).toEqual({
      element_count: 4,
      unexpected_count: 2,
      unexpected_percent: 50,
      partial_unexpected_list: [null, null],
    });
    expect(lines(outcome)).toEqual([3, 5]);
    expect((await check(data, 'expect_column_values_to_not_be_null', { column: 'x', mostly: 0.51 })).success).toBe(
      false,
    );
  });

  it('lists present values for be_null', async () => {
    const outcome = await check(column([null, '7', null]), 'expect_column_values_to_be_null', { column: 'x' });
    expect(outcome.success).toBe(false);
    expect(outcome.result).toMatchObject({
      unexpected_count: 1,
      unexpected_percent: (1 / 3) * 100,
      partial_unexpected_list: [7],
    });
  });

  it('is vacuously true on zero rows and on a column with no value', async () => {
    const empty = await check(column([]), 'expect_column_values_to_be_in_set', { column: 'x', value_set: ['a'] });
    expect(empty.success).toBe(true);
    expect(empty.result).toMatchObject({
      element_count: 0,
      unexpected_count: 0,
      unexpected_percent: null,
      missing_percent: null,
    });
    const allNull = await check(column([null, null]), 'expect_column_values_to_match_regex', {
      column: 'x',
      regex: '^a',
    });
    expect(allNull.success).toBe(true);
    expect(allNull.result).toMatchObject({
      element_count: 2,
      missing_count: 2,
      missing_percent: 100,
      unexpected_percent: null,
    });
    expect((await check(column([]), 'expect_column_values_to_not_be_null', { column: 'x' })).success).toBe(true);
  });

  it('keeps 20 unexpected values with their lines, in row order', async () => {
    const values = Array.from({ length: 50 }, (_, index) => String(index));
    const outcome = await check(column(values, { batchSize: 7 }), 'expect_column_values_to_be_between', {
      column: 'x',
      max_value: 4,
    });
    expect(outcome.result.unexpected_count).toBe(45);
    expect(outcome.result.partial_unexpected_list).toEqual(Array.from({ length: 20 }, (_, index) => index + 5));
    expect(lines(outcome)).toEqual(Array.from({ length: 20 }, (_, index) => index + 7));
  });
});

describe('expect_column_values_to_be_between', () => {
  const data = column(['1', '2', '3', '4', '5']);
  it('includes both bounds unless strict', async () => {
    expect(
      (await check(data, 'expect_column_values_to_be_between', { column: 'x', min_value: 1, max_value: 5 })).success,
    ).toBe(true);
    const strict = await check(data, 'expect_column_values_to_be_between', {
      column: 'x',
      min_value: 1,
      max_value: 5,
      strict_min: true,
      strict_max: true,
    });
    expect(strict.result.partial_unexpected_list).toEqual([1, 5]);
    const oneSided = await check(data, 'expect_column_values_to_be_between', {
      column: 'x',
      min_value: 3,
      strict_min: true,
    });
    expect(oneSided.result.partial_unexpected_list).toEqual([1, 2, 3]);
  });

  it('raises when strings meet numeric bounds, unless allow_cross_type_comparisons', async () => {
    const mixed = column(['1', 'n/a-ish', '3']);
    const raised = await check(mixed, 'expect_column_values_to_be_between', {
      column: 'x',
      min_value: 0,
      max_value: 5,
    });
    expect(raised.success).toBe(false);
    expect(raised.exception).toBe('Column values, min_value, and max_value must either be None or of the same type.');
    const tolerant = await check(mixed, 'expect_column_values_to_be_between', {
      column: 'x',
      min_value: 0,
      max_value: 5,
      allow_cross_type_comparisons: true,
    });
    expect(tolerant.exception).toBeUndefined();
    expect(tolerant.result.partial_unexpected_list).toEqual(['n/a-ish']);
  });

  it('compares ISO dates as instants and other strings as Python does', async () => {
    const dates = column(['2021-01-01', '2021-06-30T12:00:00', '2022-01-01']);
    const outcome = await check(dates, 'expect_column_values_to_be_between', {
      column: 'x',
      min_value: '2021-01-01',
      max_value: '2021-12-31',
    });
    expect(outcome.result.partial_unexpected_list).toEqual(['2022-01-01']);
    const words = await check(column(['apple', 'kiwi', 'zebra']), 'expect_column_values_to_be_between', {
      column: 'x',
      min_value: 'b',
      max_value: 'y',
    });
    expect(words.result.partial_unexpected_list).toEqual(['apple', 'zebra']);
  });

  it('parses both sides with parse_strings_as_datetimes (GE 0.x)', async () => {
    const dates = column(['Jan 5 2021', '5 March 2021', '2021/12/31 23:00']);
    const outcome = await check(dates, 'expect_column_values_to_be_between', {
      column: 'x',
      min_value: '2021-01-01',
      max_value: 'March 31 2021',
      parse_strings_as_datetimes: true,
    });
    expect(outcome.result.partial_unexpected_list).toEqual(['2021/12/31 23:00']);
  });
});

describe('sets', () => {
  it('types CSV text like pandas, so "1" is the number 1', async () => {
    const outcome = await check(column(['1', '2.0', '3']), 'expect_column_values_to_be_in_set', {
      column: 'x',
      value_set: [1, 2],
    });
    expect(outcome.result.partial_unexpected_list).toEqual([3]);
    const negated = await check(column(['1', '2', '3']), 'expect_column_values_to_not_be_in_set', {
      column: 'x',
      value_set: [2],
    });
    expect(negated.result.partial_unexpected_list).toEqual([2]);
  });

  it('keeps JSON strings as strings: "1" is not 1', async () => {
    const outcome = await check(column(['1', 1], { file: 'data.jsonl' }), 'expect_column_values_to_be_in_set', {
      column: 'x',
      value_set: [1],
    });
    expect(outcome.result.partial_unexpected_list).toEqual(['1']);
  });

  it('reports distinct values sorted with their counts', async () => {
    const data = column(['b', 'a', 'b', null, 'c']);
    const inSet = await check(data, 'expect_column_distinct_values_to_be_in_set', {
      column: 'x',
      value_set: ['a', 'b'],
    });
    expect(inSet.success).toBe(false);
    expect(inSet.result).toEqual({
      observed_value: ['a', 'b', 'c'],
      details: {
        value_counts: [
          { value: 'a', count: 1 },
          { value: 'b', count: 2 },
          { value: 'c', count: 1 },
        ],
      },
    });
    expect(
      (await check(data, 'expect_column_distinct_values_to_contain_set', { column: 'x', value_set: ['a', 'c'] }))
        .success,
    ).toBe(true);
    expect(
      (await check(data, 'expect_column_distinct_values_to_contain_set', { column: 'x', value_set: ['a', 'd'] }))
        .success,
    ).toBe(false);
    expect(
      (await check(data, 'expect_column_distinct_values_to_equal_set', { column: 'x', value_set: ['a', 'b', 'c'] }))
        .success,
    ).toBe(true);
    expect(
      (await check(data, 'expect_column_distinct_values_to_equal_set', { column: 'x', value_set: ['a', 'b'] })).success,
    ).toBe(false);
  });

  it('checks the most common value, with ties_okay for several modes', async () => {
    const tied = column(['a', 'b', 'a', 'b', 'c']);
    const strict = await check(tied, 'expect_column_most_common_value_to_be_in_set', { column: 'x', value_set: ['a'] });
    expect(strict).toMatchObject({ success: false, result: { observed_value: ['a', 'b'] } });
    const lenient = await check(tied, 'expect_column_most_common_value_to_be_in_set', {
      column: 'x',
      value_set: ['a'],
      ties_okay: true,
    });
    expect(lenient.success).toBe(true);
    const empty = await check(column([null]), 'expect_column_most_common_value_to_be_in_set', {
      column: 'x',
      value_set: ['a'],
      ties_okay: true,
    });
    expect(empty).toMatchObject({ success: false, result: { observed_value: [] } });
  });
});

describe('regexes', () => {
  it('searches anywhere in the value (re.search), anchors only when written', async () => {
    const data = column(['cat', 'concat', 'dog']);
    const search = await check(data, 'expect_column_values_to_match_regex', { column: 'x', regex: 'cat' });
    expect(search.result.partial_unexpected_list).toEqual(['dog']);
    const anchored = await check(data, 'expect_column_values_to_match_regex', { column: 'x', regex: '^cat$' });
    expect(anchored.result.partial_unexpected_list).toEqual(['concat', 'dog']);
    const not = await check(data, 'expect_column_values_to_not_match_regex', { column: 'x', regex: 'ca' });
    expect(not.result.partial_unexpected_list).toEqual(['cat', 'concat']);
  });

  it('matches any or all of a list, or none of it', async () => {
    const data = column(['ab', 'a', 'b', 'c']);
    const any = await check(data, 'expect_column_values_to_match_regex_list', { column: 'x', regex_list: ['a', 'b'] });
    expect(any.result.partial_unexpected_list).toEqual(['c']);
    const all = await check(data, 'expect_column_values_to_match_regex_list', {
      column: 'x',
      regex_list: ['a', 'b'],
      match_on: 'all',
    });
    expect(all.result.partial_unexpected_list).toEqual(['a', 'b', 'c']);
    const none = await check(data, 'expect_column_values_to_not_match_regex_list', {
      column: 'x',
      regex_list: ['a', 'b'],
    });
    expect(none.result.partial_unexpected_list).toEqual(['ab', 'a', 'b']);
  });

  it("lets $ match before one final newline, as Python's does, at the end of a pattern or inside it", async () => {
    const data = column(['cat', 'cat\n', 'cat\n\n', 'cat\nx']);
    const atEnd = await check(data, 'expect_column_values_to_match_regex', { column: 'x', regex: '^(c|b)at$' });
    expect(atEnd.result.partial_unexpected_list).toEqual(['cat\n\n', 'cat\nx']);
    const inside = await check(data, 'expect_column_values_to_match_regex', { column: 'x', regex: '^cat$|^dog' });
    expect(inside.result.partial_unexpected_list).toEqual(['cat\n\n', 'cat\nx']);
  });

  it('applies to the text of numbers as Python str() writes it', async () => {
    const outcome = await check(column([1.5, 2, true], { file: 'data.json' }), 'expect_column_values_to_match_regex', {
      column: 'x',
      regex: '^(1\\.5|2|True)$',
    });
    expect(outcome.success).toBe(true);
  });
});

describe('regex time budget', () => {
  // 18 a's and a '!' make ^(a+)+$ backtrack through 2^18 ways per value (milliseconds each):
  // 10,000 of them would take minutes in a backtracking engine.
  const catastrophic = () =>
    column(
      Array.from({ length: 10_000 }, () => `${'a'.repeat(18)}!`),
      { batchSize: 1000 },
    );

  async function runWith(expectation: Record<string, unknown>, meta?: Record<string, unknown>) {
    const suite = parseSuite(JSON.stringify({ name: 't', meta, expectations: [expectation] }), 'suite.json');
    return runSuite(catastrophic(), suite);
  }

  it('ends a catastrophic pattern promptly with an error naming the expectation and the pattern', async () => {
    const started = Date.now();
    const run = await runWith({
      type: 'expect_column_values_to_match_regex',
      kwargs: { column: 'x', regex: '^(a+)+$' },
      meta: { regex_time_budget_seconds: 0.2 },
    });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.outcomes[0]!.success).toBe(false);
    expect(run.outcomes[0]!.exception).toMatch(
      /^expectations\[0\] \(expect_column_values_to_match_regex\): the regex "\^\(a\+\)\+\$" ran past its time budget of 0\.2 s after [\d,]+ values: the pattern backtracks/,
    );
  }, 60_000);

  it('takes the budget from the suite meta for every regex expectation', async () => {
    const run = await runWith(
      { type: 'expect_column_values_to_not_match_regex_list', kwargs: { column: 'x', regex_list: ['^b', '^(a+)+$'] } },
      { regex_time_budget_seconds: 0.2 },
    );
    expect(run.outcomes[0]!.exception).toMatch(/expect_column_values_to_not_match_regex_list.*time budget of 0\.2 s/);
  }, 60_000);

  it('refuses a budget that is not a positive number, naming where it is', async () => {
    await expect(
      runWith({
        type: 'expect_column_values_to_match_regex',
        kwargs: { column: 'x', regex: 'a' },
        meta: { regex_time_budget_seconds: 'soon' },
      }),
    ).rejects.toThrow(/regex_time_budget_seconds must be a positive number of seconds, not "soon"/);
  });
});

describe('uniqueness', () => {
  it('counts every copy of a repeated value, the first one included', async () => {
    const outcome = await check(column(['1', '2', '3', '3', '4', '1', '1']), 'expect_column_values_to_be_unique', {
      column: 'x',
    });
    expect(outcome.result).toMatchObject({ unexpected_count: 5, partial_unexpected_list: [1, 3, 3, 1, 1] });
    expect(lines(outcome)).toEqual([2, 4, 5, 7, 8]);
  });

  it('ignores missing values, and "1" in a CSV equals 1.0', async () => {
    const outcome = await check(column(['1', null, null, '1.0']), 'expect_column_values_to_be_unique', { column: 'x' });
    expect(outcome.result).toMatchObject({ unexpected_count: 2, missing_count: 2 });
  });

  it('keeps the earliest 20 rows when first copies are found late', async () => {
    const values = [
      ...Array.from({ length: 30 }, (_, index) => String(index)),
      ...Array.from({ length: 30 }, (_, index) => String(29 - index)),
    ];
    const outcome = await check(column(values, { batchSize: 8 }), 'expect_column_values_to_be_unique', { column: 'x' });
    expect(outcome.result.unexpected_count).toBe(60);
    expect(lines(outcome)).toEqual(Array.from({ length: 20 }, (_, index) => index + 2));
  });

  it('checks compound keys, leaving out rows as ignore_row_if says', async () => {
    const data = table(
      ['a', 'b'],
      [
        ['1', 'x'],
        ['1', 'y'],
        ['1', 'x'],
        [null, null],
        [null, null],
        ['2', null],
        ['2', null],
      ],
    );
    const all = await check(data, 'expect_compound_columns_to_be_unique', { column_list: ['a', 'b'] });
    expect(all.result).toMatchObject({
      element_count: 7,
      missing_count: 2,
      unexpected_count: 4,
      partial_unexpected_list: [
        { a: 1, b: 'x' },
        { a: 1, b: 'x' },
        { a: 2, b: null },
        { a: 2, b: null },
      ],
    });
    const any = await check(data, 'expect_compound_columns_to_be_unique', {
      column_list: ['a', 'b'],
      ignore_row_if: 'any_value_is_missing',
    });
    expect(any.result).toMatchObject({ missing_count: 4, unexpected_count: 2 });
    const never = await check(data, 'expect_compound_columns_to_be_unique', {
      column_list: ['a', 'b'],
      ignore_row_if: 'never',
    });
    expect(never.result).toMatchObject({ missing_count: 0, unexpected_count: 6 });
  });
});

describe('expect_column_pair_values_a_to_be_greater_than_b', () => {
  const data = table(
    ['a', 'b'],
    [
      ['5', '1'],
      ['3', '3'],
      [null, '1'],
      [null, null],
      ['2', '4'],
    ],
  );
  it('needs A > B, A >= B with or_equal; a missing value on one side fails', async () => {
    const strict = await check(data, 'expect_column_pair_values_a_to_be_greater_than_b', {
      column_A: 'a',
      column_B: 'b',
    });
    expect(strict.result).toMatchObject({
      element_count: 5,
      missing_count: 1,
      unexpected_count: 3,
      partial_unexpected_list: [
        [3, 3],
        [null, 1],
        [2, 4],
      ],
    });
    const orEqual = await check(data, 'expect_column_pair_values_a_to_be_greater_than_b', {
      column_A: 'a',
      column_B: 'b',
      or_equal: true,
    });
    expect(orEqual.result.unexpected_count).toBe(2);
  });

  it('leaves out rows as ignore_row_if says', async () => {
    const either = await check(data, 'expect_column_pair_values_a_to_be_greater_than_b', {
      column_A: 'a',
      column_B: 'b',
      ignore_row_if: 'either_value_is_missing',
    });
    expect(either.result).toMatchObject({ missing_count: 2, unexpected_count: 2 });
    const neither = await check(data, 'expect_column_pair_values_a_to_be_greater_than_b', {
      column_A: 'a',
      column_B: 'b',
      ignore_row_if: 'neither',
    });
    expect(neither.result).toMatchObject({ missing_count: 0, unexpected_count: 4 });
  });

  it('accepts the GE 0.x name and reports the 1.x one', async () => {
    const suite = parseSuite(
      JSON.stringify({
        expectation_suite_name: 's',
        expectations: [
          {
            expectation_type: 'expect_column_pair_values_A_to_be_greater_than_B',
            kwargs: { column_A: 'a', column_B: 'b' },
          },
        ],
      }),
      'old.json',
    );
    expect(suite.format).toBe('0.x');
    expect(suite.expectations[0]!.type).toBe('expect_column_pair_values_a_to_be_greater_than_b');
  });
});

describe('types', () => {
  it('infers the pandas dtype: int64, float64 (missing values turn ints into floats), bool_, object_', async () => {
    const dtype = async (values: Cell[], file = 'data.csv') =>
      (await check(column(values, { file }), 'expect_column_values_to_be_of_type', { column: 'x', type_: 'object' }))
        .result.observed_value;
    expect(await dtype(['1', '2'])).toBe('int64');
    expect(await dtype(['1', null])).toBe('float64');
    expect(await dtype(['1', '2.5'])).toBe('float64');
    expect(await dtype(['1.0', '2.0'])).toBe('float64');
    expect(await dtype(['True', 'false'])).toBe('bool_');
    expect(await dtype(['True', null])).toBe('object_');
    expect(await dtype(['1', 'a'])).toBe('object_');
    expect(await dtype([null, null])).toBe('float64');
    expect(await dtype([])).toBe('object_');
    expect(await dtype([1, 2], 'data.json')).toBe('int64');
  });

  it('checks numpy/Python names against the dtype: int and int64 are int64, float is float64', async () => {
    const ints = column(['1', '2']);
    for (const [type_, success] of [
      ['int', true],
      ['int64', true],
      ['int32', false],
      ['float', false],
      ['str', false],
      ['string', false],
    ] as const) {
      expect((await check(ints, 'expect_column_values_to_be_of_type', { column: 'x', type_ })).success, type_).toBe(
        success,
      );
    }
    const floats = await check(column(['1.5']), 'expect_column_values_to_be_in_type_list', {
      column: 'x',
      type_list: ['int', 'float64'],
    });
    expect(floats).toMatchObject({ success: true, result: { observed_value: 'float64' } });
  });

  it('checks each value of an object column (a CSV text column is all str)', async () => {
    const text = column(['a', '1', null]);
    const str = await check(text, 'expect_column_values_to_be_of_type', { column: 'x', type_: 'str' });
    expect(str.success).toBe(true);
    expect(str.result).toMatchObject({ element_count: 3, unexpected_count: 0 });
    const int = await check(text, 'expect_column_values_to_be_of_type', { column: 'x', type_: 'int' });
    expect(int.result).toMatchObject({ unexpected_count: 2, partial_unexpected_list: ['a', 1] });
    const json = column([1, 'a', 2.5, true, { k: 1 }], { file: 'data.jsonl' });
    const mixed = await check(json, 'expect_column_values_to_be_in_type_list', {
      column: 'x',
      type_list: ['int', 'dict'],
    });
    // bool is an int in Python, as isinstance(True, int) says.
    expect(mixed.result).toMatchObject({ unexpected_count: 2, partial_unexpected_list: ['a', 2.5] });
  });

  it('raises when no type of the list is recognized, as GE does for object columns', async () => {
    const outcome = await check(column(['a']), 'expect_column_values_to_be_in_type_list', {
      column: 'x',
      type_list: ['Text'],
    });
    expect(outcome.exception).toBe('No recognized numpy/python type in list: ["Text"]');
  });
});

describe('strings, dates, JSON', () => {
  it('measures lengths in code points, and raises on non-text values', async () => {
    const outcome = await check(column(['ab', 'héé', '😀😀', 'abcd']), 'expect_column_value_lengths_to_be_between', {
      column: 'x',
      min_value: 2,
      max_value: 3,
    });
    expect(outcome.result.partial_unexpected_list).toEqual(['abcd']);
    expect(
      (await check(column(['ab', 'cd']), 'expect_column_value_lengths_to_equal', { column: 'x', value: 2 })).success,
    ).toBe(true);
    const numbers = await check(column([12, 345], { file: 'd.json' }), 'expect_column_value_lengths_to_equal', {
      column: 'x',
      value: 2,
    });
    expect(numbers.exception).toBe('Can only use .str accessor with string values!');
  });

  it('counts numbers and booleans of a mixed column as unexpected lengths, as pandas str.len() gives NaN', async () => {
    // pandas refuses .str only when infer_dtype is integer/floating/boolean; a mixed object column
    // gives NaN for non-text values (unexpected), and len() of lists and mappings.
    const mixed = await check(
      column(['ab', 12, null, true, ['p', 'q'], { k: 1, l: 2 }, 'abc'], { file: 'd.json' }),
      'expect_column_value_lengths_to_equal',
      { column: 'x', value: 2 },
    );
    expect(mixed.exception).toBeUndefined();
    expect(mixed.result).toMatchObject({ element_count: 7, missing_count: 1, unexpected_count: 3 });
    expect(mixed.result.partial_unexpected_list).toEqual([12, true, 'abc']);
    const between = await check(column([1, false], { file: 'd.json' }), 'expect_column_value_lengths_to_be_between', {
      column: 'x',
      min_value: 0,
    });
    expect(between.result).toMatchObject({ unexpected_count: 2, partial_unexpected_list: [1, false] });
    const booleans = await check(
      column([true, null, false], { file: 'd.json' }),
      'expect_column_value_lengths_to_be_between',
      {
        column: 'x',
        min_value: 0,
      },
    );
    expect(booleans.exception).toBe('Can only use .str accessor with string values!');
  });

  it('parses with strptime, and raises on non-string values as GE does', async () => {
    const outcome = await check(
      column(['2021-02-28', '2021-02-29', '2021-2-3', 'nope']),
      'expect_column_values_to_match_strftime_format',
      {
        column: 'x',
        strftime_format: '%Y-%m-%d',
      },
    );
    expect(outcome.result.partial_unexpected_list).toEqual(['2021-02-29', 'nope']);
    const numbers = await check(
      column([20210101], { file: 'd.json' }),
      'expect_column_values_to_match_strftime_format',
      {
        column: 'x',
        strftime_format: '%Y%m%d',
      },
    );
    expect(numbers.exception).toMatch(/must be of type string/);
  });

  it('accepts what dateutil parses', async () => {
    const outcome = await check(
      column(['2019-04-01', '01/01/2010', 'Jan 5', 'cat']),
      'expect_column_values_to_be_dateutil_parseable',
      { column: 'x' },
    );
    expect(outcome.result.partial_unexpected_list).toEqual(['cat']);
  });

  it('accepts JSON text, Python literals included, but not JSON values that are not text', async () => {
    const outcome = await check(
      column(['{"a": 1}', '[1, 2]', 'NaN', '{a: 1}', '"x"']),
      'expect_column_values_to_be_json_parseable',
      { column: 'x' },
    );
    expect(outcome.result.partial_unexpected_list).toEqual(['{a: 1}']);
    const nested = await check(column([{ a: 1 }], { file: 'd.jsonl' }), 'expect_column_values_to_be_json_parseable', {
      column: 'x',
    });
    expect(nested.success).toBe(false);
  });
});

describe('aggregates', () => {
  const numbers = column(['4', '1', null, '3', '2', '10']);
  it('computes pandas statistics over the present values', async () => {
    const observed = async (type: string) =>
      (await check(numbers, type, { column: 'x', min_value: 0 })).result.observed_value;
    expect(await observed('expect_column_min_to_be_between')).toBe(1);
    expect(await observed('expect_column_max_to_be_between')).toBe(10);
    expect(await observed('expect_column_mean_to_be_between')).toBe(4);
    expect(await observed('expect_column_median_to_be_between')).toBe(3);
    expect(await observed('expect_column_sum_to_be_between')).toBe(20);
    expect(await observed('expect_column_stdev_to_be_between')).toBeCloseTo(Math.sqrt(12.5), 12);
    expect(await observed('expect_column_unique_value_count_to_be_between')).toBe(5);
    expect(await observed('expect_column_proportion_of_unique_values_to_be_between')).toBe(1);
  });

  it('applies strict bounds to the observed value', async () => {
    const strict = await check(numbers, 'expect_column_max_to_be_between', {
      column: 'x',
      max_value: 10,
      strict_max: true,
    });
    expect(strict).toMatchObject({ success: false, result: { observed_value: 10 } });
    const inclusive = await check(numbers, 'expect_column_max_to_be_between', { column: 'x', max_value: 10 });
    expect(inclusive.success).toBe(true);
  });

  it('fails with a null observation on an empty column, except the sum (0)', async () => {
    const empty = column([null, null]);
    for (const type of [
      'expect_column_mean_to_be_between',
      'expect_column_median_to_be_between',
      'expect_column_min_to_be_between',
      'expect_column_stdev_to_be_between',
    ]) {
      expect(await check(empty, type, { column: 'x', min_value: 0 }), type).toMatchObject({
        success: false,
        result: { observed_value: null },
      });
    }
    expect(await check(empty, 'expect_column_sum_to_be_between', { column: 'x', min_value: 0 })).toMatchObject({
      success: true,
      result: { observed_value: 0 },
    });
    expect(
      (await check(column(['5']), 'expect_column_stdev_to_be_between', { column: 'x', min_value: 0 })).result
        .observed_value,
    ).toBeNull();
    expect(
      (await check(empty, 'expect_column_proportion_of_unique_values_to_be_between', { column: 'x', min_value: 0 }))
        .result.observed_value,
    ).toBe(0);
  });

  it('takes min and max of a text column as text, and raises on numeric statistics of text', async () => {
    const words = column(['pear', '10', 'apple']);
    expect(
      (await check(words, 'expect_column_min_to_be_between', { column: 'x', min_value: '0' })).result.observed_value,
    ).toBe('10');
    expect(
      (await check(words, 'expect_column_max_to_be_between', { column: 'x', min_value: 'a' })).result.observed_value,
    ).toBe('pear');
    const mean = await check(words, 'expect_column_mean_to_be_between', { column: 'x', min_value: 0 });
    expect(mean.exception).toMatch(/non-numeric values \(e\.g\. "pear"\)/);
    const mixed = await check(column(['a', 1], { file: 'd.json' }), 'expect_column_min_to_be_between', {
      column: 'x',
      min_value: 'a',
    });
    expect(mixed.exception).toBe(`'<' not supported between instances of 'str' and 'int'`);
  });

  it('computes quantiles with pandas interpolation "nearest" by default, others on request', async () => {
    const data = column(['10', '20', '30', '40']);
    const nearest = await check(data, 'expect_column_quantile_values_to_be_between', {
      column: 'x',
      quantile_ranges: {
        quantiles: [0.3, 0.5, 0.6],
        value_ranges: [
          [20, 20],
          [30, 30],
          [30, null],
        ],
      },
    });
    expect(nearest).toMatchObject({
      success: true,
      result: {
        observed_value: { quantiles: [0.3, 0.5, 0.6], values: [20, 30, 30] },
        details: { success_details: [true, true, true] },
      },
    });
    const linear = await check(data, 'expect_column_quantile_values_to_be_between', {
      column: 'x',
      quantile_ranges: { quantiles: [0.5], value_ranges: [[null, 24]] },
      allow_relative_error: 'linear',
    });
    expect(linear).toMatchObject({
      success: false,
      result: { observed_value: { values: [25] }, details: { success_details: [false] } },
    });
    const empty = await check(column([null]), 'expect_column_quantile_values_to_be_between', {
      column: 'x',
      quantile_ranges: { quantiles: [0.5], value_ranges: [[null, null]] },
    });
    expect(empty).toMatchObject({ success: false, result: { observed_value: { values: [null] } } });
  });

  it('raises on allow_relative_error: true, as pandas .quantile(interpolation=True) does under GE', async () => {
    const outcome = await check(column(['10', '20']), 'expect_column_quantile_values_to_be_between', {
      column: 'x',
      quantile_ranges: { quantiles: [0.5], value_ranges: [[null, null]] },
      allow_relative_error: true,
    });
    expect(outcome.success).toBe(false);
    expect(outcome.exception).toMatch(/^If specified for pandas, allow_relative_error must be one an allowed value/);
    const off = await check(column(['10', '20']), 'expect_column_quantile_values_to_be_between', {
      column: 'x',
      quantile_ranges: { quantiles: [0.5], value_ranges: [[null, null]] },
      allow_relative_error: false,
    });
    expect(off).toMatchObject({ success: true, result: { observed_value: { values: [10] } } });
  });
});

describe('z-scores', () => {
  it('uses the sample standard deviation and a second pass, strictly below the threshold', async () => {
    const run = await runAll(column(['1', '1', '1', '3', '3']), [
      ['expect_column_value_z_scores_to_be_less_than', { column: 'x', threshold: 1.96 }],
      ['expect_column_value_z_scores_to_be_less_than', { column: 'x', threshold: 0.5 }],
      ['expect_column_value_z_scores_to_be_less_than', { column: 'x', threshold: 0.5, double_sided: false }],
    ]);
    expect(run.passes).toBe(2);
    // mean 1.8, sample std 1.0954: z = -0.73 (x3), 1.10 (x2).
    expect(run.outcomes[0]!.success).toBe(true);
    expect(run.outcomes[1]!.result).toMatchObject({ unexpected_count: 5 });
    expect(run.outcomes[2]!.result).toMatchObject({ unexpected_count: 2, partial_unexpected_list: [3, 3] });
  });

  it('finds every value unexpected when the deviation is 0 (z is NaN), and raises on text', async () => {
    expect(
      (await check(column(['2', '2']), 'expect_column_value_z_scores_to_be_less_than', { column: 'x', threshold: 3 }))
        .result.unexpected_count,
    ).toBe(2);
    const text = await check(column(['a', '2']), 'expect_column_value_z_scores_to_be_less_than', {
      column: 'x',
      threshold: 3,
    });
    expect(text.exception).toBe('Cannot complete Z-score calculations on a non-numerical column.');
  });

  it('reads the data once when no z-score expectation asks for more', async () => {
    const run = await runAll(column(['1']), [['expect_column_values_to_not_be_null', { column: 'x' }]]);
    expect(run.passes).toBe(1);
  });
});

describe('table expectations', () => {
  const data = table(['a', 'b', 'c'], [['1', '2', '3']]);
  it('counts rows and columns', async () => {
    expect(await check(data, 'expect_table_row_count_to_equal', { value: 1 })).toMatchObject({
      success: true,
      result: { observed_value: 1 },
    });
    expect(
      (await check(data, 'expect_table_row_count_to_be_between', { min_value: 1, strict_min: true })).success,
    ).toBe(false);
    expect((await check(data, 'expect_table_column_count_to_be_between', { min_value: 3, max_value: 3 })).success).toBe(
      true,
    );
    expect((await check(data, 'expect_table_column_count_to_equal', { value: 4 })).success).toBe(false);
  });

  it('compares the column list, in order or as a set', async () => {
    const ordered = await check(data, 'expect_table_columns_to_match_ordered_list', { column_list: ['a', 'c', 'b'] });
    expect(ordered.result).toEqual({
      observed_value: ['a', 'b', 'c'],
      details: {
        mismatched: [
          { 'Expected Column Position': 1, Expected: 'c', Found: 'b' },
          { 'Expected Column Position': 2, Expected: 'b', Found: 'c' },
        ],
      },
    });
    const exact = await check(data, 'expect_table_columns_to_match_set', { column_set: ['c', 'a', 'd'] });
    expect(exact).toMatchObject({
      success: false,
      result: { details: { mismatched: { unexpected: ['b'], missing: ['d'] } } },
    });
    expect(
      (await check(data, 'expect_table_columns_to_match_set', { column_set: ['c', 'a'], exact_match: false })).success,
    ).toBe(true);
    expect((await check(data, 'expect_table_columns_to_match_set', { column_set: ['c', 'a', 'b'] })).success).toBe(
      true,
    );
  });

  it('finds columns, at an index when given (0 only checks presence, as in GE)', async () => {
    expect((await check(data, 'expect_column_to_exist', { column: 'b' })).success).toBe(true);
    expect((await check(data, 'expect_column_to_exist', { column: 'b', column_index: 1 })).success).toBe(true);
    expect((await check(data, 'expect_column_to_exist', { column: 'b', column_index: 2 })).success).toBe(false);
    expect((await check(data, 'expect_column_to_exist', { column: 'c', column_index: -1 })).success).toBe(true);
    expect((await check(data, 'expect_column_to_exist', { column: 'b', column_index: 0 })).success).toBe(true);
    expect((await check(data, 'expect_column_to_exist', { column: 'z' })).success).toBe(false);
  });

  it('fails an expectation on a missing column with exception_info, and goes on', async () => {
    const run = await runAll(data, [
      ['expect_column_values_to_not_be_null', { column: 'B' }],
      ['expect_column_values_to_not_be_null', { column: 'a' }],
    ]);
    expect(run.outcomes[0]).toMatchObject({
      success: false,
      exception: 'The column "B" in BatchData does not exist. (did you mean "b"?)',
    });
    expect(run.outcomes[1]!.success).toBe(true);
  });

  it('suggests a column a couple of edits away, such as a missing unit suffix', async () => {
    const measured = table(['body_mass_g', 'species'], [['3750', 'Adelie']]);
    const outcome = await check(measured, 'expect_column_values_to_not_be_null', { column: 'body_mass' });
    expect(outcome).toMatchObject({
      success: false,
      exception: 'The column "body_mass" in BatchData does not exist. (did you mean "body_mass_g"?)',
    });
  });

  it('suggests a renamed column that extends the name, or that the name extends', async () => {
    const weather = table(['date', 'wind_speed', 'temperature_c'], [['2012-01-01', '4.7', '12.8']]);
    const longer = await check(weather, 'expect_column_values_to_not_be_null', { column: 'wind' });
    expect(longer.exception).toBe('The column "wind" in BatchData does not exist. (did you mean "wind_speed"?)');
    const shorter = await check(table(['wind', 'temp'], [['4.7', '12.8']]), 'expect_column_mean_to_be_between', {
      column: 'wind_speed_kmh',
      min_value: 0,
    });
    expect(shorter.exception).toBe('The column "wind_speed_kmh" in BatchData does not exist. (did you mean "wind"?)');
    // Too short a common start says nothing: no suggestion rather than a wrong one.
    const unrelated = await check(weather, 'expect_column_values_to_not_be_null', { column: 'wi' });
    expect(unrelated.exception).toBe('The column "wi" in BatchData does not exist.');
  });
});

describe('one text cell in a numeric CSV column', () => {
  // pandas reads the whole column as strings because of line 21's "abc": GE's verdicts stand, and
  // the outcome names that cell, so that a report points at it rather than at valid rows.
  const values: Cell[] = Array.from({ length: 28 }, (_, index) => (index === 19 ? 'abc' : String(index * 1.5)));
  const wind = () => column(values, { name: 'wind', batchSize: 8 });
  const cause = { value: 'abc', position: 21 };

  it('names the first offending cell on the failures it causes', async () => {
    const run = await runAll(wind(), [
      ['expect_column_values_to_be_between', { column: 'wind', min_value: 0, max_value: 100 }],
      ['expect_column_mean_to_be_between', { column: 'wind', min_value: 0, max_value: 100 }],
      ['expect_column_values_to_be_of_type', { column: 'wind', type_: 'float64' }],
      ['expect_column_values_to_be_in_type_list', { column: 'wind', type_list: ['int', 'float'] }],
      ['expect_column_median_to_be_between', { column: 'wind', min_value: 0 }],
      ['expect_column_value_z_scores_to_be_less_than', { column: 'wind', threshold: 3 }],
    ]);
    for (const outcome of run.outcomes) {
      expect(outcome.success, outcome.config.type).toBe(false);
      expect(outcome.textCause, outcome.config.type).toEqual(cause);
    }
    // GE's verdict is unchanged: every value of a text column fails the float64 check.
    expect(run.outcomes[2]!.result.unexpected_count).toBe(28);
  });

  it('says nothing of a column that is text throughout, or in a passing expectation', async () => {
    const names = column(['ada', 'bob', '3', 'cy'], { name: 'who' });
    const typed = await check(names, 'expect_column_values_to_be_of_type', { column: 'who', type_: 'float64' });
    expect(typed.success).toBe(false);
    expect(typed.textCause).toBeUndefined();
    const passing = await check(wind(), 'expect_column_values_to_be_of_type', { column: 'wind', type_: 'str' });
    expect(passing.success).toBe(true);
    expect(passing.textCause).toBeUndefined();
  });
});

describe('memory caps', () => {
  it('fails a median that would keep more values than the cap, with the reason', async () => {
    const values = Array.from({ length: 70_000 }, (_, index) => String(index));
    const outcome = await check(
      column(values, { batchSize: 5000 }),
      'expect_column_median_to_be_between',
      { column: 'x', min_value: 0 },
      { maxValues: 65_536 },
    );
    expect(outcome.success).toBe(false);
    expect(outcome.exception).toBe(
      "exact medians and quantiles keep every value in memory, and the suite's numeric columns hold more than the cap of 65,536 values",
    );
  });

  it('fails distinct-value expectations beyond the distinct cap, and keeps other expectations going', async () => {
    const values = Array.from({ length: 50 }, (_, index) => String(index));
    const run = await runAll(
      column(values),
      [
        ['expect_column_unique_value_count_to_be_between', { column: 'x', min_value: 1 }],
        ['expect_column_values_to_not_be_null', { column: 'x' }],
      ],
      { maxDistinct: 10 },
    );
    expect(run.outcomes[0]!.exception).toBe(
      "distinct-value expectations keep every distinct value in memory, and the suite's columns hold more than the cap of 10 distinct values",
    );
    expect(run.outcomes[1]!.success).toBe(true);
  });
});

describe('uniqueness beyond the distinct-value cap', () => {
  it('stays exact with extra passes, one hash partition of the values each', async () => {
    // 40 distinct values, 3 of them repeated, with room for only 10 distinct values at a time.
    const values = [...Array.from({ length: 40 }, (_, index) => String(index)), '7', 'x', 'x', '39', '7'];
    const data = column(values, { batchSize: 6 });
    const capped = await runAll(data, [['expect_column_values_to_be_unique', { column: 'x' }]], { maxDistinct: 10 });
    const roomy = await runAll(data, [['expect_column_values_to_be_unique', { column: 'x' }]]);
    expect(capped.passes).toBeGreaterThan(2);
    expect(roomy.passes).toBe(1);
    expect(capped.outcomes[0]!.result).toEqual(roomy.outcomes[0]!.result);
    expect(capped.outcomes[0]!.result).toMatchObject({
      unexpected_count: 7,
      partial_unexpected_list: [7, 39, 7, 'x', 'x', 39, 7],
    });
    expect(lines(capped.outcomes[0]!)).toEqual([9, 41, 42, 43, 44, 45, 46]);
  });

  it('does the same for compound keys', async () => {
    const rows: Cell[][] = Array.from({ length: 30 }, (_, index) => [String(index % 15), index < 15 ? 'a' : 'b']);
    rows.push(['3', 'a'], ['3', 'b']);
    const data = table(['k', 'g'], rows, { batchSize: 4 });
    const capped = await runAll(data, [['expect_compound_columns_to_be_unique', { column_list: ['k', 'g'] }]], {
      maxDistinct: 8,
    });
    const roomy = await runAll(data, [['expect_compound_columns_to_be_unique', { column_list: ['k', 'g'] }]]);
    expect(capped.passes).toBeGreaterThan(1);
    expect(capped.outcomes[0]!.result).toEqual(roomy.outcomes[0]!.result);
    expect(roomy.outcomes[0]!.result).toMatchObject({ unexpected_count: 4 });
  });
});

describe('comparing text', () => {
  it('reads ISO 8601 instants as the data readers do', async () => {
    const { parseTemporal } = await import('../../src/core/data/values.js');
    const { isoInstant } = await import('../../src/core/validation/cells.js');
    const samples = [
      '2021-01-01',
      '2021-02-29',
      '2020-02-29',
      '2021-13-01',
      '2021-12-31T23:59:59',
      '2021-12-31 23:59',
      '2021-12-31t23:59:59.123456',
      '2021-12-31T23:59:59,5',
      '2021-12-31T24:00:00',
      '2021-12-31T23:60',
      '2021-06-01T12:00:00Z',
      '2021-06-01T12:00:00z',
      '2021-06-01T12:00:00+02:00',
      '2021-06-01T12:00:00-0530',
      '2021-06-01T12:00:00 +02',
      '2021-06-01T12:00:00+2',
      '2021-06-01T12:00:00.',
      '2021-06-01T',
      '0001-01-01',
      '9999-12-31T23:59:59.999',
      '2021-6-1',
      'not a date',
      '2021-06-01X',
    ];
    for (const text of samples) expect(isoInstant(text), text).toBe(parseTemporal(text)?.epochMs);
  });

  it('orders dates with and without times and zones as instants', async () => {
    const data = table(
      ['a', 'b'],
      [
        ['2021-01-02', '2021-01-01T23:59:59'],
        ['2021-01-01T00:00:00', '2021-01-01'],
        ['2021-01-01T10:00:00+02:00', '2021-01-01T09:00:00Z'],
        ['2021-01-02T01:00:00+05:00', '2021-01-01T23:00:00Z'],
      ],
    );
    const strict = await check(data, 'expect_column_pair_values_a_to_be_greater_than_b', {
      column_A: 'a',
      column_B: 'b',
    });
    // Row 2 is equal (midnight), row 3 earlier (08:00Z < 09:00Z), row 4 earlier (20:00Z < 23:00Z).
    expect(lines(strict)).toEqual([3, 4, 5]);
    const orEqual = await check(data, 'expect_column_pair_values_a_to_be_greater_than_b', {
      column_A: 'a',
      column_B: 'b',
      or_equal: true,
    });
    expect(lines(orEqual)).toEqual([4, 5]);
  });
});
