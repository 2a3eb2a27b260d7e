import { markdownTable } from 'markdown-table';
import type { GateEvaluation, MetricResult, Verdict } from '../gates/evaluate.js';
import { formatNumber, formatPercent, formatSigned } from '../metrics/format.js';
import type { Lineage } from '../metrics/parse.js';
import type { MetricHistoryPoint } from '../registry/runs.js';
import { historyChart, stepHistoryChart, type HistoryPoint } from './mermaid.js';

/** GitHub rejects issue and pull-request comment bodies longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** What the report says about the baseline. */
export interface BaselineDescription {
  /** The spec as asked (`auto`, `registry:churn@production`...). */
  requested: string;
  /** What was used, e.g. `registry:churn@production (v3)`; undefined when there is none. */
  resolved?: string;
  /** Why there is no baseline, or how auto chose. */
  note?: string;
  /**
   * Set when `auto` could not use its first choice and moved on (a first model, no production
   * alias yet): the report's first line says so, and the step warns.
   */
  fallback?: string;
  lineage?: Lineage;
  params?: Record<string, string>;
}

/** One registered version for the history chart, oldest first. */
export interface HistoryEntry {
  label: string;
  metrics: Record<string, number>;
}

export interface GateReportInput {
  evaluation: GateEvaluation;
  baseline: BaselineDescription;
  candidate: { files: string[]; lineage?: Lineage; params?: Record<string, string> };
  model?: string;
  /** False when fail-on-regression is off: a failed gate is reported but does not fail the step. */
  failOnRegression: boolean;
  history?: HistoryEntry[];
  /** Label of the candidate's point on the history chart. */
  candidateLabel?: string;
  /** Per-step metric values (run records' metricHistory): charted where both sides have a metric's. */
  stepHistories?: {
    candidate?: Record<string, MetricHistoryPoint[]>;
    baseline?: Record<string, MetricHistoryPoint[]>;
  };
  /** For commit and run links: https://github.com and owner/repo. */
  links?: { serverUrl: string; repository: string };
  /** Link to this run, shown in the footer. */
  runUrl?: string;
  /** Maximum length in characters (default: GitHub's comment limit less room for the marker). */
  maxLength?: number;
}

const VERDICT_CELL: Record<Verdict, string> = {
  pass: '✅ pass',
  warn: '⚠️ warn',
  fail: '❌ fail',
  info: '',
};

/** Makes untrusted text safe inside a table cell: no HTML, no pipes, no line breaks. */
export function escapeCell(text: string): string {
  return (
    text
      // A backslash in the text would escape the next character: `a\|b` would render as `a|b`.
      .replace(/\\/g, '\\\\')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/\|/g, '\\|')
      .replace(/\r?\n/g, ' ')
  );
}

