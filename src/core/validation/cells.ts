/**
 * How the expectation engine reads a cell: the value pandas would hold for it.
 *
 * Text formats (CSV/TSV) deliver strings; pandas' `read_csv` turns numeric text into numbers and
 * `True`/`false`/... into booleans, so the engine does the same, cell by cell, for cells from text
 * files (see docs/validate-data.md for where cell-by-cell typing differs from pandas' per-column
 * typing). JSON, JSON Lines and Parquet cells are taken as they are.
 */
import type { Cell } from '../data/dataset.js';
import { toNumber } from '../data/values.js';

/** A present value as the engine compares it. Missing values are `null`. */
export type Typed = number | boolean | string | object;

const POWERS_OF_TEN = [
  1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21,
  1e22,
];

/**
 * Plain decimals (`-12`, `140552.13`) with at most 15 digits, read exactly as Number() reads them:
 * an integer below 2^53 divided by a power of ten at most 10^22 is correctly rounded (Clinger's
 * fast path). Undefined when the text is anything else.
 */
function plainDecimal(text: string): number | undefined {
  const length = text.length;
  let index = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45 || first === 43) {
    negative = first === 45;
    index = 1;
  }
  let mantissa = 0;
  let digitCount = 0;
  let fraction = -1;
  for (; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) {
      mantissa = mantissa * 10 + (code - 48);
      digitCount++;
    } else if (code === 46 && fraction === -1) {
      fraction = index;
    } else return undefined;
  }
  if (digitCount === 0 || digitCount > 15) return undefined;
  const decimals = fraction === -1 ? 0 : length - fraction - 1;
  const value = decimals === 0 ? mantissa : mantissa / POWERS_OF_TEN[decimals]!;
  return negative ? -value : value;
}

/**
 * The number written in a text cell, or undefined. Fast paths for plain decimals and for text that
 * cannot be a number, before the full pandas-compatible rules of `toNumber`.
 */
export function parseTextNumber(text: string): number | undefined {
  const first = text.charCodeAt(0);
  if ((first >= 48 && first <= 57) || first === 45 || first === 43 || first === 46) {
    const plain = plainDecimal(text);
    if (plain !== undefined) return plain;
    // A '-' in fifth place that does not follow an exponent: a date (2021-05-01), not a number.
    if (text.charCodeAt(4) === 45 && (text.charCodeAt(3) | 32) !== 101) return undefined;
    const value = Number(text);
    if (!Number.isNaN(value)) {
      // Number() also reads 0x1f, 0b1 and 0o7, which pandas leaves as text.
      if (first === 48 && text.length > 1) {
        const second = text.charCodeAt(1) | 32;
        if (second === 120 || second === 98 || second === 111) return undefined;
      }
      return value;
    }
    // Only the spellings of infinity ("-inf", "+Infinity") are numbers Number() rejects.
    return text.length <= 9 && (text.includes('n') || text.includes('N')) ? toNumber(text) : undefined;
  }
  // inf, Infinity, and numbers with leading blanks.
  if (first === 105 || first === 73 || first === 32 || first === 9) return toNumber(text);
  return undefined;
}

/**
 * The typed value of one cell. `text` says whether the cell comes from a text format, where
 * strings may spell numbers and booleans. Missing values (null, NaN) give null; bigints become
 * numbers (precision beyond 2^53 is lost, as in pandas' float64).
 */
export function typeCell(cell: Cell | undefined, text: boolean): Typed | null {
  switch (typeof cell) {
    case 'string': {
      if (!text) return cell;
      const number = parseTextNumber(cell);
      if (number !== undefined) return number;
      return textBoolean(cell) ?? cell;
    }
    case 'number':
      return Number.isNaN(cell) ? null : cell;
    case 'boolean':
      return cell;
    case 'bigint':
      return Number(cell);
    case 'object':
      return cell;
    default:
      return null;
  }
}

/** Kinds of typed cell in a {@link NumericColumn}. */
export const enum NumericCellKind {
  Missing = 0,
  /** A number read from text (a string cell). */
  TextNumber = 1,
  /** A number that was a number (or bigint) in the file. */
  NativeNumber = 2,
  /** Anything else (booleans, strings, nested values): read it with `typeCell`. */
  Other = 3,
}

/**
 * One column of a batch as numbers, without boxing: `kinds[row]` says what `typeCell` makes of the
 * cell, and `numbers[row]` holds the number for the two numeric kinds. Parsed once per batch and
 * shared by every expectation on the column (most consumers only need the numbers).
 */
