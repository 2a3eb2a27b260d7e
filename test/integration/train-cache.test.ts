/**
 * train's cache-paths through the built bundle, with the MLOPS_CACHE_DIR folder standing in for
 * the Actions cache service: restored before the command, saved after a successful run, keyed by
 * the data, params and lockfile hashes unless cache-key is given; a broken cache only warns.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRepo, makeTempDir, writeFiles } from '../support/git.js';
import { runBundle } from '../support/runner.js';
import { useRealPython } from '../support/python.js';

const tmp = makeTempDir('mlops-train-cache-it-');
afterAll(() => tmp.cleanup());
// Each train run asks python3 for its version (lineage): the interpreter answers, not pyenv's shim.
afterAll(useRealPython());

/** Reports whether the cache was warm, then fills it. */
const COMMAND = [
  'if [ -f cache/features.bin ]; then echo warm > state.txt; else echo cold > state.txt; fi',
  'mkdir -p cache && echo "features for $MLOPS_PARAM_LR" > cache/features.bin',
  'echo \'{"accuracy": 1}\' > "$MLOPS_METRICS"',
].join('\n');

function train(repo: string, cacheDir: string, inputs: Record<string, string>) {
  return runBundle('train', {
    workspace: repo,
    inputs: { run: COMMAND, 'cache-paths': 'cache', data: 'data.csv', ...inputs },
    env: { MLOPS_CACHE_DIR: cacheDir },
  });
}

describe('train: cache-paths', () => {
  it('restores what an earlier run with the same data, params and lockfiles saved, and misses otherwise', async () => {
    const cacheDir = join(tmp.path, 'cache-store');
    const repo = createRepo(tmp.path, 'cached', undefined, { 'data.csv': 'a\n1\n', 'package-lock.json': '{}' });
    const first = await train(repo, cacheDir, { 'param-overrides': 'lr=0.1' });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(readFileSync(join(repo, 'state.txt'), 'utf8')).toBe('cold\n');
    const keys = readdirSync(cacheDir);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(
      new RegExp(
        `^mlops-train-[0-9a-f]{16}-[0-9a-f]{16}-[0-9a-f]{16}-${process.platform}-${process.arch}-[0-9a-f]{16}$`,
      ),
    );
    expect(first.stdout).toContain(`Saved the cache ${keys[0]}.`);

    // A fresh checkout (the cache folder gone), same inputs: warm.
    writeFileSync(join(repo, 'state.txt'), '');
    rmSync(join(repo, 'cache'), { recursive: true, force: true });
    const second = await train(repo, cacheDir, { 'param-overrides': 'lr=0.1' });
    expect(second.code).toBe(0);
    expect(readFileSync(join(repo, 'state.txt'), 'utf8')).toBe('warm\n');
    expect(second.stdout).toContain(`Restored the cache ${keys[0]}.`);
    expect(second.stdout).toContain('exists already; not saved again');

    // Other params, another lockfile: other keys, cold.
    rmSync(join(repo, 'cache'), { recursive: true, force: true });
    await train(repo, cacheDir, { 'param-overrides': 'lr=0.2' });
    expect(readFileSync(join(repo, 'state.txt'), 'utf8')).toBe('cold\n');
    rmSync(join(repo, 'cache'), { recursive: true, force: true });
    writeFiles(repo, { 'package-lock.json': '{"lockfileVersion": 3}' });
    await train(repo, cacheDir, { 'param-overrides': 'lr=0.1' });
    expect(readFileSync(join(repo, 'state.txt'), 'utf8')).toBe('cold\n');
    expect(readdirSync(cacheDir)).toHaveLength(3);
  });

  it('keys the default cache by the command and shell too: another run is another key', async () => {
    const cacheDir = join(tmp.path, 'by-command-store');
    const repo = createRepo(tmp.path, 'by-command', undefined, { 'data.csv': 'a\n1\n' });
    expect((await train(repo, cacheDir, {})).code).toBe(0);
    rmSync(join(repo, 'cache'), { recursive: true, force: true });
    expect((await train(repo, cacheDir, { run: `${COMMAND}\necho other command` })).code).toBe(0);
    expect(readFileSync(join(repo, 'state.txt'), 'utf8')).toBe('cold\n');
    rmSync(join(repo, 'cache'), { recursive: true, force: true });
    expect((await train(repo, cacheDir, { shell: 'sh' })).code).toBe(0);
    expect(readFileSync(join(repo, 'state.txt'), 'utf8')).toBe('cold\n');
    expect(readdirSync(cacheDir)).toHaveLength(3);
  });

  it('fails a timed-out run whose command traps TERM and exits 0, records it timed out, saves no cache', async () => {
    const cacheDir = join(tmp.path, 'trap-store');
    const repo = createRepo(tmp.path, 'trap', undefined, { 'data.csv': 'a\n1\n' });
    const result = await train(repo, cacheDir, {
      run: `${COMMAND}\ntrap 'exit 0' TERM\necho started\nsleep 30 & wait $!`,
      'timeout-minutes': '0.01',
    });
    expect(result.code).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error');
    expect(errors.map((a) => a.properties.title)).toEqual(['Training timed out']);
    const record = JSON.parse(readFileSync(join(repo, 'mlops-reports', 'run.json'), 'utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({ status: 'timed-out', exitCode: 0, metrics: { accuracy: 1 } });
    // The partial metrics stay in the record (marked timed out), never in the step's metrics output.
    expect(result.outputs.metrics).toBeUndefined();
    expect(existsSync(cacheDir) ? readdirSync(cacheDir) : []).toEqual([]);
  });

  it('uses cache-key when given, and does not save after a failed run', async () => {
    const cacheDir = join(tmp.path, 'keyed-store');
    const repo = createRepo(tmp.path, 'keyed', undefined, { 'data.csv': 'a\n1\n' });
    const failed = await train(repo, cacheDir, { 'cache-key': 'my-key', run: `${COMMAND}\nexit 1` });
    expect(failed.code).toBe(1);
    expect(existsSync(cacheDir) ? readdirSync(cacheDir) : []).toEqual([]);
    const ok = await train(repo, cacheDir, { 'cache-key': 'my-key' });
    expect(ok.code).toBe(0);
    expect(readdirSync(cacheDir)).toEqual(['my-key']);
  });

  it('warns and trains on when the cache cannot be read or written', async () => {
    const notADirectory = join(tmp.path, 'a-file');
    writeFileSync(notADirectory, 'x');
    const repo = createRepo(tmp.path, 'broken-cache', undefined, { 'data.csv': 'a\n1\n' });
    const result = await train(repo, join(notADirectory, 'store'), {});
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const warnings = result.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^Could not save the cache mlops-train-/);
    expect(result.annotations.filter((a) => a.level === 'error')).toEqual([]);
  });
});
