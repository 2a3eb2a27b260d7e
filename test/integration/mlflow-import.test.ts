/**
 * The train bundle importing what an MLflow script logged to the file store train points
 * MLFLOW_TRACKING_URI at. MLflow itself is not installable here, so the "script" copies a
 * file-store tree written in MLflow's layout (test/fixtures/mlflow, docs/mlflow.md) there.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRepo, gitIn, makeTempDir } from '../support/git.js';
import { repoRoot, runBundle } from '../support/runner.js';
import { useRealPython } from '../support/python.js';
import type { RunRecord } from '../../src/core/registry/runs.js';

const tmp = makeTempDir('mlops-mlflow-it-');
afterAll(() => tmp.cleanup());
// Each train run asks python3 for its version (lineage): the interpreter answers, not pyenv's shim.
afterAll(useRealPython());
const FIXTURES = join(repoRoot, 'test/fixtures/mlflow');

/** A repository holding one fixture store as `logged/`, which the command copies into the tracking folder. */
function repoWithStore(name: string, fixture: string, drop: string[] = []): string {
  const repo = createRepo(tmp.path, name);
  cpSync(join(FIXTURES, fixture, 'mlruns'), join(repo, 'logged'), { recursive: true });
  for (const path of drop) rmSync(join(repo, 'logged', path), { recursive: true, force: true });
  gitIn(repo, 'add', '-A');
  gitIn(repo, 'commit', '--quiet', '-m', 'store');
  return repo;
}

/** What the train command does instead of `python train.py` with mlflow: write the store. */
const LOG_TO_MLFLOW = 'store="${MLFLOW_TRACKING_URI#file:}"\nmkdir -p "$store"\ncp -R logged/. "$store"/';

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

describe('train imports MLflow file-store runs', () => {
  it('takes params (nested keys), latest metrics, histories, tags and the logged model (MLflow 2.x)', async () => {
    // Keep experiment 0 (and the trash, which must be skipped): one active run.
    const repo = repoWithStore('v2', 'v2', ['483920175634']);
    const result = await runBundle('train', { workspace: repo, inputs: { run: LOG_TO_MLFLOW } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const record = JSON.parse(readFileSync(join(repo, 'mlops-reports/run.json'), 'utf8')) as RunRecord;
    expect(record.mlflow).toMatchObject({
      runId: '9f1c2b3a4d5e6f708192a3b4c5d6e7f8',
      experimentId: '0',
      tags: { 'mlflow.runName': 'crisp-owl-123', 'mlflow.source.name': 'train.py' },
    });
    expect(record.params).toMatchObject({ C: '1.0', max_iter: '200', 'optimizer/lr': '0.01' });
    expect(record.metrics).toMatchObject({ accuracy: 0.93, loss: 0.4, 'val/f1': 0.88 });
    expect(record.metricHistory?.loss?.map((p) => [p.step, p.value])).toEqual([
      [0, 0.9],
      [1, 0.6],
      [1, 0.55],
      [2, 0.4],
    ]);
    // No `model` input: the logged model's folder is the model, hashed like any directory.
    expect(record.model).toMatchObject({
      kind: 'directory',
      sha256: sha256sumDirectory(join(repo, 'logged/0/9f1c2b3a4d5e6f708192a3b4c5d6e7f8/artifacts/model')),
      files: 3,
    });
  });

  it('finds an MLflow 3.x logged model under <experiment>/models/<model_id>', async () => {
    const repo = repoWithStore('v3', 'v3');
    const result = await runBundle('train', { workspace: repo, inputs: { run: LOG_TO_MLFLOW } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const record = JSON.parse(readFileSync(join(repo, 'mlops-reports/run.json'), 'utf8')) as RunRecord;
    expect(record.mlflow?.runId).toBe('3c3c3c3c3c3c4d4d4d4d5e5e5e5e6f6f');
    expect(record.metrics).toEqual({ accuracy: 0.95 });
    expect(record.model).toMatchObject({
      kind: 'directory',
      sha256: sha256sumDirectory(join(repo, 'logged/0/models/m-8f2e4d6c0b1a49e3a5c7d9f1b3e5a7c9/artifacts')),
    });
  });

  it('names the file and line of a corrupt metric line', async () => {
    const repo = repoWithStore('corrupt', 'corrupt');
    const result = await runBundle('train', { workspace: repo, inputs: { run: LOG_TO_MLFLOW } });
    const said = result.annotations.map((a) => a.message).join('\n');
    expect(said).toMatch(
      /mlruns\/0\/1234abcd1234abcd1234abcd1234abcd\/metrics\/loss:2: malformed MLflow metric line: value "0\.6,1" is not a number\./,
    );
  });
});
