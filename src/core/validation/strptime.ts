/**
 * Python's `datetime.strptime(text, format)` acceptance, for expect_column_values_to_match_strftime_format.
 *
 * A port of CPython's `_strptime` (C locale): each directive becomes the same regular expression
 * CPython uses, whitespace in the format matches any run of whitespace, matching is
 * case-insensitive, the whole text must be consumed, and the fields must make a real date
 * (`02-30` is rejected; without %Y the year is 1900, so `%m-%d` rejects `02-29`).
 */

/** A format Python's strptime would refuse (bad directive, stray %, repeated directive). */
export class StrftimeFormatError extends Error {}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const alternatives = (words: string[]) => [...words].sort((a, b) => b.length - a.length).join('|');

/** CPython's TimeRE patterns (Lib/_strptime.py) for the C locale. */
const DIRECTIVES: Record<string, string> = {
  d: '(3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])',
  f: '([0-9]{1,6})',
  H: '(2[0-3]|[0-1]\\d|\\d)',
  I: '(1[0-2]|0[1-9]|[1-9])',
  G: '(\\d\\d\\d\\d)',
  j: '(36[0-6]|3[0-5]\\d|[12]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9])',
  m: '(1[0-2]|0[1-9]|[1-9])',
  M: '([0-5]\\d|\\d)',
  S: '(6[0-1]|[0-5]\\d|\\d)',
  U: '(5[0-3]|[0-4]\\d|\\d)',
  w: '([0-6])',
  u: '([1-7])',
  V: '(5[0-3]|0[1-9]|[1-4]\\d|\\d)',
  y: '(\\d\\d)',
  Y: '(\\d\\d\\d\\d)',
  z: '([+-]\\d\\d:?[0-5]\\d(?::?[0-5]\\d(?:\\.\\d{1,6})?)?|Z)',
  A: `(${alternatives(WEEKDAYS)})`,
  a: `(${alternatives(WEEKDAYS.map((day) => day.slice(0, 3)))})`,
  B: `(${alternatives(MONTHS)})`,
  b: `(${alternatives(MONTHS.map((month) => month.slice(0, 3)))})`,
  p: '(am|pm)',
  Z: '(utc|gmt)',
  W: '(5[0-3]|[0-4]\\d|\\d)',
  '%': '%',
};

/** The C locale's composite directives. */
const COMPOSITES: Record<string, string> = { c: '%a %b %d %H:%M:%S %Y', x: '%m/%d/%y', X: '%H:%M:%S' };

interface CompiledFormat {
  regex: RegExp;
  /** The directive letter for each capture group, in order. */
  fields: string[];
}

const cache = new Map<string, CompiledFormat>();

/** Compiles a strftime format as CPython's `TimeRE.compile` does. Throws StrftimeFormatError. */
export function compileStrftimeFormat(format: string): CompiledFormat {
  const cached = cache.get(format);
  if (cached) return cached;
  let expanded = format;
  for (let guard = 0; guard < 3 && /%[cxX]/.test(expanded); guard++) {
    expanded = expanded.replace(/%([cxX])/g, (_all, letter: string) => COMPOSITES[letter]!);
  }
  let source = '';
  const fields: string[] = [];
  for (let index = 0; index < expanded.length; index++) {
    const char = expanded[index]!;
    if (char === '%') {
      const letter = expanded[index + 1];
      if (letter === undefined) throw new StrftimeFormatError(`stray % in format '${format}'`);
      const pattern = DIRECTIVES[letter];
      if (pattern === undefined) throw new StrftimeFormatError(`'${letter}' is a bad directive in format '${format}'`);
      if (letter !== '%') {
        if (fields.includes(letter))
          throw new StrftimeFormatError(`redefinition of directive %${letter} in format '${format}'`);
        fields.push(letter);
      }
      source += pattern;
      index++;
    } else if (/\s/.test(char)) {
      while (/\s/.test(expanded[index + 1] ?? '')) index++;
      source += '\\s+';
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  const hasWeekday = ['A', 'a', 'w', 'u'].some((letter) => fields.includes(letter));
  if (fields.includes('G')) {
    if (fields.includes('j')) {
      throw new StrftimeFormatError(`day of the year directive '%j' is not compatible with ISO year directive '%G'`);
    }
    if (!fields.includes('V') || !hasWeekday) {
      throw new StrftimeFormatError(
        `ISO year directive '%G' must be used with the ISO week directive '%V' and a weekday directive`,
      );
    }
  } else if (fields.includes('V')) {
    throw new StrftimeFormatError(
      `ISO week directive '%V' must be used with the ISO year directive '%G' and a weekday directive`,
    );
  }
  const compiled = { regex: new RegExp(`^(?:${source})`, 'i'), fields };
  if (cache.size > 256) cache.clear();
  cache.set(format, compiled);
  return compiled;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** True when `datetime.strptime(text, format)` would succeed. The format must be valid. */
export function matchesStrftime(text: string, format: string): boolean {
  const { regex, fields } = compileStrftimeFormat(format);
  const match = regex.exec(text);
  if (!match || match[0].length !== text.length) return false;
  let year = 1900;
  let month = 1;
  let day = 1;
  let julian = false;
  let second = 0;
  for (let index = 0; index < fields.length; index++) {
    const value = match[index + 1]!;
    switch (fields[index]) {
      case 'Y':
        year = Number(value);
        break;
      case 'y': {
        const short = Number(value);
        year = short <= 68 ? 2000 + short : 1900 + short;
        break;
      }
      case 'm':
        month = Number(value);
        break;
      case 'B':
        month = MONTHS.indexOf(value.toLowerCase()) + 1;
        break;
      case 'b':
        month = MONTHS.findIndex((name) => name.startsWith(value.toLowerCase())) + 1;
        break;
      case 'd':
        day = Number(value.trim());
        break;
      case 'j':
        julian = true;
        break;
      case 'S':
        second = Number(value);
        break;
      default:
        break;
    }
  }
  if (year < 1) return false;
  // A day of the year decides the date (CPython ignores %m/%d then, and day 366 of a common year
  // simply rolls over into the next year).
  if (second > 59) return false;
  if (julian) return true;
  return day <= daysInMonth(year, month);
}
