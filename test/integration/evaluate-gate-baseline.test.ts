/**
 * evaluate-gate never passes because its baseline could not be read (issue #8, item 5): every
 * case through the CLI (exit 2, one line) and the action (one ::error, exit 1), against a real
 * registry branch in a real repository. The first case of each kind (stopped, exit 1) runs the
 * built CLI and action bundles; the others run the same entry code in this process. `auto` moves on only for a first model,
 * and then says so in the report's first line and a warning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBundle, runCliBundle, type BundleResult } from '../support/runner.js';
import { runActionInProcess, runCliInProcess } from '../support/in-process.js';
import { createBareRemote, createRepo, gitIn, makeTempDir, writeFiles } from '../support/git.js';

const GATES = 'metrics:\n  accuracy: {direction: higher, min: 0.5, max-regression: 0.02}\n';

let temp: { path: string; cleanup: () => void };
/** A repository whose local registry branch holds penguins v1 as production. */
let repo: string;

beforeAll(async () => {
  temp = makeTempDir('mlops-gate-baseline-');
  repo = createRepo(temp.path, 'work', undefined, { 'gates.yml': GATES, 'metrics.json': '{"accuracy": 0.9}' });
  writeFiles(repo, { 'registered.json': '{"accuracy": 0.95}', 'model.bin': 'weights' });
  const registered = await runCliInProcess(
    ['register', '--model', 'penguins', '--path', 'model.bin', '--metrics', 'registered.json', '--alias', 'production'],
    { cwd: repo },
  );
  if (registered.code !== 0) throw new Error(`register failed: ${registered.stderr}`);
}, 120_000);

afterAll(() => temp.cleanup());

/** The same run through the CLI and through the action bundle. */
async function both(
  cwd: string,
  flags: Record<string, string>,
  bundle = false,
): Promise<{ cli: { code: number | null; stdout: string; stderr: string }; action: BundleResult }> {
  const args = ['evaluate-gate', '--metrics', 'metrics.json', '--gates', 'gates.yml', '--comment', 'false'];
  for (const [name, value] of Object.entries(flags)) args.push(`--${name}`, value);
  const cli = await (bundle ? runCliBundle : runCliInProcess)(args, { cwd });
  const action = await (bundle ? runBundle : runActionInProcess)('evaluate-gate', {
    workspace: cwd,
    inputs: { metrics: 'metrics.json', gates: 'gates.yml', comment: 'false', ...flags },
    timeoutMs: 120_000,
  });
  return { cli, action };
}

