import { formatDuration, formatValue } from '../registry/format.js';
import { stepHistoryChart } from '../report/mermaid.js';
import type { HashedPath, RunRecord } from '../registry/runs.js';
import { flattenParamTree, type ParamTree } from './params.js';

/** Text inside a markdown table cell: pipes escaped, one line. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  return `\`${cell(text).replace(/`/g, "'")}\``;
}

const STATUS_WORDS: Record<string, string> = {
  succeeded: '✅ succeeded',
  failed: '❌ failed',
  'timed-out': '⏱️ timed out',
  cancelled: '⛔ cancelled',
};

/** Histories drawn as charts; the rest are only counted (each chart is a Mermaid block to render). */
const MAX_CHARTS = 4;

/** Rows beyond this many params or metrics are counted, not shown: the summary stays readable. */
const MAX_ROWS = 50;

function capped(rows: string[]): string[] {
  if (rows.length <= MAX_ROWS) return rows;
  return [...rows.slice(0, MAX_ROWS), `| … ${rows.length - MAX_ROWS} more in the run record | |`];
}

function hashRow(label: string, hash: HashedPath): string {
  const bytes = hash.bytes !== undefined ? `${hash.bytes} bytes` : '';
  const size = hash.kind === 'directory' && hash.files !== undefined ? `${hash.files} files, ${bytes}` : bytes;
  return `| ${label} | ${code(hash.path)} | ${code(hash.sha256.slice(0, 16))}… | ${size} |`;
}

/**
 * The train step summary: status and duration, params (overridden ones marked), metrics, and the
 * lineage (data and model hashes, commit, lockfiles, runner) that makes the run reproducible.
 */
export function trainSummary(record: RunRecord, recordPath: string): string {
  const lines: string[] = [];
  const status = STATUS_WORDS[record.status ?? 'succeeded'] ?? String(record.status);
  lines.push(`### Train run ${code(record.id)}: ${status}`, '');
  const facts: string[] = [
    `| command | ${code(String(record.command ?? ''))} |`,
    `| duration | ${formatDuration(record.durationSeconds)} |`,
  ];
  if (record.exitCode !== undefined) facts.push(`| exit code | ${record.exitCode} |`);
  if (typeof record.error === 'string') facts.push(`| error | ${cell(record.error)} |`);
  if (record.seed !== undefined) facts.push(`| seed | ${record.seed} |`);
  lines.push('| | |', '|---|---|', ...facts, '');

  const overrides = record.paramOverrides ?? {};
  const params = Object.entries(flattenParamTree(record.params as ParamTree));
  if (params.length) {
    lines.push('#### Params', '', '| param | value |', '|---|---|');
    lines.push(
      ...capped(
        params.map(
          ([name, value]) =>
            `| ${cell(name)} | ${code(typeof value === 'string' ? value : JSON.stringify(value))}${name in overrides ? ' (override)' : ''} |`,
        ),
      ),
      '',
    );
  }
  const metrics = Object.entries(record.metrics).filter(
    (entry): entry is [string, number] => typeof entry[1] === 'number',
  );
  if (metrics.length) {
    const history = record.metricHistory ?? {};
    lines.push('#### Metrics', '', '| metric | value | steps logged |', '|---|---:|---:|');
    lines.push(
      ...capped(
        metrics.map(([name, value]) => `| ${cell(name)} | ${formatValue(value)} | ${history[name]?.length ?? ''} |`),
      ),
      '',
    );
  }

  // Training curves: one chart per metric with a history of more than one step, the first few.
  const curves = Object.entries(record.metricHistory ?? {}).filter(([, points]) => points.length > 1);
  if (curves.length) {
    lines.push('#### Training curves', '');
    for (const [name, points] of curves.slice(0, MAX_CHARTS)) {
      lines.push(stepHistoryChart(name, [{ label: record.id, points }]), '');
    }
    if (curves.length > MAX_CHARTS)
      lines.push(`${curves.length - MAX_CHARTS} more histories are in the run record.`, '');
  }

  const lineage: string[] = [];
  for (const entry of record.data ?? []) lineage.push(hashRow('data', entry));
  if (record.model) lineage.push(hashRow('model', record.model));
  const git = record.lineage?.git ?? record.git;
  if (git?.commit)
    lineage.push(`| commit | ${code(git.commit.slice(0, 12))}${git.dirty ? ' (with uncommitted changes)' : ''} | | |`);
  const more = record.lineage ?? {};
  for (const lockfile of more.lockfiles ?? []) {
    lineage.push(`| lockfile | ${code(lockfile.path)} | ${code(lockfile.sha256.slice(0, 16))}… | |`);
  }
  const runtime = [
    more.runner?.os && `${more.runner.os}/${more.runner.arch ?? ''}`,
    more.node && `node ${more.node}`,
    more.python && `python ${more.python}`,
  ].filter(Boolean);
  if (runtime.length) lineage.push(`| runtime | ${cell(runtime.join(', '))} | | |`);
  if (lineage.length) lines.push('#### Lineage', '', '| | path | sha256 | size |', '|---|---|---|---|', ...lineage, '');
  lines.push(`Run record: ${code(recordPath)}`, '');
  return lines.join('\n');
}
