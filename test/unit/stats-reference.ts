/**
 * Reads test/fixtures/reference/stats-vectors.json (written by scripts/gen-stats-vectors.py with
 * SciPy 1.10) and regenerates the large samples it names by seed, as the script does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { seededRandom } from '../support/random.mjs';

/** A sample stored by value, or named by the seeded generator that makes it. */
export type SampleSpec = number[] | { seed: number; n: number; scale: number; shift: number; integer: boolean };

/** A JSON number, or "NaN" / "Infinity" / "-Infinity" as the script writes them. */
export type JsonFloat = number | string;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const vectors: any = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'reference', 'stats-vectors.json'), 'utf8'),
);

/** The sample a spec names: value = u * scale + shift, or floor(u * scale) + shift for integers. */
export function sample(spec: SampleSpec): Float64Array {
  if (Array.isArray(spec)) return Float64Array.from(spec);
  const random = seededRandom(spec.seed);
  const values = new Float64Array(spec.n);
  for (let i = 0; i < spec.n; i++) {
    const u = random();
    values[i] = spec.integer ? Math.floor(u * spec.scale) + spec.shift : u * spec.scale + spec.shift;
  }
  return values;
}

/** A stored float back as a number. */
export function float(value: JsonFloat): number {
  return typeof value === 'number' ? value : Number(value);
}

/** The relative difference |actual - expected| / |expected| (absolute when expected is 0). */
export function relativeError(actual: number, expected: number): number {
  if (actual === expected) return 0;
  if (expected === 0) return Math.abs(actual);
  return Math.abs(actual - expected) / Math.abs(expected);
}

/**
 * Expects actual to equal SciPy's expected value to `tolerance` relative. Below 1e-300 (where
 * SciPy's own values are denormal-limited) only "also below 1e-300" is asked.
 */
export function expectClose(actual: number, expectedJson: JsonFloat, tolerance: number, label: string): void {
  const expected = float(expectedJson);
  if (Number.isNaN(expected)) {
    expect(actual, label).toBeNaN();
    return;
  }
  if (Math.abs(expected) < 1e-300) {
    expect(Math.abs(actual), label).toBeLessThan(1e-299);
    return;
  }
  const error = relativeError(actual, expected);
  if (error > tolerance)
    expect.fail(`${label}: got ${actual}, SciPy ${expected} (relative error ${error.toExponential(2)} > ${tolerance})`);
}
