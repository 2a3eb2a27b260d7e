/**
 * What a validation run produces for people and tools: the GE-shaped JSON report (docs/architecture.md), the
 * step-summary markdown, and the annotations that put failing rows on the data file's lines.
 */
import { markdownTable } from 'markdown-table';
import type { SourceLocation } from '../errors.js';
import { renderValue } from './cells.js';
import type { ValidationRun } from './engine.js';
import { POSITION_SCALE, type ExpectationOutcome } from './expectations.js';

/** One result in GE's ExpectationSuiteValidationResult shape. */
export interface ValidationResultJson {
  success: boolean;
  expectation_config: {
    type: string;
    kwargs: Record<string, unknown>;
    meta: Record<string, unknown>;
    [key: string]: unknown;
  };
  result: Record<string, unknown>;
  meta: Record<string, unknown>;
  exception_info: { raised_exception: boolean; exception_traceback: string | null; exception_message: string | null };
}

/** The report: GE's ExpectationSuiteValidationResult, results in suite order. */
export interface ValidationReportJson {
  success: boolean;
  statistics: {
    evaluated_expectations: number;
    successful_expectations: number;
    unsuccessful_expectations: number;
    success_percent: number | null;
  };
  results: ValidationResultJson[];
  suite_name: string;
  suite_parameters: Record<string, never>;
  meta: Record<string, unknown>;
}

export interface ReportContext {
  /** How to show each dataset file (by index): a path relative to the working directory. */
  files: string[];
  /** How to show the suite file. */
  suite: string;
  /** ISO time of the run (GE's meta.validation_time). */
  validationTime?: string;
  /** The mlops version, for meta. */
  version?: string;
}

/** Parquet rows have numbers, not lines. */
export function positionKind(file: string): 'line' | 'row' {
  return /\.(parquet|parq|pq)$/i.test(file) ? 'row' : 'line';
}

/** Splits an encoded position into file index and line (or Parquet row). */
export function decodePosition(position: number): { fileIndex: number; line: number } {
  const fileIndex = Math.floor(position / POSITION_SCALE);
  return { fileIndex, line: position - fileIndex * POSITION_SCALE };
}

function isMapResult(outcome: ExpectationOutcome): boolean {
  return 'unexpected_count' in outcome.result;
}

/** Builds the GE-shaped report. */
export function buildReport(run: ValidationRun, context: ReportContext): ValidationReportJson {
  const results = run.outcomes.map((outcome): ValidationResultJson => {
    const { config } = outcome;
    const result: Record<string, unknown> = { ...outcome.result };
    const where = (position: number) => {
      const { fileIndex, line } = decodePosition(position);
      const file = context.files[fileIndex] ?? run.files[fileIndex] ?? '';
      return { file, [positionKind(file)]: line };
    };
    if (isMapResult(outcome))
      result.partial_unexpected_locations = outcome.unexpected.map((row) => where(row.position));
    if (outcome.textCause)
      result.first_text_cell = { value: outcome.textCause.value, ...where(outcome.textCause.position) };
    return {
      success: outcome.success,
      expectation_config: { type: config.type, kwargs: config.kwargs, meta: config.meta ?? {}, ...config.extra },
      result,
      meta: {},
      exception_info: {
        raised_exception: outcome.exception !== undefined,
        exception_traceback: null,
        exception_message: outcome.exception ?? null,
      },
    };
  });
  const successful = results.filter((result) => result.success).length;
  return {
    success: successful === results.length,
    statistics: {
      evaluated_expectations: results.length,
      successful_expectations: successful,
      unsuccessful_expectations: results.length - successful,
      success_percent: results.length ? (successful / results.length) * 100 : null,
    },
    results,
    suite_name: run.suite.name,
    suite_parameters: {},
    meta: {
      ...(context.version ? { mlops_version: context.version } : {}),
      ...(context.validationTime ? { validation_time: context.validationTime } : {}),
      suite_file: context.suite,
      suite_format: run.suite.format,
      data: { files: context.files, rows: run.rows, columns: [...run.columns], passes: run.passes },
    },
  };
}