export interface NumericColumn {
  readonly kinds: Uint8Array;
  readonly numbers: Float64Array;
  /** Rows with kind {@link NumericCellKind.Other}. */
  readonly others: number;
}

/**
 * Fills `kinds` and `numbers` for every row of column `column`, with the same reading as
 * {@link typeCell}; returns how many cells are of kind Other.
 */
export function classifyColumn(
  rows: ReadonlyArray<readonly Cell[]>,
  column: number,
  text: boolean,
  kinds: Uint8Array,
  numbers: Float64Array,
): number {
  let others = 0;
  for (let row = 0; row < rows.length; row++)
    others += classifyNumericCell(rows[row]![column], text, kinds, numbers, row);
  return others;
}

/**
 * {@link classifyColumn} for several columns at once, row by row: each row's cells are read while
 * they are in cache (a batch read column after column is fetched from memory once per column).
 * Returns the count of Other cells per column.
 */
export function classifyColumns(
  rows: ReadonlyArray<readonly Cell[]>,
  columns: readonly number[],
  text: boolean,
  kinds: readonly Uint8Array[],
  numbers: readonly Float64Array[],
): number[] {
  const others = columns.map(() => 0);
  const width = columns.length;
  for (let row = 0; row < rows.length; row++) {
    const cells = rows[row]!;
    for (let index = 0; index < width; index++) {
      others[index]! += classifyNumericCell(cells[columns[index]!], text, kinds[index]!, numbers[index]!, row);
    }
  }
  return others;
}

/** Classifies one cell into `kinds[row]` / `numbers[row]`; 1 when it is of kind Other, else 0. */
function classifyNumericCell(
  cell: Cell | undefined,
  text: boolean,
  kinds: Uint8Array,
  numbers: Float64Array,
  row: number,
) {
  if (typeof cell === 'string') {
    const number = text ? parseTextNumber(cell) : undefined;
    if (number === undefined) {
      kinds[row] = NumericCellKind.Other;
      return 1;
    }
    kinds[row] = NumericCellKind.TextNumber;
    numbers[row] = number;
  } else if (typeof cell === 'number') {
    if (cell !== cell) kinds[row] = NumericCellKind.Missing;
    else {
      kinds[row] = NumericCellKind.NativeNumber;
      numbers[row] = cell;
    }
  } else if (typeof cell === 'bigint') {
    kinds[row] = NumericCellKind.NativeNumber;
    numbers[row] = Number(cell);
  } else if (cell === null || cell === undefined) {
    kinds[row] = NumericCellKind.Missing;
  } else {
    kinds[row] = NumericCellKind.Other;
    return 1;
  }
  return 0;
}

/** pandas' boolean spellings (true/True/TRUE, false/False/FALSE), checked without a Set lookup. */
function textBoolean(text: string): boolean | undefined {
  const length = text.length;
  if (length === 4) {
    if (text === 'true' || text === 'True' || text === 'TRUE') return true;
  } else if (length === 5) {
    if (text === 'false' || text === 'False' || text === 'FALSE') return false;
  }
  return undefined;
}

