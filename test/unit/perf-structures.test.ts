/**
 * The data structures behind validate-data's speed: the ascending-run + hash table that tracks
 * numeric keys for uniqueness, the hash table itself (collisions, growth), order statistics read
 * from sorted chunks without merging them, and the unboxed numeric view of a column (which must
 * read every cell exactly as `typeCell` does).
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../support/random.mjs';
import { isNaToken, PANDAS_NA_TOKENS } from '../../src/core/data/values.js';
import {
  MemoryBudget,
  NumberTable,
  SeenNumbers,
  SortedValues,
  ValueBuffer,
} from '../../src/core/validation/accumulators.js';
import { NumericCellKind, classifyColumn, classifyColumns, typeCell } from '../../src/core/validation/cells.js';
import type { Cell, Dataset } from '../../src/core/data/dataset.js';
import { runSuite } from '../../src/core/validation/engine.js';
import { parseSuite } from '../../src/core/validation/suite.js';

/** A reference for markSeen's states: a Map of key -> first position or -(copies). */
function referenceMarkSeen(reference: Map<number, number>, key: number, position: number): number | undefined {
  const normalized = key + 0;
  const state = reference.get(normalized);
  reference.set(normalized, state === undefined ? position : state >= 0 ? -2 : state - 1);
  return state;
}

describe('SeenNumbers (uniqueness bookkeeping for numeric keys)', () => {
  const check = (keys: number[]) => {
    const seen = new SeenNumbers();
    const reference = new Map<number, number>();
    // Compared as whole arrays: an expect() per key would make the test slow.
    const states = keys.map((key, position) => seen.markSeen(key, position));
    const expected = keys.map((key, position) => referenceMarkSeen(reference, key, position));
    expect(states).toEqual(expected);
    expect(seen.size).toBe(reference.size);
    const finalStates = [...reference.keys()].map((key) => seen.get(key));
    expect(finalStates).toEqual([...reference.values()]);
    expect(seen.get(0.123456)).toBeUndefined();
  };

  it('keeps ascending ids in its run and finds every repeat', () => {
    const keys = Array.from({ length: 150_000 }, (_, index) => index + 1);
    // Repeats of run keys, after the run has moved on, across run chunks (64 Ki keys each).
    keys.push(1, 65_536, 65_537, 150_000, 1, 99_999);
    check(keys);
  });

  it('mixes ascending runs, keys below the run, and repeats of both', () => {
    const next = seededRandom(7);
    const keys: number[] = [];
    for (let index = 0; index < 20_000; index++) {
      const roll = next();
      if (roll < 0.5) keys.push(index * 3);
      else if (roll < 0.8) keys.push(Math.floor(next() * 60_000));
      else keys.push(Math.floor(next() * 200) - 100.5);
    }
    check(keys);
  });

  it('treats -0 and 0 as one key, and handles infinities', () => {
    check([0, -0, 5, -Infinity, Infinity, -Infinity, 3, -0, Infinity, 4.5, 4.5]);
  });

  it('works on descending and random keys (all in the hash table)', () => {
    check(Array.from({ length: 5000 }, (_, index) => 5000 - (index % 4000)));
    const next = seededRandom(11);
    check(Array.from({ length: 5000 }, () => Math.floor(next() * 3000)));
  });
});

describe('NumberTable', () => {
  it('resolves colliding keys and keeps every entry through growth', () => {
    // Integers that differ by multiples of 2^32 share the low word; floats that share a high word.
    const keys = [
      ...Array.from({ length: 3000 }, (_, index) => index * 4294967296),
      ...Array.from({ length: 3000 }, (_, index) => 1 + index * 2 ** -40),
      ...Array.from({ length: 3000 }, (_, index) => -index - 0.5),
    ];
    const table = new NumberTable(16);
    const reference = new Map<number, number>();
    for (let round = 0; round < 2; round++) {
      const states = keys.map((key, position) => table.markSeen(key, position));
      expect(states).toEqual(keys.map((key, position) => referenceMarkSeen(reference, key, position)));
    }
    expect(table.size).toBe(reference.size);
    expect(new Map(table.entries())).toEqual(reference);
  });

  it('stops doubling at the slots its maximum entry count needs', () => {
    const table = new NumberTable(16, 1000);
    for (let key = 0; key < 1000; key++) table.set(key, key);
    for (let key = 0; key < 1000; key++) expect(table.get(key)).toBe(key);
    // 1000 entries at most 70% full: 1430 slots, not the next doubling.
    expect((table as unknown as { slots: number }).slots).toBeLessThanOrEqual(Math.ceil(1000 / 0.7) + 1);
  });
});

