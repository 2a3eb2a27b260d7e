/**
 * The record of a run that did not succeed is no input for evaluate-gate or register: its metrics
 * may be partial. A timed-out train run's record, made by the built `mlops train`, is refused by
 * both with one line naming the file and the status (exit 2), and nothing is registered.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRepo, gitIn, makeTempDir, writeFiles } from '../support/git.js';
import { runCliBundle } from '../support/runner.js';
import { useRealPython } from '../support/python.js';

const tmp = makeTempDir('mlops-train-records-it-');
afterAll(() => tmp.cleanup());
// Each train run asks python3 for its version (lineage): the interpreter answers, not pyenv's shim.
afterAll(useRealPython());

/** The one `mlops:` error line of a run that must exit 2. */
function oneErrorLine(result: { code: number | null; stderr: string }): string {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.split('\n').filter((line) => line.startsWith('mlops: '));
  expect(lines, result.stderr).toHaveLength(1);
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  return lines[0]!;
}

describe('records of runs that did not succeed', () => {
  it('are refused by evaluate-gate and register, naming the file and the status', async () => {
    const repo = createRepo(tmp.path, 'timed-out-record');
    writeFiles(repo, { 'gates.yml': 'metrics:\n  accuracy: {direction: higher, min: 0.5}\n', 'model.bin': 'm' });
    // The metrics are written, then the command hangs past its timeout: a record with metrics.
    const train = await runCliBundle(
      [
        'train',
        '--run',
        'echo \'{"accuracy": 0.9}\' > "$MLOPS_METRICS"\nsleep 30',
        '--timeout-minutes',
        '0.01',
        '--run-record',
        'run.json',
      ],
      { cwd: repo },
    );
    expect(train.code, train.stderr).toBe(1);
    const record = JSON.parse(readFileSync(join(repo, 'run.json'), 'utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({ status: 'timed-out', metrics: { accuracy: 0.9 } });

    const message =
      /^mlops: error: run\.json:\d+:\d+, key "status": the run record's status is "timed-out", not "succeeded"/;
    const gate = await runCliBundle(
      ['evaluate-gate', '--metrics', 'run.json', '--gates', 'gates.yml', '--baseline', 'none', '--comment', 'false'],
      { cwd: repo },
    );
    expect(oneErrorLine(gate)).toMatch(message);

    for (const input of ['--run-record', '--metrics']) {
      const register = await runCliBundle(
        ['register', '--model', 'm', '--path', 'model.bin', '--release', 'false', input, 'run.json'],
        { cwd: repo },
      );
      expect(oneErrorLine(register)).toMatch(message);
    }
    expect(gitIn(repo, 'branch', '--list', 'mlops-registry')).toBe('');
    expect(existsSync(join(repo, '.mlops', 'artifacts'))).toBe(false);
  });
});
