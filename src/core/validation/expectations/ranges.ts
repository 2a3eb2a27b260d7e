/**
 * Ranges: values between bounds, value lengths, z-scores, and one column greater than another.
 */
import type { Cell } from '../../data/dataset.js';
import type { ExpectColumnPairValuesAToBeGreaterThanBKwargs } from '../../../generated/expectation-kwargs.js';
import { codePointLength } from '../cells.js';
import {
  columnMap,
  ExpectationError,
  failed,
  mapResult,
  POSITION_SCALE,
  textMap,
  UnexpectedSample,
  type EvaluatorContext,
  type Evaluator,
  type EvaluatorTable,
} from './base.js';
import { asDatetime, betweenVerdict, compareScalars, compareTexts, type Bounds } from './compare.js';

type PairKwargs = ExpectColumnPairValuesAToBeGreaterThanBKwargs;

/**
 * The test of a length expectation, as pandas' `Series.str.len()`: a text's length in code points,
 * a list's or mapping's number of items, and NaN (so unexpected) for a number or boolean in a
 * mixed column. pandas refuses the `.str` accessor (GE then raises) only when the column holds
 * nothing but numbers or nothing but booleans: `error()` says so once the column has been read.
 */
function lengthTest(accept: (length: number) => boolean): {
  test: (raw: NonNullable<Cell>) => boolean;
  error: () => string | undefined;
} {
  let sized = false;
  let numbers = false;
  let booleans = false;
  return {
    test(raw) {
      if (typeof raw === 'string') {
        sized = true;
        return accept(codePointLength(raw));
      }
      if (typeof raw === 'number' || typeof raw === 'bigint') {
        numbers = true;
        return false;
      }
      if (typeof raw === 'boolean') {
        booleans = true;
        return false;
      }
      sized = true;
      return accept(Array.isArray(raw) ? raw.length : Object.keys(raw).length);
    },
    // infer_dtype says integer/floating/boolean (refused) rather than mixed (accepted).
    error: () => (!sized && numbers !== booleans ? 'Can only use .str accessor with string values!' : undefined),
  };
}

/** expect_column_pair_values_a_to_be_greater_than_b. */
function pairGreater(context: EvaluatorContext, a: number, b: number, kwargs: PairKwargs): Evaluator {
  const sample = new UnexpectedSample(context.limit);
  const mostly = kwargs.mostly ?? 1;
  const orEqual = kwargs.or_equal === true;
  const ignoreRowIf = kwargs.ignore_row_if ?? 'both_values_are_missing';
  const parseDates = kwargs.parse_strings_as_datetimes === true;
  const crossType = kwargs.allow_cross_type_comparisons === true;
  let considered = 0;
  let error: string | undefined;
  return {
    pass: 1,
    consume(view) {
      if (error !== undefined) return;
      const left = view.typed(a);
      const right = view.typed(b);
      const base = view.fileIndex * POSITION_SCALE;
      try {
        for (let row = 0; row < view.rowCount; row++) {
          const x = left[row] ?? null;
          const y = right[row] ?? null;
          if (ignoreRowIf === 'both_values_are_missing' && x === null && y === null) continue;
          if (ignoreRowIf === 'either_value_is_missing' && (x === null || y === null)) continue;
          considered++;
          let expected: boolean;
          if (x === null || y === null) expected = false;
          else if (typeof x === 'string' && typeof y === 'string' && !parseDates) {
            // Text against text (dates, usually) cannot raise: no try needed.
            const order = compareTexts(x, y);
            expected = orEqual ? order >= 0 : order > 0;
          } else {
            let order: number;
            try {
              order = compareScalars(parseDates ? asDatetime(x) : x, parseDates ? asDatetime(y) : y, '>');
            } catch (caught) {
              if (!crossType || !(caught instanceof ExpectationError)) throw caught;
              order = NaN;
            }
            expected = orEqual ? order >= 0 : order > 0;
          }
          if (!expected) sample.add([x, y], base + view.lines[row]!);
        }
      } catch (caught) {
        if (!(caught instanceof ExpectationError)) throw caught;
        error = caught.message;
      }
    },
    finish(table) {
      if (error !== undefined) return failed(error);
      return mapResult(table.rows, considered, sample, mostly);
    },
  };
}

