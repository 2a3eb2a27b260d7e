/**
 * drift-check's bundle (and `mlops drift-check`) on real files against the GitHub API double:
 * the issue lifecycle (create, update, close, close-resolved false), overlapping runs, 30%
 * injected faults, the 403 explanation, repository_dispatch, fail-on-drift, local mode's outbox,
 * and bad inputs that leave nothing behind.
 *
 * The reference has more than 1,000 rows, so Evidently's rules pick wasserstein (numeric) and
 * jensenshannon (categorical): drift in `age` and `plan`, none in `income`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDataset } from '../../src/adapters/fs/dataset.js';
import { issueMarker } from '../../src/adapters/github/issues.js';
import { DriftProfileBuilder } from '../../src/core/drift/index.js';
import {
  DEFAULT_TOKEN,
  READ_ONLY_TOKEN,
  startGitHubDouble,
  type GitHubDouble,
} from '../support/github-double/index.js';
import { eventNameOf, loadEvent } from '../support/events.js';
import { runBundle, runCliBundle, type BundleResult } from '../support/runner.js';
import { runActionInProcess, runCliInProcess } from '../support/in-process.js';
import { createBareRemote, createRepo, makeTempDir, writeFiles } from '../support/git.js';

const PLANS = ['basic', 'pro', 'team'];

function csv(rows: number, row: (i: number) => [number, number, string]): string {
  return `age,income,plan\n${Array.from({ length: rows }, (_, i) => row(i).join(',')).join('\n')}\n`;
}

const REFERENCE = csv(1200, (i) => [20 + (i % 50), 1000 + ((i * 37) % 500), PLANS[i % 3]!]);
/** age shifted by 30 and plan mostly `pro`: 2 of 3 columns drift. */
const DRIFTED = csv(300, (i) => [50 + (i % 50), 1000 + ((i * 37) % 500), i % 5 === 0 ? 'basic' : 'pro']);
/** A sample of the reference's own distribution: no drift. */
const CLEAN = csv(600, (i) => [20 + (i % 50), 1000 + ((i * 37) % 500), PLANS[i % 3]!]);

let gh: GitHubDouble;
let temp: { path: string; cleanup: () => void };
let dir: string;

beforeEach(async () => {
  gh = await startGitHubDouble();
  temp = makeTempDir('mlops-drift-it-');
  dir = join(temp.path, 'ws');
  mkdirSync(dir, { recursive: true });
  writeFiles(dir, { 'reference.csv': REFERENCE, 'drifted.csv': DRIFTED, 'clean.csv': CLEAN });
});

afterEach(async () => {
  temp.cleanup();
  const problems = gh.validationErrors;
  await gh.close();
  expect(problems).toEqual([]);
});

function driftCheck(
  current: string,
  options: {
    token?: string;
    inputs?: Record<string, string>;
    env?: Record<string, string | undefined>;
    bundle?: boolean;
  } = {},
): Promise<BundleResult> {
  // In this process unless `bundle`: the issue lifecycle is the same code; the bundle's own
  // behaviour (inputs, outputs, exit code) keeps its run in the first lifecycle test.
  return (options.bundle ? runBundle : runActionInProcess)('drift-check', {
    workspace: dir,
    event: { name: eventNameOf('schedule'), payload: loadEvent('schedule') },
    token: options.token ?? DEFAULT_TOKEN,
    apiUrl: gh.url,
    serverUrl: gh.serverUrl,
    repository: `${gh.owner}/${gh.repo}`,
    inputs: { reference: 'reference.csv', current, name: 'nightly', ...options.inputs },
    env: { MLOPS_RETRY_BASE_MS: '20', ...options.env },
    timeoutMs: 110_000,
  });
}

