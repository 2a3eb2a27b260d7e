import { describe, expect, it } from 'vitest';
import { evaluateGates, parseGates } from '../../src/core/gates/index.js';
import {
  GITHUB_COMMENT_LIMIT,
  axisRange,
  escapeCell,
  gateResultsJson,
  historyChart,
  historyPoints,
  plainNumber,
  renderGateReport,
  type GateReportInput,
} from '../../src/core/report/index.js';

const gates = parseGates(
  `
metrics:
  accuracy: {direction: higher, min: 0.8, max-regression: 0.01}
  loss: {direction: lower, max-regression-pct: 5, warn-only: true}
  f1: {min: 0.5}
`,
  'gates.yml',
);

function input(overrides: Partial<GateReportInput> = {}): GateReportInput {
  const evaluation = evaluateGates(gates, {
    candidate: { accuracy: 0.87, loss: 0.35, f1: 0.7, extra: 3 },
    baseline: { accuracy: 0.9, loss: 0.3, f1: 0.7, extra: 2 },
  });
  return {
    evaluation,
    baseline: { requested: 'auto', resolved: 'registry:churn@production (v3)', note: 'auto: the production model' },
    candidate: { files: ['metrics.json'] },
    model: 'churn',
    failOnRegression: true,
    ...overrides,
  };
}