/** expect_column_value_lengths_to_be_between's test: numeric bounds directly, others through betweenVerdict. */
function lengthsBetween(kwargs: Bounds): ReturnType<typeof lengthTest> {
  const { min_value: min = null, max_value: max = null } = kwargs;
  if ((min === null || typeof min === 'number') && (max === null || typeof max === 'number')) {
    // Numeric bounds (the schema's usual case): compared directly, without betweenVerdict's
    // general comparison for every cell.
    const low = min ?? -Infinity;
    const high = max ?? Infinity;
    const strictMin = Boolean(kwargs.strict_min);
    const strictMax = Boolean(kwargs.strict_max);
    return lengthTest(
      (length) => (strictMin ? length > low : length >= low) && (strictMax ? length < high : length <= high),
    );
  }
  return lengthTest((length) => betweenVerdict(length, kwargs));
}

export const rangeEvaluators: EvaluatorTable<
  | 'expect_column_values_to_be_between'
  | 'expect_column_value_lengths_to_be_between'
  | 'expect_column_value_lengths_to_equal'
  | 'expect_column_value_z_scores_to_be_less_than'
  | 'expect_column_pair_values_a_to_be_greater_than_b'
> = {
  expect_column_values_to_be_between: (kwargs, { run, column }) => {
    const parseDates = kwargs.parse_strings_as_datetimes === true;
    const crossType = kwargs.allow_cross_type_comparisons === true;
    const min = parseDates ? asDatetime(kwargs.min_value ?? null) : (kwargs.min_value ?? null);
    const max = parseDates ? asDatetime(kwargs.max_value ?? null) : (kwargs.max_value ?? null);
    const bounds = { ...kwargs, min_value: min, max_value: max };
    const strictMin = kwargs.strict_min === true;
    const strictMax = kwargs.strict_max === true;
    const numericBounds = (min === null || typeof min === 'number') && (max === null || typeof max === 'number');
    const low = typeof min === 'number' ? min : -Infinity;
    const high = typeof max === 'number' ? max : Infinity;
    const textBound = typeof min === 'string' || typeof max === 'string';
    // The common case, numbers against numeric bounds, without the general comparison.
    const numberTest =
      numericBounds && !parseDates
        ? (value: number) => (strictMin ? value > low : value >= low) && (strictMax ? value < high : value <= high)
        : undefined;
    return columnMap(
      run,
      column(kwargs.column),
      kwargs.mostly ?? 1,
      (value) => {
        if (numberTest && typeof value === 'number') return numberTest(value);
        const candidate = parseDates ? asDatetime(value) : value;
        if (!crossType && (min !== null || max !== null) && (typeof candidate === 'string') !== textBound) {
          throw new ExpectationError(
            'Column values, min_value, and max_value must either be None or of the same type.',
          );
        }
        try {
          return betweenVerdict(candidate, bounds);
        } catch (caught) {
          if (crossType && caught instanceof ExpectationError) return false;
          throw caught;
        }
      },
      1,
      numberTest,
    );
  },
  expect_column_value_lengths_to_be_between: (kwargs, { run, column }) => {
    const lengths = lengthsBetween(kwargs);
    return textMap(run, column(kwargs.column), kwargs.mostly ?? 1, lengths.test, lengths.error);
  },
  expect_column_value_lengths_to_equal: (kwargs, { run, column }) => {
    const lengths = lengthTest((length) => length === kwargs.value);
    return textMap(run, column(kwargs.column), kwargs.mostly ?? 1, lengths.test, lengths.error);
  },
  expect_column_value_z_scores_to_be_less_than: (kwargs, { run, column }) => {
    const index = column(kwargs.column);
    const profile = run.shared(index).useProfile();
    const threshold = kwargs.threshold;
    const doubleSided = kwargs.double_sided !== false;
    return columnMap(
      run,
      index,
      kwargs.mostly ?? 1,
      (value) => {
        if (!profile.numeric)
          throw new ExpectationError('Cannot complete Z-score calculations on a non-numerical column.');
        const z = (Number(value) - profile.moments.mean) / profile.moments.stdev;
        return doubleSided ? Math.abs(z) < Math.abs(threshold) : z < threshold;
      },
      2,
    );
  },
  expect_column_pair_values_a_to_be_greater_than_b: (kwargs, { run, column }) =>
    pairGreater(run, column(kwargs.column_A), column(kwargs.column_B), kwargs),
};
