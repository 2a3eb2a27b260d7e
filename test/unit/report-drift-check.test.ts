/**
 * drift-check's markdown (src/core/report/drift-check.ts): the table, the verdict, the Mermaid
 * charts of drifted columns, and the length limit of an issue body.
 */
import { describe, expect, it } from 'vitest';
import { composeIssueBody } from '../../src/adapters/github/issues.js';
import type { DriftColumnReport, DriftReport } from '../../src/core/drift/types.js';
import {
  chartLabel,
  driftChart,
  driftCloseComment,
  driftIssueBody,
  driftRunComment,
  histogramBars,
  renderDriftReport,
} from '../../src/core/report/drift-check.js';

function column(overrides: Partial<DriftColumnReport> & { column: string }): DriftColumnReport {
  return {
    type: 'numeric',
    test: 'ks',
    statistic: 0.4,
    p_value: 0.001,
    value: 0.001,
    threshold: 0.05,
    drift: true,
    direction: 'p-value',
    reference_rows: 100,
    current_rows: 100,
    dropped: { reference: 0, current: 0 },
    histogram: { kind: 'bins', edges: [0, 0.5, 1], reference: [0.6, 0.4], current: [0.2, 0.8] },
    ...overrides,
  };
}

function report(columns: DriftColumnReport[], driftShare = 0.5): DriftReport {
  const drifted = columns.filter((c) => c.drift).map((c) => c.column);
  const share = drifted.length / columns.length;
  return {
    kind: 'mlops-drift-report',
    format: 1,
    drift: share >= driftShare,
    share,
    drift_share: driftShare,
    number_of_columns: columns.length,
    number_of_drifted_columns: drifted.length,
    drifted_columns: drifted,
    reference: { rows: 100, source: { files: ['train.csv'] } },
    current: { rows: 100, source: { files: ['prod.csv'] } },
    columns,
  };
}

const context = {
  name: 'nightly',
  reference: 'train.csv',
  current: ['prod.csv'],
  runUrl: 'https://github.com/o/r/actions/runs/1',
};

