/**
 * Counting distinct values by walking sorted arrays (src/core/drift/tests.ts) gives what a Map of
 * counts gives, exactly up to the cap and something above the cap past it.
 */
import { describe, expect, it } from 'vitest';
import { ColumnSides, distinctOfSorted, distinctOfSortedPair } from '../../src/core/drift/tests.js';
import type { DriftColumnProfile } from '../../src/core/drift/types.js';
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

describe('distinct values against a sketched reference', () => {
  /** Sorted current values that count how many of them are read. */
  function countingValues(values: Float64Array): { values: Float64Array; reads: () => number } {
    let reads = 0;
    const proxy = new Proxy(values, {
      get(target, key) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    return { values: proxy, reads: () => reads };
  }

  function sides(referenceCounts: Array<[number, number]> | undefined, current: Float64Array): ColumnSides {
    const referenceRows = referenceCounts ? referenceCounts.reduce((sum, [, count]) => sum + count, 0) : 200_000;
    const reference: DriftColumnProfile = {
      name: 'x',
      type: 'numeric',
      rows: referenceRows,
      nulls: 0,
      non_finite: 0,
      moments: { count: referenceRows, mean: 0, m2: 1, min: -100, max: 100 },
      sketch: { bin_width_log2: 0, keys: [0], counts: [referenceRows] },
      ...(referenceCounts ? { counts: referenceCounts } : { counts_overflow: true as const }),
    };
    const currentColumn: DriftColumnProfile = {
      name: 'x',
      type: 'numeric',
      rows: current.length,
      nulls: 0,
      non_finite: 0,
      values: current,
      moments: { count: current.length, mean: 0, m2: 1, min: current[0]!, max: current[current.length - 1]! },
    };
    return new ColumnSides('x', reference, currentColumn, 'numeric', { reference: 'reference', current: 'current' });
  }

  it('counts the union exactly, as a Map of both sides does', () => {
    const reference: Array<[number, number]> = Array.from({ length: 30 }, (_, i) => [i - 10, 2]);
    const current = sortedRandom(5000, 80, 13);
    const union = new Set([...reference.map(([value]) => value), ...current]).size;
    expect(sides(reference, current).distinctTogether()).toBe(union);
    expect(sides(reference, current).distinctTogether(union)).toBe(union);
    expect(sides(reference, current).distinctTogether(union - 1)).toBeGreaterThan(union - 1);
    expect(sides([[-0, 3]], Float64Array.from([0, 0, 1])).distinctTogether()).toBe(2);
  });

  it('decides the default test without reading every current value (a million of them made the profile path slower than the CSV one)', () => {
    const current = countingValues(sortedRandom(200_000, 1e9, 17));
    const manyReferenceValues: Array<[number, number]> = Array.from({ length: 50 }, (_, i) => [i, 4000]);
    expect(sides(manyReferenceValues, current.values).distinctTogether(5)).toBeGreaterThan(5);
    const fewReferenceValues: Array<[number, number]> = [
      [1, 100_000],
      [2, 100_000],
    ];
    expect(sides(fewReferenceValues, current.values).distinctTogether(5)).toBeGreaterThan(5);
    expect(sides(undefined, current.values).distinctTogether(5)).toBe(Infinity);
    expect(current.reads()).toBeLessThan(100);
  });
});
