import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { bestRun, parseRunFilter, type RunRecord } from '../../src/core/registry/runs.js';

const run = (
  id: string,
  startedAt: string,
  metrics: Record<string, unknown>,
  extra: Partial<RunRecord> = {},
): RunRecord => ({
  id,
  startedAt,
  params: {},
  metrics,
  ...extra,
});

const runs: RunRecord[] = [
  run(
    'late-tie',
    '2024-05-01T12:00:00Z',
    { accuracy: 0.93, loss: { val: 0.2 } },
    { name: 'sweep-1', params: { lr: 0.1 } },
  ),
  run(
    'early-tie',
    '2024-05-01T10:00:00Z',
    { accuracy: 0.93, loss: { val: 0.3 } },
    { name: 'sweep-1', params: { lr: 0.01 } },
  ),
  run('low', '2024-05-01T11:00:00Z', { accuracy: 0.7, loss: { val: 0.1 } }, { name: 'sweep-2', status: 'succeeded' }),
  run('failed-but-high', '2024-05-01T09:00:00Z', { accuracy: 0.99 }, { name: 'sweep-1', status: 'failed' }),
  run('no-metric', '2024-05-01T08:00:00Z', { f1: 0.5 }, { name: 'sweep-1' }),
];

describe('bestRun', () => {
  it('picks the highest value; a tie goes to the run that started first', () => {
    const result = bestRun(runs, { metric: 'accuracy', direction: 'higher', filters: [] });
    expect(result.run.id).toBe('early-tie');
    expect(result.value).toBe(0.93);
    // failed-but-high is not succeeded and no-metric lacks accuracy: neither is weighed.
    expect(result.considered).toBe(3);
    // The order runs come in does not change the winner.
    expect(bestRun([...runs].reverse(), { metric: 'accuracy', direction: 'higher', filters: [] }).run.id).toBe(
      'early-tie',
    );
  });

  it('ranks by a flattened nested metric, lower being better', () => {
    expect(bestRun(runs, { metric: 'loss.val', direction: 'lower', filters: [] }).run.id).toBe('low');
  });

  it('applies filters on name (with *), status and params', () => {
    const by = (...filters: string[]) =>
      bestRun(runs, { metric: 'accuracy', direction: 'higher', filters: filters.map(parseRunFilter) }).run.id;
    expect(by('name=sweep-2')).toBe('low');
    expect(by('name=sweep-*', 'params.lr=0.1')).toBe('late-tie');
    // Asking for a status includes runs that did not succeed.
    expect(by('status=failed')).toBe('failed-but-high');
  });

  it('says why nothing qualifies', () => {
    expect(() => bestRun(runs, { metric: 'recall', direction: 'higher', filters: [] })).toThrow(
      new InputError(
        'No run has metric "recall" to pick the best by (5 tracked, 1 not succeeded, 4 without "recall").',
      ),
    );
    expect(() =>
      bestRun(runs, { metric: 'accuracy', direction: 'higher', filters: [parseRunFilter('name=other')] }),
    ).toThrow(new InputError('No run has metric "accuracy" to pick the best by (5 tracked, 0 matching the filters).'));
    expect(() => bestRun([], { metric: 'accuracy', direction: 'higher', filters: [] })).toThrow(/\(0 tracked\)/);
  });

  it('refuses a filter it cannot apply', () => {
    expect(() => parseRunFilter('lr=0.1')).toThrow(
      /--filter "lr=0.1" must be key=value with key name, status, id or params/,
    );
    expect(() => parseRunFilter('name')).toThrow(InputError);
    expect(parseRunFilter('params.opt.lr = 0.1')).toEqual({ key: 'params.opt.lr', value: '0.1' });
  });
});
