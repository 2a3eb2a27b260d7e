/**
 * Cell helpers shared by the readers and their consumers (expectations, profiling, drift).
 *
 * Text formats (CSV/TSV) hand consumers strings; JSON, JSON Lines and Parquet hand them native
 * scalars. These helpers read a value the same way whatever the source, so that `"3.5"` from a CSV
 * and `3.5` from Parquet compare equal. The rules are documented in docs/data-formats.md.
 */
import type { Cell } from './dataset.js';

/**
 * The strings that pandas' `read_csv` reads as missing by default (pandas 2.x `STR_NA_VALUES`).
 * Great Expectations users read CSVs through pandas, so treating the same tokens as missing in text
 * formats keeps verdicts the same. Matching is exact and case-sensitive, as in pandas: `"na"` and
 * `" NA"` are strings.
 */
export const PANDAS_NA_TOKENS: readonly string[] = Object.freeze([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);

const PANDAS_NA_SET: ReadonlySet<string> = new Set(PANDAS_NA_TOKENS);

/**
 * True when a text cell is one of pandas' default NA tokens (see {@link PANDAS_NA_TOKENS}).
 * Called once per CSV cell, so it rejects most cells on their length and first character before
 * touching the set.
 */
export function isNaToken(text: string): boolean {
  const length = text.length;
  if (length === 0) return true;
  if (length > 8) return false;
  const first = text.charCodeAt(0);
  // '#', '-', '1', '<', 'N', 'n': the first characters of every token.
  if (first !== 35 && first !== 45 && first !== 49 && first !== 60 && first !== 78 && first !== 110) return false;
  if (first === 45 || first === 49) {
    // Numbers often start with '-' or '1'; the tokens that do ('-1.#IND', '1.#QNAN', '-NaN', '-nan')
    // have a '#' third or fourth, or an 'N'/'n' second: most numbers are rejected without hashing.
    const second = text.charCodeAt(1);
    if (text.charCodeAt(2) !== 35 && text.charCodeAt(3) !== 35 && (first !== 45 || (second !== 78 && second !== 110)))
      return false;
  }
  return PANDAS_NA_SET.has(text);
}

/** True for a missing value: `null`, `undefined`, or a floating-point NaN (as Parquet may store). */
export function isMissing(cell: unknown): cell is null | undefined {
  return cell === null || cell === undefined || (typeof cell === 'number' && Number.isNaN(cell));
}

// Decimal notation as pandas' C parser accepts it: sign, digits, fraction, exponent, and
// inf/infinity; surrounding blanks allowed. Hex, octal, binary and `1_000` are not numbers.
const NUMERIC_TEXT = /^[ \t]*[+-]?(?:\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?|(inf(?:inity)?))[ \t]*$/i;
const INTEGER_TEXT = /^[ \t]*[+-]?\d+[ \t]*$/;

/**
 * The number a cell holds: a finite or infinite number as is, a bigint converted (possibly losing
 * precision past 2^53), a numeric string parsed (`"1e3"`, `" 42 "`, `"-inf"`). Anything else —
 * missing values, NaN, booleans, dates, other strings, nested values — gives `undefined`.
 */
export function toNumber(cell: unknown): number | undefined {
  if (typeof cell === 'number') return Number.isNaN(cell) ? undefined : cell;
  if (typeof cell === 'string') {
    const match = NUMERIC_TEXT.exec(cell);
    if (!match) return undefined;
    if (match[1] !== undefined) return cell.includes('-') ? -Infinity : Infinity;
    return Number(cell);
  }
  if (typeof cell === 'bigint') return Number(cell);
  return undefined;
}

/**
 * The integer a cell holds, when it holds one exactly: an integral number, a bigint, or an integer
 * string (`"007"` is 7). Integers past 2^53 come back as bigint so that no precision is lost.
 */
export function toInteger(cell: unknown): number | bigint | undefined {
  if (typeof cell === 'number') return Number.isInteger(cell) ? cell : undefined;
  if (typeof cell === 'bigint') return Number.isSafeInteger(Number(cell)) ? Number(cell) : cell;
  if (typeof cell === 'string' && INTEGER_TEXT.test(cell)) {
    const text = cell.trim();
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : BigInt(text);
  }
  return undefined;
}

const TRUE_TEXT: ReadonlySet<string> = new Set(['true', 'True', 'TRUE']);
const FALSE_TEXT: ReadonlySet<string> = new Set(['false', 'False', 'FALSE']);

/**
 * The boolean a cell holds: a boolean as is, or the strings pandas reads as booleans by default
 * (`true`/`True`/`TRUE`, `false`/`False`/`FALSE`). Numbers (0/1) are not booleans.
 */
export function toBoolean(cell: unknown): boolean | undefined {
  if (typeof cell === 'boolean') return cell;
  if (typeof cell === 'string') {
    if (TRUE_TEXT.has(cell)) return true;
    if (FALSE_TEXT.has(cell)) return false;
  }
  return undefined;
}

/** A calendar date or a date-time read from ISO 8601 text. */
export interface ParsedTemporal {
  kind: 'date' | 'datetime';
  /** Milliseconds since 1970-01-01T00:00:00Z; naive date-times (no offset) are read as UTC. */
  epochMs: number;
  /** True when the text carried `Z` or an offset. */
  hasOffset: boolean;
}

const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_TEXT =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)? ?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Milliseconds since the epoch of a UTC calendar time (Date.UTC alone maps years 0-99 to 19xx). */
function utcMillis(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

/**
 * Reads ISO 8601 text: a date `YYYY-MM-DD`, or a date-time `YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]]`
 * with an optional `Z` or `±HH[:MM]` offset. Impossible dates (`2023-02-29`, month 13) and times
 * (hour 24, minute 60) are not dates. Anything else gives `undefined`.
 */
export function parseTemporal(text: string): ParsedTemporal | undefined {
  if (text.length < 10 || text.length > 40) return undefined;
  const first = text.charCodeAt(0);
  if (first < 48 || first > 57 || text.charCodeAt(4) !== 45) return undefined;
  let match = DATE_TEXT.exec(text);
  const isDate = match !== null;
  match ??= DATETIME_TEXT.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (isDate) return { kind: 'date', epochMs: utcMillis(year, month, day, 0, 0, 0), hasOffset: false };
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = match[6] === undefined ? 0 : Number(match[6]);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const fraction = match[7] === undefined ? 0 : Number(`0.${match[7]}`) * 1000;
  let offsetMinutes = 0;
  const zone = match[8];
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
  }
  return {
    kind: 'datetime',
    epochMs: utcMillis(year, month, day, hour, minute, second) + fraction - offsetMinutes * 60_000,
    hasOffset: zone !== undefined,
  };
}

