import { InputError } from '../errors.js';

/**
 * Checks a sample handed to a statistic: not empty, finite values only (callers drop NaN and ±inf
 * first, as Evidently does). `name` is the argument's name, as in the error.
 */
export function requireSample(values: ArrayLike<number>, name: string, minimumLength = 1): void {
  if (values.length < minimumLength) {
    throw new InputError(
      minimumLength === 1
        ? `${name} is empty: a statistic needs at least one value.`
        : `${name} has ${values.length} value(s): this statistic needs at least ${minimumLength}.`,
    );
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new InputError(
        `${name}[${i}] is ${values[i]}: statistics take finite numbers only (drop NaN and ±inf first).`,
      );
    }
  }
}

/** Checks counts or weights: finite and not negative; `name` as in requireSample. */
export function requireNonNegative(values: ArrayLike<number>, name: string): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value) || value < 0) {
      throw new InputError(`${name}[${i}] is ${value}: it must be a finite number >= 0.`);
    }
  }
}

/** Checks that two arrays that pair up element by element have the same length. */
export function requireSameLength(a: ArrayLike<number>, aName: string, b: ArrayLike<number>, bName: string): void {
  if (a.length !== b.length) {
    throw new InputError(`${aName} has ${a.length} values but ${bName} has ${b.length}: they must pair up one to one.`);
  }
}

/** A sorted Float64Array copy (one allocation, the typed-array sort: no per-element objects). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const copy = values instanceof Float64Array ? values.slice() : Float64Array.from(values);
  copy.sort();
  return copy;
}
