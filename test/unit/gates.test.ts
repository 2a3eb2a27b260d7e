import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { ConfigurationError } from '../../src/core/errors.js';
import { evaluateGates, exceeds, parseGates, type MetricResult } from '../../src/core/gates/index.js';

function gates(yaml: string) {
  return parseGates(yaml, 'gates.yml');
}

function only(results: MetricResult[], metric: string): MetricResult {
  const found = results.filter((r) => r.metric === metric);
  expect(found).toHaveLength(1);
  return found[0]!;
}

function parseError(yaml: string): ConfigurationError {
  try {
    gates(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('parseGates', () => {
  it('reads every rule from YAML and JSON', () => {
    const config = gates(`
metrics:
  accuracy:
    direction: higher
    min: 0.8
    max: 1
    max-regression: 0.01
    max-regression-pct: 2
    warn-only: true
    description: Top-1 accuracy
  loss: {direction: lower}
  present:
`);
    expect(config.gates.map((g) => g.key)).toEqual(['accuracy', 'loss', 'present']);
    expect(config.gates[0]!.rule).toEqual({
      direction: 'higher',
      min: 0.8,
      max: 1,
      maxRegression: 0.01,
      maxRegressionPct: 2,
      warnOnly: true,
      description: 'Top-1 accuracy',
    });
    expect(config.gates[0]!.location).toEqual({ file: 'gates.yml', line: 3, column: 3, key: 'metrics.accuracy' });
    expect(config.gates[2]!.rule).toEqual({ warnOnly: false });
    const json = parseGates('{"metrics": {"auc": {"min": 0.9}}}', 'gates.json');
    expect(json.gates[0]!.rule).toEqual({ min: 0.9, warnOnly: false });
  });

  it('names an unknown rule with its line', () => {
    const error = parseError('metrics:\n  accuracy:\n    direction: higher\n    max_regression: 0.01\n');
    expect(error.message).toBe(
      'unknown rule "max_regression" for accuracy; known rules: direction, min, max, max-regression, max-regression-pct, warn-only, description.',
    );
    expect(error.location).toEqual({ file: 'gates.yml', line: 4, column: 5, key: 'metrics.accuracy.max_regression' });
  });

  it('rejects a bad direction, a negative tolerance, a non-number, and regression rules without direction', () => {
    expect(parseError('metrics:\n  a: {direction: up}\n').message).toBe(
      'metrics > a > direction must be one of "higher", "lower".',
    );
    expect(parseError('metrics:\n  a: {direction: lower, max-regression: -1}\n').message).toBe(
      'metrics > a > max-regression must be at least 0.',
    );
    expect(parseError('metrics:\n  a: {min: high}\n').message).toBe('metrics > a > min must be number.');
    expect(parseError('metrics:\n  a: {max-regression-pct: 5}\n').message).toBe(
      'a: "max-regression-pct" needs "direction: higher" or "direction: lower" to know which way is worse.',
    );
  });

  it('rejects a missing or empty metrics section, unknown top-level keys and min > max', () => {
    expect(parseError('gates: {}\n').message).toBe('unknown top-level key "gates"; the gates go under "metrics".');
    expect(parseError('{}').message).toBe(
      'the gates file needs a "metrics" section (gates: {metrics: {<name>: {...}}}).',
    );
    expect(parseError('metrics: {}\n').message).toBe('metrics must name at least one metric.');
    expect(parseError('').message).toBe('the gates file is empty; expected {metrics: {<name>: {...}}}.');
    const error = parseError('metrics:\n  a: {min: 2, max: 1}\n');
    expect(error.message).toBe('a: min 2 is greater than max 1; no value can pass.');
    expect(error.location?.line).toBe(2);
  });

  it('accepts a $schema key for editors, and the schema itself is valid draft-07', () => {
    expect(gates('$schema: ./schemas/gates.schema.json\nmetrics:\n  a: {}\n').gates).toHaveLength(1);
    const schema = JSON.parse(readFileSync(new URL('../../schemas/gates.schema.json', import.meta.url), 'utf8'));
    expect(new Ajv({ strict: true, allowUnionTypes: true }).validateSchema(schema)).toBe(true);
  });
});

describe('evaluateGates', () => {
  const rules = gates(`
metrics:
  accuracy: {direction: higher, min: 0.8, max-regression: 0.01}
  loss: {direction: lower, max: 0.5, max-regression-pct: 10}
`);

  it('passes when every rule holds and computes delta and delta %', () => {
    const result = evaluateGates(rules, {
      candidate: { accuracy: 0.89, loss: 0.42 },
      baseline: { accuracy: 0.9, loss: 0.4 },
    });
    expect(result.passed).toBe(true);
    const accuracy = only(result.results, 'accuracy');
    // 0.9 - 0.89 is 0.010000000000000009 in floating point: still within max-regression 0.01.
    expect(accuracy.verdict).toBe('pass');
    expect(accuracy.delta).toBeCloseTo(-0.01, 12);
    expect(accuracy.deltaPct).toBeCloseTo(-1.1111, 3);
    expect(accuracy.improved).toBe(false);
    const loss = only(result.results, 'loss');
    expect(loss.verdict).toBe('pass');
    expect(loss.deltaPct).toBeCloseTo(5, 9);
    expect(result.counts).toEqual({ pass: 2, warn: 0, fail: 0, info: 0 });
  });

  it('min: fails below, passes at the bound (inclusive)', () => {
    const config = gates('metrics:\n  auc: {min: 0.8}\n');
    expect(only(evaluateGates(config, { candidate: { auc: 0.8 } }).results, 'auc').verdict).toBe('pass');
    const low = only(evaluateGates(config, { candidate: { auc: 0.79 } }).results, 'auc');
    expect(low.verdict).toBe('fail');
    expect(low.reasons).toEqual(['0.79 is below the minimum 0.8']);
  });

  it('max: fails above, passes at the bound (inclusive)', () => {
    const config = gates('metrics:\n  latency_ms: {direction: lower, max: 200}\n');
    expect(only(evaluateGates(config, { candidate: { latency_ms: 200 } }).results, 'latency_ms').verdict).toBe('pass');
    const high = only(evaluateGates(config, { candidate: { latency_ms: 250.5 } }).results, 'latency_ms');
    expect(high.verdict).toBe('fail');
    expect(high.reasons).toEqual(['250.5 is above the maximum 200']);
  });

  it('max-regression: higher-is-better and lower-is-better', () => {
    const higher = evaluateGates(rules, {
      candidate: { accuracy: 0.87, loss: 0.4 },
      baseline: { accuracy: 0.9, loss: 0.4 },
    });
    expect(higher.passed).toBe(false);
    expect(only(higher.results, 'accuracy').reasons).toEqual(['regressed by 0.03 (allowed 0.01)']);
    const config = gates('metrics:\n  rmse: {direction: lower, max-regression: 0.1}\n');
    const worse = only(evaluateGates(config, { candidate: { rmse: 1.25 }, baseline: { rmse: 1 } }).results, 'rmse');
    expect(worse.verdict).toBe('fail');
    expect(worse.reasons).toEqual(['regressed by 0.25 (allowed 0.1)']);
    const better = only(evaluateGates(config, { candidate: { rmse: 0.5 }, baseline: { rmse: 1 } }).results, 'rmse');
    expect(better.verdict).toBe('pass');
    expect(better.improved).toBe(true);
  });

  it('max-regression-pct: relative to the baseline magnitude, and from a zero baseline', () => {
    const failing = evaluateGates(rules, {
      candidate: { accuracy: 0.9, loss: 0.45 },
      baseline: { accuracy: 0.9, loss: 0.4 },
    });
    expect(only(failing.results, 'loss').reasons).toEqual(['regressed by 12.50% (allowed 10%)']);
    const config = gates('metrics:\n  errors: {direction: lower, max-regression-pct: 5}\n');
    const fromZero = only(
      evaluateGates(config, { candidate: { errors: 1 }, baseline: { errors: 0 } }).results,
      'errors',
    );
    expect(fromZero.verdict).toBe('fail');
    expect(fromZero.deltaPct).toBeUndefined();
    expect(fromZero.reasons[0]).toBe('regressed by 1 from a baseline of 0 (no relative regression is allowed from 0)');
    const stillZero = only(
      evaluateGates(config, { candidate: { errors: 0 }, baseline: { errors: 0 } }).results,
      'errors',
    );
    expect(stillZero.verdict).toBe('pass');
    const negative = gates('metrics:\n  margin: {direction: higher, max-regression-pct: 10}\n');
    const result = only(
      evaluateGates(negative, { candidate: { margin: -1.2 }, baseline: { margin: -1 } }).results,
      'margin',
    );
    expect(result.reasons).toEqual(['regressed by 20.00% (allowed 10%)']);
    // A real regression too small for two decimals still says how big it is, not "0.00%".
    const strict = gates('metrics:\n  acc: {direction: higher, max-regression-pct: 0}\n');
    const tiny = only(evaluateGates(strict, { candidate: { acc: 0.8999 }, baseline: { acc: 0.9 } }).results, 'acc');
    expect(tiny.reasons).toEqual(['regressed by 0.0111111% (allowed 0%)']);
    const tinier = only(evaluateGates(strict, { candidate: { acc: 0.89999 }, baseline: { acc: 0.9 } }).results, 'acc');
    expect(tinier.reasons).toEqual(['regressed by 0.00111111% (allowed 0%)']);
  });

  it('warn-only turns a failing rule into a warning and the gate set still passes', () => {
    const config = gates('metrics:\n  fairness.gap: {direction: lower, max: 0.05, warn-only: true}\n');
    const result = evaluateGates(config, { candidate: { 'fairness.gap': 0.08 } });
    expect(result.passed).toBe(true);
    const gap = only(result.results, 'fairness.gap');
    expect(gap.verdict).toBe('warn');
    expect(gap.reasons).toEqual(['0.08 is above the maximum 0.05']);
    expect(result.counts.warn).toBe(1);
  });

  it('a gated metric missing from the candidate fails with that reason (warns with warn-only)', () => {
    const config = gates('metrics:\n  auc: {min: 0.5}\n  f1: {warn-only: true}\n');
    const result = evaluateGates(config, { candidate: {}, baseline: { auc: 0.9 } });
    expect(result.passed).toBe(false);
    const auc = only(result.results, 'auc');
    expect(auc.verdict).toBe('fail');
    expect(auc.reasons).toEqual(['missing from the candidate metrics']);
    expect(auc.baseline).toBe(0.9);
    expect(only(result.results, 'f1').verdict).toBe('warn');
  });

  it('with no baseline, absolute rules apply and regression rules are skipped with a note', () => {
    const result = evaluateGates(rules, { candidate: { accuracy: 0.85, loss: 0.3 } });
    expect(result.passed).toBe(true);
    const accuracy = only(result.results, 'accuracy');
    expect(accuracy.baseline).toBeUndefined();
    expect(accuracy.delta).toBeUndefined();
    expect(accuracy.reasons).toEqual(['max-regression not checked: no baseline']);
    expect(accuracy.checks.find((c) => c.rule === 'max-regression')?.status).toBe('skipped');
    const absolute = evaluateGates(rules, { candidate: { accuracy: 0.7, loss: 0.3 } });
    expect(only(absolute.results, 'accuracy').verdict).toBe('fail');
  });

  it('a baseline that was read but lacks the gated metric fails its regression rules, naming both', () => {
    const result = evaluateGates(rules, {
      candidate: { accuracy: 0.85, loss: 0.3 },
      baseline: { loss: 0.3 },
      baselineLabel: 'file:base.json',
    });
    expect(result.passed).toBe(false);
    const accuracy = only(result.results, 'accuracy');
    expect(accuracy.verdict).toBe('fail');
    expect(accuracy.reasons).toEqual(['the baseline file:base.json has no accuracy: the regression cannot be checked']);
    expect(accuracy.checks.find((c) => c.rule === 'max-regression')?.status).toBe('fail');
    const empty = evaluateGates(gates('metrics:\n  accuracy: {direction: higher, max-regression-pct: 1}\n'), {
      candidate: { accuracy: 0.85 },
      baseline: {},
    });
    expect(empty.passed).toBe(false);
    expect(only(empty.results, 'accuracy').reasons).toEqual([
      'the baseline has no accuracy: the regression cannot be checked',
    ]);
  });

  it('warn-only turns a baseline lacking the metric into a warning', () => {
    const config = gates('metrics:\n  accuracy: {direction: higher, max-regression: 0.01, warn-only: true}\n');
    const result = evaluateGates(config, { candidate: { accuracy: 0.85 }, baseline: {}, baselineLabel: 'file:b.json' });
    expect(result.passed).toBe(true);
    expect(only(result.results, 'accuracy').verdict).toBe('warn');
  });

  it('gates per-slice metrics like any other, including * patterns (fairness)', () => {
    const config = gates(`
metrics:
  accuracy.overall: {direction: higher, min: 0.8}
  accuracy.*: {direction: higher, min: 0.75, max-regression: 0.02}
`);
    const result = evaluateGates(config, {
      candidate: { 'accuracy.overall': 0.85, 'accuracy.group_a': 0.86, 'accuracy.group_b': 0.74, loss: 0.2 },
      baseline: {
        'accuracy.overall': 0.84,
        'accuracy.group_a': 0.85,
        'accuracy.group_b': 0.8,
        'accuracy.group_c': 0.8,
      },
    });
    expect(result.results.map((r) => [r.metric, r.verdict])).toEqual([
      ['accuracy.overall', 'pass'],
      ['accuracy.group_a', 'pass'],
      ['accuracy.group_b', 'fail'],
      ['accuracy.group_c', 'fail'],
      ['loss', 'info'],
    ]);
    expect(only(result.results, 'accuracy.group_b').reasons).toEqual([
      '0.74 is below the minimum 0.75',
      'regressed by 0.06 (allowed 0.02)',
    ]);
    expect(only(result.results, 'accuracy.group_c').reasons).toEqual(['missing from the candidate metrics']);
    expect(only(result.results, 'accuracy.group_a').gate).toBe('accuracy.*');
  });

  it('a pattern that matches no metric fails', () => {
    const config = gates('metrics:\n  recall.*: {min: 0.5}\n');
    const result = evaluateGates(config, { candidate: { accuracy: 0.9 } });
    expect(result.passed).toBe(false);
    expect(only(result.results, 'recall.*').reasons).toEqual(['no candidate metric matches "recall.*"']);
  });

  it('reports ungated metrics as info, sorted, with deltas', () => {
    const config = gates('metrics:\n  b: {}\n');
    const result = evaluateGates(config, { candidate: { b: 1, z: 2, a: 3 }, baseline: { a: 2, y: 1 } });
    expect(result.results.map((r) => [r.metric, r.verdict])).toEqual([
      ['b', 'pass'],
      ['a', 'info'],
      ['y', 'info'],
      ['z', 'info'],
    ]);
    expect(only(result.results, 'a').delta).toBe(1);
    expect(only(result.results, 'a').deltaPct).toBe(50);
  });

  it('exceeds tolerates floating-point noise only', () => {
    expect(exceeds(0.9 - 0.89, 0.01)).toBe(false);
    expect(exceeds(0.0101, 0.01)).toBe(true);
    expect(exceeds(1e6 + 1, 1e6)).toBe(true);
  });
});

describe('gates files that would exhaust the parser', () => {
  it('refuses a YAML alias bomb, and an alias with no anchor, with the line of the alias', () => {
    const bomb = [
      'x: &x ["a", "a", "a", "a", "a", "a", "a", "a", "a", "a"]',
      ...['y', 'z', 'w', 'v'].map(
        (name, index) => `${name}: &${name} [${Array(10).fill(`*${'xyzw'[index]}`).join(', ')}]`,
      ),
      'metrics: {acc: {min: 0.5}}',
    ].join('\n');
    expect(parseError('metrics:\n  acc: *nope\n').located).toBe(
      'gates.yml:2:8: the YAML alias *nope has no anchor &nope before it; define the anchor first or write the value out.',
    );
    expect(parseError(bomb).located).toMatch(/^gates\.yml:4:\d+: the YAML aliases expand too much \(alias \*z /);
  });
});