function expectExit(result: { code: number | null; stdout: string; stderr: string }, code: number): void {
  if (result.code !== code)
    throw new Error(`exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
}

const marker = issueMarker('drift', 'nightly');
const ours = () => gh.state.issues.filter((issue) => (issue.body ?? '').startsWith(`${marker}\n`));
const open = () => ours().filter((issue) => issue.state === 'open');

describe('drift-check issue lifecycle', { timeout: 240_000 }, () => {
  it('opens the issue with its labels, updates it with a comment while drift lasts, closes it when the data recovers', async () => {
    const first = await driftCheck('drifted.csv', { bundle: true });
    expectExit(first, 0);
    expect(open()).toHaveLength(1);
    const issue = open()[0]!;
    expect(issue.title).toBe('Data drift detected: nightly');
    expect(issue.labels).toEqual(['mlops', 'drift']);
    expect(gh.state.labels.map((label) => label.name).sort()).toEqual(['drift', 'mlops']);
    expect(issue.body).toContain('| `age` | numeric | wasserstein |');
    expect(issue.body).toContain('xychart-beta');
    expect(first.outputs).toMatchObject({
      drift: 'true',
      'drifted-columns': '["age","plan"]',
      report: join(dir, 'mlops-reports', 'drift-check.json'),
      'issue-number': String(issue.number),
      'issue-url': `${gh.serverUrl}/${gh.owner}/${gh.repo}/issues/${issue.number}`,
    });
    expect(Number(first.outputs.share)).toBeCloseTo(2 / 3, 12);
    const report = JSON.parse(readFileSync(first.outputs.report!, 'utf8')) as { drift: boolean; columns: unknown[] };
    expect(report.drift).toBe(true);
    expect(report.columns).toHaveLength(3);
    expect(first.summary).toContain('❌ Dataset drift detected (`nightly`): 2 of 3 columns drifted');
    expect(first.summary.match(/```mermaid/g)).toHaveLength(2);
    expect(first.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual([
      expect.stringMatching(/^Drift in column "age": wasserstein/),
      expect.stringMatching(/^Drift in column "plan": jensenshannon/),
    ]);

    writeFiles(dir, { 'drifted.csv': DRIFTED.replace(/^(\d+),/gm, (_, age: string) => `${Number(age) + 5},`) });
    const second = await driftCheck('drifted.csv');
    expectExit(second, 0);
    expect(ours()).toHaveLength(1);
    expect(second.outputs['issue-number']).toBe(String(issue.number));
    expect(issue.body).not.toBe(first.summary);
    expect(gh.state.commentsOf(issue.number).map((c) => c.body)).toEqual([
      expect.stringMatching(/still finds drift: 2 of 3 columns \(share 0\.666667\): `age`, `plan`/),
    ]);

    const clean = await driftCheck('clean.csv');
    expectExit(clean, 0);
    expect(clean.outputs.drift).toBe('false');
    expect(issue.state).toBe('closed');
    expect(gh.state.commentsOf(issue.number).at(-1)!.body).toMatch(/finds no dataset drift/);
    expect(clean.summary).toContain('✅ No dataset drift');
  });

  it('leaves the issue open when close-resolved is false', async () => {
    expectExit(await driftCheck('drifted.csv'), 0);
    const kept = await driftCheck('clean.csv', { inputs: { 'close-resolved': 'false' } });
    expectExit(kept, 0);
    expect(open()).toHaveLength(1);
    expect(kept.outputs['issue-number']).toBe(String(open()[0]!.number));
    expect(gh.state.commentsOf(open()[0]!.number)).toHaveLength(0);
  });

  it('converges two overlapping runs on one open issue', async () => {
    const [a, b] = await Promise.all([driftCheck('drifted.csv'), driftCheck('drifted.csv')]);
    expectExit(a, 0);
    expectExit(b, 0);
    expect(open()).toHaveLength(1);
    expect(a.outputs['issue-number']).toBe(String(open()[0]!.number));
    expect(b.outputs['issue-number']).toBe(String(open()[0]!.number));
    for (const duplicate of ours().filter((issue) => issue.state === 'closed')) {
      expect(duplicate.stateReason).toBe('duplicate');
    }
  });

  it('ends with exactly one issue in the right state under 30% injected API faults', async () => {
    gh.faults.inject({ probability: 0.3, status: 503 });
    gh.faults.inject({ probability: 0.1, status: 502, method: 'POST', afterHandling: true });
    expectExit(await driftCheck('drifted.csv'), 0);
    expect(open()).toHaveLength(1);
    expectExit(await driftCheck('drifted.csv'), 0);
    expect(ours()).toHaveLength(1);
    expectExit(await driftCheck('clean.csv'), 0);
    expect(ours()).toHaveLength(1);
    expect(open()).toHaveLength(0);
    expect(gh.requests.filter((r) => r.fault).length).toBeGreaterThan(3);
  });

  it('explains a 403 as the missing issues: write permission, after writing the report', async () => {
    const result = await driftCheck('drifted.csv', { token: READ_ONLY_TOKEN });
    expectExit(result, 1);
    expect(result.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      'Creating the labels in octo-org/octo-repo: the token may not write issues (HTTP 403: Resource not accessible by integration). Give the job `permissions: issues: write`. drift-check needs `contents: read, issues: write`; or set open-issue: false.',
    ]);
    expect(existsSync(join(dir, 'mlops-reports', 'drift-check.json'))).toBe(true);
    expect(gh.state.issues).toHaveLength(0);
  });
});

