import { describe, expect, it } from 'vitest';
import { ConfigurationError, InputError } from '../../src/core/errors.js';
import {
  formatBaselineSpec,
  formatNumber,
  formatPercent,
  formatSigned,
  mergeMetrics,
  parseBaselineSpec,
  parseMetricsDocument,
} from '../../src/core/metrics/index.js';

function located(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('parseMetricsDocument', () => {
  it('flattens nested JSON keys as a.b', () => {
    const set = parseMetricsDocument('{"accuracy": {"overall": 0.9, "group_a": 0.88}, "loss": 0.3}', 'm.json');
    expect(set.values).toEqual({ 'accuracy.overall': 0.9, 'accuracy.group_a': 0.88, loss: 0.3 });
    expect(set.sources['loss']).toBe('m.json');
    expect(set.params).toBeUndefined();
  });

  it('reads YAML, including a UTF-8 BOM and integers', () => {
    const set = parseMetricsDocument('\ufeffauc: 0.95\nlatency:\n  p95: 120\n', 'metrics.yaml');
    expect(set.values).toEqual({ auc: 0.95, 'latency.p95': 120 });
  });

  it('reads a DVC metrics file (plain JSON) and dvc metrics show --json output', () => {
    expect(parseMetricsDocument('{"avg_prec": 0.9, "roc_auc": 0.97}', 'eval/metrics.json').values).toEqual({
      avg_prec: 0.9,
      roc_auc: 0.97,
    });
    const show = JSON.stringify({
      workspace: { data: { 'eval/metrics.json': { data: { avg_prec: 0.9, roc: { auc: 0.97 } } } } },
    });
    expect(parseMetricsDocument(show, 'show.json').values).toEqual({ avg_prec: 0.9, 'roc.auc': 0.97 });
  });

  it('reads a train run record: metrics, params and lineage', () => {
    const record = {
      runId: 'r-1',
      commit: 'a'.repeat(40),
      dataSha256: 'b'.repeat(64),
      runUrl: 'https://github.com/o/r/actions/runs/1',
      params: { lr: 0.01, model: { depth: 6 }, name: 'xgb' },
      metrics: { accuracy: 0.91, f1: { macro: 0.8 } },
    };
    const set = parseMetricsDocument(JSON.stringify(record), 'run.json');
    expect(set.values).toEqual({ accuracy: 0.91, 'f1.macro': 0.8 });
    expect(set.params).toEqual({ lr: '0.01', 'model.depth': '6', name: 'xgb' });
    expect(set.lineage).toEqual({
      runId: 'r-1',
      commit: 'a'.repeat(40),
      dataSha256: 'b'.repeat(64),
      runUrl: 'https://github.com/o/r/actions/runs/1',
    });
  });

  it('accepts snake_case run records', () => {
    const set = parseMetricsDocument(
      JSON.stringify({ run_id: 'x', data_sha256: 'c'.repeat(64), metrics: { acc: 1 } }),
      'run.json',
    );
    expect(set.lineage?.dataSha256).toBe('c'.repeat(64));
    expect(set.values).toEqual({ acc: 1 });
  });

  it('rejects a non-numeric value, naming the file, key and line', () => {
    const error = located(() => parseMetricsDocument('auc: 0.9\nmodel:\n  name: xgb\n', 'metrics.yaml'));
    expect(error.message).toBe('metric "model.name" is the text "xgb", not a number.');
    expect(error.location).toEqual({ file: 'metrics.yaml', line: 3, column: 3, key: 'model.name' });
    expect(error.located).toBe(
      'metrics.yaml:3:3, key "model.name": metric "model.name" is the text "xgb", not a number.',
    );
  });

  it('rejects booleans, nulls, lists and numeric strings in JSON', () => {
    expect(located(() => parseMetricsDocument('{"ok": true}', 'm.json')).message).toBe(
      'metric "ok" is a boolean, not a number.',
    );
    expect(located(() => parseMetricsDocument('{"a": null}', 'm.json')).message).toBe(
      'metric "a" is null, not a number.',
    );
    expect(located(() => parseMetricsDocument('{"a": [1, 2]}', 'm.json')).message).toBe(
      'metric "a" is a list, not a number.',
    );
    const error = located(() => parseMetricsDocument('{\n  "a": 1,\n  "b": "0.5"\n}', 'm.json'));
    expect(error.message).toBe('metric "b" is the text "0.5", not a number.');
    expect(error.location?.line).toBe(3);
  });

  it('rejects NaN and infinities from YAML', () => {
    expect(located(() => parseMetricsDocument('loss: .nan\n', 'm.yml')).message).toBe(
      'metric "loss" is NaN, not a finite number.',
    );
    expect(located(() => parseMetricsDocument('loss: .inf\n', 'm.yml')).message).toBe(
      'metric "loss" is Infinity, not a finite number.',
    );
    // JSON has no infinity, but 1e400 overflows to one.
    const overflow = located(() => parseMetricsDocument('{"loss": 1e400}', 'm.json'));
    expect(overflow.message).toBe('metric "loss" is Infinity, not a finite number.');
    expect(overflow.location).toMatchObject({ line: 1, column: 2, key: 'loss' });
  });

  it('locates NaN from Python’s json.dump and other JSON errors V8 gives no position for', () => {
    const nan = located(() => parseMetricsDocument('{\n  "acc": 0.9,\n  "loss": NaN\n}', 'metrics.json'));
    expect(nan.message).toBe(
      "invalid JSON: NaN is not a JSON number, and a metric must be a finite number (Python's json.dump writes NaN for a non-finite float)",
    );
    expect(nan.location).toMatchObject({ file: 'metrics.json', line: 3, column: 11 });
    expect(located(() => parseMetricsDocument('{"loss": -Infinity}', 'm.json')).message).toContain(
      '-Infinity is not a JSON number',
    );
    const token = located(() => parseMetricsDocument('{\n  "ok": tru\n}', 'm.json'));
    expect(token.message).toBe('invalid JSON: "tru" is not a JSON value (text needs double quotes)');
    expect(token.location).toMatchObject({ line: 2, column: 9 });
    const cut = located(() => parseMetricsDocument('{\n  "a": 1', 'm.json'));
    expect(cut.location?.line).toBe(2);
    expect(cut.message).not.toContain('\n');
  });

  it('reads a tracked run from the registry branch (runs/<id>.json)', () => {
    const set = parseMetricsDocument(
      JSON.stringify({
        kind: 'mlops-tracked-run',
        format: 1,
        recordedAt: '2024-01-01T00:00:00Z',
        run: { id: 'r1', params: { lr: 0.1 }, metrics: { acc: 0.9 }, git: { commit: 'abc' } },
      }),
      'runs/r1.json',
    );
    expect(set.values).toEqual({ acc: 0.9 });
    expect(set.params).toEqual({ lr: '0.1' });
    expect(set.lineage).toMatchObject({ runId: 'r1', commit: 'abc' });
    const error = located(() =>
      parseMetricsDocument('{"kind": "mlops-tracked-run", "run": {"id": "r", "metrics": {"acc": null}}}', 'r.json'),
    );
    expect(error.location?.key).toBe('run.metrics.acc');
  });

  it('names the key inside a run record', () => {
    const error = located(() => parseMetricsDocument('{"runId": "r", "metrics": {"acc": "high"}}', 'run.json'));
    expect(error.message).toBe('metric "acc" is the text "high", not a number.');
    expect(error.location?.key).toBe('metrics.acc');
  });

  it('rejects a key given both nested and dotted', () => {
    const error = located(() => parseMetricsDocument('{"a": {"b": 1}, "a.b": 2}', 'm.json'));
    expect(error.message).toBe('metric "a.b" is given twice (as "a > b" and as "a.b").');
  });

  it('rejects documents that are not objects, and syntax errors with a position', () => {
    expect(located(() => parseMetricsDocument('[1, 2]', 'm.json')).message).toBe(
      'a metrics file must be an object of metric names to numbers; this one is a list.',
    );
    expect(located(() => parseMetricsDocument('', 'm.yaml')).message).toContain('this one is empty');
    const json = located(() => parseMetricsDocument('{\n  "a": 1,\n}', 'm.json'));
    expect(json.message).toMatch(/^invalid JSON/);
    expect(json.location?.file).toBe('m.json');
    expect(json.location?.line).toBe(3);
    const yaml = located(() => parseMetricsDocument('a: 1\na: 2\n', 'm.yaml'));
    expect(yaml.message).toMatch(/^invalid YAML: Map keys must be unique/);
    expect(yaml.location?.line).toBe(2);
  });
});

describe('mergeMetrics', () => {
  it('merges several files and keeps the first params and lineage', () => {
    const a = parseMetricsDocument('{"runId": "1", "params": {"lr": 1}, "metrics": {"acc": 0.9}}', 'run.json');
    const b = parseMetricsDocument('{"slice": {"a": 0.8}, "acc": 0.9}', 'slices.json');
    const merged = mergeMetrics([a, b]);
    expect(merged.values).toEqual({ acc: 0.9, 'slice.a': 0.8 });
    expect(merged.files).toEqual(['run.json', 'slices.json']);
    expect(merged.sources['slice.a']).toBe('slices.json');
    expect(merged.params).toEqual({ lr: '1' });
  });

  it('rejects a metric with different values in two files', () => {
    const a = parseMetricsDocument('{"acc": 0.9}', 'a.json');
    const b = parseMetricsDocument('{"acc": 0.8}', 'b.json');
    const error = located(() => mergeMetrics([a, b]));
    expect(error.message).toBe('metric "acc" is 0.9 in a.json but 0.8 here; give each metric in one file only.');
    expect(error.location).toEqual({ file: 'b.json', key: 'acc' });
  });
});

describe('parseBaselineSpec', () => {
  it('parses every kind', () => {
    expect(parseBaselineSpec('auto')).toEqual({ kind: 'auto' });
    expect(parseBaselineSpec('')).toEqual({ kind: 'auto' });
    expect(parseBaselineSpec('none')).toEqual({ kind: 'none' });
    expect(parseBaselineSpec('file:base/metrics.json')).toEqual({ kind: 'file', path: 'base/metrics.json' });
    expect(parseBaselineSpec('git:origin/main:eval/metrics.json')).toEqual({
      kind: 'git',
      ref: 'origin/main',
      path: 'eval/metrics.json',
    });
    expect(parseBaselineSpec('registry:churn@production')).toEqual({
      kind: 'registry',
      model: 'churn',
      selector: { alias: 'production' },
    });
    expect(parseBaselineSpec('registry:churn@v3')).toEqual({
      kind: 'registry',
      model: 'churn',
      selector: { version: 3 },
    });
  });

  it('round-trips through formatBaselineSpec', () => {
    for (const text of ['none', 'file:a.json', 'git:abc123:m.json', 'registry:m@staging', 'registry:m@v12']) {
      expect(formatBaselineSpec(parseBaselineSpec(text))).toBe(text);
    }
  });

  it('rejects malformed specs with a precise message', () => {
    const message = (raw: string) => {
      try {
        parseBaselineSpec(raw, 'Input "baseline"');
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        return (error as Error).message;
      }
      throw new Error('expected an InputError');
    };
    expect(message('s3:bucket')).toBe(
      'Input "baseline": "s3:bucket" is not a baseline; expected auto, none, file:<path>, git:<ref>:<path>, registry:<model>@<alias> or registry:<model>@v<N>.',
    );
    expect(message('file:')).toBe('Input "baseline": "file:" needs a path, as in file:baseline/metrics.json.');
    expect(message('git:main')).toBe(
      'Input "baseline": "git:main" must be git:<ref>:<path>, as in git:origin/main:metrics.json.',
    );
    expect(message('git:--upload-pack=x:m.json')).toBe(
      'Input "baseline": the git ref "--upload-pack=x" must not start with "-".',
    );
    expect(message('registry:churn')).toBe(
      'Input "baseline": "registry:churn" needs an alias or version, as in registry:churn@production.',
    );
    expect(message('registry:churn@v0')).toBe(
      'Input "baseline": version "v0" in "registry:churn@v0" must be v1 or higher.',
    );
    expect(message('registry:@prod')).toBe('Input "baseline": "" is not a valid model name in "registry:@prod".');
    expect(message('registry:m@no good')).toBe(
      'Input "baseline": "no good" is not a valid alias in "registry:m@no good".',
    );
  });
});

describe('number formatting', () => {
  it('formats values, deltas and percentages', () => {
    expect(formatNumber(0.9123456789)).toBe('0.912346');
    expect(formatNumber(120)).toBe('120');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(0.00001234)).toBe('1.234e-5');
    expect(formatSigned(0.02)).toBe('+0.02');
    expect(formatSigned(-0.02)).toBe('-0.02');
    expect(formatPercent(2.2222)).toBe('+2.22%');
    expect(formatPercent(-0.001)).toBe('0.00%');
    expect(formatPercent(-12.5)).toBe('-12.50%');
  });
});

describe('metrics documents that would exhaust the parser', () => {
  it('refuses a YAML alias bomb naming the file and line', () => {
    const bomb = ['a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]']
      .concat(
        ['c', 'd', 'e', 'f'].map(
          (name, index) => `${name}: &${name} [${Array(9).fill(`*${'bcde'[index]}`).join(', ')}]`,
        ),
      )
      .join('\n');
    const error = located(() => parseMetricsDocument(bomb, 'metrics.yml'));
    expect(error.located).toMatch(/^metrics\.yml:5:8: the YAML aliases expand too much \(alias \*d /);
  });

  it('refuses 100,000-deep JSON with the key path instead of overflowing the stack', () => {
    const deep = `{"acc": 0.9, "per_class": ${'{"k": '.repeat(100_000)}1${'}'.repeat(100_000)}}`;
    const error = located(() => parseMetricsDocument(deep, 'metrics.json'));
    expect(error.location).toMatchObject({ file: 'metrics.json', line: 1, key: `per_class${'.k'.repeat(63)}` });
    expect(error.message).toMatch(/^nested more than 64 levels deep/);
  });
});
