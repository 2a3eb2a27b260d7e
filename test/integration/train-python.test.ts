/**
 * The Python example (examples/penguins-python/train.py, scikit-learn) through the train bundle:
 * two tracked runs with different params, compared with their training-loss curves. Needs
 * Debian's python3-sklearn, installed by scripts/install-python-example.sh (as root); when it
 * cannot be installed the tests are skipped and say why.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneRepo, createBareRemote, createRepo, gitIn, makeTempDir } from '../support/git.js';
import { repoRoot, runBundle, runCliBundle } from '../support/runner.js';
import { useRealPython } from '../support/python.js';
import type { RunRecord } from '../../src/core/registry/runs.js';

const tmp = makeTempDir('mlops-train-python-it-');
afterAll(() => tmp.cleanup());
// Each train run asks python3 for its version (lineage): the interpreter answers, not pyenv's shim.
afterAll(useRealPython());
const PYTHON = '/usr/bin/python3';

let skipReason: string | undefined;
beforeAll(async () => {
  const script = join(repoRoot, 'scripts/install-python-example.sh');
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile('sh', [script], { timeout: 280_000 }, (error, stdout, stderr) =>
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
        output: `${stdout}${stderr}`.trim(),
      }),
    );
  });
  if (result.code !== 0) {
    skipReason = `scikit-learn is not available: ${result.output || `install-python-example.sh exited ${result.code}`}`;
    console.log(`train-python: skipped, ${skipReason}`);
  }
}, 300_000);

describe('train on the Python example', () => {
  it('runs train.py through the train bundle, then compares two tracked runs and their loss curves', async (context) => {
    if (skipReason) context.skip(skipReason);
    const remote = createBareRemote(tmp.path, 'python.git');
    const repo = createRepo(tmp.path, 'python', remote);
    cpSync(join(repoRoot, 'examples/penguins-python'), repo, { recursive: true });
    mkdirSync(join(repo, 'data'));
    cpSync(join(repoRoot, 'examples/penguins/data/penguins.csv'), join(repo, 'data/penguins.csv'));
    writeFileSync(join(repo, '.gitignore'), 'model/\nmetrics.json\nmlops-reports/\n__pycache__/\n');
    gitIn(repo, 'add', '-A');
    gitIn(repo, 'commit', '--quiet', '-m', 'python example');

    const records: RunRecord[] = [];
    for (const overrides of ['', 'C=0.005\niterations_per_step=1\nmax_iter=20']) {
      const result = await runBundle('train', {
        workspace: repo,
        inputs: {
          run: `${PYTHON} train.py data/penguins.csv`,
          params: 'params.json',
          'param-overrides': overrides,
          data: 'data/penguins.csv',
          model: 'model',
          track: 'true',
        },
      });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toMatch(/accuracy [\d.]+, f1_macro [\d.]+ on 86 test rows/);
      records.push(JSON.parse(readFileSync(join(repo, 'mlops-reports/run.json'), 'utf8')) as RunRecord);
    }
    const [first, second] = records as [RunRecord, RunRecord];
    // What train.py wrote to MLOPS_METRICS and MLOPS_METRICS_HISTORY, and its model file.
    expect(first.metrics).toMatchObject({
      accuracy: expect.any(Number),
      'accuracy_by_island.Dream': expect.any(Number),
    });
    expect(second.params).toMatchObject({ C: 0.005, seed: 42 });
    expect(second.metrics.accuracy as number).toBeLessThan(first.metrics.accuracy as number);
    expect(first.metricHistory?.train_loss).toHaveLength(20);
    expect(second.metricHistory?.train_loss?.map((p) => p.step)).toEqual([...Array(20).keys()]);
    expect(existsSync(join(repo, 'model/model.joblib'))).toBe(true);
    expect(first.model).toMatchObject({ path: 'model', kind: 'directory', files: 1 });
    expect(first.lineage?.python).toMatch(/^3\.\d+\.\d+/);

    const reader = cloneRepo(remote, tmp.path, 'python-reader');
    const compared = await runCliBundle(['runs', 'compare', first.id, second.id, '--markdown'], { cwd: reader });
    expect(compared.code, compared.stderr).toBe(0);
    expect(compared.stdout).toMatch(/\| ● C +\| 1 +\| 0\.005 +\|/);
    expect(compared.stdout).toContain('  title "train_loss by step"');
    expect(compared.stdout).toContain(`<sub>blue: ${first.id} · orange: ${second.id}</sub>`);
    const best = await runCliBundle(['runs', 'best', '--metric', 'accuracy'], { cwd: reader });
    expect(best.stdout).toBe(`${first.id}\n`);
  }, 180_000);
});
