import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneRepo, createBareRemote, createRepo, makeTempDir, writeFiles } from '../support/git.js';
import { runCliBundle } from '../support/runner.js';

const tmp = makeTempDir('mlops-runs-compare-it-');
afterAll(() => tmp.cleanup());
const noIdentity = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', HOME: tmp.path };
const cli = (cwd: string, ...args: string[]) => runCliBundle(args, { cwd, env: noIdentity });

/** A run record as the train action writes it, with a loss history of `losses`. */
function record(id: string, lr: number, accuracy: number, losses: number[], extra: Record<string, unknown> = {}) {
  return {
    kind: 'mlops-run',
    format: 1,
    id,
    name: 'sweep-7',
    status: 'succeeded',
    startedAt: `2024-05-01T10:0${id.slice(-1)}:00Z`,
    params: { lr, epochs: losses.length },
    metrics: { accuracy, loss: losses[losses.length - 1] },
    metricHistory: { loss: losses.map((value, step) => ({ step, value, timestamp: 1714557600000 + step })) },
    ...extra,
  };
}

let reader: string;
let work: string;
beforeAll(async () => {
  const remote = createBareRemote(tmp.path, 'runs.git');
  work = createRepo(tmp.path, 'work', remote);
  writeFiles(work, {
    'r1.json': JSON.stringify(
      record('run-1', 0.1, 0.9, [0.9, 0.5, 0.35], {
        lineage: {
          git: { commit: 'c'.repeat(40), dirty: true },
          runner: { os: 'linux', arch: 'x64' },
          python: '3.11.2',
          lockfiles: [
            { path: 'requirements.txt', sha256: 'a'.repeat(64) },
            { path: 'uv.lock', sha256: 'b'.repeat(64) },
          ],
        },
        mlflow: { runId: 'abc', experimentId: '0' },
      }),
    ),
    'r2.json': JSON.stringify(record('run-2', 0.01, 0.93, [0.8, 0.6, 0.4, 0.3])),
    'r3.json': JSON.stringify(record('run-3', 0.05, 0.93, [0.7, 0.45])),
    'r4.json': JSON.stringify(record('run-4', 1, 0.99, [2, 5], { status: 'failed' })),
  });
  for (const file of ['r1.json', 'r2.json', 'r3.json', 'r4.json']) {
    const result = await cli(work, 'runs', 'record', '--run-record', file);
    expect(result.code, result.stderr).toBe(0);
  }
  reader = cloneRepo(remote, tmp.path, 'reader');
}, 120_000);

describe('mlops runs compare', () => {
  it('draws each metric history as a line chart per run with --markdown', async () => {
    const result = await cli(reader, 'runs', 'compare', 'run-1', 'run-2', '--markdown');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('### Runs `run-1` vs `run-2`');
    expect(result.stdout).toMatch(/\| ● lr +\| 0\.1 +\| 0\.01 +\|/);
    expect(result.stdout).toMatch(/\| accuracy +\| +0\.9 \| +0\.93 \| +\+0\.03 \|/);
    expect(result.stdout).toContain(
      [
        '  x-axis "step" ["0", "1", "2", "3"]',
        '  y-axis "loss" 0.24 --> 0.96',
        '  line [0.9, 0.5, 0.35]',
        '  line [0.8, 0.6, 0.4, 0.3]',
      ].join('\n'),
    );
    expect(result.stdout).toContain('<sub>blue: run-1 · orange: run-2</sub>');
  });

  it('points at --markdown from the text table, and puts histories in --json', async () => {
    const text = await cli(reader, 'runs', 'compare', 'run-1', 'run-2', 'run-3');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/ {2}accuracy\s+0\.9\s+0\.93\s+0\.93\n/);
    expect(text.stdout).toContain('1 metric has a step history (loss): --markdown draws them.\n');
    expect(text.stdout).not.toContain('mermaid');
    const json = await cli(reader, 'runs', 'compare', 'run-1', 'run-3', '--json');
    const parsed = JSON.parse(json.stdout) as {
      histories: Array<{ metric: string; series: Array<{ label: string }> }>;
    };
    expect(parsed.histories.map((h) => [h.metric, h.series.map((s) => s.label)])).toEqual([
      ['loss', ['run-1', 'run-3']],
    ]);
  });
});

