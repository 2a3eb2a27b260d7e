/**
 * Sets: values in (or not in) a set, the distinct values against a set, the most common value.
 * Set members are typed the way the column's cells are (`"42"` in a suite is 42 in a CSV).
 */
import { compareTyped, keyValue, typeCell, valueKey } from '../cells.js';
import { aggregate, columnMap, type BuildContext, type Evaluator, type EvaluatorTable, type Test } from './base.js';
import { asDatetime } from './compare.js';

/** A member of a suite's value_set. */
type ValueSetMember = string | number | boolean | null;

/** Members of a value set typed the way the column's cells are. */
export function valueSetKeys(values: readonly ValueSetMember[], text: boolean, parseDates: boolean): Set<unknown> {
  return new Set(
    values.map((member) => {
      if (member === null) return null;
      const typed = typeCell(member, text) ?? member;
      return parseDates ? asDatetime(typed) : valueKey(typed);
    }),
  );
}

/** The test of the in-set expectations: membership (`member`) or its absence. */
function setTest(values: readonly ValueSetMember[], parseDates: boolean, member: boolean): Test {
  const textKeys = valueSetKeys(values, true, parseDates);
  const nativeKeys = valueSetKeys(values, false, parseDates);
  return (value, _raw, text) => {
    const key = parseDates ? asDatetime(value) : valueKey(value);
    return (text ? textKeys : nativeKeys).has(key) === member;
  };
}

export const setEvaluators: EvaluatorTable<
  | 'expect_column_values_to_be_in_set'
  | 'expect_column_values_to_not_be_in_set'
  | 'expect_column_distinct_values_to_be_in_set'
  | 'expect_column_distinct_values_to_contain_set'
  | 'expect_column_distinct_values_to_equal_set'
  | 'expect_column_most_common_value_to_be_in_set'
> = {
  expect_column_values_to_be_in_set: (kwargs, { run, column }) =>
    columnMap(
      run,
      column(kwargs.column),
      kwargs.mostly ?? 1,
      setTest(kwargs.value_set, kwargs.parse_strings_as_datetimes === true, true),
    ),
  expect_column_values_to_not_be_in_set: (kwargs, { run, column }) =>
    columnMap(
      run,
      column(kwargs.column),
      kwargs.mostly ?? 1,
      setTest(kwargs.value_set, kwargs.parse_strings_as_datetimes === true, false),
    ),
  expect_column_distinct_values_to_be_in_set: (kwargs, build) => distinctValues(kwargs, build, (subset) => subset),
  expect_column_distinct_values_to_contain_set: (kwargs, build) =>
    distinctValues(kwargs, build, (_subset, superset) => superset),
  expect_column_distinct_values_to_equal_set: (kwargs, build) =>
    distinctValues(kwargs, build, (subset, superset) => subset && superset),
  expect_column_most_common_value_to_be_in_set: (kwargs, { run, column }) => {
    const counts = run.shared(column(kwargs.column)).useCounts();
    return aggregate((table) => {
      counts.check();
      let best = 0;
      for (const count of counts.counts.values()) if (count > best) best = count;
      const modes = [...counts.counts.entries()]
        .filter(([, count]) => count === best && best > 0)
        .map(([key]) => keyValue(key))
        .sort(compareTyped);
      const expected = valueSetKeys(kwargs.value_set, table.allText, false);
      const intersection = modes.filter((mode) => expected.has(valueKey(mode))).length;
      const success = kwargs.ties_okay === true ? intersection > 0 : modes.length === 1 && intersection === 1;
      return { success, result: { observed_value: modes }, unexpected: [] };
    });
  },
};

/** How many distinct values the report lists (the verdict uses all of them). */
const DISTINCT_LIST_LIMIT = 1000;

/** The distinct-values expectations: `verdict` from whether they are a subset and a superset of the set. */
function distinctValues(
  kwargs: { column: string; value_set: ValueSetMember[]; parse_strings_as_datetimes?: boolean },
  { run, column }: BuildContext,
  verdict: (subset: boolean, superset: boolean) => boolean,
): Evaluator {
  const counts = run.shared(column(kwargs.column)).useCounts();
  const parseDates = kwargs.parse_strings_as_datetimes === true;
  return aggregate((table) => {
    const sorted = counts.sorted();
    const expected = valueSetKeys(kwargs.value_set, table.allText, parseDates);
    const observedKeys = new Set(sorted.map(({ value }) => (parseDates ? asDatetime(value) : valueKey(value))));
    const subset = [...observedKeys].every((key) => expected.has(key));
    const superset = [...expected].every((key) => observedKeys.has(key));
    const limit = DISTINCT_LIST_LIMIT;
    const result: Record<string, unknown> = {
      observed_value: sorted.slice(0, limit).map(({ value }) => value),
      details: { value_counts: sorted.slice(0, limit).map(({ value, count }) => ({ value, count })) },
    };
    if (sorted.length > limit) result.observed_value_truncated_to = limit;
    return { success: verdict(subset, superset), result, unexpected: [] };
  });
}
