/**
 * Outside a runner the CLI leaves nothing in the OS temp folder: train's run folder (params,
 * MLflow tracking, the default model folder), deploy's verified downloads, register's package,
 * the registry's scratch index, evaluate-gate's and drift-check's files. Each command runs with
 * TMPDIR set to a folder of its own, which must be empty when it has exited, whatever its exit.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRemote, createRepo, makeTempDir } from '../support/git.js';
import { runCliBundle } from '../support/runner.js';
import { useRealPython } from '../support/python.js';

const TIMEOUT = 120_000;
const tmp = makeTempDir('mlops-temp-cleanup-');
const noIdentity = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', HOME: tmp.path };
let repo: string;

/** Writes a model folder into $MLOPS_MODEL_DIR (the temp default) and metrics; WEIGHTS says which. */
const TRAIN = [
  "const fs = require('fs'), path = require('path');",
  'fs.mkdirSync(process.env.MLOPS_MODEL_DIR, { recursive: true });',
  "fs.writeFileSync(path.join(process.env.MLOPS_MODEL_DIR, 'weights.txt'), process.env.WEIGHTS + '\\n');",
  'fs.writeFileSync(process.env.MLOPS_METRICS, JSON.stringify({ accuracy: 0.9 }));',
  "if (process.env.WEIGHTS === 'fail') process.exit(3);",
].join('\n');
/** Fails for the broken weights (the model is a folder: MLOPS_MODEL_PATH is its unpacked copy). */
const SMOKE = 'if grep -q broken "$MLOPS_MODEL_PATH/weights.txt"; then echo "nonsense"; exit 1; fi';

beforeAll(() => {
  const remote = createBareRemote(tmp.path);
  const csv = (rows: number, shift: number) =>
    'x,y\n' + Array.from({ length: rows }, (_, i) => `${i + shift},${(i * 7) % 5}`).join('\n') + '\n';
  repo = createRepo(tmp.path, 'work', remote, {
    'train.js': TRAIN,
    'gates.yml': 'metrics:\n  accuracy: {direction: higher, min: 0.5}\n',
    'reference.csv': csv(200, 0),
    'current.csv': csv(200, 500),
  });
}, TIMEOUT);
afterAll(() => tmp.cleanup());
// Each train run asks python3 for its version (lineage): the interpreter answers, not pyenv's shim.
afterAll(useRealPython());

let runs = 0;
/** Runs `mlops <args>` with a TMPDIR of its own; returns the result and what is left in TMPDIR. */
async function mlops(args: string[], env: Record<string, string> = {}) {
  const temp = join(tmp.path, `tmpdir-${++runs}`);
  mkdirSync(temp);
  const result = await runCliBundle(args, {
    cwd: repo,
    env: { ...noIdentity, TMPDIR: temp, TMP: temp, TEMP: temp, RUNNER_TEMP: undefined, ...env },
  });
  return { ...result, left: readdirSync(temp) };
}

describe('the CLI leaves nothing in the temp folder', { timeout: TIMEOUT }, () => {
  it('train, tracked, succeeding and failing; its model in the temp MLOPS_MODEL_DIR', async () => {
    const ok = await mlops(['train', '--run', 'node train.js', '--track', '--name', 'ok'], { WEIGHTS: 'w1' });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.left).toEqual([]);
    const failed = await mlops(['train', '--run', 'node train.js', '--name', 'bad'], { WEIGHTS: 'fail' });
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.left).toEqual([]);
  });

  it('evaluate-gate, passing and failing', async () => {
    const passed = await mlops(['evaluate-gate', '--metrics', 'metrics.json', '--gates', 'gates.yml']);
    expect(passed.code, passed.stderr).toBe(0);
    expect(passed.left).toEqual([]);
    const strict = await mlops([
      'evaluate-gate',
      '--metrics',
      'metrics.json',
      '--gates',
      'metrics:\n  accuracy: {direction: higher, min: 0.95}\n',
    ]);
    expect(strict.code, strict.stderr).toBe(1);
    expect(strict.left).toEqual([]);
  });

  it('register (a folder, packaged), deploy (success and rollback), registry download', async () => {
    for (const weights of ['weights 1', 'broken weights 2']) {
      const trained = await mlops(['train', '--run', 'node train.js', '--model', 'model'], { WEIGHTS: weights });
      expect(trained.code, trained.stderr).toBe(0);
      const registered = await mlops(['register', '--model', 'm', '--path', 'model']);
      expect(registered.code, registered.stderr).toBe(0);
      expect(registered.left).toEqual([]);
    }
    const deploy = (version: string) =>
      mlops([
        'deploy',
        '--model',
        'm',
        '--version',
        version,
        '--promote-to',
        'production',
        '--smoke-test',
        SMOKE,
        '--json',
      ]);
    const deployed = await deploy('v1');
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.left).toEqual([]);
    const rolledBack = await deploy('v2');
    expect(rolledBack.code, rolledBack.stderr).toBe(1);
    expect(JSON.parse(rolledBack.stdout)).toMatchObject({ status: 'rolled-back', 'previous-version': 1 });
    expect(rolledBack.left).toEqual([]);
    const downloaded = await mlops(['registry', 'download', '--model', 'm', '--version', 'v1', '--out', 'out']);
    expect(downloaded.code, downloaded.stderr).toBe(0);
    expect(downloaded.left).toEqual([]);
  });

  it('drift-check (the outbox issue is in the repository, not the temp folder)', async () => {
    const drift = await mlops(['drift-check', '--reference', 'reference.csv', '--current', 'current.csv']);
    expect(drift.code, drift.stderr).toBe(0);
    expect(drift.stdout).toMatch(/drift/i);
    expect(drift.left).toEqual([]);
  });
});