describe('mlops runs show', () => {
  it('shows the lineage of a record: commit (lineage.git first), runner, versions, lockfiles, MLflow run', async () => {
    const shown = await cli(reader, 'runs', 'show', 'run-1');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^commit +c{40} \(dirty\)$/m);
    expect(shown.stdout).toMatch(/^runner +linux\/x64$/m);
    expect(shown.stdout).toMatch(/^python +3\.11\.2$/m);
    expect(shown.stdout).toMatch(/^lockfiles +requirements\.txt, uv\.lock$/m);
    expect(shown.stdout).toMatch(/^mlflow run +abc \(experiment 0\)$/m);
  });
});

describe('mlops runs best', () => {
  it('prints the best run id alone on stdout (ties: the earliest; failed runs skipped)', async () => {
    const best = await cli(reader, 'runs', 'best', '--metric', 'accuracy');
    expect(best.code, best.stderr).toBe(0);
    expect(best.stdout).toBe('run-2\n');
    expect(best.stderr).toContain('Best of 3 runs by accuracy (higher is better): run-2 (0.93).');
    const lowest = await cli(
      reader,
      'runs',
      'best',
      '--metric',
      'loss',
      '--direction',
      'lower',
      '--filter',
      'name=sweep-*',
    );
    expect(lowest.stdout).toBe('run-2\n');
    const filtered = await cli(reader, 'runs', 'best', '--metric', 'accuracy', '--filter', 'params.lr=0.1');
    expect(filtered.stdout).toBe('run-1\n');
  });

  it('exits 2 with the reason when no run qualifies or a flag is wrong', async () => {
    const none = await cli(reader, 'runs', 'best', '--metric', 'f1');
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      'mlops: error: No run has metric "f1" to pick the best by (4 tracked, 1 not succeeded, 3 without "f1").\n',
    );
    expect(none.stdout).toBe('');
    const direction = await cli(reader, 'runs', 'best', '--metric', 'f1', '--direction', 'up');
    expect(direction.code).toBe(2);
    expect(direction.stderr).toBe('mlops: error: --direction must be higher or lower, got "up".\n');
    const missing = await cli(reader, 'runs', 'best');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Missing option --metric <name>');
  });
});

describe('evaluate-gate training curves', () => {
  it("draws the candidate's loss by step against the registered baseline's tracked run", async () => {
    writeFiles(work, { 'model.bin': 'weights\n', 'gates.yml': 'metrics:\n  loss: {direction: lower}\n' });
    const registered = await cli(
      work,
      'register',
      '--model',
      'm',
      '--path',
      'model.bin',
      '--run-record',
      'r1.json',
      '--alias',
      'production',
    );
    expect(registered.code, registered.stderr).toBe(0);
    // register takes the commit from the run record's lineage.git (not the checkout's HEAD).
    const shown = JSON.parse((await cli(work, 'registry', 'show', 'm@v1', '--json')).stdout) as { commit?: string };
    expect(shown.commit).toBe('c'.repeat(40));
    const gate = await cli(
      work,
      'evaluate-gate',
      '--metrics',
      'r2.json',
      '--gates',
      'gates.yml',
      '--model',
      'm',
      '--comment',
      'false',
    );
    expect(gate.code, gate.stderr).toBe(0);
    const report = readFileSync(join(work, 'mlops-reports/evaluate-gate.md'), 'utf8');
    expect(report).toContain('<summary>Training curves: candidate against the baseline</summary>');
    expect(report).toContain('  line [0.9, 0.5, 0.35]\n  line [0.8, 0.6, 0.4, 0.3]');
    expect(report).toContain('blue: baseline registry:m@production (v1) · orange: candidate');
  });
});
