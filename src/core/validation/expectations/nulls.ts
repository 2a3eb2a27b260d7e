/** Nulls: expect_column_values_to_(not_)be_null, whose domain is every row (not only non-null ones). */
import { NumericCellKind } from '../cells.js';
import {
  mapResult,
  POSITION_SCALE,
  UnexpectedSample,
  type EvaluatorContext,
  type Evaluator,
  type EvaluatorTable,
} from './base.js';

/** expect_column_values_to_(not_)be_null: the domain is every row. */
export function nullMap(context: EvaluatorContext, column: number, mostly: number, expectNull: boolean): Evaluator {
  const sample = new UnexpectedSample(context.limit);
  return {
    pass: 1,
    consume(view) {
      const { kinds } = view.numbers(column);
      const base = view.fileIndex * POSITION_SCALE;
      for (let row = 0; row < view.rowCount; row++) {
        if ((kinds[row] === NumericCellKind.Missing) !== expectNull) {
          sample.add(expectNull ? view.typed(column)[row]! : null, base + view.lines[row]!);
        }
      }
    },
    finish: (table) => mapResult(table.rows, null, sample, mostly),
  };
}

export const nullEvaluators: EvaluatorTable<'expect_column_values_to_not_be_null' | 'expect_column_values_to_be_null'> =
  {
    expect_column_values_to_not_be_null: (kwargs, { run, column }) =>
      nullMap(run, column(kwargs.column), kwargs.mostly ?? 1, false),
    expect_column_values_to_be_null: (kwargs, { run, column }) =>
      nullMap(run, column(kwargs.column), kwargs.mostly ?? 1, true),
  };
