/**
 * Column drift as Evidently 0.7 decides it by default (src/evidently/legacy/calculations/
 * data_drift.py `get_one_column_drift`, stattests/registry.py `_get_default_stattest`,
 * stattests/utils.py `get_binned_data`), over a reference profile (exact or sketched) and an exact
 * current profile.
 */
import { ConfigurationError, InputError } from '../errors.js';
import { keptCount } from './profile-document.js';
import { resolveColumns } from './columns.js';
import { ColumnSides, runTest, TEST_RULES, type TestOutcome } from './tests.js';
import type {
  DetectDriftInput,
  DriftColumnProfile,
  DriftColumnReport,
  DriftColumnType,
  DriftConfig,
  DriftProfile,
  DriftReport,
  DriftTestName,
} from './types.js';

/** defaultTest's largest distinct-value threshold: counting past it changes no choice. */
const DEFAULT_TEST_MAX_DISTINCT = 5;

/** Evidently's default share of drifted columns at which the dataset drifts. */
export const DEFAULT_DRIFT_SHARE = 0.5;
/** Evidently's NUMBER_UNIQUE_AS_CATEGORICAL (utils/data_preprocessing.py `_get_column_type`). */
const INTEGER_CATEGORICAL_MAX_DISTINCT = 5;

/**
 * Evidently's default test (`_get_default_stattest`): on a reference of at most 1,000 values,
 * ks for numeric columns with more than 5 distinct values (reference and current together),
 * chisquare for 3 to 5 (numeric) or more than 2 (categorical), z for 2 or fewer; on a larger
 * reference wasserstein for numeric columns with more than 5, else jensenshannon.
 */
export function defaultTest(type: DriftColumnType, referenceValues: number, distinctValues: number): DriftTestName {
  if (referenceValues <= 1000) {
    if (type === 'numeric' && distinctValues > 5) return 'ks';
    return distinctValues > 2 ? 'chisquare' : 'z';
  }
  if (type === 'numeric' && distinctValues > 5) return 'wasserstein';
  return 'jensenshannon';
}

function sourceName(profile: DriftProfile, side: string): string {
  const files = profile.source.files;
  return files.length ? `${side} (${files.slice(0, 2).join(', ')}${files.length > 2 ? ', …' : ''})` : side;
}

/** The empty-column error, as Evidently's "An empty column ... was provided" but saying why it is empty. */
function emptyColumnError(column: DriftColumnProfile, side: string): InputError {
  return new InputError(
    `column "${column.name}" is empty in the ${side}: no value left of ${column.rows} rows after dropping ${column.nulls} missing` +
      (column.non_finite ? ` and ${column.non_finite} NaN/inf` : '') +
      ' (Evidently drops them before testing); exclude the column or fix the data.',
  );
}

/** A numeric column holding text: the first text cell, with its file and line. */
function textCellError(column: DriftColumnProfile, side: string): InputError {
  const text = column.text!;
  return new InputError(
    `column "${column.name}" is numeric but the ${side} holds the text ${JSON.stringify(text.value.length > 40 ? text.value.slice(0, 40) + '…' : text.value)}; fix the data, exclude the column, or set columns.${column.name}.type: categorical in the drift config.`,
    text.row_in_file ? { file: text.file, row: text.line } : { file: text.file, line: text.line },
  );
}

/** The type a column is tested as, after the config and Evidently's integer rule. */
function columnType(
  name: string,
  reference: DriftColumnProfile,
  current: DriftColumnProfile,
  config: DriftConfig | undefined,
  sides: { reference: string; current: string },
): DriftColumnType {
  const configured = config?.columns[name]?.type;
  for (const [column, side] of [
    [reference, sides.reference],
    [current, sides.current],
  ] as const) {
    if (column.text && configured !== 'categorical') throw textCellError(column, side);
    if (configured === 'numeric' && column.type === 'categorical')
      throw new ConfigurationError(
        `column "${name}" is set to numeric, but the ${side} holds text in it (${JSON.stringify(String(column.counts?.[0]?.[0] ?? ''))}…); profile it again or drop the type.`,
        { file: config!.source, key: `columns.${name}.type` },
      );
  }
  if (configured) return configured;
  if (reference.type !== current.type)
    throw new InputError(
      `column "${name}" is ${reference.type === 'numeric' ? 'numeric' : 'text'} in the ${sides.reference} but ${current.type === 'numeric' ? 'numeric' : 'text'} in the ${sides.current}; the two must hold the same kind of values (or set columns.${name}.type in the drift config).`,
    );
  return reference.type;
}

/**
 * Runs one column's test and makes sure its value is a number: a NaN (t_test or anderson on a
 * constant column) compares false with any threshold, so it would count as "no drift" and could
 * close the drift issue on a result never computed. Errors from the statistics, which know no
 * column, get the column and test prepended.
 */
