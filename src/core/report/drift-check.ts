/**
 * What drift-check shows people: the step summary and the issue body (the per-column table, the
 * dataset verdict, a Mermaid `xychart-beta` per drifted column), and the short comments the
 * issue lifecycle posts (a run while drift lasts, the close when it is gone). Pure: the report
 * in, markdown out.
 */
import type { DriftColumnReport, DriftHistogram, DriftReport } from '../drift/types.js';
import { formatNumber } from '../metrics/format.js';
import { escapeCell, GITHUB_COMMENT_LIMIT } from './evaluate-gate.js';
import { plainNumber, quoted } from './mermaid.js';

/** What the renderer needs besides the report. */
export interface DriftRenderContext {
  /** The check's name (the `name` input): one issue per name. */
  name: string;
  /** The reference as the user gave it (a file list, a profile, `registry:churn@production`). */
  reference: string;
  /** The current data files, as shown to the user. */
  current: string[];
  /** This workflow run, when known. */
  runUrl?: string | undefined;
  /** Room for the text (default: GitHub's issue body limit less room for the marker). */
  maxLength?: number;
}

/** Bars drawn per chart: categories beyond it are summed into one "other" bar. */
const MAX_BARS = 24;

/** Charts per report: the drifted columns with the largest drift first. */
const MAX_CHARTS = 10;

/** A number for a table cell: six significant digits, exponent notation only when tiny or huge. */
function cellNumber(value: number): string {
  return formatNumber(value);
}

/** A short number for an axis label: three significant digits. */
function axisNumber(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude < 1e-3 || magnitude >= 1e6)
    return value
      .toExponential(2)
      .replace(/\.?0+e/, 'e')
      .replace('e+', 'e');
  return String(Number(value.toPrecision(3)));
}

/**
 * A Mermaid label: double-quoted, with what Mermaid's parser or GitHub's sanitiser would take
 * as syntax (statement separators, entity codes, comments, brackets, tags) replaced by spaces.
 */