/**
 * Milliseconds since the epoch for a cell holding an ISO 8601 date or date-time string (as CSV,
 * JSON and Parquet readers all deliver dates); `undefined` otherwise. Numbers are not read as
 * timestamps: an integer column is not a date column.
 */
export function toTimestamp(cell: unknown): number | undefined {
  if (typeof cell !== 'string') return undefined;
  return parseTemporal(cell)?.epochMs;
}

/** The `Date` for a cell holding an ISO 8601 date or date-time string, else `undefined`. */
export function toDate(cell: unknown): Date | undefined {
  const epochMs = toTimestamp(cell);
  return epochMs === undefined ? undefined : new Date(epochMs);
}

/**
 * The text of a present cell, for string expectations (lengths, regexes, sets of strings):
 * strings as is, numbers, bigints and booleans in their JavaScript spelling, nested values as JSON.
 * Missing values give `undefined`.
 */
export function cellToString(cell: unknown): string | undefined {
  if (isMissing(cell)) return undefined;
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'object')
    return JSON.stringify(cell, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  return String(cell);
}

/** What type one cell holds, for type inference (see `inferColumnType`); validation has NumericCellKind. */
export type CellType = 'null' | 'integer' | 'number' | 'boolean' | 'date' | 'datetime' | 'string' | 'nested';

/**
 * Classifies one cell. Native values by their JavaScript type (an integral number is `integer`);
 * strings by their text: integer and decimal notation, pandas' boolean spellings, ISO 8601 dates
 * and date-times; everything else is `string`. Missing values are `null`.
 */
export function inferCellType(cell: Cell | undefined): CellType {
  switch (typeof cell) {
    case 'string':
      return inferTextType(cell);
    case 'number':
      if (Number.isNaN(cell)) return 'null';
      return Number.isInteger(cell) ? 'integer' : 'number';
    case 'bigint':
      return 'integer';
    case 'boolean':
      return 'boolean';
    case 'object':
      return cell === null ? 'null' : 'nested';
    default:
      return 'null';
  }
}

function inferTextType(text: string): CellType {
  const first = text.charCodeAt(0);
  // Digits, sign, '.', blank: maybe a number or a date. Letters: maybe a boolean or inf.
  if ((first >= 48 && first <= 57) || first === 43 || first === 45 || first === 46 || first === 32 || first === 9) {
    if (INTEGER_TEXT.test(text)) return 'integer';
    if (NUMERIC_TEXT.test(text)) return 'number';
    const temporal = parseTemporal(text);
    if (temporal) return temporal.kind;
    return 'string';
  }
  if (TRUE_TEXT.has(text) || FALSE_TEXT.has(text)) return 'boolean';
  if ((first === 105 || first === 73) && NUMERIC_TEXT.test(text)) return 'number';
  return 'string';
}