export function testColumn(name: string, test: DriftTestName, run: () => TestOutcome): TestOutcome {
  let outcome: TestOutcome;
  try {
    outcome = run();
  } catch (error) {
    if (error instanceof InputError && !error.message.includes(`column "${name}"`))
      throw new InputError(`column "${name}", test ${test}: ${error.message}`, error.location, { cause: error });
    throw error;
  }
  if (!Number.isFinite(outcome.value))
    throw new InputError(
      `column "${name}": test ${test} gives ${String(outcome.value)} (statistic ${String(outcome.statistic)}), so drift cannot be decided; a constant column has no spread for this test: choose another test for it (columns.${name}.test in the drift config) or exclude it.`,
    );
  return outcome;
}

/**
 * Tests every selected column for drift with Evidently 0.7's default rules (or the config's), and
 * decides dataset drift by the share of drifted columns (drift when share >= drift share).
 */
export function detectDrift(input: DetectDriftInput): DriftReport {
  const { reference, current, config } = input;
  const sides = { reference: sourceName(reference, 'reference'), current: sourceName(current, 'current data') };
  const names = resolveColumns(reference, current, config, input.columns, sides);
  const referenceByName = new Map(reference.columns.map((column) => [column.name, column]));
  const currentByName = new Map(current.columns.map((column) => [column.name, column]));
  const reports: DriftColumnReport[] = [];
  for (const name of names) {
    const ref = referenceByName.get(name)!;
    const cur = currentByName.get(name)!;
    if (cur.sketch)
      throw new InputError(
        `column "${name}": the current data must be profiled exactly (exactLimit Infinity), but its profile holds a sketch.`,
      );
    let type = columnType(name, ref, cur, config, sides);
    if (keptCount(ref) === 0) throw emptyColumnError(ref, sides.reference);
    if (keptCount(cur) === 0) throw emptyColumnError(cur, sides.current);
    const columnConfig = config?.columns[name];
    const sidesData = new ColumnSides(name, ref, cur, type, sides);
    // Evidently: an int64 column (no missing value) with at most 5 distinct reference values is categorical.
    if (
      !columnConfig?.type &&
      type === 'numeric' &&
      cur.integer &&
      sidesData.distinctReference(INTEGER_CATEGORICAL_MAX_DISTINCT) <= INTEGER_CATEGORICAL_MAX_DISTINCT
    ) {
      type = 'categorical';
      sidesData.type = type;
    }
    const test =
      columnConfig?.test ??
      config?.defaultTest?.[type] ??
      // defaultTest compares the count with 5 and 2 only: a count capped past 5 picks the same test.
      defaultTest(type, keptCount(ref), sidesData.distinctTogether(DEFAULT_TEST_MAX_DISTINCT));
    const rule = TEST_RULES[test];
    if (!rule.types.includes(type))
      throw new ConfigurationError(
        `test "${test}" applies to ${rule.types.join(' and ')} columns, but column "${name}" is ${type}; choose another test or set its type.`,
        config
          ? { file: config.source, key: columnConfig?.test ? `columns.${name}.test` : `default-test.${type}` }
          : undefined,
      );
    const threshold = columnConfig?.threshold ?? config?.threshold ?? rule.threshold;
    const outcome = testColumn(name, test, () => runTest(test, sidesData, columnConfig?.bins, config));
    const value = outcome.value;
    const drift =
      rule.drift === 'p<='
        ? value <= threshold
        : rule.drift === 'p<'
          ? value < threshold
          : rule.drift === '>='
            ? value >= threshold
            : value > threshold;
    reports.push({
      column: name,
      type,
      test,
      statistic: outcome.statistic,
      ...(outcome.pValue !== undefined ? { p_value: outcome.pValue } : {}),
      value,
      threshold,
      drift,
      direction: rule.drift.startsWith('p') ? 'p-value' : 'distance',
      reference_rows: keptCount(ref),
      current_rows: keptCount(cur),
      dropped: { reference: ref.nulls + ref.non_finite, current: cur.nulls + cur.non_finite },
      histogram: outcome.histogram,
    });
  }
  const driftShare = input.driftShare ?? config?.driftShare ?? DEFAULT_DRIFT_SHARE;
  if (!(driftShare > 0 && driftShare <= 1))
    throw new InputError(`drift-share must be above 0 and at most 1, got ${driftShare}.`);
  const drifted = reports.filter((report) => report.drift).map((report) => report.column);
  const share = reports.length ? drifted.length / reports.length : 0;
  return {
    kind: 'mlops-drift-report',
    format: 1,
    drift: share >= driftShare,
    share,
    drift_share: driftShare,
    number_of_columns: reports.length,
    number_of_drifted_columns: drifted.length,
    drifted_columns: drifted,
    reference: { rows: reference.rows, source: reference.source },
    current: { rows: current.rows, source: current.source },
    columns: reports,
  };
}