describe('SortedValues read by rank across chunks', () => {
  it('finds every rank as one sorted array would, with ties across chunks', () => {
    const next = seededRandom(3);
    // Few distinct values: long runs of ties that straddle the 64 Ki chunks.
    const values = Array.from({ length: 140_000 }, () => Math.floor(next() * 50) / 4 - 3);
    values.push(-0, 0, Infinity, -Infinity);
    const buffer = new ValueBuffer(new MemoryBudget());
    for (const value of values) buffer.add(value);
    const chunked = buffer.sortedValues();
    const whole = SortedValues.of(values);
    const ranks = [0, 1, 2, 17, 65_535, 65_536, 70_001, 131_071, 131_072, 139_999, values.length - 1];
    for (let index = 0; index < 50; index++) ranks.push(Math.floor(next() * values.length));
    const found = chunked.at(ranks);
    const expected = whole.at(ranks);
    // -0 and 0 compare equal; either may stand for the other.
    expect(found.map((value) => value + 0)).toEqual(expected.map((value) => value + 0));
  });
});

describe('SortedValues selection by sampling (no sort)', () => {
  const chunked = (values: number[]) => {
    const buffer = new ValueBuffer(new MemoryBudget());
    for (const value of values) buffer.add(value);
    return buffer.sortedValues();
  };
  const isSorted = (sorted: SortedValues) => (sorted as unknown as { sorted: boolean }).sorted;

  it('finds medians and quantiles of spread values without sorting the chunks', () => {
    const next = seededRandom(5);
    const values = Array.from({ length: 300_001 }, () => next() * 2 - 1);
    const sorted = chunked(values);
    const whole = SortedValues.of(values);
    const ranks = [0, 3000, 75_000, 150_000, 150_001, 225_000, 299_000, 300_000];
    expect(sorted.at(ranks)).toEqual(whole.at(ranks));
    expect(isSorted(sorted)).toBe(false);
  });

  it('falls back to sorting when values tie across the bounds, with the same answers', () => {
    const values = Array.from({ length: 200_000 }, (_, index) => (index % 10 === 0 ? index : 7));
    const sorted = chunked(values);
    const whole = SortedValues.of(values);
    const ranks = [0, 50_000, 100_000, 199_999];
    expect(sorted.at(ranks)).toEqual(whole.at(ranks));
    expect(isSorted(sorted)).toBe(true);
  });
});

describe('classifyColumn (the unboxed view of a column)', () => {
  const cells: Cell[] = [
    '12',
    '-3.5',
    '1e3',
    ' 42 ',
    'inf',
    '-Infinity',
    'nan',
    'true',
    'False',
    'abc',
    '2021-05-01',
    '0x1f',
    '',
    null,
    7,
    Number.NaN,
    10n,
    true,
    { a: 1 },
    [1, 2],
    '+.5',
    '1_000',
  ];
  for (const text of [true, false]) {
    it(`reads every cell as typeCell does (${text ? 'text' : 'native'} file)`, () => {
      const rows = cells.map((cell) => [cell]);
      const kinds = new Uint8Array(rows.length);
      const numbers = new Float64Array(rows.length);
      const others = classifyColumn(rows, 0, text, kinds, numbers);
      let expectedOthers = 0;
      rows.forEach(([cell], row) => {
        const typed = typeCell(cell, text);
        if (typed === null) expect(kinds[row], String(cell)).toBe(NumericCellKind.Missing);
        else if (typeof typed === 'number') {
          expect(kinds[row], String(cell)).toBe(
            typeof cell === 'string' ? NumericCellKind.TextNumber : NumericCellKind.NativeNumber,
          );
          expect(numbers[row]).toBe(typed);
        } else {
          expect(kinds[row], String(cell)).toBe(NumericCellKind.Other);
          expectedOthers++;
        }
      });
      expect(others).toBe(expectedOthers);
    });
  }
});

