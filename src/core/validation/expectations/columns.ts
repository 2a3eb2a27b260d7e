/**
 * Column existence and the table's shape: expect_column_to_exist, the row and column counts, and
 * the column lists. Also what an expectation on a missing column reports.
 */
import { nearest } from '../../suggest.js';
import {
  aggregate,
  failed,
  type EvaluatorContext,
  type Evaluator,
  type EvaluatorTable,
  type TableFacts,
} from './base.js';
import { betweenVerdict, type Bounds } from './compare.js';

/** The shortest common start that makes a renamed column (`wind` for `wind_speed`) worth suggesting. */
const MIN_PREFIX = 3;

/**
 * The column a missing one was probably renamed to: the same name in another case, else one a
 * couple of edits away (a typo, a unit suffix), else one that extends the name or that the name
 * extends (`wind` and `wind_speed`; the closest in length first).
 */
export function suggestColumn(name: string, columns: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const extended = (column: string) => {
    const other = column.toLowerCase();
    const [short, long] = other.length < lower.length ? [other, lower] : [lower, other];
    return short.length >= MIN_PREFIX && long.startsWith(short);
  };
  return (
    columns.find((column) => column.toLowerCase() === lower) ??
    nearest(name, columns, Math.max(2, Math.floor(name.length / 5))) ??
    columns.filter(extended).sort((a, b) => Math.abs(a.length - name.length) - Math.abs(b.length - name.length))[0]
  );
}

/** The evaluator of an expectation on a column the data does not have: GE's error, and a did-you-mean. */
export function columnMissing(context: EvaluatorContext, name: string): Evaluator {
  const near = suggestColumn(name, context.columns);
  const hint = near ? ` (did you mean "${near}"?)` : '';
  return {
    pass: 1,
    finish: () => failed(`The column "${name}" in BatchData does not exist.${hint}`),
  };
}

/** An aggregate over the table's facts whose observed value is checked against bounds. */
function tableBetween(kwargs: Bounds, observe: (table: TableFacts) => number): Evaluator {
  return aggregate((table) => {
    const observed = observe(table);
    return { success: betweenVerdict(observed, kwargs), result: { observed_value: observed }, unexpected: [] };
  });
}

export const tableEvaluators: EvaluatorTable<
  | 'expect_column_to_exist'
  | 'expect_table_row_count_to_be_between'
  | 'expect_table_row_count_to_equal'
  | 'expect_table_column_count_to_be_between'
  | 'expect_table_column_count_to_equal'
  | 'expect_table_columns_to_match_ordered_list'
  | 'expect_table_columns_to_match_set'
> = {
  expect_column_to_exist: (kwargs) =>
    aggregate((table) => {
      const index = kwargs.column_index;
      let success: boolean;
      // As in GE: a column_index of 0 (falsy in Python) only checks that the column exists.
      if (index) {
        const at = index < 0 ? table.columns.length + index : index;
        success = table.columns[at] === kwargs.column;
      } else success = table.columns.includes(kwargs.column);
      return { success, result: {}, unexpected: [] };
    }),
  expect_table_row_count_to_be_between: (kwargs) => tableBetween(kwargs, (table) => table.rows),
  expect_table_row_count_to_equal: (kwargs) =>
    aggregate((table) => ({
      success: table.rows === kwargs.value,
      result: { observed_value: table.rows },
      unexpected: [],
    })),
  expect_table_column_count_to_be_between: (kwargs) => tableBetween(kwargs, (table) => table.columns.length),
  expect_table_column_count_to_equal: (kwargs) =>
    aggregate((table) => ({
      success: table.columns.length === kwargs.value,
      result: { observed_value: table.columns.length },
      unexpected: [],
    })),
  expect_table_columns_to_match_ordered_list: (kwargs) =>
    aggregate((table) => {
      const expected = kwargs.column_list;
      const observed = [...table.columns];
      if (
        expected === null ||
        (expected.length === observed.length && expected.every((name, index) => observed[index] === name))
      ) {
        return { success: true, result: { observed_value: observed }, unexpected: [] };
      }
      const mismatched = [];
      for (let index = 0; index < Math.max(expected.length, observed.length); index++) {
        if (expected[index] !== observed[index]) {
          mismatched.push({
            'Expected Column Position': index,
            Expected: expected[index] ?? null,
            Found: observed[index] ?? null,
          });
        }
      }
      return { success: false, result: { observed_value: observed, details: { mismatched } }, unexpected: [] };
    }),
  expect_table_columns_to_match_set: (kwargs) =>
    aggregate((table) => {
      const expected = kwargs.column_set;
      const exact = kwargs.exact_match !== false && kwargs.exact_match !== null;
      const observed = [...table.columns].sort();
      const wanted = new Set(expected ?? []);
      const actual = new Set(table.columns);
      const unexpectedColumns = [...actual].filter((name) => !wanted.has(name)).sort();
      const missing = [...wanted].filter((name) => !actual.has(name)).sort();
      if ((expected === null && !exact) || (unexpectedColumns.length === 0 && missing.length === 0)) {
        return { success: true, result: { observed_value: observed }, unexpected: [] };
      }
      const mismatched: Record<string, string[]> = {};
      if (unexpectedColumns.length) mismatched.unexpected = unexpectedColumns;
      if (missing.length) mismatched.missing = missing;
      return {
        success: exact ? false : missing.length === 0,
        result: { observed_value: observed, details: { mismatched } },
        unexpected: [],
      };
    }),
};
