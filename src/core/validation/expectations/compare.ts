/** Python's comparisons as GE's pandas engine makes them: scalars, text and ISO instants, bounds. */
import { isoInstant } from '../cells.js';
import { parseDateutil } from '../dateutil.js';
import { ExpectationError } from './base.js';

/** The bound kwargs of the `_between` expectations. */
export interface Bounds {
  min_value?: unknown;
  max_value?: unknown;
  strict_min?: boolean | null;
  strict_max?: boolean | null;
}

/** Whether `observed` is within the bounds (inclusive unless strict); null and NaN never are. */
export function betweenVerdict(
  observed: unknown,
  kwargs: Bounds,
  compare: (a: unknown, b: unknown) => number = (a, b) => compareScalars(a, b),
): boolean {
  if (observed === null || (typeof observed === 'number' && Number.isNaN(observed))) return false;
  const { min_value: min = null, max_value: max = null, strict_min: strictMin, strict_max: strictMax } = kwargs;
  if (min !== null) {
    const order = compare(observed, min);
    if (strictMin ? !(order > 0) : !(order >= 0)) return false;
  }
  if (max !== null) {
    const order = compare(observed, max);
    if (strictMax ? !(order < 0) : !(order <= 0)) return false;
  }
  return true;
}

/** Python's ordering of two scalars; throws ExpectationError where Python raises TypeError. */
export function compareScalars(a: unknown, b: unknown, operator = '<'): number {
  if (isNumericScalar(a) && isNumericScalar(b)) {
    const left = Number(a);
    const right = Number(b);
    return left < right ? -1 : left > right ? 1 : left === right ? 0 : NaN;
  }
  if (typeof a === 'string' && typeof b === 'string') return compareTexts(a, b);
  throw new ExpectationError(`'${operator}' not supported between instances of '${pyTypeOf(a)}' and '${pyTypeOf(b)}'`);
}

/** Numbers and booleans (Python's bool is an int). */
export function isNumericScalar(value: unknown): boolean {
  return typeof value === 'number' || typeof value === 'boolean';
}

/** {@link compareScalars} for two strings (also used where text meets text and cannot raise). */
export function compareTexts(a: string, b: string): number {
  // Dates and date-times written in ISO 8601 compare as instants; other text as Python strings.
  // When the first ten characters (an ISO date's) differ and neither has a time zone, both
  // orders agree, whether or not the texts are dates: no need to parse.
  const early = firstDifference(a, b, 10);
  if (early !== 0 && a.length >= 10 && b.length >= 10 && !hasZone(a) && !hasZone(b)) return early;
  const left = isoInstant(a);
  const right = left === undefined ? undefined : isoInstant(b);
  if (left !== undefined && right !== undefined) return left < right ? -1 : left > right ? 1 : 0;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The sign of the first difference between a and b within `limit` characters, else 0. */
function firstDifference(a: string, b: string, limit: number): number {
  for (let index = 0; index < limit; index++) {
    const difference = a.charCodeAt(index) - b.charCodeAt(index);
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return 0;
}

/** True when an ISO-looking text may carry a time zone (`Z`, `+hh`, `-hh` after the date). */
function hasZone(text: string): boolean {
  for (let index = 10; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 43 || code === 45 || code === 90 || code === 122) return true;
  }
  return false;
}

/** Python's name of a value's type, for TypeError messages. */
export function pyTypeOf(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return Array.isArray(value) ? 'list' : 'dict';
}

/** A text value parsed as dateutil would (for parse_strings_as_datetimes); other values unchanged. */
export function asDatetime(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const epoch = parseDateutil(value);
  if (epoch === undefined) throw new ExpectationError(`Unknown string format: ${value}`);
  return epoch;
}