/** The column(s) an expectation is about, for tables and messages. */
export function expectationColumns(type: string, kwargs: Record<string, unknown>): string {
  if (type.startsWith('expect_table_')) return '(table)';
  if (typeof kwargs.column === 'string') return kwargs.column;
  if (typeof kwargs.column_A === 'string') return `${kwargs.column_A}, ${String(kwargs.column_B)}`;
  if (Array.isArray(kwargs.column_list)) return kwargs.column_list.join(', ');
  return '(table)';
}

const PERCENT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const COUNT = new Intl.NumberFormat('en-US');

/** A one-line rendering of what an expectation observed. */
export function observedText(outcome: ExpectationOutcome): string {
  const { result } = outcome;
  if (outcome.exception !== undefined) return `error: ${outcome.exception.split('\n')[0]}`;
  if (outcome.config.type === 'expect_column_to_exist') return outcome.success ? 'present' : 'missing';
  if (isMapResult(outcome)) {
    const count = result.unexpected_count as number;
    if (count === 0) return 'no unexpected values';
    const sample = (result.partial_unexpected_list as unknown[]).slice(0, 3).map((value) => renderValue(value, 30));
    return `${COUNT.format(count)} unexpected: ${sample.join(', ')}${count > sample.length ? ', …' : ''}`;
  }
  const observed = result.observed_value;
  if (observed && typeof observed === 'object' && 'quantiles' in observed) {
    const { quantiles, values } = observed as { quantiles: number[]; values: unknown[] };
    return quantiles.map((q, index) => `q${q}=${renderValue(values[index], 20)}`).join(', ');
  }
  if (Array.isArray(observed)) {
    const shown = observed.slice(0, 6).map((value) => renderValue(value, 24));
    return `[${shown.join(', ')}${observed.length > shown.length ? `, … (${observed.length})` : ''}]`;
  }
  return renderValue(observed, 60);
}

