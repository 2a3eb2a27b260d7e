import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importMlflowRuns, mlflowRecordFields, parseMetricLines } from '../../src/adapters/mlflow-store.js';
import { ConfigurationError, InputError } from '../../src/core/errors.js';
import { parseRunRecord } from '../../src/core/registry/runs.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/mlflow');
const A = '9f1c2b3a4d5e6f708192a3b4c5d6e7f8';
const B = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('importMlflowRuns: MLflow 2.x file store', () => {
  it('reads params (nested keys), latest metrics, histories, tags and the logged model', async () => {
    const root = join(FIXTURES, 'v2/mlruns');
    const runs = await importMlflowRuns(root);
    // Active runs only, by start time: the deleted run and the trashed experiment are skipped.
    expect(runs.map((r) => r.runId)).toEqual([A, B]);
    const [a, b] = runs as [(typeof runs)[number], (typeof runs)[number]];
    expect(a).toMatchObject({
      experimentId: '0',
      name: 'crisp-owl-123',
      status: 'FINISHED',
      startTime: 1714557600000,
      endTime: 1714557605000,
      params: { C: '1.0', max_iter: '200', 'optimizer/lr': '0.01', 'optimizer/name': 'lbfgs' },
      // loss: step 2 is the latest although logged before step 1; val/f1 has no step field (step 0).
      metrics: { accuracy: 0.93, loss: 0.4, 'val/f1': 0.88 },
      tags: { 'mlflow.runName': 'crisp-owl-123', 'mlflow.user': 'runner', 'mlflow.source.name': 'train.py' },
      // artifact_uri points at the machine that wrote the store; the run's own folder is used.
      artifactDir: join(root, '0', A, 'artifacts'),
    });
    expect(a.history.loss).toEqual([
      { step: 0, value: 0.9, timestamp: 1714557601000 },
      { step: 1, value: 0.6, timestamp: 1714557602000 },
      { step: 1, value: 0.55, timestamp: 1714557602500 },
      { step: 2, value: 0.4, timestamp: 1714557603000 },
    ]);
    expect(a.history.accuracy!.map((p) => p.value)).toEqual([0.81, 0.9, 0.93]);
    expect(a.models).toEqual([
      { artifactPath: 'model', dir: join(root, '0', A, 'artifacts/model'), flavors: ['python_function', 'sklearn'] },
    ]);
    expect(b).toMatchObject({ experimentId: '483920175634', name: 'bold-fox-7', status: 'FAILED', models: [] });
    expect(b.params).toEqual({ C: '0.1' });
  });

  it('accepts the file: URI MLFLOW_TRACKING_URI holds, and a relative folder', async () => {
    const byUri = await importMlflowRuns(pathToFileURL(join(FIXTURES, 'v2/mlruns')).href);
    expect(byUri.map((r) => r.runId)).toEqual([A, B]);
    const relative = await importMlflowRuns('v2/mlruns', FIXTURES);
    expect(relative.map((r) => r.runId)).toEqual([A, B]);
  });

  it('gives run record fields that pass the run record schema', async () => {
    const [a] = await importMlflowRuns(join(FIXTURES, 'v2/mlruns'));
    const fields = mlflowRecordFields(a!);
    expect(fields.mlflow).toEqual({ runId: A, experimentId: '0', tags: a!.tags });
    expect(fields.metricHistory.accuracy).toHaveLength(3);
    const record = { id: 'r1', startedAt: '2024-05-01T10:00:00Z', ...fields };
    expect(parseRunRecord(JSON.stringify(record), 'run.json').mlflow?.runId).toBe(A);
  });

  it('leaves non-finite values out of record fields (JSON has no NaN) but keeps them in the import', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'mlops-mlflow-'));
    scratch.push(copy);
    cpSync(join(FIXTURES, 'v2/mlruns'), copy, { recursive: true });
    writeFileSync(join(copy, '0', A, 'metrics/grad'), '1 nan 0\n2 0.5 1\n3 inf 2\n');
    const [a] = await importMlflowRuns(copy);
    expect(a!.metrics.grad).toBe(Infinity);
    const fields = mlflowRecordFields(a!);
    expect(fields.metrics.grad).toBeUndefined();
    expect(fields.metricHistory.grad).toEqual([{ step: 1, value: 0.5, timestamp: 2 }]);
  });
});