describe('drift-check dispatch, fail-on-drift and local mode', { timeout: 240_000 }, () => {
  it('sends repository_dispatch with at most 10 payload keys, then fails the step on fail-on-drift', async () => {
    const result = await driftCheck('drifted.csv', {
      inputs: { 'dispatch-event': 'retrain', 'fail-on-drift': 'true' },
    });
    expectExit(result, 1);
    expect(result.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      'Dataset drift: 2 of 3 columns drifted (share 0.666667 >= 0.5): age, plan.',
    ]);
    // The issue and the report are written before the step fails.
    expect(open()).toHaveLength(1);
    expect(existsSync(result.outputs.report!)).toBe(true);
    expect(gh.state.dispatches).toHaveLength(1);
    const [dispatch] = gh.state.dispatches;
    expect(dispatch!.eventType).toBe('retrain');
    expect(Object.keys(dispatch!.clientPayload).length).toBeLessThanOrEqual(10);
    expect(dispatch!.clientPayload).toMatchObject({
      name: 'nightly',
      drift: true,
      drift_share: 0.5,
      drifted_columns: ['age', 'plan'],
      issue_number: open()[0]!.number,
      run_url: `${gh.serverUrl}/${gh.owner}/${gh.repo}/actions/runs/1000/attempts/1`,
    });

    const clean = await driftCheck('clean.csv', { inputs: { 'dispatch-event': 'retrain', 'fail-on-drift': 'true' } });
    expectExit(clean, 0);
    expect(gh.state.dispatches).toHaveLength(1);
  });

  it('writes the issue to the outbox in local mode and prints a short table', async () => {
    const result = await runCliBundle(['drift-check', '--reference', 'reference.csv', '--current', 'drifted.csv'], {
      cwd: dir,
    });
    expectExit(result, 0);
    expect(result.stdout).toMatch(
      /^DRIFT {2}drift-check: 2 of 3 columns drifted \(share 0\.666667, drift-share 0\.5\)\./,
    );
    expect(result.stdout).toMatch(/\nage +numeric +wasserstein +[\d.]+ +0\.1\n/);
    const file = join(dir, '.mlops', 'outbox', 'issue-drift-check-default.md');
    expect(result.stderr).toContain(`Local mode: the drift issue is in ${file}.`);
    // The summary on stdout says where the issue is too: stderr may well go elsewhere.
    expect(result.stdout).toContain(`\nIssue (local mode, not on GitHub): ${file}\n`);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(`# Data drift detected\n\n${issueMarker('drift', 'default')}\n## Drift check\n`)).toBe(true);

    const failing = await runCliInProcess(
      ['drift-check', '--reference', 'reference.csv', '--current', 'drifted.csv', '--fail-on-drift', 'true'],
      { cwd: dir },
    );
    expectExit(failing, 1);
  });

  it('keeps names differing in case apart, and removes the issue file when a later run finds no drift', async () => {
    const run = (name: string, current: string) =>
      runCliInProcess(['drift-check', '--reference', 'reference.csv', '--current', current, '--name', name], {
        cwd: dir,
      });
    const outbox = join(dir, '.mlops', 'outbox');
    expectExit(await run('Churn Model', 'drifted.csv'), 0);
    expectExit(await run('churn-model', 'drifted.csv'), 0);
    const files = readdirSync(outbox).filter((file) => file.startsWith('issue-drift-check-'));
    expect(files).toHaveLength(2);
    expect(files).toContain('issue-drift-check-churn-model.md');
    const titles = files.map((file) => readFileSync(join(outbox, file), 'utf8').split('\n')[0]);
    expect(titles.sort()).toEqual(['# Data drift detected: Churn Model', '# Data drift detected: churn-model']);

    const clean = await run('Churn Model', 'clean.csv');
    expectExit(clean, 0);
    expect(readdirSync(outbox).filter((file) => file.startsWith('issue-drift-check-'))).toEqual([
      'issue-drift-check-churn-model.md',
    ]);
    expect(clean.stderr).toMatch(/Local mode: no drift, so no issue \(removed .+\.md\)\./);
  });
});

