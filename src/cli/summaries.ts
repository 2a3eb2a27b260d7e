/**
 * What an action command prints on stdout: with `--json` one object of typed outputs; without, a
 * short summary a person reads (the verdict, a small table of what failed, where the report is)
 * rendered from the outcome's outputs and the report they point to, never the raw report.
 */
import { actionMeta, type ActionName } from '../generated/action-meta.js';
import { readJsonIfPresent } from '../adapters/fs/user-files.js';
import type { ActionOutcome, OutputValue } from '../adapters/runner/definition.js';
import { formatValue, textTable } from '../core/registry/format.js';

/** Outputs that carry JSON text in a workflow (`results`): typed values under --json. */
const JSON_OUTPUTS: Partial<Record<ActionName, string[]>> = {
  'evaluate-gate': ['results'],
  train: ['metrics'],
  'drift-check': ['drifted-columns'],
};

/** Rows of a failure table shown before "(+N more in the report)": the summary fits on a screen. */
const MAX_ROWS = 10;

/** The outputs the run produced, in action.yml order. */
function producedOutputs(action: ActionName, outcome: ActionOutcome<ActionName>): Array<[string, OutputValue]> {
  const produced = outcome.outputs as Record<string, OutputValue>;
  return Object.keys(actionMeta[action].outputs)
    .filter((name) => produced[name] !== undefined)
    .map((name) => [name, produced[name]]);
}

/** Parses an output that holds JSON; a value that does not parse stays the string it is. */
function parseJsonOutput(value: OutputValue): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/**
 * The `--json` object of an action command: its outputs in action.yml order with their types
 * (booleans, numbers, and objects for outputs that hold JSON), never JSON inside a string.
 */
export function actionJson(action: ActionName, outcome: ActionOutcome<ActionName>): Record<string, unknown> {
  const jsonNames = JSON_OUTPUTS[action] ?? [];
  return Object.fromEntries(
    producedOutputs(action, outcome).map(([name, value]) => [
      name,
      jsonNames.includes(name) ? parseJsonOutput(value) : value,
    ]),
  );
}

/** `name=value` lines, long values cut: the fallback for actions without a summary of their own. */
function outputLines(action: ActionName, outcome: ActionOutcome<ActionName>): string {
  return producedOutputs(action, outcome)
    .map(([name, value]) => {
      const text = String(value).replace(/\n/g, ', ');
      return `${name}=${text.length > 200 ? `${text.slice(0, 200)}… (--json prints it all)` : text}\n`;
    })
    .join('');
}

/** Rows beyond MAX_ROWS are counted, not shown. */
function capped(rows: string[][]): { rows: string[][]; more: string } {
  if (rows.length <= MAX_ROWS) return { rows, more: '' };
  return { rows: rows.slice(0, MAX_ROWS), more: `(+${rows.length - MAX_ROWS} more in the report)\n` };
}

/** JSON text of a parsed value, '' for undefined (where JSON.stringify returns undefined, whatever lib.d.ts says). */
function jsonText(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value);
}

