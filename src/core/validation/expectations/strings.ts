/**
 * Strings: regexes (searched, as re.search, under a time budget), strftime formats, dateutil and
 * JSON parsing. Their tests read a value's text as written (see textMap).
 */
import type { Cell } from '../../data/dataset.js';
import { ConfigurationError, type SourceLocation } from '../../errors.js';
import { isDateutilParseable } from '../dateutil.js';
import { compilePythonRegex } from '../pyregex.js';
import { matchesStrftime } from '../strptime.js';
import type { ExpectationConfig } from '../suite.js';
import {
  cellText,
  ExpectationError,
  textMap,
  type BuildContext,
  type Evaluator,
  type EvaluatorContext,
  type EvaluatorTable,
} from './base.js';

/** The test of a regex expectation: any, all or none of the patterns is found in the value's text. */
function regexTest(patterns: string[], mode: 'any' | 'all' | 'none'): (raw: NonNullable<Cell>) => boolean {
  const regexes = patterns.map((pattern) => compilePythonRegex(pattern));
  if (regexes.length === 1) {
    const regex = regexes[0]!;
    return mode === 'none' ? (raw) => !regex.test(cellText(raw)) : (raw) => regex.test(cellText(raw));
  }
  return (raw) => {
    const text = cellText(raw);
    if (mode === 'any') return regexes.some((regex) => regex.test(text));
    if (mode === 'all') return regexes.every((regex) => regex.test(text));
    return !regexes.some((regex) => regex.test(text));
  };
}

/** Where the regex time budget is set, most specific first: the expectation's meta, the suite's meta. */
export const REGEX_TIME_BUDGET_KEY = 'regex_time_budget_seconds';

/** The default regex time budget per expectation, in seconds. */
export const DEFAULT_REGEX_TIME_BUDGET_SECONDS = 10;

/**
 * Reads a `regex_time_budget_seconds` from a meta object: undefined when absent, else a positive
 * number; anything else is a ConfigurationError at `location`.
 */
export function readRegexTimeBudget(
  meta: Record<string, unknown> | undefined,
  location: SourceLocation,
  where: string,
): number | undefined {
  const value = meta?.[REGEX_TIME_BUDGET_KEY];
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  throw new ConfigurationError(
    `${where}: meta.${REGEX_TIME_BUDGET_KEY} must be a positive number of seconds, not ${JSON.stringify(value)}.`,
    location,
  );
}

/** How many values are matched between two looks at the clock (a look costs about as much as a match). */
const CLOCK_EVERY = 8;

/**
 * A regex test under a time budget. A backtracking engine can take exponential time on some
 * patterns (`^(a+)+$` against `aaaa…!`), and nothing can interrupt a running match: the clock is
 * read every few values, and once the matching time of this expectation (summed over batches)
 * passes the budget, the expectation fails with an error that names it and its pattern. The
 * validate-data step also lets V8 switch such a pattern to its linear-time engine
 * (adapters/regex-engine.ts), so the budget is the last resort: for patterns V8 cannot run in
 * linear time (back-references, lookarounds) or cells that alone exceed the budget.
 */
function regexBudget(
  config: ExpectationConfig,
  context: EvaluatorContext,
  patterns: string[],
  test: (raw: NonNullable<Cell>) => boolean,
): { test: (raw: NonNullable<Cell>) => boolean; wrap: (evaluator: Evaluator) => Evaluator } {
  const seconds =
    readRegexTimeBudget(config.meta, config.location, `expectations[${config.index}]`) ??
    context.regexTimeBudgetSeconds;
  const budgetMs = seconds * 1000;
  const { now } = context;
  let spentBefore = 0;
  let batchStart = 0;
  let matched = 0;
  return {
    test(raw) {
      if (++matched % CLOCK_EVERY === 0 && spentBefore + (now() - batchStart) > budgetMs) {
        const shown =
          patterns.length === 1
            ? `the regex ${JSON.stringify(patterns[0])}`
            : `one of the regexes ${JSON.stringify(patterns)}`;
        throw new ExpectationError(
          `expectations[${config.index}] (${config.type}): ${shown} ran past its time budget of ${seconds} s after ${matched.toLocaleString('en-US')} values: the pattern backtracks heavily; rewrite it (a nested quantifier such as (a+)+ is the usual cause), or raise meta.${REGEX_TIME_BUDGET_KEY} on the expectation or the suite.`,
        );
      }
      return test(raw);
    },
    wrap(evaluator) {
      const consume = evaluator.consume!;
      return {
        ...evaluator,
        consume(view) {
          batchStart = now();
          try {
            consume.call(evaluator, view);
          } finally {
            spentBefore += now() - batchStart;
          }
        },
      };
    },
  };
}

