/**
 * The train action end to end: the built bundle run as the runner runs it, in real git
 * repositories, on the penguins example (examples/penguins/train.mjs, plain Node), and the built
 * `mlops train` in local mode.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cloneRepo, createBareRemote, createRepo, gitIn, makeTempDir, writeFiles } from '../support/git.js';
import { useRealPython } from '../support/python.js';
import { repoRoot, runBundle, runCliBundle, type BundleResult } from '../support/runner.js';
import type { RunRecord } from '../../src/core/registry/runs.js';

const tmp = makeTempDir('mlops-train-it-');
afterAll(() => tmp.cleanup());
// Every run asks python3 for its version (lineage): the interpreter, not pyenv's shim, answers.
afterAll(useRealPython());

const example = join(repoRoot, 'examples', 'penguins');

/** A repository holding a copy of the penguins example, committed. */
function penguinsRepo(name: string, remote?: string): string {
  const repo = remote ? cloneRepo(remote, tmp.path, name) : createRepo(tmp.path, name);
  for (const file of ['train.mjs', 'params.json', 'data']) {
    cpSync(join(example, file), join(repo, file), { recursive: true });
  }
  writeFileSync(join(repo, '.gitignore'), 'model/\nmetrics.json\nmetrics.jsonl\nmlops-reports/\n');
  gitIn(repo, 'add', '-A');
  gitIn(repo, 'commit', '--quiet', '-m', 'penguins');
  if (remote) gitIn(repo, 'push', '--quiet', 'origin', 'HEAD');
  return repo;
}

/** What `sha256sum` prints for a file. */
function sha256sum(file: string): string {
  return execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]!;
}

/** A directory's hash as docs/train.md defines it, computed by coreutils. */
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

function readRecord(file: string): RunRecord {
  return JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
}

function errors(result: BundleResult) {
  return result.annotations.filter((a) => a.level === 'error');
}

