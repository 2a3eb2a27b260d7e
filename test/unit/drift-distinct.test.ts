/**
 * Counting distinct values by walking sorted arrays (src/core/drift/tests.ts) gives what a Map of
 * counts gives, exactly up to the cap and something above the cap past it.
 */
import { describe, expect, it } from 'vitest';
import { distinctOfSorted, distinctOfSortedPair } from '../../src/core/drift/tests.js';
import { isSortedAscending, wassersteinDistance } from '../../src/core/stats/distances.js';

function sortedRandom(length: number, spread: number, seed: number): Float64Array {
  let state = seed;
  const next = (): number => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * spread;
  return Float64Array.from({ length }, () => Math.floor(next()) - spread / 2).sort();
}

describe('distinct values of sorted arrays', () => {
  it.each([
    [0, 10],
    [1, 10],
    [500, 3],
    [500, 40],
    [2000, 5000],
  ])('match a Set of the values (%i values over %i integers)', (length, spread) => {
    const a = sortedRandom(length, spread, 7);
    const b = sortedRandom(length + 13, spread, 11);
    expect(distinctOfSorted(a)).toBe(new Set(a).size);
    expect(distinctOfSortedPair(a, b)).toBe(new Set([...a, ...b]).size);
    expect(distinctOfSortedPair(b, new Float64Array(0))).toBe(new Set(b).size);
    const exact = new Set(a).size;
    for (const cap of [0, 2, 5, 20]) {
      const capped = distinctOfSorted(a, cap);
      if (exact <= cap) expect(capped).toBe(exact);
      else expect(capped).toBeGreaterThan(cap);
    }
  });

  it('treats -0 and 0 as one value, as a Map does', () => {
    expect(distinctOfSorted(Float64Array.from([-0, 0, 1]))).toBe(2);
    expect(distinctOfSortedPair(Float64Array.from([-0]), Float64Array.from([0]))).toBe(1);
  });
});

describe('wassersteinDistance on values already sorted', () => {
  it('gives bit-identical results for sorted and shuffled input, and leaves the input as it was', () => {
    const u = sortedRandom(3000, 700, 3).map((x) => x / 7);
    const v = sortedRandom(2500, 900, 5).map((x) => x / 9 + 1);
    const shuffled = Float64Array.from(v).reverse();
    expect(isSortedAscending(u)).toBe(true);
    expect(isSortedAscending(shuffled)).toBe(false);
    const before = Array.from(u);
    expect(Object.is(wassersteinDistance(u, v), wassersteinDistance(Array.from(u).reverse(), shuffled))).toBe(true);
    expect(Array.from(u)).toEqual(before);
  });
});
