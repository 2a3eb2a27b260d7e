/**
 * The expectations: one evaluator per expectation of a suite, fed batch by batch, built by a table
 * keyed by type over one module per family (expectations/: columns and table shape, nulls, ranges,
 * sets, strings, uniqueness, types, aggregates; base.ts holds what they share). Each builder gets
 * its kwargs typed as src/generated/expectation-kwargs.ts, generated from the suite schema.
 *
 * Semantics are Great Expectations' pandas engine (GE 1.x, with the 0.x kwargs it accepted):
 * - map expectations ignore missing values; `mostly` is the fraction of non-missing values
 *   (of all rows for expect_column_values_to_(not_)be_null), and a column with no value to check is
 *   a vacuous success;
 * - bounds are inclusive unless strict_min/strict_max; regexes are searched (`re.search`);
 * - uniqueness counts every copy of a repeated value as unexpected;
 * - aggregates (`mean`, `median`...) of an empty column are null and fail, except `sum` (0);
 * - an expectation that raises in GE (a string compared with numbers, a missing column) fails with
 *   `exception_info` instead of stopping the run.
 */
import type { ExpectationKwargs } from '../../generated/expectation-kwargs.js';
import { aggregateEvaluators } from './expectations/aggregates.js';
import { withTextCause, type BuildContext, type Evaluator, type EvaluatorContext } from './expectations/base.js';
import { columnMissing, tableEvaluators } from './expectations/columns.js';
import { nullEvaluators } from './expectations/nulls.js';
import { rangeEvaluators } from './expectations/ranges.js';
import { setEvaluators } from './expectations/sets.js';
import { stringEvaluators } from './expectations/strings.js';
import { typeEvaluators } from './expectations/types.js';
import { uniquenessEvaluators } from './expectations/uniqueness.js';
import type { ExpectationConfig } from './suite.js';

export {
  ExpectationError,
  FirstTextCell,
  POSITION_SCALE,
  SharedColumn,
  type BatchView,
  type Evaluator,
  type EvaluatorContext,
  type ExpectationOutcome,
  type TableFacts,
  type UnexpectedRow,
} from './expectations/base.js';
export { suggestColumn } from './expectations/columns.js';
export { compareScalars } from './expectations/compare.js';
export {
  DEFAULT_REGEX_TIME_BUDGET_SECONDS,
  readRegexTimeBudget,
  REGEX_TIME_BUDGET_KEY,
} from './expectations/strings.js';

/** The expectation types with an evaluator: the schema's, less GE 0.x spellings (the parser renames them). */
type EvaluatedType = Exclude<keyof ExpectationKwargs, 'expect_column_pair_values_A_to_be_greater_than_B'>;

/** Every expectation's builder, by type: one module per family. */
const EVALUATORS: { [T in EvaluatedType]: (kwargs: ExpectationKwargs[T], build: BuildContext) => Evaluator } = {
  ...tableEvaluators,
  ...nullEvaluators,
  ...rangeEvaluators,
  ...setEvaluators,
  ...stringEvaluators,
  ...uniquenessEvaluators,
  ...typeEvaluators,
  ...aggregateEvaluators,
};

/** The expectations that a string among numbers fails: their failures name that string's cell. */
const FAILED_BY_TEXT = new Set<string>([
  'expect_column_values_to_be_between',
  'expect_column_values_to_be_of_type',
  'expect_column_values_to_be_in_type_list',
  'expect_column_value_z_scores_to_be_less_than',
  'expect_column_min_to_be_between',
  'expect_column_max_to_be_between',
  'expect_column_mean_to_be_between',
  'expect_column_median_to_be_between',
  'expect_column_stdev_to_be_between',
  'expect_column_sum_to_be_between',
  'expect_column_quantile_values_to_be_between',
]);

/**
 * The columns an expectation is about, which must exist before it is built: its `column`, its
 * pair, or its list (expect_column_to_exist checks its own column: a missing one is its verdict).
 */
function namedColumns(config: ExpectationConfig): string[] {
  const { kwargs } = config;
  if (config.type === 'expect_column_to_exist') return [];
  if (Array.isArray(kwargs.column_list)) return kwargs.column_list.map(String);
  if (kwargs.column_A !== undefined) return [String(kwargs.column_A), String(kwargs.column_B)];
  return kwargs.column === undefined ? [] : [String(kwargs.column)];
}

/** True for the expectation types mlops evaluates. */
function isEvaluatedType(type: string): type is EvaluatedType {
  return Object.hasOwn(EVALUATORS, type);
}

/** Calls the builder of `type`: its kwargs type follows from the type (a correlated lookup, no cast). */
function build<T extends EvaluatedType>(type: T, kwargs: ExpectationKwargs[T], context: BuildContext): Evaluator {
  const builder: (typeof EVALUATORS)[T] = EVALUATORS[type];
  return builder(kwargs, context);
}

/**
 * The kwargs of a parsed expectation, typed: parseSuite checked them against this type's
 * definition in schemas/expectation-suite.schema.json, from which ExpectationKwargs is generated.
 */
function checkedKwargs<T extends EvaluatedType>(config: ExpectationConfig, _type: T): ExpectationKwargs[T] {
  return config.kwargs as ExpectationKwargs[T];
}

/** Builds the evaluator of one expectation. */
export function createEvaluator(config: ExpectationConfig, context: EvaluatorContext): Evaluator {
  const { type } = config;
  if (!isEvaluatedType(type)) throw new Error(`No evaluator for ${type}.`);
  const missing = namedColumns(config).find((name) => !context.columns.includes(name));
  if (missing !== undefined) return columnMissing(context, missing);
  const evaluator = build(type, checkedKwargs(config, type), {
    config,
    run: context,
    column: (name) => context.columns.indexOf(name),
  });
  const column = FAILED_BY_TEXT.has(type) ? context.columns.indexOf(String(config.kwargs.column)) : -1;
  return column === -1 ? evaluator : withTextCause(column, evaluator);
}
