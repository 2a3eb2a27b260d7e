import { describe, expect, it } from 'vitest';
import { ConfigurationError, InputError } from '../../src/core/errors.js';
import { commandEnvironment } from '../../src/core/train/environment.js';
import { lastValues, parseMetricHistory } from '../../src/core/train/history.js';
import {
  applyOverrides,
  canonicalJson,
  envName,
  paramsSha256,
  paramVariables,
  parseParamOverrides,
  parseParams,
} from '../../src/core/train/params.js';
import { buildRunRecord, makeRunId } from '../../src/core/train/record.js';
import { checkRunId } from '../../src/core/registry/names.js';
import { schemaProblem } from '../../src/core/registry/schemas.js';

describe('parseParams', () => {
  it('reads YAML and JSON of nested scalars and lists of scalars', () => {
    expect(
      parseParams('lr: 0.1\nopt:\n  name: adam\n  betas: [0.9, 0.99]\nuse_gpu: false\nnote: null\n', 'p.yml'),
    ).toEqual({ lr: 0.1, opt: { name: 'adam', betas: [0.9, 0.99] }, use_gpu: false, note: null });
    expect(parseParams('{"epochs": 3}', 'p.json')).toEqual({ epochs: 3 });
    expect(parseParams('', 'empty.yml')).toEqual({});
  });

  it('names the file, line and key of a value that is not a scalar', () => {
    expect(() => parseParams('a: 1\nb:\n  c: [1, [2]]\n', 'p.yml')).toThrow(
      new ConfigurationError('param "b.c" is a list that holds more than scalars (numbers, text, booleans, null).', {
        file: 'p.yml',
        line: 3,
        column: 3,
        key: 'b.c',
      }),
    );
  });

  it('refuses a document that is not a mapping, and a key no variable name can hold', () => {
    expect(() => parseParams('- 1\n- 2\n', 'p.yml')).toThrow(
      /params must be a mapping of names to values; this is a list/,
    );
    expect(() => parseParams('{"learning rate": 1}', 'p.json')).toThrow(
      new ConfigurationError(
        'param name "learning rate" must start with a letter or _ and hold only letters, digits, _ and - (it names the variable MLOPS_PARAM_<NAME>).',
        { file: 'p.json', line: 1, column: 2, key: 'learning rate' },
      ),
    );
  });

  it('names the line of a YAML syntax error', () => {
    expect(() => parseParams('a: 1\nb: [1, 2\n', 'p.yml')).toThrow(/^invalid YAML/);
    try {
      parseParams('a: 1\nb: [1, 2\n', 'p.yml');
    } catch (error) {
      expect((error as ConfigurationError).location).toMatchObject({ file: 'p.yml' });
    }
  });
});

describe('parseParamOverrides and applyOverrides', () => {
  const params = { lr: 0.1, epochs: 10, opt: { name: 'adam', momentum: 0.9 } };

  it('types values as YAML scalars and applies dotted keys without changing the params', () => {
    const overrides = parseParamOverrides(
      'lr=0.01\n# a comment\n\nopt.name = sgd\nepochs=20\n+tag="0.10"\n+debug=true',
      '--param-overrides',
    );
    expect(overrides.map((o) => [o.key, o.value, o.add])).toEqual([
      ['lr', 0.01, false],
      ['opt.name', 'sgd', false],
      ['epochs', 20, false],
      ['tag', '0.10', true],
      ['debug', true, true],
    ]);
    expect(applyOverrides(params, overrides, '--param-overrides')).toEqual({
      lr: 0.01,
      epochs: 20,
      opt: { name: 'sgd', momentum: 0.9 },
      tag: '0.10',
      debug: true,
    });
    expect(params.lr).toBe(0.1);
  });

  it('keeps an = inside the value and reads an empty value as empty text', () => {
    const [eq, empty] = parseParamOverrides('+query=a=b\n+blank=', 'x');
    expect(eq!.value).toBe('a=b');
    expect(empty!.value).toBe('');
  });

  it('names the line of a malformed override', () => {
    expect(() => parseParamOverrides('lr=1\nlr 2', 'Input "param-overrides"')).toThrow(
      new InputError('Input "param-overrides" line 2: "lr 2" is not key=value (for example optimizer.lr=0.01).'),
    );
    expect(() => parseParamOverrides('a..b=1', 'x')).toThrow(/x line 1: "a\.\.b" is not a param name/);
    expect(() => parseParamOverrides('a={b: 1}', 'x')).toThrow(
      /x line 1: the value of a must be a scalar .* not a mapping/,
    );
    expect(() => parseParamOverrides('a=[1, 2]', 'x')).toThrow(/not a list/);
    expect(() => parseParamOverrides('a=1\na=2', 'x')).toThrow(
      new InputError('x line 2: a is already overridden on line 1.'),
    );
  });

  it('refuses a key the params lack, with the nearest one, unless it is written +key', () => {
    const [typo] = parseParamOverrides('opt.nmae=sgd', 'x');
    expect(() => applyOverrides(params, [typo!], 'x')).toThrow(
      new InputError('x: opt.nmae is not in the params (did you mean opt.name?); write +opt.nmae=… to add a new one.'),
    );
    // Without params, every override defines one.
    expect(applyOverrides({}, parseParamOverrides('a.b=1', 'x'), 'x')).toEqual({ a: { b: 1 } });
  });

  it('refuses an override through a value or of a whole group', () => {
    expect(() => applyOverrides(params, parseParamOverrides('+lr.x=1', 'x'), 'x')).toThrow(
      new InputError('x: lr.x cannot be set: lr is a value, not a group.'),
    );
    expect(() => applyOverrides(params, parseParamOverrides('opt=1', 'x'), 'x')).toThrow(/opt is a group of params/);
  });
});