describe('renderDriftReport', () => {
  it('shows the verdict, a row per column (drifted first) and a chart per drifted column', () => {
    const text = renderDriftReport(
      report([
        column({ column: 'age', drift: false, value: 0.4 }),
        column({
          column: 'plan',
          type: 'categorical',
          test: 'chisquare',
          histogram: { kind: 'categories', categories: ['basic', 'pro'], reference: [0.7, 0.3], current: [0.3, 0.7] },
        }),
      ]),
      context,
    );
    expect(text).toContain(
      '❌ Dataset drift detected (`nightly`): 1 of 2 columns drifted (share 0.5 ≥ drift-share 0.5)',
    );
    const rows = text.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows).toEqual([
      '| `plan` | categorical | chisquare | 0.001 | < 0.05 | ❌ drift |',
      '| `age` | numeric | ks | 0.4 | ≤ 0.05 | ✅ no |',
    ]);
    expect(text.match(/```mermaid/g)).toHaveLength(1);
    expect(text).toContain('  x-axis ["basic", "pro"]');
    expect(text).toContain('  bar [0.7, 0.3]');
    expect(text).toContain('  line [0.3, 0.7]');
    expect(text).toContain('[workflow run](https://github.com/o/r/actions/runs/1)');
  });

  it('says no drift when the share is below drift-share', () => {
    const text = renderDriftReport(
      report([column({ column: 'a' }), column({ column: 'b', drift: false })], 0.6),
      context,
    );
    expect(text).toContain('✅ No dataset drift (`nightly`): 1 of 2 columns drifted (share 0.5 < drift-share 0.6)');
  });

  it('escapes column names in the table and the chart', () => {
    const name = 'a|b<script>"x"`;#%[1]';
    const text = renderDriftReport(report([column({ column: name })]), context);
    expect(text).toContain('| `a\\|b&lt;script&gt;"x"\';#%[1]` |');
    const chart = text.slice(text.indexOf('```mermaid'));
    expect(chart).not.toContain('<script>');
    expect(chart).toContain(`title "a|b script 'x'' 1 : reference (bars) vs current (line)"`);
  });

  it('keeps mentions, links and issue references in names inside code spans (no pings, no live links)', () => {
    const hostile = '@org/oncall [log in](https://evil.example) #1';
    const text = driftIssueBody(report([column({ column: hostile }), column({ column: 'ok', drift: false })]), {
      ...context,
      name: '@org/team #2',
      reference: '@org/ref [x](https://evil.example).csv',
      current: ['@org/cur #3.csv'],
    });
    // What GitHub renders as markdown: the text without code spans, Mermaid blocks and our own run link.
    const rendered = text
      .replace(/```mermaid[\s\S]*?```/g, '')
      .replace(/`[^`\n]*`/g, '')
      .replace(`[workflow run](${context.runUrl})`, '');
    expect(text).toContain(hostile);
    expect(rendered).not.toContain('@');
    expect(rendered).not.toContain('](');
    expect(rendered).not.toMatch(/#\d/);
    for (const comment of [driftRunComment(report([column({ column: hostile })]), undefined)])
      expect(comment.replace(/`[^`\n]*`/g, '')).not.toMatch(/@|\]\(|#\d/);
  });

  it("leaves room for the marker of a long name: the composed issue body fits GitHub's limit", () => {
    const name = '漢'.repeat(400);
    // Every column drifts: the table alone passes the limit, so the body is cut right at it.
    const columns = Array.from({ length: 2000 }, (_, i) => column({ column: `feature_${i}_${'x'.repeat(30)}` }));
    const body = composeIssueBody('drift', name, driftIssueBody(report(columns), { ...context, name }));
    expect(body.length).toBeGreaterThan(60_000);
    expect(body.length).toBeLessThanOrEqual(65_536);
  });

  it('fits in the issue body limit with thousands of columns, keeping every drifted one', () => {
    const columns = Array.from({ length: 5000 }, (_, i) =>
      column({ column: `feature_${i}`, drift: i % 100 === 0, value: i % 100 === 0 ? 0.001 : 0.5 }),
    );
    const body = driftIssueBody(report(columns), context);
    expect(body.length).toBeLessThanOrEqual(65_536 - 1_024);
    for (let i = 0; i < 5000; i += 100) expect(body).toContain(`| \`feature_${i}\` |`);
    expect(body).toMatch(/more columns without drift/);
  });
});

describe('histogramBars and driftChart', () => {
  it('labels bins by their edges and sums categories beyond 24 into one bar', () => {
    expect(
      histogramBars({ kind: 'bins', edges: [0, 0.25, 1000000], reference: [0.5, 0.5], current: [1, 0] }).labels,
    ).toEqual(['0–0.25', '0.25–1e6']);
    const categories = Array.from({ length: 30 }, (_, i) => `c${i}`);
    const share = 1 / 30;
    const bars = histogramBars({
      kind: 'categories',
      categories,
      reference: categories.map(() => share),
      current: categories.map(() => share),
    });
    expect(bars.labels).toHaveLength(24);
    expect(bars.labels.at(-1)).toBe('other (7)');
    expect(bars.reference.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('draws an xychart-beta with the y-axis just above the largest share', () => {
    const chart = driftChart(column({ column: 'x' }));
    expect(chart.split('\n')).toEqual([
      '```mermaid',
      'xychart-beta',
      '  title "x: reference (bars) vs current (line)"',
      '  x-axis ["0–0.5", "0.5–1"]',
      '  y-axis "share" 0 --> 0.88',
      '  bar [0.6, 0.4]',
      '  line [0.2, 0.8]',
      '```',
    ]);
    expect(chartLabel('a'.repeat(50))).toBe(`"${'a'.repeat(39)}…"`);
  });
});

describe('issue comments', () => {
  it('records a run with its link, share and drifted columns, and a close with the share', () => {
    const r = report([column({ column: 'a' }), column({ column: 'b', drift: false })]);
    expect(driftRunComment(r, context.runUrl)).toBe(
      "[This run](https://github.com/o/r/actions/runs/1) still finds drift: 1 of 2 columns (share 0.5): `a`. The table above is this run's.",
    );
    expect(driftCloseComment(report([column({ column: 'a', drift: false })]), undefined)).toMatch(
      /^This run finds no dataset drift: 0 of 1 columns drifted \(share 0 < drift-share 0\.5\)\. Closing/,
    );
  });
});