/** A cell of a small table: one line, at most `max` characters. */
function cell(value: unknown, max = 60): string {
  const text = (typeof value === 'string' ? value : jsonText(value)).replace(/\s+/g, ' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

interface ValidateReport {
  results?: Array<{
    success?: boolean;
    expectation_config?: { type?: string; kwargs?: Record<string, unknown> };
    result?: {
      unexpected_count?: number;
      unexpected_percent?: number;
      observed_value?: unknown;
      partial_unexpected_list?: unknown[];
    };
    exception_info?: { exception_message?: string | null };
  }>;
}

/** A share in percent with at most two decimals, and never "0%" for a few bad rows among many. */
function percent(value: number): string {
  if (value > 0 && value < 0.01) return '<0.01%';
  return `${Number(value.toFixed(2))}%`;
}

/** What one failing expectation found, in a few words. */
function validateFinding(result: NonNullable<ValidateReport['results']>[number]): string {
  const r = result.result ?? {};
  if (result.exception_info?.exception_message) return cell(result.exception_info.exception_message);
  if (typeof r.unexpected_count === 'number') {
    const pct = typeof r.unexpected_percent === 'number' ? ` (${percent(r.unexpected_percent)})` : '';
    const examples = (r.partial_unexpected_list ?? []).slice(0, 3).map((v) => cell(v, 20));
    return `${r.unexpected_count} unexpected${pct}${examples.length ? `, e.g. ${examples.join(', ')}` : ''}`;
  }
  return r.observed_value !== undefined ? `observed ${cell(r.observed_value, 40)}` : '-';
}

async function validateSummary(outputs: Record<string, OutputValue>): Promise<string> {
  const failed = Number(outputs.failed ?? 0);
  const evaluated = Number(outputs.evaluated ?? 0);
  const rows = Number(outputs.rows ?? 0).toLocaleString('en-US');
  const lines = [
    failed === 0
      ? `PASSED  validate-data: all ${evaluated} expectations passed (${rows} rows).`
      : `FAILED  validate-data: ${failed} of ${evaluated} expectations failed (${rows} rows).`,
  ];
  let table = '';
  if (failed > 0 && typeof outputs.report === 'string') {
    const report = (await readJsonIfPresent(outputs.report)) as ValidateReport | undefined;
    const failing = (report?.results ?? []).filter((r) => r.success === false);
    const { rows: shown, more } = capped(
      failing.map((r) => {
        const kwargs = r.expectation_config?.kwargs ?? {};
        const column = kwargs.column ?? kwargs.column_list ?? kwargs.column_A ?? '(table)';
        return [cell(r.expectation_config?.type ?? '?', 50), cell(column, 24), validateFinding(r)];
      }),
    );
    if (shown.length) table = '\n' + textTable(['EXPECTATION', 'COLUMN', 'FOUND'], shown) + more;
  }
  return lines.join('\n') + '\n' + table + (outputs.report ? `${table ? '\n' : ''}Report: ${outputs.report}\n` : '');
}

interface GateResults {
  passed?: boolean;
  baseline?: { requested?: string; resolved?: string | null; note?: string };
  counts?: Record<string, number>;
  metrics?: Array<{
    metric: string;
    baseline?: number;
    candidate?: number;
    delta?: number;
    verdict: string;
    reasons?: string[];
  }>;
}

function gateSummary(outputs: Record<string, OutputValue>, outcome: ActionOutcome<ActionName>): string {
  const results = parseJsonOutput(outputs.results) as GateResults | undefined;
  if (!results || typeof results !== 'object') {
    // comment-from-artifact mode: no gates were evaluated here.
    return [
      outputs.report ? `Report: ${outputs.report}` : '',
      outputs['comment-url'] ? `Comment: ${outputs['comment-url']}` : '',
    ]
      .filter(Boolean)
      .join('\n')
      .concat('\n');
  }
  const counts = results.counts ?? {};
  const gated = (counts.pass ?? 0) + (counts.warn ?? 0) + (counts.fail ?? 0);
  const baseline = results.baseline;
  const against = baseline
    ? ` against ${baseline.resolved ?? baseline.requested ?? 'no baseline'}${baseline.note ? ` (${baseline.note})` : ''}`
    : '';
  const verdict = results.passed
    ? `PASSED  evaluate-gate: ${gated} gate${gated === 1 ? '' : 's'} passed${counts.warn ? ` (${counts.warn} with warnings)` : ''}${against}.`
    : `${outcome.passed ? 'FAILED (not enforced: fail-on-regression is false)' : 'FAILED'}  evaluate-gate: ${counts.fail ?? 0} of ${gated} gates failed${against}.`;
  const notable = (results.metrics ?? []).filter((m) => m.verdict === 'fail' || m.verdict === 'warn');
  const { rows, more } = capped(
    notable.map((m) => [
      cell(m.metric, 30),
      formatValue(m.baseline),
      formatValue(m.candidate),
      m.delta === undefined ? '-' : `${m.delta > 0 ? '+' : ''}${formatValue(m.delta)}`,
      m.verdict,
      cell((m.reasons ?? []).join('; '), 60),
    ]),
  );
  const table = rows.length
    ? '\n' +
      textTable(['METRIC', 'BASELINE', 'CANDIDATE', 'DELTA', 'VERDICT', 'WHY'], rows, { right: [1, 2, 3] }) +
      more
    : '';
  const where = [
    outputs.report ? `Report: ${outputs.report}` : '',
    outputs['comment-url'] ? `Comment: ${outputs['comment-url']}` : '',
  ].filter(Boolean);
  return verdict + '\n' + table + (where.length ? (table ? '\n' : '') + where.join('\n') + '\n' : '');
}

function registerSummary(outputs: Record<string, OutputValue>): string {
  const rows: Array<[string, OutputValue]> = [
    ['tag', outputs.tag],
    ['sha256', outputs.sha256],
    ['release', outputs['release-url']],
    ['asset', outputs['asset-url']],
    ['checksums', outputs.checksums],
  ];
  const shown = rows.filter(([, value]) => value !== undefined);
  const width = Math.max(...shown.map(([name]) => name.length));
  return (
    `Registered ${String(outputs.tag ?? '').split('/')[0] || 'the model'} v${String(outputs.version)}.\n` +
    shown.map(([name, value]) => `  ${name.padEnd(width)}  ${String(value)}\n`).join('')
  );
}

/** deploy: the verdict in one line, then where the verified model is and the GitHub deployment. */
function deploySummary(outputs: Record<string, OutputValue>): string {
  const version = `v${String(outputs.version)}`;
  const previous = outputs['previous-version'] !== undefined ? `v${String(outputs['previous-version'])}` : undefined;
  const verdict =
    outputs.status === 'deployed'
      ? `DEPLOYED  deploy: ${version}${previous ? ` (previously ${previous})` : ''}.`
      : outputs.status === 'rolled-back'
        ? `ROLLED BACK  deploy: ${version} failed; ${previous ?? 'the previous version'} serves again.`
        : `FAILED  deploy: ${version} failed, and no rollback passed (the log says why).`;
  const rows: Array<[string, OutputValue]> = [
    ['model', outputs['model-path']],
    ['deployment', outputs['deployment-id']],
  ];
  return (
    verdict +
    '\n' +
    rows
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `  ${name.padEnd(10)}  ${String(value)}\n`)
      .join('')
  );
}

/** `mlops train`: the run, its status, the first metrics, and where the record is. */
async function trainRunSummary(outputs: Record<string, OutputValue>): Promise<string> {
  const record = (await readJsonIfPresent(String(outputs['run-record']))) as
    { status?: string; exitCode?: number; durationSeconds?: number; metrics?: Record<string, unknown> } | undefined;
  const status = record?.status ?? 'finished';
  const exit = record?.exitCode !== undefined && record.exitCode !== 0 ? ` (exit code ${record.exitCode})` : '';
  const seconds = record?.durationSeconds ?? outputs['duration-seconds'];
  const head = `Run ${String(outputs['run-id'])} ${status}${exit} in ${String(seconds)} s.\n`;
  const metrics = Object.entries(record?.metrics ?? {}).filter(
    (entry): entry is [string, number] => typeof entry[1] === 'number',
  );
  const { rows, more } = capped(metrics.map(([name, value]) => [name, formatValue(value)]));
  const table = rows.length ? textTable(['METRIC', 'VALUE'], rows, { right: [1] }) + more : '';
  const where = [
    outputs['data-sha256'] ? `data sha256   ${String(outputs['data-sha256'])}` : '',
    outputs['model-sha256'] ? `model sha256  ${String(outputs['model-sha256'])}` : '',
    `Run record: ${String(outputs['run-record'])}`,
  ].filter(Boolean);
  return head + table + where.join('\n') + '\n';
}

interface DriftReportFile {
  drift_share?: number;
  number_of_columns?: number;
  number_of_drifted_columns?: number;
  columns?: Array<{
    column: string;
    type?: string;
    test?: string;
    value?: number;
    threshold?: number;
    drift?: boolean;
  }>;
}

/** drift-check: the verdict, a small table of the drifted columns, where the report and the issue are. */
async function driftSummary(outputs: Record<string, OutputValue>, outcome: ActionOutcome<ActionName>): Promise<string> {
  const report =
    typeof outputs.report === 'string'
      ? ((await readJsonIfPresent(outputs.report)) as DriftReportFile | undefined)
      : undefined;
  const drifted = (report?.columns ?? []).filter((c) => c.drift === true);
  const counted = report
    ? ` ${report.number_of_drifted_columns ?? drifted.length} of ${report.number_of_columns ?? '?'} columns drifted`
    : '';
  const share = `share ${formatValue(Number(outputs.share))}${report?.drift_share !== undefined ? `, drift-share ${formatValue(report.drift_share)}` : ''}`;
  const verdict =
    outputs.drift === true
      ? `${outcome.passed ? 'DRIFT' : 'FAILED'}  drift-check:${counted} (${share}).`
      : `PASSED  drift-check: no dataset drift;${counted} (${share}).`;
  const { rows, more } = capped(
    drifted.map((c) => [
      cell(c.column, 30),
      c.type ?? '',
      c.test ?? '',
      formatValue(c.value),
      formatValue(c.threshold),
    ]),
  );
  const table = rows.length
    ? '\n' + textTable(['COLUMN', 'TYPE', 'TEST', 'VALUE', 'THRESHOLD'], rows, { right: [3, 4] }) + more
    : '';
  const where = [
    outputs.report ? `Report: ${outputs.report}` : '',
    outputs['issue-url'] ? `Issue: ${outputs['issue-url']}` : '',
    ...(outcome.notes ?? []),
  ].filter(Boolean);
  return verdict + '\n' + table + (where.length ? (table ? '\n' : '') + where.join('\n') + '\n' : '');
}

/** The human summary of an action command's outcome, for stdout. */
export async function renderActionSummary(action: ActionName, outcome: ActionOutcome<ActionName>): Promise<string> {
  const outputs = outcome.outputs as Record<string, OutputValue>;
  if (action === 'validate-data' && outputs.passed !== undefined) return validateSummary(outputs);
  if (action === 'evaluate-gate') return gateSummary(outputs, outcome);
  if (action === 'register' && outputs.version !== undefined) return registerSummary(outputs);
  if (action === 'deploy' && outputs.status !== undefined) return deploySummary(outputs);
  if (action === 'train' && outputs['run-record'] !== undefined) return trainRunSummary(outputs);
  if (action === 'drift-check' && outputs.drift !== undefined && outputs.share !== undefined) {
    return driftSummary(outputs, outcome);
  }
  return outputLines(action, outcome);
}
