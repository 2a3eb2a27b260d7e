/**
 * `dateutil.parser.parse(text)` with its default settings (dayfirst=False, yearfirst=False, not
 * fuzzy), for expect_column_values_to_be_dateutil_parseable and GE 0.x `parse_strings_as_datetimes`.
 *
 * A port of python-dateutil 2.8's `_timelex` tokenizer and `parser._parse`: the same tokens, the
 * same jump words, month and weekday names, the same year/month/day resolution and the same range
 * checks when the date is built. Missing fields are taken from today at midnight, as dateutil does;
 * a time zone name or offset is read but only offsets shift the result. Agreement with dateutil is
 * checked against vectors produced by the real library (scripts/gen-ge-reference.py).
 */

const JUMP = new Set([
  ' ',
  '.',
  ',',
  ';',
  '-',
  '/',
  "'",
  'at',
  'on',
  'and',
  'ad',
  'm',
  't',
  'of',
  'st',
  'nd',
  'rd',
  'th',
]);
const WEEKDAYS = new Map<string, number>();
['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].forEach((short, index) => WEEKDAYS.set(short, index));
['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].forEach((long, index) =>
  WEEKDAYS.set(long, index),
);
const MONTHS = new Map<string, number>();
[
  ['jan', 'january'],
  ['feb', 'february'],
  ['mar', 'march'],
  ['apr', 'april'],
  ['may'],
  ['jun', 'june'],
  ['jul', 'july'],
  ['aug', 'august'],
  ['sep', 'sept', 'september'],
  ['oct', 'october'],
  ['nov', 'november'],
  ['dec', 'december'],
].forEach((names, index) => names.forEach((name) => MONTHS.set(name, index + 1)));
const HMS = new Map<string, number>([
  ['h', 0],
  ['hour', 0],
  ['hours', 0],
  ['m', 1],
  ['minute', 1],
  ['minutes', 1],
  ['s', 2],
  ['second', 2],
  ['seconds', 2],
]);
const AMPM = new Map<string, number>([
  ['am', 0],
  ['a', 0],
  ['pm', 1],
  ['p', 1],
]);
const UTC_ZONES = ['UTC', 'GMT', 'Z', 'z'];

const isWord = (char: string) => /\p{L}/u.test(char);
const isDigit = (char: string) => char >= '0' && char <= '9';
const isSpace = (char: string) => /\s/.test(char);

/** dateutil's `_timelex.split`: words, numbers (with their decimal point), blanks, single marks. */
export function timelex(text: string): string[] {
  // dateutil's reader skips NUL characters.
  const chars = [...text].filter((char) => char !== '\u0000');
  const tokens: string[] = [];
  let position = 0;
  const pending: string[] = [];
  while (position < chars.length || pending.length) {
    if (pending.length) {
      tokens.push(pending.shift()!);
      continue;
    }
    let token = '';
    let state: '' | 'a' | '0' | 'a.' | '0.' = '';
    let seenLetters = false;
    while (position < chars.length) {
      const next = chars[position]!;
      if (state === '') {
        position++;
        token = next;
        if (isWord(next)) state = 'a';
        else if (isDigit(next)) state = '0';
        else {
          if (isSpace(next)) token = ' ';
          break;
        }
      } else if (state === 'a') {
        seenLetters = true;
        if (isWord(next)) token += next;
        else if (next === '.') {
          token += next;
          state = 'a.';
        } else break;
        position++;
      } else if (state === '0') {
        if (isDigit(next)) token += next;
        else if (next === '.' || (next === ',' && token.length >= 2)) {
          token += next;
          state = '0.';
        } else break;
        position++;
      } else if (state === 'a.') {
        seenLetters = true;
        if (next === '.' || isWord(next)) token += next;
        else if (isDigit(next) && token.endsWith('.')) {
          token += next;
          state = '0.';
        } else break;
        position++;
      } else {
        if (next === '.' || isDigit(next)) token += next;
        else if (isWord(next) && token.endsWith('.')) {
          token += next;
          state = 'a.';
        } else break;
        position++;
      }
    }
    if ((state === 'a.' || state === '0.') && (seenLetters || token.split('.').length > 2 || /[.,]$/.test(token))) {
      const parts = token.split(/([.,])/);
      token = parts[0]!;
      for (const part of parts.slice(1)) if (part) pending.push(part);
    }
    if (state === '0.' && !token.includes('.')) token = token.replace(/,/g, '.');
    tokens.push(token);
  }
  return tokens;
}

class ParseFailure extends Error {}

function fail(): never {
  throw new ParseFailure();
}

/** Python `int(text)` for the strings dateutil passes it. */
function pyInt(text: string | undefined): number {
  if (text === undefined || !/^\s*[+-]?\d+\s*$/.test(text)) fail();
  return Number(text);
}

/** Python `Decimal(text)` for a token, rejecting NaN and infinities as dateutil does. */
function toDecimal(text: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) fail();
  return Number(text);
}