export function chartLabel(text: string, max = 40): string {
  const cleaned = text.replace(/[;#%{}[\]<>\\]/g, ' ').replace(/\s+/g, ' ');
  return quoted(cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned);
}

/** Inline code in a table cell or sentence, safe for any column name. */
function code(text: string): string {
  const safe = escapeCell(text).replace(/`/g, "'");
  return `\`${safe}\``;
}

/** `p-value < 0.05` or `distance ≥ 0.1`: what makes the column drift. */
export function thresholdText(column: Pick<DriftColumnReport, 'direction' | 'test' | 'threshold'>): string {
  if (column.direction === 'distance') return `≥ ${cellNumber(column.threshold)}`;
  // Evidently's ks flags p <= threshold; the other tests p < threshold.
  return `${column.test === 'ks' ? '≤' : '<'} ${cellNumber(column.threshold)}`;
}

/** The dataset verdict in one line, read first. */
export function driftVerdictLine(report: DriftReport, name: string): string {
  const counted = `${report.number_of_drifted_columns} of ${report.number_of_columns} column${report.number_of_columns === 1 ? '' : 's'} drifted`;
  const share = `share ${cellNumber(report.share)} ${report.drift ? '≥' : '<'} drift-share ${cellNumber(report.drift_share)}`;
  const check = name === 'default' ? '' : ` (${code(name)})`;
  return report.drift
    ? `❌ Dataset drift detected${check}: ${counted} (${share})`
    : `✅ No dataset drift${check}: ${counted} (${share})`;
}

/** The per-column table: column, type, test, value, threshold, drift. Drifted columns first. */
export function driftTable(columns: readonly DriftColumnReport[], maxRows = Infinity): string {
  const ordered = [...columns.filter((c) => c.drift), ...columns.filter((c) => !c.drift)];
  const shown = ordered.slice(0, maxRows);
  const rows = shown.map(
    (c) =>
      `| ${code(c.column)} | ${c.type} | ${c.test} | ${cellNumber(c.value)} | ${thresholdText(c)} | ${c.drift ? '❌ drift' : '✅ no'} |`,
  );
  const more =
    ordered.length > shown.length
      ? `\n\n…and ${ordered.length - shown.length} more columns without drift (see the JSON report).`
      : '';
  return (
    ['| column | type | test | value | threshold | drift |', '|---|---|---|---:|---|---|', ...rows].join('\n') + more
  );
}

interface Bars {
  labels: string[];
  reference: number[];
  current: number[];
}

/** The histogram as at most MAX_BARS bars: bin ranges, or categories by share with the rest summed. */
export function histogramBars(histogram: DriftHistogram): Bars {
  if (histogram.kind === 'bins') {
    const labels = histogram.reference.map(
      (_, i) => `${axisNumber(histogram.edges[i]!)}–${axisNumber(histogram.edges[i + 1]!)}`,
    );
    return { labels, reference: [...histogram.reference], current: [...histogram.current] };
  }
  const indexes = histogram.categories.map((_, i) => i);
  if (indexes.length <= MAX_BARS) {
    return { labels: [...histogram.categories], reference: [...histogram.reference], current: [...histogram.current] };
  }
  const weight = (i: number): number => Math.max(histogram.reference[i] ?? 0, histogram.current[i] ?? 0);
  const kept = [...indexes].sort((a, b) => weight(b) - weight(a) || a - b).slice(0, MAX_BARS - 1);
  kept.sort((a, b) => a - b);
  const rest = indexes.filter((i) => !kept.includes(i));
  const sum = (side: number[], of: number[]): number => of.reduce((total, i) => total + (side[i] ?? 0), 0);
  return {
    labels: [...kept.map((i) => histogram.categories[i]!), `other (${rest.length})`],
    reference: [...kept.map((i) => histogram.reference[i]!), sum(histogram.reference, rest)],
    current: [...kept.map((i) => histogram.current[i]!), sum(histogram.current, rest)],
  };
}

/**
 * A Mermaid `xychart-beta` of one column's histogram: reference shares as bars, current shares
 * as a line over them (two bar series would be drawn on top of each other). GitHub draws it in
 * step summaries and issues.
 */
export function driftChart(column: DriftColumnReport): string {
  const bars = histogramBars(column.histogram);
  const high = Math.max(...bars.reference, ...bars.current, 0);
  const top = high > 0 ? Math.min(1, Number((high * 1.1).toPrecision(2))) : 1;
  return [
    '```mermaid',
    'xychart-beta',
    `  title ${chartLabel(`${column.column}: reference (bars) vs current (line)`, 80)}`,
    `  x-axis [${bars.labels.map((label) => chartLabel(label)).join(', ')}]`,
    `  y-axis "share" 0 --> ${plainNumber(top)}`,
    `  bar [${bars.reference.map((value) => plainNumber(value)).join(', ')}]`,
    `  line [${bars.current.map((value) => plainNumber(value)).join(', ')}]`,
    '```',
  ].join('\n');
}

/** How far past its threshold a drifted column is, for ordering the charts. */
function severity(column: DriftColumnReport): number {
  if (column.direction === 'distance') return column.value / (column.threshold || 1);
  return column.threshold / Math.max(column.value, Number.MIN_VALUE);
}

function chartsSection(report: DriftReport, count: number): string {
  const drifted = report.columns.filter((c) => c.drift).sort((a, b) => severity(b) - severity(a));
  if (drifted.length === 0 || count === 0) return '';
  const shown = drifted.slice(0, count);
  const charts = shown.map(
    // A code span, not bold text: `@team` or `[x](url)` in a column name must not ping or link.
    (c) => `**${code(c.column)}** (${c.test}, value ${cellNumber(c.value)})\n\n${driftChart(c)}`,
  );
  const more =
    drifted.length > shown.length
      ? `\n\n…charts of ${drifted.length - shown.length} more drifted columns are left out.`
      : '';
  return `### Drifted columns\n\n${charts.join('\n\n')}${more}`;
}

function sourcesLine(report: DriftReport, context: DriftRenderContext): string {
  // Code spans: a file name such as `@org/x.csv` must not ping anyone.
  const current = context.current.map((file) => code(file)).join(', ');
  return `<sub>mlops drift-check · reference: ${code(context.reference)} (${report.reference.rows.toLocaleString('en-US')} rows) · current: ${current} (${report.current.rows.toLocaleString('en-US')} rows)${context.runUrl ? ` · [workflow run](${context.runUrl})` : ''}</sub>`;
}

/**
 * The step summary and issue body: verdict, table, charts of the drifted columns, sources. It
 * always fits in `maxLength`: charts go first, then table rows of columns without drift.
 */
export function renderDriftReport(report: DriftReport, context: DriftRenderContext): string {
  const limit = context.maxLength ?? GITHUB_COMMENT_LIMIT - 1_024;
  const budgets = [
    { charts: MAX_CHARTS, rows: Infinity },
    { charts: 3, rows: Infinity },
    { charts: 0, rows: Infinity },
    { charts: 0, rows: 200 },
    { charts: 0, rows: 50 },
  ];
  let text = '';
  for (const budget of budgets) {
    const parts = [
      `## Drift check${context.name === 'default' ? '' : ` ${code(context.name)}`}`,
      driftVerdictLine(report, context.name),
      driftTable(report.columns, Math.max(budget.rows, report.number_of_drifted_columns)),
    ];
    const charts = chartsSection(report, budget.charts);
    if (charts) parts.push(charts);
    parts.push(sourcesLine(report, context));
    text = parts.join('\n\n') + '\n';
    if (text.length <= limit) return text;
  }
  const note = '\n\n…(report truncated to fit GitHub’s limit; see the JSON report)\n';
  const cut = text.lastIndexOf('\n', limit - note.length);
  return text.slice(0, cut > 0 ? cut : limit - note.length) + note;
}

/** The issue's title: stable across runs, so the issue list reads as one alert per check. */
export function driftIssueTitle(name: string): string {
  return name === 'default' ? 'Data drift detected' : `Data drift detected: ${name.replace(/\s+/g, ' ').slice(0, 200)}`;
}

function drifted(report: DriftReport, max = 10): string {
  const names = report.drifted_columns.slice(0, max).map((name) => code(name));
  const more = report.drifted_columns.length > max ? ` and ${report.drifted_columns.length - max} more` : '';
  return names.length ? `${names.join(', ')}${more}` : 'none';
}

function runText(runUrl: string | undefined): string {
  return runUrl ? `[This run](${runUrl})` : 'This run';
}

/** The comment a run adds while drift lasts: link, share, drifted columns. */
export function driftRunComment(report: DriftReport, runUrl: string | undefined): string {
  return `${runText(runUrl)} still finds drift: ${report.number_of_drifted_columns} of ${report.number_of_columns} columns (share ${cellNumber(report.share)}): ${drifted(report)}. The table above is this run's.`;
}

/** The comment posted when a run finds no drift and closes the issue. */
export function driftCloseComment(report: DriftReport, runUrl: string | undefined): string {
  return `${runText(runUrl)} finds no dataset drift: ${report.number_of_drifted_columns} of ${report.number_of_columns} columns drifted (share ${cellNumber(report.share)} < drift-share ${cellNumber(report.drift_share)}). Closing; a later drift opens a new issue.`;
}

/**
 * Room for the marker line the issue adapter puts above the body (`<!-- mlops:drift:<key> -->`,
 * the key URI-encoded: a CJK character takes 9 characters there), so a long name cannot push
 * the composed body past GitHub's limit after the report has been written.
 */
export function issueMarkerRoom(name: string): number {
  return `<!-- mlops:drift:${encodeURIComponent(name)} -->\n`.length;
}

/** The issue body: the report, then a line saying how the issue lives. */
export function driftIssueBody(report: DriftReport, context: DriftRenderContext): string {
  const footer =
    '\n<sub>Opened by mlops drift-check. Every run while the drift lasts replaces this text and adds a comment; the first run without drift closes the issue.</sub>\n';
  const limit = (context.maxLength ?? GITHUB_COMMENT_LIMIT - 1_024 - issueMarkerRoom(context.name)) - footer.length;
  return renderDriftReport(report, { ...context, maxLength: limit }) + footer;
}
