import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/errors.js';
import { evaluateGates, parseGates } from '../../src/core/gates/index.js';
import { mergeMetrics, parseMetricsDocument } from '../../src/core/metrics/parse.js';
import { renderGateReport, type GateReportInput } from '../../src/core/report/index.js';

const gates = parseGates(
  'metrics:\n  accuracy: {direction: higher, max-regression: 0.05}\n  loss: {direction: lower}\n',
  'gates.yml',
);

function input(overrides: Partial<GateReportInput> = {}): GateReportInput {
  return {
    evaluation: evaluateGates(gates, {
      candidate: { accuracy: 0.9, loss: 0.3 },
      baseline: { accuracy: 0.88, loss: 0.35 },
    }),
    baseline: { requested: 'file:base.json', resolved: 'file:base.json' },
    candidate: { files: ['run.json'] },
    failOnRegression: true,
    candidateLabel: 'PR #7',
    ...overrides,
  };
}

const loss = (values: number[]) => values.map((value, step) => ({ step, value }));

describe("evaluate-gate report: a candidate's metric histories against the baseline's", () => {
  it('draws a chart per metric both have a history of, baseline and candidate as two lines', () => {
    const report = renderGateReport(
      input({
        stepHistories: {
          candidate: { loss: loss([0.9, 0.5, 0.3]), accuracy: loss([0.7, 0.9]) },
          baseline: { loss: loss([1, 0.6, 0.4, 0.35]) },
        },
      }),
    );
    expect(report).toContain('<details open><summary>Training curves: PR #7 against the baseline</summary>');
    expect(report.match(/```mermaid/g)).toHaveLength(1);
    expect(report).toContain('  title "loss by step"');
    expect(report).toContain('  line [1, 0.6, 0.4, 0.35]\n  line [0.9, 0.5, 0.3]');
    expect(report).toContain('<sub>blue: baseline file:base.json · orange: PR #7</sub>');
  });

  it('draws nothing when only one side has a history, or there is no baseline', () => {
    const one = renderGateReport(input({ stepHistories: { candidate: { loss: loss([0.9, 0.3]) } } }));
    expect(one).not.toContain('mermaid');
    const none = renderGateReport(
      input({
        baseline: { requested: 'none' },
        stepHistories: { candidate: { loss: loss([0.9, 0.3]) }, baseline: { loss: loss([1, 0.4]) } },
      }),
    );
    expect(none).not.toContain('mermaid');
  });

  it('reads metricHistory from run records (also tracked ones) and keeps it through a merge', () => {
    const record = (extra: object) =>
      JSON.stringify({ id: 'r1', startedAt: '2024-05-01T10:00:00Z', params: {}, metrics: { loss: 0.3 }, ...extra });
    const set = parseMetricsDocument(record({ metricHistory: { loss: loss([0.9, 0.3]) } }), 'run.json');
    expect(set.history).toEqual({ loss: loss([0.9, 0.3]) });
    const tracked = parseMetricsDocument(
      JSON.stringify({
        kind: 'mlops-tracked-run',
        format: 1,
        recordedAt: 'x',
        run: JSON.parse(record({ metricHistory: { f1: loss([0.1]) } })),
      }),
      'runs/r1.json',
    );
    expect(tracked.history).toEqual({ f1: loss([0.1]) });
    const merged = mergeMetrics([set, parseMetricsDocument('{"accuracy": 0.9}', 'extra.json')]);
    expect(merged.history).toEqual({ loss: loss([0.9, 0.3]) });
    // Lineage: new records keep the commit under lineage.git.
    const withLineage = parseMetricsDocument(record({ lineage: { git: { commit: 'a'.repeat(40) } } }), 'run.json');
    expect(withLineage.lineage?.commit).toBe('a'.repeat(40));
  });

  it('names the key of a malformed metricHistory', () => {
    const bad = JSON.stringify({ id: 'r1', params: {}, metrics: { loss: 1 }, metricHistory: { loss: [{ step: 0 }] } });
    expect(() => parseMetricsDocument(bad, 'run.json')).toThrow(
      new ConfigurationError('metricHistory must map each metric to a list of {step, value} numbers.', {
        file: 'run.json',
        key: 'metricHistory.loss[0]',
      }),
    );
  });
});