function isDigitString(text: string | undefined): boolean {
  return text !== undefined && text.length > 0 && /^\d+$/.test(text);
}

function monthDays(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** dateutil's `_ymd`: the year/month/day candidates in order, with what is known about each. */
class Ymd {
  values: number[] = [];
  centurySpecified = false;
  yIndex: number | undefined;
  mIndex: number | undefined;
  dIndex: number | undefined;

  couldBeDay(value: number): boolean {
    if (this.dIndex !== undefined) return false;
    if (this.mIndex === undefined) return value >= 1 && value <= 31;
    const month = this.values[this.mIndex]!;
    const year = this.yIndex === undefined ? 2000 : this.values[this.yIndex]!;
    return value >= 1 && value <= monthDays(year, month);
  }

  append(value: string | number, label?: 'Y' | 'M' | 'D'): void {
    let resolved: number;
    if (typeof value === 'string') {
      if (isDigitString(value) && value.length > 2) {
        this.centurySpecified = true;
        if (label !== undefined && label !== 'Y') fail();
        label = 'Y';
      }
      resolved = pyInt(value);
    } else {
      if (value > 100) {
        this.centurySpecified = true;
        if (label !== undefined && label !== 'Y') fail();
        label = 'Y';
      }
      resolved = Math.trunc(value);
    }
    this.values.push(resolved);
    const index = this.values.length - 1;
    if (label === 'M') {
      if (this.mIndex !== undefined) fail();
      this.mIndex = index;
    } else if (label === 'D') {
      if (this.dIndex !== undefined) fail();
      this.dIndex = index;
    } else if (label === 'Y') {
      if (this.yIndex !== undefined) fail();
      this.yIndex = index;
    }
  }

  resolve(): { year?: number; month?: number; day?: number } {
    const v = this.values;
    const strids: Array<['y' | 'm' | 'd', number]> = [];
    if (this.yIndex !== undefined) strids.push(['y', this.yIndex]);
    if (this.mIndex !== undefined) strids.push(['m', this.mIndex]);
    if (this.dIndex !== undefined) strids.push(['d', this.dIndex]);
    if ((v.length === strids.length && strids.length > 0) || (v.length === 3 && strids.length === 2)) {
      if (v.length === 3 && strids.length === 2) {
        const used = strids.map(([, index]) => index);
        const missingIndex = [0, 1, 2].find((index) => !used.includes(index))!;
        const missingKey = (['y', 'm', 'd'] as const).find((key) => !strids.some(([k]) => k === key))!;
        strids.push([missingKey, missingIndex]);
      }
      const out: { year?: number; month?: number; day?: number } = {};
      for (const [key, index] of strids) {
        if (key === 'y') out.year = v[index]!;
        else if (key === 'm') out.month = v[index]!;
        else out.day = v[index]!;
      }
      return out;
    }
    const m = this.mIndex;
    if (v.length > 3) fail();
    if (v.length === 1 || (m !== undefined && v.length === 2)) {
      const out: { year?: number; month?: number; day?: number } = {};
      let other: number;
      if (m !== undefined) {
        out.month = v[m]!;
        // Python's self[mstridx - 1] wraps around to the last element when mstridx is 0.
        other = v[(m - 1 + v.length) % v.length]!;
      } else {
        other = v[0]!;
      }
      if (v.length > 1 || m === undefined) {
        if (other > 31) out.year = other;
        else out.day = other;
      }
      return out;
    }
    if (v.length === 2) {
      if (v[0]! > 31) return { year: v[0]!, month: v[1]! };
      if (v[1]! > 31) return { month: v[0]!, year: v[1]! };
      return { month: v[0]!, day: v[1]! };
    }
    if (v.length === 3) {
      if (m === 0) {
        if (v[1]! > 31) return { month: v[0]!, year: v[1]!, day: v[2]! };
        return { month: v[0]!, day: v[1]!, year: v[2]! };
      }
      if (m === 1) {
        if (v[0]! > 31) return { year: v[0]!, month: v[1]!, day: v[2]! };
        return { day: v[0]!, month: v[1]!, year: v[2]! };
      }
      if (m === 2) {
        if (v[1]! > 31) return { day: v[0]!, year: v[1]!, month: v[2]! };
        return { year: v[0]!, day: v[1]!, month: v[2]! };
      }
      if (v[0]! > 31 || this.yIndex === 0) return { year: v[0]!, month: v[1]!, day: v[2]! };
      if (v[0]! > 12) return { day: v[0]!, month: v[1]!, year: v[2]! };
      return { month: v[0]!, day: v[1]!, year: v[2]! };
    }
    return {};
  }
}

interface Result {
  year?: number;
  month?: number;
  day?: number;
  weekday?: number;
  hour?: number;
  minute?: number;
  second?: number;
  microsecond?: number;
  tzname?: string;
  tzoffset?: number | null;
  ampm?: number;
  centurySpecified: boolean;
}

const lower = (token: string | undefined) => (token === undefined ? undefined : token.toLowerCase());
const jump = (token: string | undefined) => token !== undefined && JUMP.has(token.toLowerCase());
const hms = (token: string | undefined) => HMS.get(lower(token) ?? '');
const ampmOf = (token: string | undefined) => AMPM.get(lower(token) ?? '');

function parseMs(text: string): [number, number] {
  if (!text.includes('.')) return [pyInt(text), 0];
  const parts = text.split('.');
  if (parts.length !== 2) fail();
  return [pyInt(parts[0]), pyInt(parts[1]!.padEnd(6, '0').slice(0, 6))];
}

function parseMinSec(value: number): [number, number | undefined] {
  const minute = Math.trunc(value);
  const remainder = value % 1;
  return [minute, remainder ? Math.trunc(60 * remainder) : undefined];
}

function adjustAmpm(hour: number, ampm: number): number {
  if (hour < 12 && ampm === 1) return hour + 12;
  if (hour === 12 && ampm === 0) return 0;
  return hour;
}

function couldBeTzname(res: Result, token: string): boolean {
  return (
    res.hour !== undefined &&
    res.tzname === undefined &&
    (res.tzoffset === undefined || res.tzoffset === null) &&
    token.length <= 5 &&
    (/^[A-Z]*$/.test(token) || UTC_ZONES.includes(token))
  );
}

function findHmsIndex(index: number, tokens: string[]): number | undefined {
  const length = tokens.length;
  if (index + 1 < length && hms(tokens[index + 1]) !== undefined) return index + 1;
  if (index + 2 < length && tokens[index + 1] === ' ' && hms(tokens[index + 2]) !== undefined) return index + 2;
  if (index > 0 && hms(tokens[index - 1]) !== undefined) return index - 1;
  if (index > 1 && index === length - 1 && tokens[index - 1] === ' ' && hms(tokens[index - 2]) !== undefined)
    return index - 2;
  return undefined;
}

function parseNumericToken(tokens: string[], start: number, ymd: Ymd, res: Result): number {
  let index = start;
  const repr = tokens[index]!;
  let value = toDecimal(repr);
  const lengthOfToken = repr.length;
  const length = tokens.length;
  if (
    ymd.values.length === 3 &&
    (lengthOfToken === 2 || lengthOfToken === 4) &&
    res.hour === undefined &&
    (index + 1 >= length || (tokens[index + 1] !== ':' && hms(tokens[index + 1]) === undefined))
  ) {
    res.hour = pyInt(repr.slice(0, 2));
    if (lengthOfToken === 4) res.minute = pyInt(repr.slice(2));
  } else if (lengthOfToken === 6 || (lengthOfToken > 6 && repr.indexOf('.') === 6)) {
    if (ymd.values.length === 0 && !repr.includes('.')) {
      ymd.append(repr.slice(0, 2));
      ymd.append(repr.slice(2, 4));
      ymd.append(repr.slice(4));
    } else {
      res.hour = pyInt(repr.slice(0, 2));
      res.minute = pyInt(repr.slice(2, 4));
      [res.second, res.microsecond] = parseMs(repr.slice(4));
    }
  } else if (lengthOfToken === 8 || lengthOfToken === 12 || lengthOfToken === 14) {
    ymd.append(repr.slice(0, 4), 'Y');
    ymd.append(repr.slice(4, 6));
    ymd.append(repr.slice(6, 8));
    if (lengthOfToken > 8) {
      res.hour = pyInt(repr.slice(8, 10));
      res.minute = pyInt(repr.slice(10, 12));
      if (lengthOfToken > 12) res.second = pyInt(repr.slice(12));
    }
  } else if (findHmsIndex(index, tokens) !== undefined) {
    const hmsIndex = findHmsIndex(index, tokens)!;
    let which: number;
    if (hmsIndex > index) {
      which = hms(tokens[hmsIndex])!;
      index = hmsIndex;
    } else {
      which = hms(tokens[hmsIndex])! + 1;
    }
    const decimal = toDecimal(repr);
    if (which === 0) {
      res.hour = Math.trunc(decimal);
      if (decimal % 1) res.minute = Math.trunc(60 * (decimal % 1));
    } else if (which === 1) {
      const [minute, second] = parseMinSec(decimal);
      res.minute = minute;
      if (second !== undefined) res.second = second;
      else delete res.second;
    } else if (which === 2) {
      [res.second, res.microsecond] = parseMs(repr);
    }
  } else if (index + 2 < length && tokens[index + 1] === ':') {
    res.hour = Math.trunc(value);
    value = toDecimal(tokens[index + 2]!);
    const [minute, second] = parseMinSec(value);
    res.minute = minute;
    if (second !== undefined) res.second = second;
    else delete res.second;
    if (index + 4 < length && tokens[index + 3] === ':') {
      [res.second, res.microsecond] = parseMs(tokens[index + 4]!);
      index += 2;
    }
    index += 2;
  } else if (index + 1 < length && ['-', '/', '.'].includes(tokens[index + 1]!)) {
    const separator = tokens[index + 1];
    ymd.append(repr);
    if (index + 2 < length && !jump(tokens[index + 2])) {
      if (isDigitString(tokens[index + 2])) {
        ymd.append(tokens[index + 2]!);
      } else {
        const month = MONTHS.get(lower(tokens[index + 2])!);
        if (month === undefined) fail();
        ymd.append(month, 'M');
      }
      if (index + 3 < length && tokens[index + 3] === separator) {
        const month = MONTHS.get(lower(tokens[index + 4]) ?? '');
        if (month !== undefined) ymd.append(month, 'M');
        else {
          if (tokens[index + 4] === undefined) fail();
          ymd.append(tokens[index + 4]!);
        }
        index += 2;
      }
      index += 1;
    }
    index += 1;
  } else if (index + 1 >= length || jump(tokens[index + 1])) {
    if (index + 2 < length && ampmOf(tokens[index + 2]) !== undefined) {
      res.hour = adjustAmpm(Math.trunc(value), ampmOf(tokens[index + 2])!);
      index += 1;
    } else {
      ymd.append(value);
    }
    index += 1;
  } else if (ampmOf(tokens[index + 1]) !== undefined && value >= 0 && value < 24) {
    res.hour = adjustAmpm(Math.trunc(value), ampmOf(tokens[index + 1])!);
    index += 1;
  } else if (ymd.couldBeDay(value)) {
    ymd.append(value);
  } else {
    fail();
  }
  return index;
}

function parseTokens(text: string, currentYear: number): Result {
  const tokens = timelex(text);
  const res: Result = { centurySpecified: false };
  const ymd = new Ymd();
  const length = tokens.length;
  let index = 0;
  while (index < length) {
    const token = tokens[index]!;
    const isNumber = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(token) || /^(nan|inf|infinity)$/i.test(token);
    if (isNumber) {
      index = parseNumericToken(tokens, index, ymd, res);
    } else if (WEEKDAYS.has(token.toLowerCase())) {
      res.weekday = WEEKDAYS.get(token.toLowerCase())!;
    } else if (MONTHS.has(token.toLowerCase())) {
      ymd.append(MONTHS.get(token.toLowerCase())!, 'M');
      if (index + 1 < length) {
        if (tokens[index + 1] === '-' || tokens[index + 1] === '/') {
          const separator = tokens[index + 1];
          if (tokens[index + 2] === undefined) fail();
          ymd.append(tokens[index + 2]!);
          if (index + 3 < length && tokens[index + 3] === separator) {
            if (tokens[index + 4] === undefined) fail();
            ymd.append(tokens[index + 4]!);
            index += 2;
          }
          index += 2;
        } else if (
          index + 4 < length &&
          tokens[index + 1] === ' ' &&
          tokens[index + 3] === ' ' &&
          lower(tokens[index + 2]) === 'of'
        ) {
          if (isDigitString(tokens[index + 4])) {
            const year = convertYear(pyInt(tokens[index + 4]), false, currentYear);
            ymd.append(String(year), 'Y');
          }
          index += 4;
        }
      }
    } else if (ampmOf(token) !== undefined) {
      if (res.hour === undefined || res.hour < 0 || res.hour > 12) fail();
      res.hour = adjustAmpm(res.hour, ampmOf(token)!);
      res.ampm = ampmOf(token)!;
    } else if (couldBeTzname(res, token)) {
      res.tzname = token;
      res.tzoffset = UTC_ZONES.map((zone) => zone.toLowerCase()).includes(token.toLowerCase()) ? 0 : null;
      if (index + 1 < length && (tokens[index + 1] === '+' || tokens[index + 1] === '-')) {
        tokens[index + 1] = tokens[index + 1] === '+' ? '-' : '+';
        res.tzoffset = null;
        if (UTC_ZONES.map((zone) => zone.toLowerCase()).includes(token.toLowerCase())) delete res.tzname;
      }
    } else if (res.hour !== undefined && (token === '+' || token === '-')) {
      const sign = token === '+' ? 1 : -1;
      const next = tokens[index + 1];
      if (next === undefined) fail();
      let hourOffset: number;
      let minuteOffset: number;
      if (next.length === 4) {
        hourOffset = pyInt(next.slice(0, 2));
        minuteOffset = pyInt(next.slice(2));
      } else if (index + 2 < length && tokens[index + 2] === ':') {
        hourOffset = pyInt(next);
        minuteOffset = pyInt(tokens[index + 3]);
        index += 2;
      } else if (next.length <= 2) {
        hourOffset = pyInt(next.slice(0, 2));
        minuteOffset = 0;
      } else {
        fail();
      }
      res.tzoffset = sign * (hourOffset * 3600 + minuteOffset * 60);
      if (
        index + 5 < length &&
        jump(tokens[index + 2]) &&
        tokens[index + 3] === '(' &&
        tokens[index + 5] === ')' &&
        tokens[index + 4]!.length >= 3 &&
        couldBeTzname({ ...res, tzoffset: undefined }, tokens[index + 4]!)
      ) {
        res.tzname = tokens[index + 4]!;
        index += 4;
      }
      index += 1;
    } else if (!jump(token)) {
      fail();
    }
    index += 1;
  }
  const { year, month, day } = ymd.resolve();
  res.centurySpecified = ymd.centurySpecified;
  if (year !== undefined) res.year = year;
  if (month !== undefined) res.month = month;
  if (day !== undefined) res.day = day;
  return res;
}

function convertYear(year: number, centurySpecified: boolean, currentYear: number): number {
  if (year < 100 && !centurySpecified) {
    let converted = year + Math.floor(currentYear / 100) * 100;
    if (converted >= currentYear + 50) converted -= 100;
    else if (converted < currentYear - 50) converted += 100;
    return converted;
  }
  return year;
}

/**
 * Parses text as `dateutil.parser.parse` would, returning milliseconds since the epoch (naive
 * date-times read as UTC, offsets applied), or undefined when dateutil would raise. Missing fields
 * come from `today` (dateutil's default: the current date at midnight).
 */
export function parseDateutil(text: string, today: Date = new Date()): number | undefined {
  let res: Result;
  try {
    res = parseTokens(text, today.getUTCFullYear());
  } catch (error) {
    if (error instanceof ParseFailure) return undefined;
    throw error;
  }
  const fields = [
    'year',
    'month',
    'day',
    'weekday',
    'hour',
    'minute',
    'second',
    'microsecond',
    'tzname',
    'ampm',
  ] as const;
  const present =
    fields.some((field) => res[field] !== undefined) || (res.tzoffset !== undefined && res.tzoffset !== null);
  if (!present) return undefined;
  if (res.year !== undefined) res.year = convertYear(res.year, res.centurySpecified, today.getUTCFullYear());
  const year = res.year ?? today.getUTCFullYear();
  const month = res.month ?? today.getUTCMonth() + 1;
  let day = res.day;
  if (day === undefined) day = Math.min(today.getUTCDate(), month >= 1 && month <= 12 ? monthDays(year, month) : 31);
  const hour = res.hour ?? 0;
  const minute = res.minute ?? 0;
  const second = res.second ?? 0;
  const microsecond = res.microsecond ?? 0;
  if (year < 1 || year > 9999 || month < 1 || month > 12) return undefined;
  if (day < 1 || day > monthDays(year, month)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  if (microsecond < 0 || microsecond > 999_999) return undefined;
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, Math.floor(microsecond / 1000)));
  date.setUTCFullYear(year);
  let epoch = date.getTime();
  if (res.weekday !== undefined && res.day === undefined) {
    const current = (date.getUTCDay() + 6) % 7;
    epoch += ((res.weekday - current + 7) % 7) * 86_400_000;
  }
  if (typeof res.tzoffset === 'number') epoch -= res.tzoffset * 1000;
  return epoch;
}

/** True when `dateutil.parser.parse(text)` would succeed. */
export function isDateutilParseable(text: string): boolean {
  return parseDateutil(text) !== undefined;
}