/** Exit 2 with one line on the CLI; one error annotation and exit 1 in the action. */
function expectStopped(result: Awaited<ReturnType<typeof both>>, cliLine: string, actionLine = cliLine): void {
  expect(result.cli.code, result.cli.stdout + result.cli.stderr).toBe(2);
  // Progress lines (the log group's title) may precede it; the error is one line, the last.
  const errors = result.cli.stderr.split('\n').filter((line) => line.startsWith('mlops: error:'));
  expect(errors).toEqual([`mlops: error: ${cliLine}`]);
  expect(result.cli.stderr.trimEnd().endsWith(cliLine)).toBe(true);
  expect(result.action.code).toBe(1);
  expect(result.action.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([actionLine]);
  expect(result.action.outputs['passed']).toBeUndefined();
}

describe('a baseline that cannot be read stops the gate', () => {
  it('registry:peng@prodution: did you mean "penguins"; penguins@prodution: did you mean "production"', async () => {
    const model = await both(repo, { baseline: 'registry:peng@prodution' }, true);
    const tail =
      'registry:peng@prodution does not exist: model "peng" is not in the registry (local branch mlops-registry); did you mean "penguins"?';
    expectStopped(model, `--baseline: ${tail}`, `Input "baseline": ${tail}`);
    const alias = await both(repo, { baseline: 'registry:penguins@prodution' });
    const aliasTail =
      'registry:penguins@prodution does not exist: model "penguins" has no alias "prodution"; did you mean "production"?';
    expectStopped(alias, `--baseline: ${aliasTail}`, `Input "baseline": ${aliasTail}`);
  }, 120_000);

  it('file:nope.json', async () => {
    const result = await both(repo, { baseline: 'file:nope.json' });
    expectStopped(
      result,
      '--baseline: file:nope.json does not exist.',
      'Input "baseline": file:nope.json does not exist.',
    );
  }, 120_000);

  it('--model pengiuns (auto): a near miss of a registered model is a typo, not a first model', async () => {
    const result = await both(repo, { model: 'pengiuns' });
    const tail = 'model "pengiuns" is not in the registry (local branch mlops-registry); did you mean "penguins"?';
    expectStopped(result, `--model: ${tail}`, `Input "model": ${tail}`);
  }, 120_000);

  it('a registry remote that does not exist, or whose URL leads nowhere', async () => {
    const missing = await both(repo, { model: 'penguins', 'registry-remote': 'upstream' });
    const line = `baseline auto: registry:penguins@production cannot be read: The registry remote "upstream" is not configured in ${repo} (see git remote -v). Fix registry-remote or registry-branch, or choose a baseline other than auto.`;
    expectStopped(missing, line);
    const explicit = await both(repo, { baseline: 'registry:penguins@production', 'registry-remote': 'upstream' });
    expect(explicit.cli.code).toBe(2);
    expect(explicit.cli.stderr).toContain(
      '--baseline: registry:penguins@production cannot be read: The registry remote',
    );

    const nowhere = join(temp.path, 'nowhere');
    gitIn(temp.path, 'clone', '--quiet', repo, nowhere);
    gitIn(nowhere, 'remote', 'set-url', 'origin', join(temp.path, 'no-such-remote.git'));
    const unreachable = await both(nowhere, { model: 'penguins' });
    expect(unreachable.cli.code).toBe(2);
    expect(unreachable.cli.stderr).toMatch(
      /\nmlops: error: baseline auto: registry:penguins@production cannot be read: Cannot fetch the registry branch mlops-registry from origin: .+\n$/,
    );
    expect(unreachable.action.code).toBe(1);
    expect(unreachable.action.annotations.filter((a) => a.level === 'error')).toHaveLength(1);
  }, 120_000);

  it('an invalid registry branch name', async () => {
    const result = await both(repo, { model: 'penguins', 'registry-branch': 'bad..name' });
    const line =
      'baseline auto: registry:penguins@production cannot be read: registry-branch: "bad..name" is not a valid git branch name. Fix registry-remote or registry-branch, or choose a baseline other than auto.';
    expectStopped(result, line);
  }, 120_000);

  it('no git repository', async () => {
    const dir = join(temp.path, 'plain');
    mkdirSync(dir);
    writeFiles(dir, { 'gates.yml': GATES, 'metrics.json': '{"accuracy": 0.9}' });
    const result = await both(dir, { model: 'penguins' });
    expect(result.cli.code).toBe(2);
    expect(result.cli.stderr).toMatch(
      /\nmlops: error: baseline auto: registry:penguins@production cannot be read: .+ is not inside a git repository; the registry lives on a branch of one .+\n$/,
    );
    expect(result.action.code).toBe(1);
    expect(result.action.annotations.filter((a) => a.level === 'error')).toHaveLength(1);
  }, 120_000);
});

describe('a baseline that was read but lacks a gated metric fails the regression rule', () => {
  it('file:base.json with {} or only another metric: exit 1 naming the metric and the baseline', async () => {
    writeFiles(repo, { 'empty-base.json': '{}', 'loss-base.json': '{"loss": 0.1}' });
    for (const file of ['empty-base.json', 'loss-base.json']) {
      const result = await both(repo, { baseline: `file:${file}` }, file === 'empty-base.json');
      const reason = `the baseline file:${file} has no accuracy: the regression cannot be checked`;
      expect(result.cli.code, result.cli.stdout + result.cli.stderr).toBe(1);
      expect(result.action.code).toBe(1);
      expect(result.action.outputs['passed']).toBe('false');
      expect(result.action.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toContain(
        `accuracy: ${reason}`,
      );
      const accuracy = JSON.parse(result.action.outputs['results']!).metrics.find(
        (m: { metric: string }) => m.metric === 'accuracy',
      );
      expect(accuracy.verdict).toBe('fail');
      expect(accuracy.reasons).toEqual([reason]);
    }
  }, 120_000);
});

describe('auto falls back only for a first model, and says so', () => {
  it('--model rian (not registered, nothing like a registered model): first line and a warning', async () => {
    const result = await both(repo, { model: 'rian' });
    const why =
      'no baseline: registry:rian@production does not exist yet: model "rian" is not in the registry (local branch mlops-registry); registered models: "penguins"';
    expect(result.cli.code, result.cli.stderr).toBe(0);
    expect(result.cli.stderr).toContain(`warning: Baseline auto fell back: ${why}.`);
    expect(result.action.code).toBe(0);
    expect(result.action.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual([
      `Baseline auto fell back: ${why}.`,
    ]);
    const report = readFileSync(result.action.outputs['report']!, 'utf8');
    expect(report.split('\n')[0]).toBe(`### ✅ All 1 gate passed for \`rian\` · ⚠️ baseline auto fell back: ${why}`);
    expect(JSON.parse(result.action.outputs['results']!).baseline.fallback).toBe(why);
  }, 120_000);

  it('--model penguins-v2 (extends a registered name) is a new model: it falls back with a warning', async () => {
    const result = await both(repo, { model: 'penguins-v2' });
    const why =
      'no baseline: registry:penguins-v2@production does not exist yet: model "penguins-v2" is not in the registry (local branch mlops-registry); registered models: "penguins"';
    expect(result.cli.code, result.cli.stderr).toBe(0);
    expect(result.cli.stderr).toContain(`warning: Baseline auto fell back: ${why}.`);
    expect(result.action.code).toBe(0);
    expect(JSON.parse(result.action.outputs['results']!).baseline.fallback).toBe(why);
  }, 120_000);

  it('--model penguins compares with production, with no warning', async () => {
    const result = await both(repo, { model: 'penguins' });
    expect(result.action.code).toBe(1);
    expect(JSON.parse(result.action.outputs['results']!).baseline.resolved).toBe('registry:penguins@production (v1)');
    expect(result.action.annotations.filter((a) => a.level === 'warning')).toEqual([]);
    expect(result.cli.code).toBe(1);
  }, 120_000);
});

describe('auto tells a registry branch that does not exist from one without the model', () => {
  /** A repository whose origin holds churn v1 as production on mlops-registry. */
  let remoteRepo: string;
  beforeAll(async () => {
    const remote = createBareRemote(temp.path, 'branches.git');
    remoteRepo = createRepo(temp.path, 'with-remote', remote, {
      'gates.yml': GATES,
      'metrics.json': '{"accuracy": 0.9}',
    });
    writeFiles(remoteRepo, { 'registered.json': '{"accuracy": 0.95}', 'model.bin': 'weights' });
    const registered = await runCliInProcess(
      ['register', '--model', 'churn', '--path', 'model.bin', '--metrics', 'registered.json', '--alias', 'production'],
      { cwd: remoteRepo },
    );
    if (registered.code !== 0) throw new Error(`register failed: ${registered.stderr}`);
  }, 120_000);

  it('--registry-branch mlops-registy (not the default, absent on origin): exit 2 naming the branch', async () => {
    const result = await both(remoteRepo, { model: 'churn', 'registry-branch': 'mlops-registy' });
    const tail =
      'branch mlops-registy does not exist on origin, so registry:churn@production cannot be read. Fix registry-branch (the default is mlops-registry), or choose a baseline other than auto.';
    expectStopped(result, `--registry-branch: ${tail}`, `Input "registry-branch": ${tail}`);
  }, 120_000);

  it('the default branch absent (a first model in a new repository): falls back and says why', async () => {
    const fresh = createRepo(temp.path, 'fresh', createBareRemote(temp.path, 'fresh.git'), {
      'gates.yml': GATES,
      'metrics.json': '{"accuracy": 0.9}',
    });
    const result = await both(fresh, { model: 'churn' });
    const why =
      'no baseline: registry:churn@production does not exist yet: branch mlops-registry does not exist on origin yet';
    expect(result.cli.code, result.cli.stderr).toBe(0);
    expect(result.cli.stderr).toContain(`warning: Baseline auto fell back: ${why}.`);
    expect(result.action.code).toBe(0);
    expect(JSON.parse(result.action.outputs['results']!).baseline.fallback).toBe(why);
  }, 120_000);
});