function unexpectedPercentText(outcome: ExpectationOutcome): string {
  const percent = outcome.result.unexpected_percent;
  if (typeof percent !== 'number') return isMapResult(outcome) ? '0%' : '—';
  return `${PERCENT.format(percent)}%`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

const MAX_SUMMARY_ROWS = 500;

/** The step summary: a headline and one table row per expectation (expectation, column, observed, unexpected %, status). */
export function summaryMarkdown(run: ValidationRun, context: ReportContext): string {
  const failed = run.outcomes.filter((outcome) => !outcome.success).length;
  const total = run.outcomes.length;
  const headline =
    failed === 0
      ? `### ✅ validate-data: all ${total} expectations passed`
      : `### ❌ validate-data: ${failed} of ${total} expectation${total === 1 ? '' : 's'} failed`;
  const dataText = context.files.length === 1 ? `\`${context.files[0]}\`` : `${context.files.length} files`;
  const about = `Suite \`${run.suite.name}\` (\`${context.suite}\`) on ${dataText}: ${COUNT.format(run.rows)} rows, ${run.columns.length} columns.`;
  const rows = run.outcomes
    .slice(0, MAX_SUMMARY_ROWS)
    .map((outcome, index) => [
      String(index + 1),
      `\`${outcome.config.type}\``,
      cell(expectationColumns(outcome.config.type, outcome.config.kwargs)),
      cell(observedText(outcome) + textCauseNote(run, outcome, context.files)),
      unexpectedPercentText(outcome),
      outcome.exception !== undefined ? '⚠️ error' : outcome.success ? '✅' : '❌',
    ]);
  const table = markdownTable([['#', 'Expectation', 'Column', 'Observed', 'Unexpected %', 'Status'], ...rows], {
    align: ['r', 'l', 'l', 'l', 'r', 'c'],
  });
  const more =
    total > MAX_SUMMARY_ROWS ? `\n\n${total - MAX_SUMMARY_ROWS} more expectations are in the JSON report.` : '';
  return `${headline}\n\n${about}\n\n${table}${more}\n`;
}

/** `; the column is text because of "abc" (data.csv:21)` for a failure with a text cause, else nothing. */
function textCauseNote(run: ValidationRun, outcome: ExpectationOutcome, files: string[]): string {
  if (!outcome.textCause) return '';
  const { fileIndex, line } = decodePosition(outcome.textCause.position);
  const file = files[fileIndex] ?? run.files[fileIndex] ?? '';
  return `; the column is text because of ${renderValue(outcome.textCause.value, 30)} (${file}:${line})`;
}

/** An expectation as one short call-like line: `type(column=age, min_value=0)`. */
export function describeExpectation(type: string, kwargs: Record<string, unknown>): string {
  const skip = new Set(['result_format', 'catch_exceptions', 'include_config', 'meta', 'batch_id']);
  const args = Object.entries(kwargs)
    .filter(([key]) => !skip.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
  const text = `${type}(${args})`;
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}

/** One annotation: a message and where it goes. */
export interface ValidationAnnotation {
  message: string;
  location: SourceLocation;
}

/**
 * Annotations for the failed expectations, at most `max`: failing rows on the data file's lines,
 * and, for a failure that has no row (an aggregate, an error), the expectation's line in the suite.
 * Taken round-robin over the failed expectations in suite order, so each failure shows before any
 * shows twice. `files` are the data files as the annotations should name them (absolute paths are
 * made relative to the workspace by the runner); `suiteFile` likewise.
 */
export function failureAnnotations(
  run: ValidationRun,
  max: number,
  files: string[],
  suiteFile: string,
): ValidationAnnotation[] {
  const queues = run.outcomes
    .filter((outcome) => !outcome.success)
    .map((outcome) => {
      const what = describeExpectation(outcome.config.type, outcome.config.kwargs);
      if (outcome.textCause) return [textCauseAnnotation(run, outcome, outcome.textCause, what, files)];
      if (outcome.unexpected.length === 0) {
        const why =
          outcome.exception !== undefined
            ? `raised: ${outcome.exception.split('\n')[0]}`
            : `observed ${observedText(outcome)}`;
        return [{ message: `${what} failed: ${why}`, location: { ...outcome.config.location, file: suiteFile } }];
      }
      return outcome.unexpected.map((row) => {
        const { fileIndex, line } = decodePosition(row.position);
        const file = files[fileIndex] ?? run.files[fileIndex] ?? '';
        const kind = positionKind(file);
        const location: SourceLocation = kind === 'line' ? { file, line } : { file, row: line };
        return {
          message: `${renderValue(row.value, 80)} fails ${what}${kind === 'row' ? ` (row ${line})` : ''}`,
          location,
        };
      });
    });
  const annotations: ValidationAnnotation[] = [];
  for (let round = 0; annotations.length < max; round++) {
    let added = false;
    for (const queue of queues) {
      const next = queue[round];
      if (next && annotations.length < max) {
        annotations.push(next);
        added = true;
      }
    }
    if (!added) break;
  }
  return annotations;
}

/**
 * The one annotation of a failure caused by a string among numbers: on that cell's line, saying
 * it makes the column text, and then what failed (rather than on the valid rows that fail with it).
 */
function textCauseAnnotation(
  run: ValidationRun,
  outcome: ExpectationOutcome,
  cause: { value: unknown; position: number },
  what: string,
  files: string[],
): ValidationAnnotation {
  const { fileIndex, line } = decodePosition(cause.position);
  const file = files[fileIndex] ?? run.files[fileIndex] ?? '';
  const column = expectationColumns(outcome.config.type, outcome.config.kwargs);
  const why =
    outcome.exception !== undefined
      ? `raised: ${outcome.exception.split('\n')[0]}`
      : `observed ${observedText(outcome)}`;
  return {
    message: `${renderValue(cause.value, 80)} (line ${line}) is the first value of column "${column}" that is not a number: pandas reads the whole column as text, so ${what} failed: ${why}`,
    location: { file, line },
  };
}

/** The step's one-line failure: how many failed and which. */
export function failureLine(run: ValidationRun): string {
  const failed = run.outcomes.filter((outcome) => !outcome.success);
  const names = failed.slice(0, 3).map((outcome) => {
    const columns = expectationColumns(outcome.config.type, outcome.config.kwargs);
    return columns === '(table)' ? outcome.config.type : `${outcome.config.type} on ${columns}`;
  });
  const more = failed.length > names.length ? `, and ${failed.length - names.length} more` : '';
  return `${failed.length} of ${run.outcomes.length} expectations failed (${COUNT.format(run.rows)} rows): ${names.join('; ')}${more}.`;
}