describe('classifyColumns (several columns, row by row)', () => {
  it('gives each column what classifyColumn gives it alone', () => {
    const rows: Cell[][] = [
      ['1', 'x', null, 2.5],
      ['-2.5', '3', 'true', Number.NaN],
      [null, '', '4', 5n],
    ];
    const columns = [3, 0, 2];
    const kinds = columns.map(() => new Uint8Array(rows.length));
    const numbers = columns.map(() => new Float64Array(rows.length));
    const others = classifyColumns(rows, columns, true, kinds, numbers);
    columns.forEach((column, index) => {
      const alone = { kinds: new Uint8Array(rows.length), numbers: new Float64Array(rows.length) };
      expect(others[index]).toBe(classifyColumn(rows, column, true, alone.kinds, alone.numbers));
      expect(kinds[index]).toEqual(alone.kinds);
      expect(numbers[index]).toEqual(alone.numbers);
    });
  });
});

describe('isNaToken', () => {
  it("recognises pandas' tokens and rejects numbers that start like them", () => {
    for (const token of PANDAS_NA_TOKENS) expect(isNaToken(token), token).toBe(true);
    for (const text of ['-1', '1', '-1.5', '10', '-0.65', '1.#', '-#', '-N', 'NAN', '1#', '-1#', 'nan ', '-1.#INDX'])
      expect(isNaToken(text), text).toBe(false);
  });
});

describe('expect_column_values_to_be_unique on ascending ids (the run path), end to end', () => {
  const dataset = (values: Cell[]): Dataset => ({
    files: ['ids.csv'],
    columns: ['id'],
    async *batches() {
      for (let start = 0; start < values.length; start += 1000) {
        const slice = values.slice(start, start + 1000);
        yield {
          file: 'ids.csv',
          rows: slice.map((value) => [value]),
          lines: slice.map((_, offset) => start + offset + 2),
          firstRow: start + 1,
        };
      }
    },
  });
  const suite = parseSuite(
    JSON.stringify({
      name: 't',
      expectations: [{ type: 'expect_column_values_to_be_unique', kwargs: { column: 'id' } }],
    }),
    'suite.json',
  );
  // Ids 1..5000 as text, then late copies of 10 (twice), 4999 and "7.0" (the number 7), a missing value.
  const values: Cell[] = [
    ...Array.from({ length: 5000 }, (_, index) => String(index + 1)),
    '10',
    '4999',
    null,
    '7.0',
    '10',
  ];

  for (const maxDistinct of [undefined, 1000]) {
    it(`counts every copy and lists them in row order${maxDistinct ? ' (beyond the distinct cap)' : ''}`, async () => {
      const run = await runSuite(dataset(values), suite, { maxDistinct });
      const outcome = run.outcomes[0]!;
      expect(outcome.success).toBe(false);
      expect(outcome.result.unexpected_count).toBe(7);
      expect(outcome.unexpected.map((row) => row.position % 2 ** 32)).toEqual([8, 11, 5000, 5002, 5003, 5005, 5006]);
      // Lines 8, 11 and 5000 hold 7, 10 and 4999; then the late copies 10, 4999, 7 and 10.
      expect(outcome.result.partial_unexpected_list).toEqual([7, 10, 4999, 10, 4999, 7, 10]);
      if (maxDistinct) expect(run.passes).toBeGreaterThan(1);
    });
  }

  it('charges ascending numeric keys 0.3 of a distinct-budget unit, strings a whole unit', async () => {
    // 5000 ascending ids cost 1500 units: one pass under a cap of 1600.
    expect((await runSuite(dataset(values), suite, { maxDistinct: 1600 })).passes).toBe(1);
    // The same ids as text that is not a number are hashed: 5000 units, more passes.
    const words = values.map((value) => (typeof value === 'string' ? `id-${value}` : value));
    const run = await runSuite(dataset(words), suite, { maxDistinct: 1600 });
    expect(run.passes).toBeGreaterThan(1);
    expect(run.outcomes[0]!.result.unexpected_count).toBe(5);
  });
});
