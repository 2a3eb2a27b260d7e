/**
 * The seeded generator every test and benchmark draws from (test/support/random.mjs): a seed
 * replays its sequence exactly, and the numbers behave like Math.random's.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../support/random.mjs';

const draw = (seed: number, count: number) => {
  const next = seededRandom(seed);
  return Array.from({ length: count }, () => next());
};

describe('seededRandom', () => {
  it('gives the same sequence for the same seed, and another for another seed', () => {
    expect(draw(42, 100)).toEqual(draw(42, 100));
    expect(draw(42, 100)).not.toEqual(draw(43, 100));
    // Seeds are taken as unsigned 32-bit integers, as the double's `seed` option documents.
    expect(draw(2 ** 32 + 7, 10)).toEqual(draw(7, 10));
  });

  it('gives numbers in [0, 1), spread evenly', () => {
    const values = draw(1, 20_000);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const buckets = Array.from({ length: 10 }, () => 0);
    for (const v of values) buckets[Math.floor(v * 10)]!++;
    // 2,000 expected per bucket; ±10 % is beyond 4 standard deviations of a fair generator.
    for (const count of buckets) expect(Math.abs(count - 2_000)).toBeLessThan(200);
    expect(new Set(values).size).toBeGreaterThan(19_900);
  });
});