function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let index = start; index < start + count; index++) {
    const code = text.charCodeAt(index) - 48;
    // NaN past the end of the text fails this test too.
    if (!(code >= 0 && code <= 9)) return -1;
    value = value * 10 + code;
  }
  return value;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function monthLength(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * The instant an ISO 8601 date or date-time names, in milliseconds (naive times as UTC), or
 * undefined: the same texts as `parseTemporal` (src/core/data/values.ts) accepts, read without
 * regular expressions or Date objects, since comparisons call it for every row.
 */
export function isoInstant(text: string): number | undefined {
  const length = text.length;
  if (length < 10 || length > 40 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > monthLength(year, month)) return undefined;
  let epoch = daysFromCivil(year, month, day) * 86_400_000;
  if (length === 10) return epoch;
  const separator = text.charCodeAt(10);
  if ((separator !== 84 && separator !== 116 && separator !== 32) || length < 16 || text.charCodeAt(13) !== 58)
    return undefined;
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return undefined;
  epoch += hour * 3_600_000 + minute * 60_000;
  let index = 16;
  if (text.charCodeAt(index) === 58) {
    const second = digits(text, index + 1, 2);
    if (second < 0 || second > 59) return undefined;
    epoch += second * 1000;
    index += 3;
    const mark = text.charCodeAt(index);
    if (mark === 46 || mark === 44) {
      let end = index + 1;
      while (end < length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
      const count = end - index - 1;
      if (count < 1 || count > 9) return undefined;
      epoch += Number(`0.${text.slice(index + 1, end)}`) * 1000;
      index = end;
    }
  }
  if (text.charCodeAt(index) === 32) index++;
  if (index === length) return epoch;
  const zone = text.charCodeAt(index);
  if ((zone === 90 || zone === 122) && index === length - 1) return epoch;
  if (zone !== 43 && zone !== 45) return undefined;
  const offsetHours = digits(text, index + 1, 2);
  if (offsetHours < 0 || offsetHours > 23) return undefined;
  let offsetMinutes = 0;
  let rest = index + 3;
  if (rest < length) {
    if (text.charCodeAt(rest) === 58) rest++;
    if (length - rest !== 2) return undefined;
    offsetMinutes = digits(text, rest, 2);
    if (offsetMinutes < 0 || offsetMinutes > 59) return undefined;
  }
  return epoch - (zone === 45 ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
}

/** A key under which equal typed values collide in a Map (SameValueZero for scalars). */
export function valueKey(value: Typed): number | boolean | string {
  if (typeof value === 'object') return '\u0000' + JSON.stringify(value);
  return value;
}

/** Turns a key made by {@link valueKey} back into the value it stands for. */
export function keyValue(key: number | boolean | string): Typed {
  if (typeof key === 'string' && key.charCodeAt(0) === 0) return JSON.parse(key.slice(1)) as object;
  return key;
}

function typeRank(value: Typed): number {
  switch (typeof value) {
    case 'boolean':
    case 'number':
      return 0;
    case 'string':
      return 1;
    default:
      return 2;
  }
}

/**
 * Orders typed values as Python's `sorted` would for one type (numbers numerically, booleans as
 * 0/1, strings by code unit); values of different types, which Python refuses to compare, are
 * ordered numbers first, then strings, then nested values.
 */
export function compareTyped(a: Typed, b: Typed): number {
  const rank = typeRank(a) - typeRank(b);
  if (rank !== 0) return rank;
  if (typeof a === 'object' || typeof b === 'object') {
    const left = JSON.stringify(a);
    const right = JSON.stringify(b);
    return left < right ? -1 : left > right ? 1 : 0;
  }
  if (typeof a === 'string') return a < (b as string) ? -1 : a > (b as string) ? 1 : 0;
  const left = Number(a);
  const right = Number(b);
  if (left !== right) return left < right ? -1 : 1;
  // False before 0, True before 1: a stable order for equal numeric values of both types.
  return (typeof a === 'boolean' ? 0 : 1) - (typeof b === 'boolean' ? 0 : 1);
}

/** Python's `str()` of a float: shortest round-trip digits, exponent below 1e-4 and from 1e16. */
export function pythonFloatText(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const text = String(value);
  return text.includes('.') ? text : `${text}.0`;
}

/**
 * Python's `str()` of a value as pandas holds it, for regexes and lengths: text as written, booleans
 * as True/False, integral numbers as integers, other numbers as Python floats, nested values as JSON.
 */
export function pythonText(value: Typed, raw: Cell | undefined): string {
  if (typeof raw === 'string') return raw;
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 'True' : 'False';
    case 'number':
      return Number.isInteger(value) && Math.abs(value) < 1e16 ? String(value) : pythonFloatText(value);
    default:
      return JSON.stringify(value);
  }
}

/** Length in Unicode code points, as Python's `len(str)` counts. */
export function codePointLength(text: string): number {
  let length = text.length;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length--;
        index++;
      }
    }
  }
  return length;
}

/** The Python type name of a typed value (`int`, `float`, `str`, `bool`, `dict`, `list`). */
export function pythonTypeName(value: Typed, raw: Cell | undefined): string {
  if (typeof raw === 'string') return 'str';
  switch (typeof value) {
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    default:
      return Array.isArray(value) ? 'list' : 'dict';
  }
}

/** A short human rendering of a value for logs and summaries. */
export function renderValue(value: unknown, maxLength = 60): string {
  let text: string;
  if (value === null || value === undefined) text = 'null';
  else if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'number')
    text = Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  else if (typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
  else text = JSON.stringify(value);
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
