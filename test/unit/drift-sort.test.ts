/** sortDoubles (the radix sort behind exact profiles) orders like Float64Array.prototype.sort. */
import { describe, expect, it } from 'vitest';
import { sortDoubles } from '../../src/core/drift/sort.js';
import { seededRandom } from '../support/random.mjs';

describe('sortDoubles', () => {
  it('sorts large arrays of mixed signs, ties, zeros and extremes exactly as the built-in sort', () => {
    const random = seededRandom(9);
    const specials = [0, -0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1];
    const values = Float64Array.from({ length: 120_000 }, (_, i) =>
      i % 97 === 0
        ? specials[i % specials.length]!
        : i % 3 === 0
          ? Math.round(random() * 50) - 25
          : (random() - 0.5) * 10 ** Math.floor(random() * 12 - 6),
    );
    const expected = values.slice().sort();
    const sorted = sortDoubles(values.slice());
    expect(Array.from(sorted, (v) => (Object.is(v, -0) ? '-0' : v))).toEqual(
      Array.from(expected, (v) => (Object.is(v, -0) ? '-0' : v)),
    );
  });

  it('sorts a subarray view in place', () => {
    const buffer = Float64Array.from({ length: 60_010 }, (_, i) => (i * 7919) % 60_013);
    const view = buffer.subarray(5, 60_005);
    const expected = view.slice().sort();
    expect(sortDoubles(view)).toEqual(expected);
    expect(buffer[0]).toBe(0);
  });

  it.each([
    ['integers (the low word is all zero: passes skipped)', (i: number, r: number) => Math.floor(r * 90) + 18],
    ['one value repeated but for a few', (i: number) => (i % 10_007 === 0 ? -i : 42.5)],
    ['negative integers and zeros', (i: number, r: number) => (i % 5 === 0 ? (i % 2 ? -0 : 0) : -Math.floor(r * 1000))],
    ['two decimals (every digit varies)', (i: number, r: number) => Math.round((r - 0.3) * 1e7) / 100],
    ['one value only', () => 7],
  ])('sorts %s exactly as the built-in sort', (_, make) => {
    const random = seededRandom(21);
    const values = Float64Array.from({ length: 70_000 }, (_, i) => make(i, random()));
    const expected = values.slice().sort();
    const sorted = sortDoubles(values.slice());
    expect(Array.from(sorted, (v) => (Object.is(v, -0) ? '-0' : v))).toEqual(
      Array.from(expected, (v) => (Object.is(v, -0) ? '-0' : v)),
    );
  });
});