/** Inline code that survives backticks inside the text: the fence is longer than any run of them. */
function code(text: string): string {
  const safe = text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  const longestRun = Math.max(0, ...(safe.match(/`+/g) ?? []).map((run) => run.length));
  if (longestRun === 0) return `\`${safe}\``;
  const fence = '`'.repeat(longestRun + 1);
  return `${fence} ${safe} ${fence}`;
}

function deltaCell(result: MetricResult): string {
  if (result.delta === undefined) return '';
  if (result.delta === 0) return '0';
  const arrow = result.delta > 0 ? '▲' : '▼';
  return `${arrow} ${formatSigned(result.delta)}`;
}

function metricCell(result: MetricResult): string {
  let cell = code(result.metric);
  if (result.direction) cell += result.direction === 'higher' ? ' ↑' : ' ↓';
  return cell;
}

function valueCell(value: number | undefined): string {
  return value === undefined ? '—' : formatNumber(value);
}

function reasonCell(result: MetricResult): string {
  return escapeCell(result.reasons.join('; '));
}

function gatedTable(results: MetricResult[]): string {
  return markdownTable(
    [
      ['Metric', 'Baseline', 'Candidate', 'Δ', 'Δ %', 'Verdict', 'Reason'],
      ...results.map((r) => [
        metricCell(r),
        valueCell(r.baseline),
        valueCell(r.candidate),
        deltaCell(r),
        r.deltaPct === undefined ? '' : formatPercent(r.deltaPct),
        VERDICT_CELL[r.verdict],
        reasonCell(r),
      ]),
    ],
    { align: ['l', 'r', 'r', 'r', 'r', 'l', 'l'], alignDelimiters: false },
  );
}

function infoTable(results: MetricResult[]): string {
  return markdownTable(
    [
      ['Metric', 'Baseline', 'Candidate', 'Δ', 'Δ %'],
      ...results.map((r) => [
        code(r.metric),
        valueCell(r.baseline),
        valueCell(r.candidate),
        deltaCell(r),
        r.deltaPct === undefined ? '' : formatPercent(r.deltaPct),
      ]),
    ],
    { align: ['l', 'r', 'r', 'r', 'r'], alignDelimiters: false },
  );
}

function details(summary: string, body: string, open = false): string {
  return `<details${open ? ' open' : ''}><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The headline: one line a reviewer reads first. */
export function verdictLine(
  input: Pick<GateReportInput, 'evaluation' | 'failOnRegression' | 'model'> & {
    baseline?: Pick<BaselineDescription, 'fallback'>;
  },
): string {
  const { counts } = input.evaluation;
  const gated = counts.pass + counts.warn + counts.fail;
  const model = input.model ? ` for ${code(input.model)}` : '';
  let line: string;
  if (gated === 0) line = `ℹ️ No gates applied${model}`;
  else if (counts.fail > 0) {
    line = `❌ ${counts.fail} of ${plural(gated, 'gate')} failed${model}`;
    if (!input.failOnRegression) line += ' (reported only: fail-on-regression is false)';
  } else if (counts.warn > 0) line = `⚠️ All gates passed${model}, ${plural(counts.warn, 'warning')}`;
  else line = `✅ All ${plural(gated, 'gate')} passed${model}`;
  // A fallback changes what the verdict means, so it is part of the line read first.
  if (input.baseline?.fallback) line += ` · ⚠️ baseline auto fell back: ${escapeCell(input.baseline.fallback)}`;
  return `### ${line}`;
}

function shortSha(sha: string): string {
  return /^[0-9a-f]{40,64}$/i.test(sha) ? sha.slice(0, 12) : sha;
}

function commitCell(sha: string | undefined, links: GateReportInput['links']): string {
  if (!sha) return '—';
  if (links && /^[0-9a-f]{7,64}$/i.test(sha)) {
    return `[${code(sha.slice(0, 7))}](${links.serverUrl}/${links.repository}/commit/${sha})`;
  }
  return code(shortSha(sha));
}

function linkCell(url: string | undefined, text: string): string {
  if (!url) return '—';
  if (!/^https?:\/\//.test(url)) return code(url);
  return `[${escapeCell(text)}](${url.replace(/[()\s]/g, encodeURIComponent)})`;
}

function lineageSection(input: GateReportInput): string | undefined {
  const b = input.baseline.resolved ? input.baseline.lineage : undefined;
  const c = input.candidate.lineage;
  if (!b && !c) return undefined;
  const rows: string[][] = [];
  const add = (label: string, baseline: string, candidate: string) => {
    if (baseline === '—' && candidate === '—') return;
    rows.push([label, baseline, candidate]);
  };
  add(
    'Model version',
    b?.version !== undefined ? `${b.model ? code(b.model) + ' ' : ''}v${b.version}` : '—',
    c?.version !== undefined ? `v${c.version}` : '—',
  );
  add('Commit', commitCell(b?.commit, input.links), commitCell(c?.commit, input.links));
  add(
    'Data sha256',
    b?.dataSha256 ? code(shortSha(b.dataSha256)) : '—',
    c?.dataSha256 ? code(shortSha(c.dataSha256)) : '—',
  );
  add(
    'Model sha256',
    b?.modelSha256 ? code(shortSha(b.modelSha256)) : '—',
    c?.modelSha256 ? code(shortSha(c.modelSha256)) : '—',
  );
  add('Run', linkCell(b?.runUrl, b?.runId ?? 'run'), linkCell(c?.runUrl, c?.runId ?? 'run'));
  if (rows.length === 0) return undefined;
  const sameData = b?.dataSha256 && c?.dataSha256 ? (b.dataSha256 === c.dataSha256 ? 'same data' : 'data changed') : '';
  const table = markdownTable([['', 'Baseline', 'Candidate'], ...rows], { alignDelimiters: false });
  return details(`Lineage${sameData ? ` (${sameData})` : ''}`, table);
}

function paramsSection(input: GateReportInput, maxRows: number): string | undefined {
  const candidate = input.candidate.params;
  if (!candidate) return undefined;
  const baseline = input.baseline.resolved ? input.baseline.params : undefined;
  const names = [...new Set([...Object.keys(candidate), ...Object.keys(baseline ?? {})])].sort();
  if (names.length === 0) return undefined;
  if (!baseline) {
    const rows = names.slice(0, maxRows).map((n) => [code(n), escapeCell(candidate[n] ?? '—')]);
    const more = names.length > rows.length ? `\n\n…and ${names.length - rows.length} more.` : '';
    return details(
      `Parameters (${plural(names.length, 'parameter')}; no baseline parameters to compare)`,
      markdownTable([['Parameter', 'Candidate'], ...rows], { alignDelimiters: false }) + more,
    );
  }
  const changed = names.filter((n) => candidate[n] !== baseline[n]);
  if (changed.length === 0) return `Parameters: ${plural(names.length, 'parameter')}, none changed.`;
  const rows = changed
    .slice(0, maxRows)
    .map((n) => [code(n), escapeCell(baseline[n] ?? '—'), escapeCell(candidate[n] ?? '—')]);
  const more = changed.length > rows.length ? `\n\n…and ${changed.length - rows.length} more changed.` : '';
  const unchanged = names.length - changed.length;
  return details(
    `Parameters: ${changed.length} changed${unchanged ? `, ${unchanged} unchanged` : ''}`,
    markdownTable([['Parameter', 'Baseline', 'Candidate'], ...rows], { alignDelimiters: false }) + more,
    true,
  );
}

/** History points of one metric: registered versions that have it, then the candidate. */
export function historyPoints(
  metric: string,
  history: readonly HistoryEntry[],
  candidate: number | undefined,
  candidateLabel: string,
  maxPoints = 30,
): HistoryPoint[] {
  const points = history
    .filter((entry) => entry.metrics[metric] !== undefined)
    .map((entry) => ({ label: entry.label, value: entry.metrics[metric]! }));
  const kept = points.slice(Math.max(0, points.length - (candidate === undefined ? maxPoints : maxPoints - 1)));
  if (candidate !== undefined) kept.push({ label: candidateLabel, value: candidate });
  return kept;
}

function historySection(input: GateReportInput, maxCharts: number): string | undefined {
  if (!input.history || input.history.length === 0 || maxCharts <= 0) return undefined;
  const gated = input.evaluation.results.filter((r) => r.verdict !== 'info' && r.candidate !== undefined);
  const charts: string[] = [];
  for (const result of gated) {
    if (charts.length >= maxCharts) break;
    const points = historyPoints(result.metric, input.history, result.candidate, input.candidateLabel ?? 'candidate');
    if (points.length < 2) continue;
    charts.push(historyChart(result.metric, points));
  }
  if (charts.length === 0) return undefined;
  const versions = plural(input.history.length, 'registered version');
  return details(
    `History over ${versions}${input.model ? ` of ${escapeCell(input.model)}` : ''}`,
    charts.join('\n\n'),
    true,
  );
}

/** Training curves: each gated metric (then the others) that both runs logged per step, as two lines. */
function stepHistorySection(input: GateReportInput, maxCharts: number): string | undefined {
  const { candidate, baseline } = input.stepHistories ?? {};
  if (!candidate || !baseline || !input.baseline.resolved || maxCharts <= 0) return undefined;
  const ordered = [...input.evaluation.results].sort(
    (a, b) => Number(a.verdict === 'info') - Number(b.verdict === 'info'),
  );
  const label = input.candidateLabel ?? 'candidate';
  const charts = ordered
    .filter((r) => candidate[r.metric]?.length && baseline[r.metric]?.length)
    .slice(0, maxCharts)
    .map((r) =>
      stepHistoryChart(r.metric, [
        { label: `baseline ${input.baseline.resolved!}`, points: baseline[r.metric]! },
        { label, points: candidate[r.metric]! },
      ]),
    );
  return charts.length
    ? details(`Training curves: ${escapeCell(label)} against the baseline`, charts.join('\n\n'), true)
    : undefined;
}

interface Budget {
  gatedRows: number;
  infoRows: number;
  paramRows: number;
  charts: number;
  lineage: boolean;
}

function render(input: GateReportInput, budget: Budget): string {
  const parts: string[] = [verdictLine(input)];
  const { baseline } = input;
  if (baseline.resolved) {
    parts.push(
      `Compared with **${escapeCell(baseline.resolved)}**${baseline.note ? ` (${escapeCell(baseline.note)})` : ''}.`,
    );
  } else {
    parts.push(
      `**No baseline**${baseline.note ? `: ${escapeCell(baseline.note)}` : ''}. Absolute gates (min, max) applied; regression gates skipped.`,
    );
  }
  const gated = input.evaluation.results.filter((r) => r.verdict !== 'info');
  const info = input.evaluation.results.filter((r) => r.verdict === 'info');
  if (gated.length > 0) {
    // Failures and warnings first when the table has to be cut, so nothing that matters is lost.
    const order: Record<Verdict, number> = { fail: 0, warn: 1, pass: 2, info: 3 };
    const shown =
      gated.length > budget.gatedRows
        ? [...gated].sort((a, b) => order[a.verdict] - order[b.verdict]).slice(0, budget.gatedRows)
        : gated;
    let table = gatedTable(shown);
    if (shown.length < gated.length) {
      table += `\n\n…and ${gated.length - shown.length} more gated metrics (all in the \`results\` output).`;
    }
    parts.push(table);
  }
  if (info.length > 0) {
    const shown = info.slice(0, budget.infoRows);
    let body = shown.length > 0 ? infoTable(shown) : '';
    if (shown.length < info.length)
      body += `\n\n…and ${info.length - shown.length} more (all in the \`results\` output).`;
    parts.push(details(`${plural(info.length, 'other metric')} (not gated)`, body.trim()));
  }
  const params = paramsSection(input, budget.paramRows);
  if (params) parts.push(params);
  const history = historySection(input, budget.charts);
  if (history) parts.push(history);
  const curves = stepHistorySection(input, budget.charts);
  if (curves) parts.push(curves);
  if (budget.lineage) {
    const lineage = lineageSection(input);
    if (lineage) parts.push(lineage);
  }
  const footer = ['mlops evaluate-gate'];
  if (input.candidate.files.length)
    footer.push(`candidate: ${input.candidate.files.map((f) => escapeCell(f)).join(', ')}`);
  if (input.runUrl) footer.push(`[workflow run](${input.runUrl})`);
  parts.push(`<sub>${footer.join(' · ')}</sub>`);
  return parts.join('\n\n') + '\n';
}

/**
 * Renders the evaluate-gate report: the verdict line, the gated metrics with ▲/▼ and ✅/⚠️/❌,
 * other metrics, the params diff, a Mermaid history chart and the lineage, long parts folded
 * in <details>. It always fits in `maxLength` (GitHub's comment limit by default): when too
 * long, charts, parameters and ungated rows are cut first, failures are kept longest.
 */
export function renderGateReport(input: GateReportInput): string {
  const limit = input.maxLength ?? GITHUB_COMMENT_LIMIT - 1_024;
  const budgets: Budget[] = [
    { gatedRows: Infinity, infoRows: 200, paramRows: 100, charts: 5, lineage: true },
    { gatedRows: Infinity, infoRows: 50, paramRows: 30, charts: 1, lineage: true },
    { gatedRows: Infinity, infoRows: 10, paramRows: 10, charts: 0, lineage: true },
    { gatedRows: 300, infoRows: 0, paramRows: 0, charts: 0, lineage: true },
    { gatedRows: 100, infoRows: 0, paramRows: 0, charts: 0, lineage: false },
    { gatedRows: 20, infoRows: 0, paramRows: 0, charts: 0, lineage: false },
  ];
  let text = '';
  for (const budget of budgets) {
    text = render(input, budget);
    if (text.length <= limit) return text;
  }
  // Pathological inputs (enormous metric names): cut at a line boundary and say so.
  const note = '\n\n…(report truncated to fit GitHub’s comment limit; see the `results` output)\n';
  const cut = text.lastIndexOf('\n', limit - note.length);
  return text.slice(0, cut > 0 ? cut : limit - note.length) + note;
}

/**
 * Why a run left the sticky comment alone: a newer commit is the pull request's head, and the
 * run for it owns the comment. One sentence, for the log and (quoted) the step summary.
 */
export function supersededCommentLine(pullRequest: number, head: string, tested: string): string {
  return `Not updating the comment on pull request #${pullRequest}: its head is now ${head.slice(0, 12)}, but this run tested ${tested.slice(0, 12)}; the run for the new head owns the comment.`;
}

/** The `results` output: everything the report shows, as JSON for later steps. */
export interface GateResultsJson {
  passed: boolean;
  model?: string;
  baseline: { requested: string; resolved: string | null; note?: string; fallback?: string };
  counts: Record<Verdict, number>;
  metrics: Array<Omit<MetricResult, 'location'>>;
}

/** Builds the `results` output from an evaluation. */
export function gateResultsJson(input: Pick<GateReportInput, 'evaluation' | 'baseline' | 'model'>): GateResultsJson {
  return {
    passed: input.evaluation.passed,
    ...(input.model ? { model: input.model } : {}),
    baseline: {
      requested: input.baseline.requested,
      resolved: input.baseline.resolved ?? null,
      ...(input.baseline.note ? { note: input.baseline.note } : {}),
      ...(input.baseline.fallback ? { fallback: input.baseline.fallback } : {}),
    },
    counts: input.evaluation.counts,
    metrics: input.evaluation.results.map((result) => {
      const { location: _location, ...rest } = result;
      return rest;
    }),
  };
}