describe('importMlflowRuns: MLflow 3.x logged models', () => {
  it('finds the model under <experiment>/models/<model_id> by source_run_id, and no run in that folder', async () => {
    const root = join(FIXTURES, 'v3/mlruns');
    const runs = await importMlflowRuns(root);
    expect(runs).toHaveLength(1);
    const model = 'm-8f2e4d6c0b1a49e3a5c7d9f1b3e5a7c9';
    expect(runs[0]).toMatchObject({ runId: '3c3c3c3c3c3c4d4d4d4d5e5e5e5e6f6f', metrics: { accuracy: 0.95 } });
    expect(runs[0]!.models).toEqual([
      {
        artifactPath: 'model',
        dir: join(root, '0/models', model, 'artifacts'),
        flavors: ['python_function', 'sklearn'],
        modelId: model,
      },
    ]);
  });
});

describe('importMlflowRuns: bad stores', () => {
  it('names the file and line of a corrupt metric line', async () => {
    const file = join(FIXTURES, 'corrupt/mlruns/0/1234abcd1234abcd1234abcd1234abcd/metrics/loss');
    await expect(importMlflowRuns(join(FIXTURES, 'corrupt/mlruns'))).rejects.toThrow(
      new ConfigurationError('malformed MLflow metric line: value "0.6,1" is not a number.', { file, line: 2 }),
    );
    const error = await importMlflowRuns(join(FIXTURES, 'corrupt/mlruns')).catch((e: ConfigurationError) => e);
    expect((error as ConfigurationError).located).toBe(
      `${file}:2: malformed MLflow metric line: value "0.6,1" is not a number.`,
    );
  });

  it('refuses lines with the wrong field count, bad integers and empty files', () => {
    expect(() => parseMetricLines('1 2 3 4\n', 'm')).toThrow(
      new ConfigurationError('malformed MLflow metric line "1 2 3 4": 4 fields, expected "timestamp value step".', {
        file: 'm',
        line: 1,
      }),
    );
    expect(() => parseMetricLines('1 0.5 0\n1.5 0.5 1\n', 'm')).toThrow(
      new ConfigurationError('malformed MLflow metric line: timestamp "1.5" is not an integer.', {
        file: 'm',
        line: 2,
      }),
    );
    expect(() => parseMetricLines('1 0.5 x\n', 'm')).toThrow(/step "x" is not an integer/);
    expect(() => parseMetricLines('', 'm')).toThrow(
      new ConfigurationError('MLflow metric file has no values.', { file: 'm' }),
    );
    expect(parseMetricLines('5 -1.5e-3 7\r\n', 'm')).toEqual([{ step: 7, value: -0.0015, timestamp: 5 }]);
  });

  it('says when the tracking folder does not exist, and names a broken meta.yaml', async () => {
    await expect(importMlflowRuns(join(FIXTURES, 'nope'))).rejects.toThrow(InputError);
    const copy = mkdtempSync(join(tmpdir(), 'mlops-mlflow-'));
    scratch.push(copy);
    cpSync(join(FIXTURES, 'v3/mlruns'), copy, { recursive: true });
    writeFileSync(join(copy, '0/meta.yaml'), 'name: [unclosed\n');
    await expect(importMlflowRuns(copy)).rejects.toThrow(/invalid YAML in MLflow's meta.yaml/);
    const error = await importMlflowRuns(copy).catch((e: ConfigurationError) => e);
    expect((error as ConfigurationError).location?.file).toBe(join(copy, '0/meta.yaml'));
  });
});