describe('renderGateReport', () => {
  it('starts with the verdict line and shows the metric table with arrows and verdict icons', () => {
    const report = renderGateReport(input());
    const lines = report.split('\n');
    expect(lines[0]).toBe('### ❌ 1 of 3 gates failed for `churn`');
    expect(report).toContain('Compared with **registry:churn@production (v3)** (auto: the production model).');
    expect(report).toContain('| Metric | Baseline | Candidate | Δ | Δ % | Verdict | Reason |');
    expect(report).toContain(
      '| `accuracy` ↑ | 0.9 | 0.87 | ▼ -0.03 | -3.33% | ❌ fail | regressed by 0.03 (allowed 0.01) |',
    );
    expect(report).toContain(
      '| `loss` ↓ | 0.3 | 0.35 | ▲ +0.05 | +16.67% | ⚠️ warn | regressed by 16.67% (allowed 5%) |',
    );
    expect(report).toContain('| `f1` | 0.7 | 0.7 | 0 | 0.00% | ✅ pass | |');
    expect(report).toContain('<details><summary>1 other metric (not gated)</summary>');
    expect(report).toContain('| `extra` | 2 | 3 | ▲ +1 | +50.00% |');
  });

  it('says when fail-on-regression is off, when all pass, and when there are warnings', () => {
    expect(renderGateReport(input({ failOnRegression: false })).split('\n')[0]).toBe(
      '### ❌ 1 of 3 gates failed for `churn` (reported only: fail-on-regression is false)',
    );
    const passing = evaluateGates(gates, { candidate: { accuracy: 0.95, loss: 0.3, f1: 0.7 } });
    expect(renderGateReport(input({ evaluation: passing, model: undefined })).split('\n')[0]).toBe(
      '### ✅ All 3 gates passed',
    );
    const warning = evaluateGates(gates, {
      candidate: { accuracy: 0.95, loss: 0.4, f1: 0.7 },
      baseline: { accuracy: 0.95, loss: 0.3 },
    });
    expect(renderGateReport(input({ evaluation: warning })).split('\n')[0]).toBe(
      '### ⚠️ All gates passed for `churn`, 1 warning',
    );
  });

  it('says so when there is no baseline and shows dashes', () => {
    const evaluation = evaluateGates(gates, { candidate: { accuracy: 0.95, loss: 0.3, f1: 0.7 } });
    const report = renderGateReport(
      input({ evaluation, baseline: { requested: 'auto', note: 'auto found none: not a pull request' } }),
    );
    expect(report).toContain(
      '**No baseline**: auto found none: not a pull request. Absolute gates (min, max) applied; regression gates skipped.',
    );
    expect(report).toContain('| `accuracy` ↑ | — | 0.95 | | | ✅ pass | max-regression not checked: no baseline |');
  });

  it('shows the params diff and lineage when run records are given', () => {
    const report = renderGateReport(
      input({
        candidate: {
          files: ['run.json'],
          params: { lr: '0.01', depth: '6', seed: '1' },
          lineage: {
            commit: 'a'.repeat(40),
            dataSha256: 'b'.repeat(64),
            runUrl: 'https://github.com/o/r/actions/runs/9',
            runId: '9',
          },
        },
        baseline: {
          requested: 'registry:churn@production',
          resolved: 'registry:churn@production (v3)',
          params: { lr: '0.1', depth: '6', seed: '1' },
          lineage: { model: 'churn', version: 3, commit: 'c'.repeat(40), dataSha256: 'b'.repeat(64) },
        },
        links: { serverUrl: 'https://github.com', repository: 'o/r' },
      }),
    );
    expect(report).toContain('<details open><summary>Parameters: 1 changed, 2 unchanged</summary>');
    expect(report).toContain('| `lr` | 0.1 | 0.01 |');
    expect(report).not.toContain('| `depth` |');
    expect(report).toContain('<details><summary>Lineage (same data)</summary>');
    expect(report).toContain('| Model version | `churn` v3 | — |');
    expect(report).toContain(`[\`ccccccc\`](https://github.com/o/r/commit/${'c'.repeat(40)})`);
    expect(report).toContain(`| Data sha256 | \`${'b'.repeat(12)}\` | \`${'b'.repeat(12)}\` |`);
    expect(report).toContain('[9](https://github.com/o/r/actions/runs/9)');
  });

  it('draws the history of gated metrics as a mermaid xychart, the candidate last', () => {
    const report = renderGateReport(
      input({
        history: [
          { label: 'v1', metrics: { accuracy: 0.85, loss: 0.4 } },
          { label: 'v2', metrics: { accuracy: 0.88 } },
          { label: 'v3', metrics: { accuracy: 0.9, loss: 0.3 } },
        ],
        candidateLabel: 'PR #7',
      }),
    );
    expect(report).toContain('<details open><summary>History over 3 registered versions of churn</summary>');
    expect(report).toContain(
      [
        '```mermaid',
        'xychart-beta',
        '  title "accuracy by model version"',
        '  x-axis ["v1", "v2", "v3", "PR #7"]',
        '  y-axis "accuracy" 0.845 --> 0.905',
        '  line [0.85, 0.88, 0.9, 0.87]',
        '```',
      ].join('\n'),
    );
    expect(report).toContain('x-axis ["v1", "v3", "PR #7"]');
  });

  it('escapes hostile metric names and text so they cannot break the table or inject HTML', () => {
    const hostile = parseGates('metrics:\n  "a|b<script>": {min: 1}\n', 'g.yml');
    const evaluation = evaluateGates(hostile, { candidate: { 'a|b<script>': 0 } });
    const report = renderGateReport(input({ evaluation }));
    // Inside a code span GitHub shows HTML as text; the pipe must still be escaped for the table.
    expect(report).toContain('| `a\\|b<script>` | — | 0 |');
    expect(report.replace(/`[^`]*`/g, '')).not.toContain('<script>');
    expect(escapeCell('x|y\n<b>')).toBe('x\\|y &lt;b&gt;');
    // A backslash before a pipe would otherwise escape the escape: `a\|b` rendered as `a|b`.
    expect(escapeCell('a\\|b')).toBe('a\\\\\\|b');
  });

  it('fences metric names with backticks in a longer run of backticks', () => {
    const odd = parseGates('metrics:\n  "a``b`": {min: 1}\n', 'g.yml');
    const report = renderGateReport(input({ evaluation: evaluateGates(odd, { candidate: { 'a``b`': 2 } }) }));
    expect(report).toContain('| ``` a``b` ``` | — | 2 |');
  });

  it('stays under GitHub’s comment limit with thousands of metrics, keeping failures', () => {
    const lines = ['metrics:', '  "m.*": {min: 0.5}'];
    const config = parseGates(lines.join('\n'), 'g.yml');
    const candidate: Record<string, number> = {};
    const baseline: Record<string, number> = {};
    for (let i = 0; i < 5000; i++) {
      candidate[`m.slice_${String(i).padStart(5, '0')}_with_a_rather_long_name`] = i === 4321 ? 0.1 : 0.9;
      baseline[`m.slice_${String(i).padStart(5, '0')}_with_a_rather_long_name`] = 0.9;
      candidate[`other_${i}`] = i;
    }
    const evaluation = evaluateGates(config, { candidate, baseline });
    const report = renderGateReport(input({ evaluation }));
    expect(report.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT - 1024);
    expect(report).toContain('`m.slice_04321_with_a_rather_long_name` | 0.9 | 0.1 |');
    expect(report).toMatch(/…and \d+ more gated metrics \(all in the `results` output\)\./);
  });
});

describe('results JSON', () => {
  it('carries the verdicts, counts and baseline without source locations', () => {
    const json = gateResultsJson(input());
    expect(json.passed).toBe(false);
    expect(json.counts).toEqual({ pass: 1, warn: 1, fail: 1, info: 1 });
    expect(json.baseline).toEqual({
      requested: 'auto',
      resolved: 'registry:churn@production (v3)',
      note: 'auto: the production model',
    });
    expect(json.metrics[0]).toMatchObject({
      metric: 'accuracy',
      verdict: 'fail',
      baseline: 0.9,
      candidate: 0.87,
      delta: -0.03,
    });
    expect(JSON.stringify(json)).not.toContain('"location"');
  });
});

describe('mermaid helpers', () => {
  it('frames the axis and writes plain numbers', () => {
    expect(axisRange([0.85, 0.9])).toEqual([0.845, 0.905]);
    expect(axisRange([5, 5])).toEqual([4.75, 5.25]);
    expect(axisRange([0, 0])).toEqual([-1, 1]);
    expect(plainNumber(0.00000123)).toBe('0.00000123');
    expect(plainNumber(1234.56789)).toBe('1234.57');
    // Mermaid's xychart numbers are plain decimals: never exponent notation, also from 1e21 up.
    expect(plainNumber(1.5e21)).toBe('1500000000000000000000');
    expect(plainNumber(-2e-7)).toBe('-0.0000002');
  });

  it('keeps the last points and drops quotes from labels', () => {
    const history = Array.from({ length: 40 }, (_, i) => ({ label: `v${i + 1}`, metrics: { a: i } }));
    const points = historyPoints('a', history, 99, 'PR', 30);
    expect(points).toHaveLength(30);
    expect(points[0]!.label).toBe('v12');
    expect(points.at(-1)).toEqual({ label: 'PR', value: 99 });
    expect(
      historyChart('say "hi"', [
        { label: 'v"1', value: 1 },
        { label: 'v2', value: 2 },
      ]),
    ).toContain(`x-axis ["v'1", "v2"]`);
  });
});
