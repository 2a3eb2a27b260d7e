/**
 * Aggregates and statistics: min, max, mean, median, standard deviation, sum, quantiles, and the
 * unique-value count and proportion, from the accumulators shared per column.
 */
import { median, quantiles, type ColumnProfile, type Interpolation } from '../accumulators.js';
import {
  aggregate,
  ExpectationError,
  type BuildContext,
  type Evaluator,
  type EvaluatorTable,
  type TableFacts,
} from './base.js';
import { asDatetime, betweenVerdict, compareScalars, type Bounds } from './compare.js';

/** The numbers of a column for mean/median/stdev/sum/quantiles, or GE's TypeError. */
function requireNumeric(profile: ColumnProfile): void {
  if (!profile.numeric) {
    throw new ExpectationError(
      `could not compute a numeric statistic: the column holds non-numeric values (e.g. ${JSON.stringify(profile.sample)})`,
    );
  }
}

/** pandas' min or max of a column: numbers, booleans, or text when the column is text. */
function extreme(profile: ColumnProfile, which: 'min' | 'max', allText: boolean): number | boolean | string | null {
  const present = profile.moments.count + profile.nonNumeric;
  if (present === 0) return null;
  if (profile.nested > 0) throw new ExpectationError(`'<' not supported between instances of 'dict' and 'dict'`);
  if (profile.numeric) {
    const value = which === 'min' ? profile.moments.min : profile.moments.max;
    return profile.allBooleans ? value === 1 : value;
  }
  if (allText) return (which === 'min' ? profile.textMin : profile.textMax) ?? null;
  if (profile.nativeNumbers > 0) throw new ExpectationError(`'<' not supported between instances of 'str' and 'int'`);
  return (which === 'min' ? profile.stringMin : profile.stringMax) ?? null;
}

/** NaN (an undefined statistic) as null, as GE reports it. */
function numberOrNull(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

/** An aggregate whose observed value is checked against the bounds (as dates with parse_strings_as_datetimes). */
function observedBetween(
  kwargs: Bounds & { parse_strings_as_datetimes?: boolean },
  observe: (table: TableFacts) => number | string | boolean | null,
): Evaluator {
  const parseDates = kwargs.parse_strings_as_datetimes === true;
  return aggregate((table) => {
    const observed = observe(table);
    const compare = parseDates ? (a: unknown, b: unknown) => compareScalars(asDatetime(a), asDatetime(b)) : undefined;
    return {
      success: betweenVerdict(observed, kwargs, compare),
      result: { observed_value: observed },
      unexpected: [],
    };
  });
}

/** The shared profile of the expectation's column. */
function profileOf({ run, column }: BuildContext, name: string): ColumnProfile {
  return run.shared(column(name)).useProfile();
}

export const aggregateEvaluators: EvaluatorTable<
  | 'expect_column_min_to_be_between'
  | 'expect_column_max_to_be_between'
  | 'expect_column_mean_to_be_between'
  | 'expect_column_stdev_to_be_between'
  | 'expect_column_sum_to_be_between'
  | 'expect_column_median_to_be_between'
  | 'expect_column_quantile_values_to_be_between'
  | 'expect_column_unique_value_count_to_be_between'
  | 'expect_column_proportion_of_unique_values_to_be_between'
> = {
  expect_column_min_to_be_between: (kwargs, build) => {
    const profile = profileOf(build, kwargs.column);
    profile.keepExtremes = true;
    return observedBetween(kwargs, (table) => extreme(profile, 'min', table.allText));
  },
  expect_column_max_to_be_between: (kwargs, build) => {
    const profile = profileOf(build, kwargs.column);
    profile.keepExtremes = true;
    return observedBetween(kwargs, (table) => extreme(profile, 'max', table.allText));
  },
  expect_column_mean_to_be_between: (kwargs, build) => {
    const profile = profileOf(build, kwargs.column);
    return observedBetween(kwargs, () => {
      requireNumeric(profile);
      return profile.moments.count === 0 ? null : numberOrNull(profile.moments.mean);
    });
  },
  expect_column_stdev_to_be_between: (kwargs, build) => {
    const profile = profileOf(build, kwargs.column);
    return observedBetween(kwargs, () => {
      requireNumeric(profile);
      return numberOrNull(profile.moments.stdev);
    });
  },
  expect_column_sum_to_be_between: (kwargs, build) => {
    const profile = profileOf(build, kwargs.column);
    return observedBetween(kwargs, () => {
      requireNumeric(profile);
      return profile.moments.sum;
    });
  },
  expect_column_median_to_be_between: (kwargs, build) => {
    const profile = profileOf(build, kwargs.column);
    const buffer = build.run.shared(build.column(kwargs.column)).useBuffer();
    return observedBetween(kwargs, () => {
      requireNumeric(profile);
      return median(buffer.sortedValues());
    });
  },
  expect_column_quantile_values_to_be_between: (kwargs, build) => {
    const profile = profileOf(build, kwargs.column);
    const buffer = build.run.shared(build.column(kwargs.column)).useBuffer();
    const ranges = kwargs.quantile_ranges;
    const relative = kwargs.allow_relative_error;
    const method: Interpolation = typeof relative === 'string' ? relative : 'nearest';
    return aggregate(() => {
      // GE's pandas metric passes a truthy allow_relative_error to .quantile(interpolation=...),
      // which accepts only a method's name: `true` (a Spark/SQL setting) raises there.
      if (relative === true) {
        throw new ExpectationError(
          "If specified for pandas, allow_relative_error must be one an allowed value for the 'interpolation' parameter of .quantile() (one of ('linear', 'lower', 'higher', 'midpoint', 'nearest'))",
        );
      }
      requireNumeric(profile);
      const sorted = buffer.sortedValues();
      const values = quantiles(sorted, ranges.quantiles, method);
      const details = values.map((value, index) => {
        if (value === null) return false;
        const [low, high] = ranges.value_ranges[index]!;
        return (low === null || low <= value) && (high === null || value <= high);
      });
      return {
        success: details.every(Boolean),
        result: { observed_value: { quantiles: ranges.quantiles, values }, details: { success_details: details } },
        unexpected: [],
      };
    });
  },
  expect_column_unique_value_count_to_be_between: (kwargs, { run, column }) => {
    const counts = run.shared(column(kwargs.column)).useCounts();
    return observedBetween(kwargs, () => {
      counts.check();
      return counts.counts.size;
    });
  },
  expect_column_proportion_of_unique_values_to_be_between: (kwargs, { run, column }) => {
    const columnState = run.shared(column(kwargs.column));
    const counts = columnState.useCounts();
    return observedBetween(kwargs, () => {
      counts.check();
      return columnState.nonNull > 0 ? counts.counts.size / columnState.nonNull : 0;
    });
  },
};
