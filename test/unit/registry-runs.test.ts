import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/errors.js';
import { formatDelta, formatDuration, formatValue, textTable } from '../../src/core/registry/format.js';
import { recordRun } from '../../src/core/registry/operations.js';
import { compareRuns, flattenNumbers, parseRunRecord, type RunRecord } from '../../src/core/registry/runs.js';
import { RegistryDocuments } from '../../src/core/registry/store.js';
import { listRuns } from '../../src/core/registry/view.js';

const run = (id: string, extra: Partial<RunRecord> = {}): RunRecord => ({
  id,
  startedAt: '2024-05-01T10:00:00Z',
  params: { lr: 0.1, model: { depth: 3 } },
  metrics: { accuracy: 0.9, loss: { train: 0.2, val: 0.3 } },
  ...extra,
});

describe('run records', () => {
  it('parses a valid record and names the file and key of a bad one', () => {
    expect(parseRunRecord(JSON.stringify(run('r1')), 'run.json').id).toBe('r1');
    expect(() => parseRunRecord('{"id": "r1"}', 'run.json')).toThrow(
      new ConfigurationError("not a valid run record: (top level) must have required property 'startedAt'.", {
        file: 'run.json',
      }),
    );
    expect(() => parseRunRecord(JSON.stringify(run('r1', { metrics: { acc: 'high' } })), 'run.json')).toThrow(
      /not a valid run record: \/metrics\/acc must be number/,
    );
    expect(() => parseRunRecord(JSON.stringify(run('../r1')), 'run.json')).toThrow(/\/id must match pattern/);
    expect(() => parseRunRecord('{', 'run.json')).toThrow(/invalid JSON in the run record/);
  });

  it('refuses params nested 100,000 deep with the key path, before anything recurses over them', () => {
    const params = `${'{"p": '.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const text = `{"id": "r1", "startedAt": "2024-05-01T10:00:00Z", "metrics": {}, "params": ${params}}`;
    expect(() => parseRunRecord(text, 'run.json')).toThrow(
      new ConfigurationError(
        'nested more than 64 levels deep; mlops reads documents up to 64 levels of objects and lists.',
        {
          file: 'run.json',
          line: 1,
          column: text.indexOf('{"p"') + 63 * 6 + 1, // the 65th object of params
          key: `params${'.p'.repeat(63)}`,
        },
      ),
    );
  });

  it('flattens nested metrics', () => {
    expect(flattenNumbers({ a: 1, b: { c: 2, d: { e: 3 } }, skip: 'x' })).toEqual({ a: 1, 'b.c': 2, 'b.d.e': 3 });
  });

  it('compares runs side by side, marking differing params and the metric deltas', () => {
    const comparison = compareRuns([
      run('a'),
      run('b', { params: { lr: 0.01, model: { depth: 3 } }, metrics: { accuracy: 0.95, f1: 0.9 } }),
    ]);
    expect(comparison.runs).toEqual(['a', 'b']);
    expect(comparison.params).toEqual([
      { name: 'lr', values: ['0.1', '0.01'], differs: true },
      { name: 'model.depth', values: ['3', '3'], differs: false },
    ]);
    expect(comparison.metrics.find((m) => m.name === 'accuracy')?.delta).toBeCloseTo(0.05, 12);
    expect(comparison.metrics.find((m) => m.name === 'f1')).toEqual({
      name: 'f1',
      values: [undefined, 0.9],
      differs: true,
    });
    expect(comparison.metrics.find((m) => m.name === 'loss.val')).toEqual({
      name: 'loss.val',
      values: [0.3, undefined],
      differs: true,
    });
  });

  it('stores a run once, and refuses a different run under the same id', async () => {
    const files = new Map<string, string>();
    const tree = {
      description: 't',
      read: async (p: string) => files.get(p),
      list: async (d: string) =>
        [...files.keys()]
          .filter((p) => p.startsWith(d + '/'))
          .map((p) => p.slice(d.length + 1))
          .sort(),
    };
    const ctx = { time: '2024-05-02T00:00:00.000Z', newId: () => 'x' };
    const write = async (record: RunRecord) => {
      const docs = new RegistryDocuments(tree);
      const result = await recordRun(docs, record, ctx);
      for (const [path, text] of docs.collectWrites()) if (text !== null) files.set(path, text);
      return result;
    };
    expect(await write(run('r1'))).toEqual({ recorded: true, path: 'runs/r1.json' });
    expect(await write(run('r1'))).toEqual({ recorded: false, path: 'runs/r1.json' });
    await expect(write(run('r1', { seed: 7 }))).rejects.toThrow(
      'A different run with id "r1" is already recorded (runs/r1.json on the registry branch).',
    );
    await write(run('r2', { startedAt: '2024-05-03T00:00:00Z' }));
    expect((await listRuns(new RegistryDocuments(tree))).map((r) => r.run.id)).toEqual(['r2', 'r1']);
  });
});

describe('text formatting', () => {
  it('aligns tables and formats numbers', () => {
    expect(
      textTable(
        ['name', 'value'],
        [
          ['a', '1'],
          ['long name', '22'],
        ],
        { right: [1] },
      ),
    ).toBe('name       value\n---------  -----\na              1\nlong name     22\n');
    expect(formatValue(0.123456789)).toBe('0.123457');
    expect(formatValue(3)).toBe('3');
    expect(formatValue(1e-7)).toBe('1.0000e-7');
    expect(formatValue(undefined)).toBe('-');
    expect(formatDelta(0.05)).toBe('+0.05');
    expect(formatDelta(-2)).toBe('-2');
    expect(formatDuration(12.34)).toBe('12.3s');
    expect(formatDuration(185)).toBe('3m 05s');
    expect(formatDuration(3720)).toBe('1h 02m');
  });
});