describe('param variables', () => {
  it('upper-cases flat names with dots and dashes as _, values as text or JSON', () => {
    expect(envName('optimizer.learning-rate')).toBe('OPTIMIZER_LEARNING_RATE');
    expect(
      paramVariables(
        { opt: { 'learning-rate': 0.01, name: 'adam' }, layers: [64, 32], flag: true, none: null },
        'p.yml',
      ),
    ).toEqual({
      MLOPS_PARAM_OPT_LEARNING_RATE: '0.01',
      MLOPS_PARAM_OPT_NAME: 'adam',
      MLOPS_PARAM_LAYERS: '[64,32]',
      MLOPS_PARAM_FLAG: 'true',
      MLOPS_PARAM_NONE: '',
    });
  });

  it('refuses two params that meet in one variable name', () => {
    expect(() => paramVariables({ a: { b: 1 }, a_b: 2 }, 'p.yml')).toThrow(
      new ConfigurationError('params "a.b" and "a_b" would both be MLOPS_PARAM_A_B; rename one.', {
        file: 'p.yml',
        key: 'a_b',
      }),
    );
  });

  it('hashes params independently of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,2]},"b":1}');
    expect(paramsSha256({ b: 1, a: 2 })).toBe(paramsSha256({ a: 2, b: 1 }));
    expect(paramsSha256({ a: 1 })).not.toBe(paramsSha256({ a: 2 }));
  });
});

describe('commandEnvironment', () => {
  const variables = {
    paramsFile: '/t/params.json',
    params: { lr: 0.1 },
    paramsSource: 'params.yml',
    seed: 7,
    metricsFile: '/w/metrics.json',
    metricsHistoryFile: '/w/metrics.jsonl',
    modelDir: '/t/model',
    runId: 'run-1',
    mlflowTrackingUri: 'file:/t/mlruns',
  };

  it('adds the MLOPS_* variables and drops the action inputs, runtime tokens and stale params', () => {
    const env = commandEnvironment(
      {
        PATH: '/bin',
        'INPUT_GITHUB-TOKEN': 'ghs_x',
        INPUT_RUN: 'x',
        ACTIONS_RUNTIME_TOKEN: 't',
        ACTIONS_RESULTS_URL: 'u',
        MLOPS_PARAM_OLD: '1',
        GITHUB_SHA: 'abc',
        UNSET: undefined,
      },
      variables,
    );
    expect(env).toEqual({
      PATH: '/bin',
      GITHUB_SHA: 'abc',
      MLOPS_PARAM_LR: '0.1',
      MLOPS_PARAMS: '/t/params.json',
      MLOPS_SEED: '7',
      PYTHONHASHSEED: '7',
      MLOPS_METRICS: '/w/metrics.json',
      MLOPS_METRICS_HISTORY: '/w/metrics.jsonl',
      MLOPS_MODEL_DIR: '/t/model',
      MLOPS_RUN_ID: 'run-1',
      MLFLOW_TRACKING_URI: 'file:/t/mlruns',
    });
  });

  it("keeps the user's own MLFLOW_TRACKING_URI and PYTHONHASHSEED", () => {
    const env = commandEnvironment({ MLFLOW_TRACKING_URI: 'http://mlflow:5000', PYTHONHASHSEED: '0' }, variables);
    expect(env.MLFLOW_TRACKING_URI).toBe('http://mlflow:5000');
    expect(env.PYTHONHASHSEED).toBe('0');
    expect(env.MLOPS_SEED).toBe('7');
  });
});

