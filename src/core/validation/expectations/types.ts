/** Types: expect_column_values_to_be_of_type and _in_type_list, as numpy and Python see them. */
import { pythonTypeName } from '../cells.js';
import {
  DtypeAccumulator,
  dtypeMatches,
  isRecognizedTypeName,
  OBJECT_TYPE_NAMES,
  pythonTypeMatches,
} from '../pytypes.js';
import {
  failed,
  mapResult,
  POSITION_SCALE,
  UnexpectedSample,
  type EvaluatorContext,
  type Evaluator,
  type EvaluatorTable,
} from './base.js';

/** expect_column_values_to_be_of_type / _in_type_list: dtype check, or per value for object columns. */
function typeCheck(
  context: EvaluatorContext,
  column: number,
  mostly: number,
  names: string[] | null,
  single: boolean,
): Evaluator {
  const dtype = new DtypeAccumulator();
  // Text cells of an object column all share one Python type (str, or bool): decided at the end.
  const textSample = new UnexpectedSample(context.limit);
  const nativeSample = new UnexpectedSample(context.limit);
  let nonNull = 0;
  const matchesAny = (pythonType: string) => (names ?? []).some((name) => pythonTypeMatches(pythonType, name));
  return {
    pass: 1,
    consume(view) {
      const typed = view.typed(column);
      const rows = view.rows;
      const base = view.fileIndex * POSITION_SCALE;
      for (let row = 0; row < typed.length; row++) {
        const value = typed[row] ?? null;
        const raw = rows[row]![column];
        dtype.add(raw, value);
        if (value === null) continue;
        nonNull++;
        const position = base + view.lines[row]!;
        if (typeof raw === 'string' && view.text) textSample.add(value, position);
        else if (!matchesAny(pythonTypeName(value, raw))) nativeSample.add(value, position);
      }
    },
    finish(table) {
      const observed = dtype.dtype(table.rows);
      const aggregate = observed !== 'object_' || names === null || (single && OBJECT_TYPE_NAMES.includes(names[0]!));
      if (aggregate) {
        const success = names === null || names.some((name) => dtypeMatches(observed, name));
        return { success, result: { observed_value: observed }, unexpected: [] };
      }
      if (!single && !names.some((name) => isRecognizedTypeName(name))) {
        return failed(`No recognized numpy/python type in list: ${JSON.stringify(names)}`);
      }
      const textType = dtype.allBoolean ? 'bool' : 'str';
      const combined = new UnexpectedSample(context.limit);
      const rows = [...(matchesAny(textType) ? [] : textSample.rows), ...nativeSample.rows].sort(
        (x, y) => x.position - y.position,
      );
      for (const row of rows.slice(0, context.limit)) combined.rows.push(row);
      combined.count = nativeSample.count + (matchesAny(textType) ? 0 : textSample.count);
      return mapResult(table.rows, nonNull, combined, mostly);
    },
  };
}

export const typeEvaluators: EvaluatorTable<
  'expect_column_values_to_be_of_type' | 'expect_column_values_to_be_in_type_list'
> = {
  expect_column_values_to_be_of_type: (kwargs, { run, column }) =>
    typeCheck(run, column(kwargs.column), kwargs.mostly ?? 1, [kwargs.type_], true),
  expect_column_values_to_be_in_type_list: (kwargs, { run, column }) =>
    typeCheck(run, column(kwargs.column), kwargs.mostly ?? 1, kwargs.type_list ?? null, false),
};