describe('drift-check reference profiles', { timeout: 240_000 }, () => {
  it('takes a drift profile as the reference, detected by its content, with the same verdict as the data', async () => {
    const dataset = await openDataset(['reference.csv'], { cwd: dir });
    const builder = new DriftProfileBuilder(dataset.columns);
    for await (const batch of dataset.batches()) builder.addBatch(batch);
    writeFiles(dir, { 'reference-profile.json': JSON.stringify(builder.finish({ files: ['reference.csv'] })) });

    const fromProfile = await runCliInProcess(
      ['drift-check', '--reference', 'reference-profile.json', '--current', 'drifted.csv', '--json'],
      { cwd: dir },
    );
    expectExit(fromProfile, 0);
    expect(fromProfile.stderr).toContain('Reference: the profile reference-profile.json (1,200 rows).');
    const fromData = await runCliInProcess(
      ['drift-check', '--reference', 'reference.csv', '--current', 'drifted.csv', '--json'],
      {
        cwd: dir,
      },
    );
    const pick = (text: string) => {
      const json = JSON.parse(text) as Record<string, unknown>;
      return [json.drift, json.share, json['drifted-columns']];
    };
    expect(pick(fromProfile.stdout)).toEqual(pick(fromData.stdout));
    expect(pick(fromProfile.stdout)).toEqual([true, 2 / 3, ['age', 'plan']]);
  });
});

describe('drift-check registry reference', { timeout: 240_000 }, () => {
  it('reads the profile registered with registry:<model>@<alias>, and says when a version has none', async () => {
    const repo = createRepo(temp.path, 'repo', createBareRemote(temp.path), {
      'reference.csv': REFERENCE,
      'drifted.csv': DRIFTED,
      'model.bin': 'weights',
    });
    const dataset = await openDataset(['reference.csv'], { cwd: repo });
    const builder = new DriftProfileBuilder(dataset.columns);
    for await (const batch of dataset.batches()) builder.addBatch(batch);
    writeFiles(repo, { 'profile.json': JSON.stringify(builder.finish({ files: ['reference.csv'] })) });
    const register = (args: string[]) =>
      runCliInProcess(['register', '--model', 'churn', '--path', 'model.bin', ...args], {
        cwd: repo,
        env: { GIT_CONFIG_NOSYSTEM: '1' },
      });
    expectExit(await register(['--profile', 'profile.json', '--alias', 'production']), 0);
    expectExit(await register(['--alias', 'staging']), 0);

    const result = await runCliInProcess(
      ['drift-check', '--reference', 'registry:churn@production', '--current', 'drifted.csv', '--json'],
      { cwd: repo },
    );
    expectExit(result, 0);
    expect(result.stderr).toMatch(/Reference: registry:churn@production \(v1, /);
    expect(JSON.parse(result.stdout)).toMatchObject({ drift: true, 'drifted-columns': ['age', 'plan'] });

    const without = await runCliInProcess(
      ['drift-check', '--reference', 'registry:churn@staging', '--current', 'drifted.csv'],
      {
        cwd: repo,
      },
    );
    expectExit(without, 2);
    expect(without.stderr).toMatch(/registry:churn@staging \(v2\) was registered without a drift profile/);
  });
});

describe('drift-check bad inputs', { timeout: 240_000 }, () => {
  const cases: Array<[string, Record<string, string>, string[], RegExp]> = [
    ['a missing current file', {}, ['--current', 'missing.csv'], /^mlops: error: --current: missing\.csv/],
    [
      'an empty column',
      { 'empty.csv': `age,income,plan\n${Array.from({ length: 50 }, (_, i) => `${i},,basic`).join('\n')}\n` },
      ['--current', 'empty.csv'],
      /income/,
    ],
    [
      'an unknown test in the config',
      { 'drift.yml': 'columns:\n  age:\n    test: kolmogorov\n' },
      ['--current', 'drifted.csv', '--config', 'drift.yml'],
      /drift\.yml.*kolmogorov|kolmogorov.*drift\.yml/,
    ],
  ];
  for (const [index, [what, files, args, message]] of cases.entries()) {
    it(`exits 2 on ${what} with one line and nothing written`, async () => {
      writeFiles(dir, files);
      // The first case through the built command, the others in this process (the same code).
      const run = index === 0 ? runCliBundle : runCliInProcess;
      const result = await run(['drift-check', '--reference', 'reference.csv', ...args], { cwd: dir });
      expectExit(result, 2);
      const lines = result.stderr
        .trim()
        .split('\n')
        .filter((line) => !/^(▸|Read )/.test(line));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(existsSync(join(dir, 'mlops-reports'))).toBe(false);
      expect(existsSync(join(dir, '.mlops'))).toBe(false);
    });
  }

  it('fails the action on a bad input before any issue is opened', async () => {
    const result = await driftCheck('missing.csv');
    expectExit(result, 1);
    expect(result.annotations.filter((a) => a.level === 'error')).toHaveLength(1);
    expect(gh.requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
    expect(existsSync(join(dir, 'mlops-reports'))).toBe(false);
  });
});