describe('metric history', () => {
  it('reads {step, name, value} lines and takes the highest step as the last value', () => {
    const history = parseMetricHistory(
      '{"step": 0, "name": "loss", "value": 1.5}\n\n{"step": 2, "name": "loss", "value": 0.5, "timestamp": 1700000000000}\n{"step": 1, "name": "loss", "value": 0.9}\n{"step": 0, "name": "acc", "value": 0.7}\n',
      'metrics.jsonl',
    );
    expect(history.loss).toEqual([
      { step: 0, value: 1.5 },
      { step: 2, value: 0.5, timestamp: 1700000000000 },
      { step: 1, value: 0.9 },
    ]);
    expect(lastValues(history)).toEqual({ loss: 0.5, acc: 0.7 });
  });

  it('names the file, line and key of a bad line', () => {
    expect(() =>
      parseMetricHistory(
        '{"step": 0, "name": "loss", "value": 1}\n{"step": 1, "name": "loss", "value": "x"}\n',
        'm.jsonl',
      ),
    ).toThrow(
      new ConfigurationError('metric "loss": "value" is "x", not a finite number.', {
        file: 'm.jsonl',
        line: 2,
        key: 'value',
      }),
    );
    expect(() => parseMetricHistory('{"name": "loss", "value": 1}', 'm.jsonl')).toThrow(
      /"step" is missing, not a whole number/,
    );
    expect(() => parseMetricHistory('[1]', 'm.jsonl')).toThrow(/a history line must be an object/);
    expect(() => parseMetricHistory('{oops', 'm.jsonl')).toThrow(/^invalid JSON/);
  });
});

describe('run record assembly', () => {
  const started = new Date('2026-12-01T10:00:00.000Z');

  it('builds a record the run-record schema accepts, leaving out what the run did not produce', () => {
    const record = buildRunRecord({
      id: 'run-1',
      status: 'timed-out',
      command: 'python train.py',
      shell: 'bash',
      exitCode: null,
      signal: 'SIGTERM',
      startedAt: started,
      finishedAt: new Date(started.getTime() + 1500),
      params: { lr: 0.1 },
      overrides: parseParamOverrides('lr=0.1', 'x'),
      seed: 3,
      metrics: {},
      metricHistory: {},
      outputTail: ['epoch 1'],
    });
    expect(record).toEqual({
      kind: 'mlops-run',
      format: 1,
      id: 'run-1',
      status: 'timed-out',
      startedAt: '2026-12-01T10:00:00.000Z',
      finishedAt: '2026-12-01T10:00:01.500Z',
      durationSeconds: 1.5,
      command: 'python train.py',
      shell: 'bash',
      signal: 'SIGTERM',
      params: { lr: 0.1 },
      paramOverrides: { lr: 0.1 },
      seed: 3,
      metrics: {},
      outputTail: ['epoch 1'],
    });
    expect(schemaProblem('run-record', record)).toBeUndefined();
  });

  it('makes run ids that checkRunId accepts from any name', () => {
    expect(makeRunId('penguins', started, 'abcdef0123')).toBe('penguins-20261201T100000Z-abcdef01');
    expect(makeRunId(undefined, started, '00000000')).toBe('run-20261201T100000Z-00000000');
    for (const name of ['../../etc', 'a b/c', '  ', '..', 'x'.repeat(300), 'résumé.lock']) {
      expect(() => checkRunId(makeRunId(name, started, 'deadbeef'))).not.toThrow();
    }
  });
});
