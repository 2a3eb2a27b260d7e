import { describe, expect, it } from 'vitest';
import { compareRuns, metricHistories, type RunRecord } from '../../src/core/registry/runs.js';
import { stepHistoryChart } from '../../src/core/report/mermaid.js';
import { renderRunComparisonMarkdown } from '../../src/core/report/runs.js';

const run = (id: string, lr: number, loss: number[], extra: Partial<RunRecord> = {}): RunRecord => ({
  id,
  startedAt: '2024-05-01T10:00:00Z',
  params: { lr, epochs: 3 },
  metrics: { loss: loss[loss.length - 1] },
  metricHistory: { loss: loss.map((value, step) => ({ step, value })) },
  ...extra,
});

describe('metricHistories', () => {
  it('lists each metric with a history once, with a series per run that has it', () => {
    const a = run('a', 0.1, [0.9, 0.5, 0.3], {
      metricHistory: { loss: [{ step: 0, value: 1 }], acc: [{ step: 0, value: 0.5 }] },
    });
    const b = run('b', 0.01, [0.8, 0.6]);
    const c: RunRecord = { id: 'c', startedAt: '2024-05-01T10:00:00Z', params: {}, metrics: { loss: 1 } };
    expect(metricHistories([a, b, c])).toEqual([
      { metric: 'acc', series: [{ label: 'a', points: [{ step: 0, value: 0.5 }] }] },
      {
        metric: 'loss',
        series: [
          { label: 'a', points: [{ step: 0, value: 1 }] },
          { label: 'b', points: b.metricHistory!.loss },
        ],
      },
    ]);
    expect(metricHistories([c])).toEqual([]);
  });
});

describe('stepHistoryChart', () => {
  it('draws one line per series over the union of steps, carrying a value over steps it skipped, ending where it ends', () => {
    const chart = stepHistoryChart('loss', [
      {
        label: 'run-a',
        points: [
          { step: 0, value: 0.9 },
          { step: 2, value: 0.3 },
          { step: 1, value: 0.5 },
        ],
      },
      {
        label: 'run-b',
        points: [
          { step: 1, value: 0.8 },
          { step: 3, value: 0.6 },
        ],
      },
    ]);
    expect(chart.split('\n')).toEqual([
      '```mermaid',
      '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#0072B2, #E69F00"}}}}%%',
      'xychart-beta',
      '  title "loss by step"',
      '  x-axis "step" ["0", "1", "2", "3"]',
      '  y-axis "loss" 0.24 --> 0.96',
      '  line [0.9, 0.5, 0.3]',
      '  line [0.8, 0.8, 0.8, 0.6]',
      '```',
      '<sub>blue: run-a · orange: run-b</sub>',
    ]);
  });

  it("ends a shorter run's line at its own last step, which is on the x axis, instead of drawing it flat to the end", () => {
    const history = (steps: number) => Array.from({ length: steps }, (_, step) => ({ step, value: 1 / (step + 1) }));
    const chart = stepHistoryChart('train_loss', [
      { label: 'baseline', points: history(300) },
      { label: 'fewer-epochs', points: history(20) },
    ]);
    const axis = JSON.parse(/x-axis "step" (\[.*\])/.exec(chart)![1]!) as string[];
    const [long, short] = [...chart.matchAll(/^ {2}line \[(.*)\]$/gm)].map((m) => m[1]!.split(', ').map(Number));
    expect(axis).toContain('19');
    expect(axis.at(-1)).toBe('299');
    expect(long).toHaveLength(axis.length);
    // One value per axis step up to step 19, the last one step 19's: nothing drawn after it.
    expect(short).toHaveLength(axis.indexOf('19') + 1);
    expect(short!.at(-1)).toBeCloseTo(1 / 20, 4);
  });

  it('spreads at most maxPoints steps from the first to the last, and says how many runs it left out', () => {
    const long = Array.from({ length: 1000 }, (_, step) => ({ step, value: 1 / (step + 1) }));
    const many = Array.from({ length: 10 }, (_, i) => ({ label: `r${i}`, points: long }));
    const chart = stepHistoryChart('loss', many, 5);
    expect(chart).toContain('x-axis "step" ["0", "250", "500", "749", "999"]');
    expect(chart.match(/^ {2}line /gm)).toHaveLength(8);
    expect(chart).toContain('black: r7 · 2 more not drawn</sub>');
  });
});

describe('renderRunComparisonMarkdown', () => {
  it('has the params that differ marked, metrics with the delta, and a chart per history', () => {
    const runs = [run('a', 0.1, [0.9, 0.4]), run('b', 0.01, [0.8, 0.5])];
    const markdown = renderRunComparisonMarkdown(compareRuns(runs), metricHistories(runs));
    expect(markdown).toContain('### Runs `a` vs `b`');
    expect(markdown).toContain('**Params** (1 of 2 differ, marked ●)');
    expect(markdown).toMatch(/\| ● lr +\| 0\.1 +\| 0\.01 +\|/);
    expect(markdown).toMatch(/\| epochs +\| 3 +\| 3 +\|/);
    expect(markdown).toMatch(/\| loss +\| +0\.4 \| +0\.5 \| +\+0\.1 \|/);
    expect(markdown.match(/```mermaid/g)).toHaveLength(1);
    expect(markdown).toContain('  line [0.9, 0.4]\n  line [0.8, 0.5]');
  });
});
