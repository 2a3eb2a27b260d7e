import { markdownTable } from 'markdown-table';
import { formatDelta, formatValue } from '../registry/format.js';
import type { MetricSeries, RunComparison } from '../registry/runs.js';
import { escapeCell } from './evaluate-gate.js';
import { stepHistoryChart } from './mermaid.js';

/**
 * `mlops runs compare --markdown`: the params that differ (marked) and all params, the metrics
 * with the difference when there are two runs, then one line chart per metric that has a step
 * history, one line per run. Ready for a step summary, a pull-request comment or a notebook.
 */
export function renderRunComparisonMarkdown(
  comparison: RunComparison,
  histories: ReadonlyArray<{ metric: string; series: MetricSeries[] }>,
): string {
  const two = comparison.runs.length === 2;
  const runHeaders = comparison.runs.map((id) => `\`${escapeCell(id)}\``);
  const parts: string[] = [`### Runs ${comparison.runs.map((id) => `\`${escapeCell(id)}\``).join(' vs ')}`];
  if (comparison.params.length) {
    const differing = comparison.params.filter((p) => p.differs).length;
    parts.push(
      `**Params** (${differing} of ${comparison.params.length} differ, marked ●)\n\n` +
        markdownTable([
          ['param', ...runHeaders],
          ...comparison.params.map((p) => [
            `${p.differs ? '● ' : ''}${escapeCell(p.name)}`,
            ...p.values.map((v) => (v === undefined ? '–' : escapeCell(v))),
          ]),
        ]),
    );
  }
  if (comparison.metrics.length) {
    parts.push(
      '**Metrics**\n\n' +
        markdownTable(
          [
            ['metric', ...runHeaders, ...(two ? ['Δ'] : [])],
            ...comparison.metrics.map((m) => [
              escapeCell(m.name),
              ...m.values.map((v) => formatValue(v)),
              ...(two ? [formatDelta(m.delta) || '–'] : []),
            ]),
          ],
          { align: ['l', ...comparison.runs.map(() => 'r' as const), ...(two ? ['r' as const] : [])] },
        ),
    );
  }
  for (const { metric, series } of histories) parts.push(stepHistoryChart(metric, series));
  return parts.join('\n\n') + '\n';
}
