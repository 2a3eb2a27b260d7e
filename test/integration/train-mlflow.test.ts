/**
 * train's MLflow import through the built bundle: the command logs to the file store that
 * MLFLOW_TRACKING_URI points at (here it copies a run written in MLflow's file-store layout, as
 * `mlflow.start_run()` / `log_metric` / `mlflow.sklearn.log_model` leave it), and the run
 * record takes its params, metrics, histories, tags and model from there.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/registry/runs.js';
import { createRepo, makeTempDir } from '../support/git.js';
import { repoRoot, runBundle } from '../support/runner.js';
import { useRealPython } from '../support/python.js';

const tmp = makeTempDir('mlops-train-mlflow-it-');
afterAll(() => tmp.cleanup());
// Each train run asks python3 for its version (lineage): the interpreter answers, not pyenv's shim.
afterAll(useRealPython());

const experiment = join(repoRoot, 'test', 'fixtures', 'mlflow', 'v2', 'mlruns', '0');
const runId = '9f1c2b3a4d5e6f708192a3b4c5d6e7f8';

/** What an MLflow script does to the file store: one experiment, one run, a logged model. */
const LOG_LIKE_MLFLOW = 'store="${MLFLOW_TRACKING_URI#file:}"\nmkdir -p "$store/0"\ncp -r "$FIXTURE/." "$store/0/"';

function sha256sumDirectory(dir: string): string {
  return execFileSync(
    'bash',
    [
      '-c',
      `cd "$1" && find . -type f | sed 's|^\\./||' | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum`,
      '_',
      dir,
    ],
    { encoding: 'utf8' },
  ).split(' ')[0]!;
}

describe('train: MLflow file-store import', () => {
  it('records the params, last metrics, histories, tags and logged model of the MLflow run', async () => {
    const repo = createRepo(tmp.path, 'mlflow-run');
    const artifacts = join(tmp.path, 'artifacts');
    const result = await runBundle('train', {
      workspace: repo,
      inputs: { run: LOG_LIKE_MLFLOW, 'artifact-name': 'mlflow-run' },
      env: { FIXTURE: experiment, MLOPS_ARTIFACT_DIR: artifacts },
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const record = JSON.parse(readFileSync(join(repo, 'mlops-reports', 'run.json'), 'utf8')) as RunRecord;
    expect(record.mlflow).toMatchObject({ runId, experimentId: '0' });
    expect(record.mlflow?.tags?.['mlflow.user']).toBeDefined();
    // No params input: the run's params are MLflow's (strings, as MLflow keeps them).
    for (const name of ['C', 'max_iter']) {
      expect(record.params[name]).toBe(readFileSync(join(experiment, runId, 'params', name), 'utf8'));
    }
    // A param logged as `optimizer/lr` is a file in a folder on disk; its name keeps the slash.
    expect(record.params['optimizer/lr']).toBe(
      readFileSync(join(experiment, runId, 'params', 'optimizer', 'lr'), 'utf8'),
    );
    // The last value is the one at the highest step; the history keeps every point.
    const lines = readFileSync(join(experiment, runId, 'metrics', 'accuracy'), 'utf8')
      .trim()
      .split('\n');
    const points = lines.map((line) => line.split(' ').map(Number) as [number, number, number]);
    expect(record.metricHistory?.accuracy).toEqual(
      points.map(([timestamp, value, step]) => ({ step, value, timestamp })),
    );
    const top = points.reduce((best, point) => (point[2] >= best[2] ? point : best));
    expect(record.metrics.accuracy).toBe(top[1]);
    expect(JSON.parse(result.outputs.metrics!)).toEqual(record.metrics);
    // The logged model is the model: hashed as sha256sum hashes the folder, and uploaded.
    const modelDir = join(experiment, runId, 'artifacts', 'model');
    expect(record.model).toMatchObject({ kind: 'directory', sha256: sha256sumDirectory(modelDir), files: 3 });
    expect(result.outputs['model-sha256']).toBe(sha256sumDirectory(modelDir));
    expect(readdirSync(join(artifacts, 'mlflow-run', 'model')).sort()).toEqual([
      'MLmodel',
      'model.pkl',
      'requirements.txt',
    ]);
    expect(result.stdout).toContain(`Imported MLflow run ${runId}`);
  });

  it("leaves the user's own MLFLOW_TRACKING_URI alone and imports nothing", async () => {
    const repo = createRepo(tmp.path, 'own-tracking');
    const result = await runBundle('train', {
      workspace: repo,
      inputs: { run: 'echo "$MLFLOW_TRACKING_URI" > uri.txt\necho \'{"accuracy": 0.5}\' > "$MLOPS_METRICS"' },
      env: { MLFLOW_TRACKING_URI: 'http://127.0.0.1:9/' },
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(readFileSync(join(repo, 'uri.txt'), 'utf8')).toBe('http://127.0.0.1:9/\n');
    const record = JSON.parse(readFileSync(join(repo, 'mlops-reports', 'run.json'), 'utf8')) as RunRecord;
    expect(record.mlflow).toBeUndefined();
    expect(record.metrics).toEqual({ accuracy: 0.5 });
  });
});