/** True while a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('train action on the penguins example', () => {
  it('records params and overrides, metrics and history, data and model hashes equal to sha256sum, lineage', async () => {
    const repo = penguinsRepo('penguins-run');
    const artifacts = join(tmp.path, 'artifacts-1');
    const result = await runBundle('train', {
      workspace: repo,
      inputs: {
        run: 'node train.mjs',
        params: 'params.json',
        'param-overrides': 'epochs=40\nlearning_rate=0.2',
        data: 'data/penguins.csv',
        model: 'model',
        name: 'penguins',
        'artifact-name': 'penguins-run',
      },
      env: { MLOPS_ARTIFACT_DIR: artifacts },
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(errors(result)).toEqual([]);
    const recordFile = join(repo, 'mlops-reports', 'run.json');
    expect(result.outputs['run-record']).toBe(recordFile);
    const record = readRecord(recordFile);
    expect(record).toMatchObject({
      kind: 'mlops-run',
      status: 'succeeded',
      name: 'penguins',
      command: 'node train.mjs',
      shell: 'bash',
      exitCode: 0,
      params: { epochs: 40, learning_rate: 0.2, l2: 0.001, seed: 42 },
      paramOverrides: { epochs: 40, learning_rate: 0.2 },
      seed: 42,
      actor: 'octocat',
    });
    expect(record.id).toBe(result.outputs['run-id']);
    // The metrics are what the script wrote, flattened as evaluate-gate reads them.
    const written = JSON.parse(readFileSync(join(repo, 'metrics.json'), 'utf8')) as {
      accuracy: number;
      recall: { Adelie: number };
    };
    expect(record.metrics.accuracy).toBe(written.accuracy);
    expect(record.metrics['recall.Adelie']).toBe(written.recall.Adelie);
    expect(JSON.parse(result.outputs.metrics!)).toEqual(record.metrics);
    // The history the script wrote to MLOPS_METRICS_HISTORY (metrics.jsonl beside metrics.json).
    expect(record.metricHistory?.train_loss?.map((p) => p.step)).toEqual([0, 10, 20, 30, 39]);
    // A metric with only a history counts with its last value.
    expect(record.metrics.train_loss).toBe(record.metricHistory?.train_loss?.at(-1)?.value);
    expect(result.summary).toContain('#### Training curves');
    expect(result.summary).toContain('title "train_loss by step"');
    // Hashes equal to coreutils'.
    const dataSha = sha256sum(join(repo, 'data', 'penguins.csv'));
    expect(record.data).toEqual([{ path: 'data/penguins.csv', kind: 'file', sha256: dataSha, files: 1, bytes: 13479 }]);
    expect(record.dataSha256).toBe(dataSha);
    expect(result.outputs['data-sha256']).toBe(dataSha);
    const modelSha = sha256sumDirectory(join(repo, 'model'));
    expect(record.model).toMatchObject({ path: 'model', kind: 'directory', sha256: modelSha, files: 1 });
    expect(result.outputs['model-sha256']).toBe(modelSha);
    expect(record.lineage?.git).toEqual({
      commit: gitIn(repo, 'rev-parse', 'HEAD'),
      ref: 'refs/heads/main',
      dirty: false,
    });
    // The top-level copy that evaluate-gate, register and `mlops runs show` read.
    expect(record.git).toEqual(record.lineage?.git);
    expect(record.lineage?.runner).toEqual({ os: process.platform, arch: process.arch });
    expect(record.workflowRun).toMatchObject({ id: '1000', attempt: '1', repository: 'octo-org/octo-repo' });
    expect(Number(result.outputs['duration-seconds'])).toBe(record.durationSeconds);
    // The artifact holds the record and the model.
    expect(readdirSync(join(artifacts, 'penguins-run')).sort()).toEqual(['model', 'run.json']);
    expect(readFileSync(join(artifacts, 'penguins-run', 'model', 'model.json'), 'utf8')).toBe(
      readFileSync(join(repo, 'model', 'model.json'), 'utf8'),
    );
    // The step summary: params (overrides marked), metrics, lineage.
    expect(result.summary).toContain('### Train run');
    expect(result.summary).toContain('| epochs | `40` (override) |');
    expect(result.summary).toMatch(/\| accuracy \| [\d.]+ \| {2}\|/);
    expect(result.summary).toContain(dataSha.slice(0, 16));
    // The command's output is in the step log, live.
    expect(result.stdout).toContain('trained on 256 rows');
  });

  it('gives the command its environment: params file and variables, seed, paths, run id; no action inputs', async () => {
    const repo = createRepo(tmp.path, 'env-run');
    writeFiles(repo, { 'params.yml': 'optimizer:\n  learning-rate: 0.01\n  name: adam\nlayers: [64, 32]\n' });
    const result = await runBundle('train', {
      workspace: repo,
      inputs: {
        run: 'env | grep -E "^(MLOPS_|PYTHONHASHSEED|MLFLOW_|INPUT_|ACTIONS_RUNTIME)" | sort > env.txt\ncp "$MLOPS_PARAMS" resolved.json\necho \'{"score": 1}\' > "$MLOPS_METRICS"',
        params: 'params.yml',
        'param-overrides': 'optimizer.name=sgd\n+dropout=0.5',
        seed: '7',
        'github-token': 'ghs_secret_token',
      },
      env: { ACTIONS_RUNTIME_TOKEN: 'runtime-secret' },
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const lines = readFileSync(join(repo, 'env.txt'), 'utf8').trim().split('\n');
    const env = Object.fromEntries(
      lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(env).toMatchObject({
      MLOPS_PARAM_OPTIMIZER_LEARNING_RATE: '0.01',
      MLOPS_PARAM_OPTIMIZER_NAME: 'sgd',
      MLOPS_PARAM_LAYERS: '[64,32]',
      MLOPS_PARAM_DROPOUT: '0.5',
      MLOPS_SEED: '7',
      PYTHONHASHSEED: '7',
      MLOPS_METRICS: join(repo, 'metrics.json'),
      MLOPS_METRICS_HISTORY: join(repo, 'metrics.jsonl'),
      MLOPS_RUN_ID: result.outputs['run-id'],
    });
    expect(env.MLFLOW_TRACKING_URI).toMatch(/^file:.*mlruns$/);
    expect(env.MLOPS_MODEL_DIR).toMatch(/mlops-train-[^/]+\/model$/);
    expect(Object.keys(env).filter((name) => name.startsWith('INPUT_') || name.startsWith('ACTIONS_'))).toEqual([]);
    expect(JSON.parse(readFileSync(join(repo, 'resolved.json'), 'utf8'))).toEqual({
      optimizer: { 'learning-rate': 0.01, name: 'sgd' },
      layers: [64, 32],
      dropout: 0.5,
    });
    const record = readRecord(join(repo, 'mlops-reports', 'run.json'));
    expect(record.paramOverrides).toEqual({ 'optimizer.name': 'sgd', dropout: 0.5 });
    expect(record.seed).toBe(7);
    expect(record.metrics).toEqual({ score: 1 });
    // Nothing was written to MLOPS_MODEL_DIR: no model, and no hash pretending there is one.
    expect(record.model).toBeUndefined();
    expect(result.outputs['model-sha256']).toBeUndefined();
  });
});

describe('train action: metrics as histories', () => {
  it('takes the last values of a history alone, beside metrics.json or as a .jsonl metrics file', async () => {
    const repo = createRepo(tmp.path, 'history-only');
    const lines = '{"step": 0, "name": "loss", "value": 0.9}\n{"step": 1, "name": "loss", "value": 0.4}\n';
    writeFiles(repo, { 'history.txt': lines });
    const beside = await runBundle('train', {
      workspace: repo,
      inputs: { run: 'cp history.txt "$MLOPS_METRICS_HISTORY"' },
    });
    expect(beside.code, beside.stdout).toBe(0);
    expect(JSON.parse(beside.outputs.metrics!)).toEqual({ loss: 0.4 });
    const asFile = await runBundle('train', {
      workspace: repo,
      inputs: { run: 'cp history.txt "$MLOPS_METRICS"', metrics: 'out/m.jsonl' },
    });
    expect(asFile.code, asFile.stdout).toBe(0);
    const record = readRecord(join(repo, 'mlops-reports', 'run.json'));
    expect(record.metrics).toEqual({ loss: 0.4 });
    expect(record.metricHistory).toEqual({
      loss: [
        { step: 0, value: 0.9 },
        { step: 1, value: 0.4 },
      ],
    });
  });
});

describe('train action failures', () => {
  it('fails a command that exits non-zero with the code and the last 20 lines, and records the failed run', async () => {
    const repo = createRepo(tmp.path, 'failing-run');
    const result = await runBundle('train', {
      workspace: repo,
      inputs: { run: 'for i in $(seq 1 30); do echo "line-$i"; done\necho "oops" >&2\nexit 3' },
    });
    expect(result.code).toBe(1);
    const [error, ...more] = errors(result);
    expect(more).toEqual([]);
    expect(error!.properties.title).toBe('Training command failed');
    expect(error!.message).toMatch(
      /^The training command exited with code 3 after [\d.]+ s\.\nLast 20 lines of output:\n/,
    );
    const tail = error!.message.split('\n').slice(2);
    expect(tail).toEqual([...Array.from({ length: 19 }, (_, i) => `line-${i + 12}`), 'oops']);
    const record = readRecord(join(repo, 'mlops-reports', 'run.json'));
    expect(record).toMatchObject({ status: 'failed', exitCode: 3, metrics: {} });
    expect(record.outputTail).toEqual(tail);
    expect(result.outputs['run-record']).toBe(join(repo, 'mlops-reports', 'run.json'));
    expect(result.summary).toContain('❌ failed');
  });

  it('kills the whole process tree on timeout-minutes, leaves no process, and records a timed-out run', async () => {
    const repo = createRepo(tmp.path, 'timeout-run');
    const marker = `${400 + (process.pid % 100)}.${Date.now() % 100000}`;
    const result = await runBundle('train', {
      workspace: repo,
      inputs: {
        run: `sleep ${marker}1 &\necho $! > background.pid\n(trap '' TERM; sleep ${marker}2; true) &\necho $! >> background.pid\necho started\nsleep ${marker}3`,
        'timeout-minutes': '0.02',
      },
    });
    expect(result.code).toBe(1);
    const [error, ...more] = errors(result);
    expect(more).toEqual([]);
    expect(error!.properties.title).toBe('Training timed out');
    expect(error!.message).toContain('timed out after 0.02 minutes');
    expect(error!.message).toContain('started');
    for (const pid of readFileSync(join(repo, 'background.pid'), 'utf8').trim().split('\n').map(Number)) {
      expect(alive(pid)).toBe(false);
    }
    const ps = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' });
    expect(ps.split('\n').filter((line) => line.includes(marker))).toEqual([]);
    const record = readRecord(join(repo, 'mlops-reports', 'run.json'));
    expect(record.status).toBe('timed-out');
    expect(record.exitCode).toBeUndefined();
    expect(record.signal).toBe('SIGTERM');
    expect(record.durationSeconds).toBeGreaterThanOrEqual(1.2);
  });

  it('keeps a huge or NUL-holding param out of the environment with one warning, and still runs', async () => {
    const repo = createRepo(tmp.path, 'huge-param');
    const big = Array.from({ length: 50_000 }, (_, i) => 100_000 + i);
    writeFiles(repo, { 'params.json': JSON.stringify({ big, small: 1 }) });
    expect(readFileSync(join(repo, 'params.json'), 'utf8').length).toBeGreaterThan(300_000);
    const result = await runBundle('train', {
      workspace: repo,
      inputs: {
        run: 'echo "${MLOPS_PARAM_BIG-unset} ${MLOPS_PARAM_NUL-unset} $MLOPS_PARAM_SMALL" > env.txt\nnode -e \'process.stdout.write(String(require(process.env.MLOPS_PARAMS).big.length))\' > count.txt\necho \'{"a": 1}\' > "$MLOPS_METRICS"',
        params: 'params.json',
        'param-overrides': '+nul="a\\0b"',
      },
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(readFileSync(join(repo, 'env.txt'), 'utf8')).toBe('unset unset 1\n');
    expect(readFileSync(join(repo, 'count.txt'), 'utf8')).toBe('50000');
    const warnings = result.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/MLOPS_PARAM_BIG .*big.*over 32 KiB/);
    expect(warnings[0]).toMatch(/MLOPS_PARAM_NUL .*nul.*NUL/);
    expect(warnings[0]).toContain('$MLOPS_PARAMS');
  });

  it('fails with one clear error and a failed record when the command cannot be started (E2BIG)', async () => {
    const repo = createRepo(tmp.path, 'e2big');
    // 90 params of 30 000 characters: each under the 32 KiB a variable may hold, together over
    // the 2 MiB the system allows a program's arguments and environment.
    const params = Object.fromEntries(Array.from({ length: 90 }, (_, i) => [`p${i}`, 'x'.repeat(30_000)]));
    writeFiles(repo, { 'params.json': JSON.stringify(params) });
    const result = await runBundle('train', {
      workspace: repo,
      inputs: { run: 'echo never', params: 'params.json' },
    });
    expect(result.code).toBe(1);
    const [error, ...more] = errors(result);
    expect(more).toEqual([]);
    expect(error!.message).toMatch(/^could not start the training command \(bash\): spawn E2BIG/);
    expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /);
    const record = readRecord(join(repo, 'mlops-reports', 'run.json'));
    expect(record).toMatchObject({ status: 'failed' });
    expect(record.error).toMatch(/could not start the training command/);
  });

  it('refuses a bad params file with one error naming the file, line and key, before running anything', async () => {
    const repo = createRepo(tmp.path, 'bad-params');
    writeFiles(repo, { 'params.yml': 'lr: 0.1\noptimizer:\n  betas: [0.9, {b: 2}]\n' });
    const result = await runBundle('train', {
      workspace: repo,
      inputs: { run: 'touch ran', params: 'params.yml' },
    });
    expect(result.code).toBe(1);
    expect(errors(result).map((a) => a.message)).toEqual([
      'params.yml:3:3, key "optimizer.betas": param "optimizer.betas" is a list that holds more than scalars (numbers, text, booleans, null).',
    ]);
    expect(existsSync(join(repo, 'ran'))).toBe(false);
    expect(existsSync(join(repo, 'mlops-reports'))).toBe(false);
  });

  it('refuses a run-record path that is the data or the metrics file, before running anything', async () => {
    const repo = createRepo(tmp.path, 'bad-record-path', undefined, { 'data.csv': 'a\n1\n' });
    const overData = await runBundle('train', {
      workspace: repo,
      inputs: { run: 'touch ran', data: 'data.csv', 'run-record': 'data.csv' },
    });
    expect(errors(overData).map((a) => a.message)).toEqual([
      'Input "run-record": data.csv is also Input "data", a file this step reads; writing it would destroy it.',
    ]);
    const overMetrics = await runBundle('train', {
      workspace: repo,
      inputs: { run: 'touch ran', 'run-record': 'metrics.json' },
    });
    expect(errors(overMetrics).map((a) => a.message)).toEqual([
      'Input "metrics": metrics.json is also the path of Input "run-record".',
    ]);
    expect(existsSync(join(repo, 'ran'))).toBe(false);
    expect(readFileSync(join(repo, 'data.csv'), 'utf8')).toBe('a\n1\n');
  });

  it('refuses a bad override line and an unknown key with one error each', async () => {
    const repo = createRepo(tmp.path, 'bad-overrides');
    writeFiles(repo, { 'params.json': '{"learning_rate": 0.1, "epochs": 3}' });
    const malformed = await runBundle('train', {
      workspace: repo,
      inputs: { run: 'touch ran', params: 'params.json', 'param-overrides': 'epochs=5\nlearning_rate0.01' },
    });
    expect(malformed.code).toBe(1);
    expect(errors(malformed).map((a) => a.message)).toEqual([
      'Input "param-overrides" line 2: "learning_rate0.01" is not key=value (for example optimizer.lr=0.01).',
    ]);
    const typo = await runBundle('train', {
      workspace: repo,
      inputs: { run: 'touch ran', params: 'params.json', 'param-overrides': 'learning_rte=0.01' },
    });
    expect(errors(typo).map((a) => a.message)).toEqual([
      'Input "param-overrides": learning_rte is not in the params (did you mean learning_rate?); write +learning_rte=… to add a new one.',
    ]);
    expect(existsSync(join(repo, 'ran'))).toBe(false);
  });

  it('fails a command that writes no metrics with one error naming the file, and records the failure', async () => {
    const repo = createRepo(tmp.path, 'no-metrics');
    const result = await runBundle('train', { workspace: repo, inputs: { run: 'echo trained' } });
    expect(result.code).toBe(1);
    expect(errors(result).map((a) => a.message)).toEqual([
      `metrics.json: the command wrote no metrics file (expected at ${join(repo, 'metrics.json')}, given to it as MLOPS_METRICS).`,
    ]);
    expect(errors(result)[0]!.properties.file).toBe('metrics.json');
    const record = readRecord(join(repo, 'mlops-reports', 'run.json'));
    expect(record.status).toBe('failed');
    expect(record.exitCode).toBe(0);
    expect(record.error).toContain('wrote no metrics file');
  });

  it("does not take a metrics file left from an earlier run for this run's metrics", async () => {
    const repo = createRepo(tmp.path, 'stale-metrics');
    writeFiles(repo, { 'metrics.json': '{"accuracy": 0.99}' });
    const result = await runBundle('train', { workspace: repo, inputs: { run: 'echo forgot to write metrics' } });
    expect(result.code).toBe(1);
    expect(errors(result)[0]!.message).toContain('metrics.json is unchanged since before it ran');
    expect(readRecord(join(repo, 'mlops-reports', 'run.json')).metrics).toEqual({});
  });

  it('refuses a non-numeric metric naming the file, line and key', async () => {
    const repo = createRepo(tmp.path, 'text-metric');
    const result = await runBundle('train', {
      workspace: repo,
      inputs: { run: `printf '{\\n  "accuracy": "high"\\n}\\n' > "$MLOPS_METRICS"` },
    });
    expect(result.code).toBe(1);
    expect(errors(result).map((a) => a.message)).toEqual([
      'metrics.json:2:3, key "accuracy": metric "accuracy" is the text "high", not a number.',
    ]);
  });
});

describe('train: tracked runs compared', () => {
  it('tracks two runs with different params on the registry branch and mlops runs compare shows the differences', async () => {
    const remote = createBareRemote(tmp.path, 'tracked.git');
    createRepo(tmp.path, 'tracked-seed', remote);
    const repo = penguinsRepo('tracked-work', remote);
    const ids: string[] = [];
    for (const epochs of ['20', '200']) {
      const result = await runBundle('train', {
        workspace: repo,
        inputs: { run: 'node train.mjs', params: 'params.json', 'param-overrides': `epochs=${epochs}`, track: 'true' },
      });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      ids.push(result.outputs['run-id']!);
    }
    const reader = cloneRepo(remote, tmp.path, 'tracked-reader');
    const compared = await runCliBundle(['runs', 'compare', ...ids, '--json'], { cwd: reader });
    expect(compared.code, compared.stderr).toBe(0);
    const comparison = JSON.parse(compared.stdout) as {
      runs: string[];
      params: Array<{ name: string; values: string[]; differs: boolean }>;
      metrics: Array<{ name: string; values: number[]; delta?: number }>;
    };
    expect(comparison.runs).toEqual(ids);
    expect(comparison.params.find((p) => p.name === 'epochs')).toEqual({
      name: 'epochs',
      values: ['20', '200'],
      differs: true,
    });
    expect(comparison.params.find((p) => p.name === 'l2')?.differs).toBe(false);
    const loss = comparison.metrics.find((m) => m.name === 'log_loss')!;
    expect(loss.delta).toBeCloseTo(loss.values[1]! - loss.values[0]!, 12);
    expect(loss.values[1]).toBeLessThan(loss.values[0]!);
    const table = await runCliBundle(['runs', 'compare', ...ids], { cwd: reader });
    expect(table.stdout).toMatch(/ {2}epochs \*\s+20\s+200/);
  });
});

describe('mlops train (local mode)', () => {
  it('trains the example, prints a summary, and skips artifact-name and cache-paths with one notice', async () => {
    const repo = penguinsRepo('cli-run');
    const result = await runCliBundle(
      [
        'train',
        '--run',
        'node train.mjs',
        '--params',
        'params.json',
        '--param-overrides',
        'epochs=30',
        '--data',
        'data/penguins.csv',
        '--model',
        'model',
        '--artifact-name',
        'x',
        '--cache-paths',
        'cache',
      ],
      { cwd: repo },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Run run-\d{8}T\d{6}Z-[0-9a-f]{8} succeeded in [\d.]+ s\.\n/);
    expect(result.stdout).toMatch(/accuracy\s+0\.\d+/);
    expect(result.stdout).toContain(`data sha256   ${sha256sum(join(repo, 'data', 'penguins.csv'))}`);
    expect(result.stdout).toContain(`model sha256  ${sha256sumDirectory(join(repo, 'model'))}`);
    // The command's own output goes to stderr: stdout is the summary alone.
    expect(result.stdout).not.toContain('trained on');
    expect(result.stderr).toContain('trained on 256 rows');
    expect(result.stderr.match(/skipped/g)).toHaveLength(1);
    expect(result.stderr).toContain('artifact-name and cache-paths skipped');
    const record = readRecord(join(repo, 'mlops-reports', 'run.json'));
    expect(record).toMatchObject({ status: 'succeeded', params: { epochs: 30 }, paramOverrides: { epochs: 30 } });
    expect(record.workflowRun).toBeUndefined();
  });

  it('tracks two runs on the local registry branch and compares them, with no remote', async () => {
    const repo = penguinsRepo('cli-tracked');
    const ids: string[] = [];
    for (const epochs of ['10', '100']) {
      const result = await runCliBundle(
        [
          'train',
          '--run',
          'node train.mjs',
          '--params',
          'params.json',
          '--param-overrides',
          `epochs=${epochs}`,
          '--track',
          'true',
          '--json',
        ],
        { cwd: repo },
      );
      expect(result.code, result.stderr).toBe(0);
      ids.push((JSON.parse(result.stdout) as Record<string, string>)['run-id']!);
    }
    const compared = await runCliBundle(['runs', 'compare', ...ids], { cwd: repo });
    expect(compared.code, compared.stderr).toBe(0);
    expect(compared.stdout).toMatch(/ {2}epochs \*\s+10\s+100/);
    expect(compared.stdout).toMatch(/ {2}accuracy\s+[\d.]+\s+[\d.]+\s+[-+]?[\d.]+/);
  });

  it('kills the tree on --timeout-minutes and records a timed-out run, exit 1', async () => {
    const repo = createRepo(tmp.path, 'cli-timeout');
    const marker = `${500 + (process.pid % 100)}.${Date.now() % 100000}`;
    const result = await runCliBundle(
      ['train', '--run', `sleep ${marker}1 &\necho $! > bg.pid\nsleep ${marker}2`, '--timeout-minutes', '0.02'],
      { cwd: repo },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^Run \S+ timed-out in [\d.]+ s\./);
    expect(result.stderr).toContain('timed out after 0.02 minutes');
    expect(alive(Number(readFileSync(join(repo, 'bg.pid'), 'utf8')))).toBe(false);
    const ps = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' });
    expect(ps.split('\n').filter((line) => line.includes(marker))).toEqual([]);
    expect(readRecord(join(repo, 'mlops-reports', 'run.json')).status).toBe('timed-out');
  });

  it('prints --json with the command output kept off stdout', async () => {
    const repo = createRepo(tmp.path, 'cli-json');
    const result = await runCliBundle(
      ['train', '--run', 'echo noise; echo \'{"a": {"b": 2}}\' > "$MLOPS_METRICS"', '--json'],
      { cwd: repo },
    );
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(json.metrics).toEqual({ 'a.b': 2 });
    expect(json['run-record']).toBe(join(repo, 'mlops-reports', 'run.json'));
  });

  it('exits 2 with one line for a bad override, 1 for a failing command', async () => {
    const repo = createRepo(tmp.path, 'cli-errors');
    const bad = await runCliBundle(['train', '--run', 'true', '--param-overrides', '=3'], { cwd: repo });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([
      'mlops: error: --param-overrides line 1: "=3" is not key=value (for example optimizer.lr=0.01).',
    ]);
    const failing = await runCliBundle(['train', '--run', 'echo dying; exit 4'], { cwd: repo });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/^Run \S+ failed \(exit code 4\)/);
    expect(failing.stderr).toContain('The training command exited with code 4');
    expect(readRecord(join(repo, 'mlops-reports', 'run.json')).status).toBe('failed');
  });
});