/** The value's text for an expectation GE runs on strings only; any other value raises, as in GE. */
function stringOnly(name: string): (raw: NonNullable<Cell>) => string {
  return (raw) => {
    if (typeof raw === 'string') return raw;
    throw new ExpectationError(
      `Values passed to ${name} must be of type string.\nIf you want to validate a column of dates or timestamps, please call the expectation before converting from string format.`,
    );
  };
}

/** Whether Python's json.loads reads the text. */
function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    // Python's json also reads the NaN, Infinity and -Infinity literals.
    if (!/NaN|Infinity/.test(text)) return false;
    try {
      JSON.parse(text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g, (token) => (token.startsWith('"') ? token : '0')));
      return true;
    } catch {
      return false;
    }
  }
}

/** A regex expectation: `patterns` tested in `mode`, under the time budget. */
function regexMap(
  { config, run, column }: BuildContext,
  name: string,
  mostly: number,
  patterns: string[],
  mode: 'any' | 'all' | 'none',
): Evaluator {
  const budget = regexBudget(config, run, patterns, regexTest(patterns, mode));
  return budget.wrap(textMap(run, column(name), mostly, budget.test));
}

export const stringEvaluators: EvaluatorTable<
  | 'expect_column_values_to_match_regex'
  | 'expect_column_values_to_not_match_regex'
  | 'expect_column_values_to_match_regex_list'
  | 'expect_column_values_to_not_match_regex_list'
  | 'expect_column_values_to_match_strftime_format'
  | 'expect_column_values_to_be_dateutil_parseable'
  | 'expect_column_values_to_be_json_parseable'
> = {
  expect_column_values_to_match_regex: (kwargs, build) =>
    regexMap(build, kwargs.column, kwargs.mostly ?? 1, [kwargs.regex], 'any'),
  expect_column_values_to_not_match_regex: (kwargs, build) =>
    regexMap(build, kwargs.column, kwargs.mostly ?? 1, [kwargs.regex], 'none'),
  expect_column_values_to_match_regex_list: (kwargs, build) =>
    regexMap(build, kwargs.column, kwargs.mostly ?? 1, kwargs.regex_list, kwargs.match_on === 'all' ? 'all' : 'any'),
  expect_column_values_to_not_match_regex_list: (kwargs, build) =>
    regexMap(build, kwargs.column, kwargs.mostly ?? 1, kwargs.regex_list, 'none'),
  expect_column_values_to_match_strftime_format: (kwargs, { config, run, column }) => {
    const text = stringOnly(config.type);
    const format = kwargs.strftime_format;
    return textMap(run, column(kwargs.column), kwargs.mostly ?? 1, (raw) => matchesStrftime(text(raw), format));
  },
  expect_column_values_to_be_dateutil_parseable: (kwargs, { config, run, column }) => {
    const text = stringOnly(config.type);
    return textMap(run, column(kwargs.column), kwargs.mostly ?? 1, (raw) => isDateutilParseable(text(raw)));
  },
  expect_column_values_to_be_json_parseable: (kwargs, { run, column }) =>
    textMap(run, column(kwargs.column), kwargs.mostly ?? 1, (raw) => typeof raw === 'string' && isJsonText(raw)),
};
