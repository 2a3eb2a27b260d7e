/**
 * actions/pipeline, the composite action, run step by step by the composite runner
 * (test/support/composite-runner.ts) as GitHub's runner runs it: the built bundles, on the
 * penguins example in a real git repository with a bare remote, against the GitHub API double.
 * Each run spawns up to six processes, so CPU is spent with care: one happy-path run (validate,
 * train, gate, register, deploy) in beforeAll serves every assertion about it; the example is
 * trained once there and the other runs copy its model and metrics (SEEDED_TRAINING); failure
 * cases leave out the work they are not about (no suite where validation is not the point, baseline
 * none where the baseline is not).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runComposite, stageCompositeAction, type CompositeResult } from '../support/composite-runner.js';
import { loadEvent } from '../support/events.js';
import { createBareRemote, createRepo, gitIn, makeTempDir } from '../support/git.js';
import { DEFAULT_TOKEN, startGitHubDouble, type GitHubDouble } from '../support/github-double/index.js';
import { readRegistry } from '../support/registry-read.js';
import { repoRoot } from '../support/runner.js';

const TIMEOUT = 180_000;
const tmp = makeTempDir('mlops-pipeline-');
// PATH without pyenv's shims: train records `python3 --version` in its lineage, and on a machine
// with pyenv each probe runs a dozen bash scripts (about 1 s of CPU per run); python3 stays on
// PATH, so the lineage is still real.
const PATH = (process.env.PATH ?? '')
  .split(':')
  .filter((dir) => !dir.includes('/.pyenv/'))
  .join(':');
const noIdentity = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', HOME: tmp.path, PATH };
/** Where the happy-path run's trained model and metrics are kept for the other runs to copy. */
const seed = join(tmp.path, 'seed');
/** A training command that writes what `node train.mjs` wrote in the happy-path run, without training again. */
const SEEDED_TRAINING = 'mkdir -p model && cp "$SEED"/model/* model/ && cp "$SEED"/metrics.json metrics.json';
let gh: GitHubDouble;
let remote: string;
let work: string;
let pipeline: string;
/** The happy-path run: a push to main with a suite and deploy-run, the first version of penguins. */
let happy: CompositeResult;
const happyRunnerTemp = join(tmp.path, 'runner-temp-happy');
const deployLog = join(tmp.path, 'deploy.log');

beforeAll(async () => {
  gh = await startGitHubDouble();
  remote = createBareRemote(tmp.path);
  work = createRepo(tmp.path, 'work', remote);
  const example = join(repoRoot, 'examples', 'penguins');
  for (const file of ['train.mjs', 'params.json', 'data', 'expectations.yml', 'gates.yml']) {
    cpSync(join(example, file), join(work, file), { recursive: true });
  }
  writeFileSync(join(work, '.gitignore'), 'model/\nmetrics.json\nmetrics.jsonl\nmlops-reports/\n.mlops/\n');
  gitIn(work, 'add', '-A');
  gitIn(work, 'commit', '--quiet', '-m', 'penguins');
  gitIn(work, 'push', '--quiet', 'origin', 'HEAD:main');
  pipeline = stageCompositeAction('pipeline');
  happy = await run(
    {
      model: 'penguins',
      'deploy-run':
        'printf "%s %s %s\\n" "$MLOPS_MODEL_NAME" "$MLOPS_MODEL_VERSION" "$MLOPS_ENVIRONMENT" >> "$DEPLOY_LOG"',
      'deploy-smoke-test': 'test -f "$MLOPS_MODEL_PATH/model.json"',
      'deploy-environment-url': 'https://penguins.staging.example.com',
    },
    { runnerTemp: happyRunnerTemp, env: { DEPLOY_LOG: deployLog } },
  );
  mkdirSync(join(seed, 'model'), { recursive: true });
  cpSync(join(work, 'model'), join(seed, 'model'), { recursive: true });
  cpSync(join(work, 'metrics.json'), join(seed, 'metrics.json'));
}, TIMEOUT);
afterAll(async () => {
  await gh.close();
  tmp.cleanup();
});

/** A push to main, the default branch (the fixture's repository says master). */
function pushEvent() {
  const payload = loadEvent('push', { owner: gh.owner, repo: gh.repo, apiUrl: gh.url, serverUrl: gh.serverUrl });
  (payload.repository as { default_branch: string }).default_branch = 'main';
  return { name: 'push', payload };
}

const registryHead = () => gitIn(remote, 'for-each-ref', '--format=%(objectname)', 'refs/heads/mlops-registry');

function run(
  inputs: Record<string, string>,
  options: {
    event?: { name: string; payload: unknown };
    ref?: string;
    env?: Record<string, string>;
    runnerTemp?: string;
  } = {},
): Promise<CompositeResult> {
  return runComposite(pipeline, {
    workspace: work,
    inputs: {
      data: 'data/penguins.csv',
      suite: 'expectations.yml',
      run: 'node train.mjs',
      params: 'params.json',
      gates: 'gates.yml',
      ...inputs,
    },
    event: (options.event ?? pushEvent()) as { name: string; payload: never },
    ref: options.ref ?? 'refs/heads/main',
    sha: gitIn(work, 'rev-parse', 'HEAD'),
    token: DEFAULT_TOKEN,
    apiUrl: gh.url,
    serverUrl: gh.serverUrl,
    repository: `${gh.owner}/${gh.repo}`,
    env: { ...noIdentity, SEED: seed, MLOPS_RETRY_BASE_MS: '1', ...options.env },
    ...(options.runnerTemp ? { runnerTemp: options.runnerTemp } : {}),
  });
}

/** Step ids with their outcomes, in order. */
const outcomes = (result: CompositeResult) => Object.fromEntries(result.steps.map((s) => [s.id, s.outcome]));
const logOf = (result: CompositeResult) => result.steps.map((s) => `--- ${s.id}\n${s.stdout}${s.stderr}`).join('\n');

/** The model's aliases as `mlops registry show <model> --json` lists them, read in the test process. */
async function aliasesOf(model: string): Promise<Record<string, number>> {
  const summary = (await (await readRegistry({ cwd: work })).models())[model];
  expect(summary, `${model} is registered`).toBeDefined();
  return summary!.aliases;
}

describe('the pipeline composite action', { timeout: TIMEOUT }, () => {
  it('on a push to the default branch validates, trains, gates, registers and deploys the model to staging', async () => {
    const result = happy;
    expect(result.conclusion, logOf(result)).toBe('success');
    expect(outcomes(result)).toEqual({
      plan: 'success',
      validate: 'success',
      train: 'success',
      gate: 'success',
      register: 'success',
      deploy: 'success',
    });
    const outputs = result.outputs;
    expect(outputs).toMatchObject({
      'validate-passed': 'true',
      'validate-rows': '344',
      'validate-failed': '0',
      'gate-passed': 'true',
      'register-version': '1',
      'register-tag': 'penguins/v1',
      'deploy-version': '1',
      'deploy-status': 'deployed',
      'deploy-rolled-back': 'false',
    });
    // Train's outputs chained into the gate and register: the gate read the run record.
    const record = JSON.parse(readFileSync(outputs['train-run-record']!, 'utf8')) as {
      id: string;
      model: { sha256: string };
    };
    expect(record.id).toBe(outputs['train-run-id']);
    expect(JSON.parse(outputs['train-metrics']!)).toHaveProperty('accuracy');
    expect(outputs['register-sha256']).toMatch(/^[0-9a-f]{64}$/);
    // The registry branch on the remote names it; the release holds the asset.
    expect(registryHead()).not.toBe('');
    const release = gh.state.releases.find((r) => r.tagName === 'penguins/v1');
    expect(release, 'release penguins/v1').toBeDefined();
    // register's checksums file: one sha256sum line naming the release asset, under RUNNER_TEMP.
    const asset = gh.state.assets.find((a) => a.releaseId === release!.id);
    expect(outputs['register-checksums']!.startsWith(happyRunnerTemp)).toBe(true);
    expect(readFileSync(outputs['register-checksums']!, 'utf8')).toBe(
      `${outputs['register-sha256']}  ${asset!.name}\n`,
    );
    expect(outputs['register-release-url']).toBe(
      `${gh.serverUrl}/${gh.owner}/${gh.repo}/releases/tag/${encodeURIComponent('penguins/v1')}`,
    );
    expect(result.annotations.filter((a) => a.level === 'error')).toEqual([]);
  });

  it('with deploy-run deploys the registered version, smoke-tested, records the deployment, then moves staging', async () => {
    expect(readFileSync(deployLog, 'utf8')).toBe('penguins 1 staging\n');
    const deployment = gh.state.deployments.find((d) => String(d.id) === happy.outputs['deploy-deployment-id']);
    expect(deployment?.environment).toBe('staging');
    expect(gh.state.latestDeploymentStatus(deployment!.id)?.state).toBe('success');
    // register set no alias (deploy-run given); deploy's promote-to moved staging once the smoke test passed.
    expect(await aliasesOf('penguins')).toEqual({ staging: 1 });
    expect(gh.validationErrors).toEqual([]);
  });

  it('a first version whose deploy fails is registered but staging is never pointed at it', async () => {
    const result = await run({
      model: 'unshipped',
      suite: '',
      run: SEEDED_TRAINING,
      baseline: 'none',
      'deploy-run': 'exit 1',
    });
    expect(result.conclusion).toBe('failure');
    expect(outcomes(result), logOf(result)).toMatchObject({ register: 'success', deploy: 'failure' });
    expect(result.outputs).toMatchObject({ 'register-version': '1', 'deploy-status': 'failed' });
    // Nothing served v1, so no alias names it: registry:unshipped@staging readers find none.
    expect(await aliasesOf('unshipped')).toEqual({});
  });

  it('a failing gate fails the pipeline with its annotation, and nothing is registered', async () => {
    writeFileSync(join(work, 'strict-gates.yml'), 'metrics:\n  accuracy: { direction: higher, min: 0.9999 }\n');
    const before = registryHead();
    const result = await run({
      model: 'gated',
      suite: '',
      run: SEEDED_TRAINING,
      baseline: 'none',
      gates: 'strict-gates.yml',
    });
    expect(result.conclusion).toBe('failure');
    expect(outcomes(result)).toMatchObject({
      train: 'success',
      gate: 'failure',
      register: 'skipped',
      deploy: 'skipped',
    });
    expect(result.outputs['gate-passed'], logOf(result)).toBe('false');
    expect(result.outputs['register-version']).toBe('');
    const errors = result.steps.find((s) => s.id === 'gate')!.annotations.filter((a) => a.level === 'error');
    expect(errors.map((a) => a.message).join('\n')).toMatch(/accuracy/);
    expect(registryHead()).toBe(before);
    expect(gh.state.releases.some((r) => r.tagName.startsWith('gated/'))).toBe(false);
  });

  it('a failing validation stops everything, with the row-level annotation on the data file', async () => {
    const lines = readFileSync(join(work, 'data', 'penguins.csv'), 'utf8').split('\n');
    lines[5] = lines[5]!.replace(/^Adelie,/, 'Dodo,');
    writeFileSync(join(work, 'data', 'broken.csv'), lines.join('\n'));
    const before = registryHead();
    const result = await run({ model: 'validated', data: 'data/broken.csv', run: 'touch trained && node train.mjs' });
    expect(result.conclusion).toBe('failure');
    expect(outcomes(result)).toEqual({
      plan: 'success',
      validate: 'failure',
      train: 'skipped',
      gate: 'skipped',
      register: 'skipped',
      deploy: 'skipped',
    });
    expect(result.outputs['validate-passed']).toBe('false');
    const rowError = result.annotations.find((a) => a.level === 'error' && a.properties.file === 'data/broken.csv');
    expect(rowError, JSON.stringify(result.annotations)).toBeDefined();
    expect(rowError!.properties.line).toBe('6'); // lines[5] is line 6 of the file
    expect(rowError!.message).toContain('Dodo');
    expect(existsSync(join(work, 'trained'))).toBe(false);
    expect(registryHead()).toBe(before);
  });

  it('on a pull request gates and comments, but never registers', async () => {
    const head = gitIn(work, 'rev-parse', 'HEAD');
    const pr = gh.state.addPullRequest({ headRef: 'feature', headSha: head, baseRef: 'main', baseSha: head });
    const payload = loadEvent('pull_request.opened', {
      owner: gh.owner,
      repo: gh.repo,
      pullNumber: pr.number,
      headSha: head,
      baseSha: head,
      headRef: 'feature',
      baseRef: 'main',
      apiUrl: gh.url,
      serverUrl: gh.serverUrl,
    });
    const before = registryHead();
    // register-when not-pull-request would register on any other event: a pull request still never does.
    const result = await run(
      { model: 'reviewed', run: SEEDED_TRAINING, 'register-when': 'not-pull-request' },
      { event: { name: 'pull_request', payload }, ref: `refs/pull/${pr.number}/merge` },
    );
    expect(result.conclusion, logOf(result)).toBe('success');
    expect(outcomes(result)).toMatchObject({
      validate: 'success',
      train: 'success',
      gate: 'success',
      register: 'skipped',
    });
    expect(result.outputs['gate-passed']).toBe('true');
    expect(result.outputs['gate-comment-url'], logOf(result)).toMatch(/#issuecomment-\d+$/);
    expect(gh.state.commentsOf(pr.number)).toHaveLength(1);
    expect(result.outputs['register-version']).toBe('');
    expect(result.annotations).toContainEqual(
      expect.objectContaining({
        level: 'notice',
        message: expect.stringContaining(
          `a pull request (pull_request on refs/pull/${pr.number}/merge) gates but never registers`,
        ),
      }),
    );
    expect(registryHead()).toBe(before);
    expect(gh.validationErrors).toEqual([]);
  });

  it('a failing training command stops the gate and register, with the train annotation', async () => {
    const before = registryHead();
    const result = await run({ model: 'untrained', suite: '', run: 'echo "out of memory" >&2; exit 3' });
    expect(result.conclusion).toBe('failure');
    expect(outcomes(result)).toMatchObject({
      train: 'failure',
      gate: 'skipped',
      register: 'skipped',
      deploy: 'skipped',
    });
    const errors = result.steps.find((s) => s.id === 'train')!.annotations.filter((a) => a.level === 'error');
    expect(errors.map((a) => a.message).join('\n')).toMatch(/exit(ed with)? (code )?3/);
    expect(result.outputs['gate-passed']).toBe('');
    expect(registryHead()).toBe(before);
  });

  it('a push to another branch gates but does not register with register-when default-branch', async () => {
    const before = registryHead();
    const result = await run(
      { model: 'branched', suite: '', run: SEEDED_TRAINING, baseline: 'none' },
      { ref: 'refs/heads/experiment' },
    );
    expect(result.conclusion, logOf(result)).toBe('success');
    expect(outcomes(result)).toMatchObject({
      validate: 'skipped',
      train: 'success',
      gate: 'success',
      register: 'skipped',
      deploy: 'skipped',
    });
    // No suite: the pipeline says the data is not validated and goes on.
    expect(result.annotations).toContainEqual(
      expect.objectContaining({ level: 'notice', message: 'No suite given: the data is not validated.' }),
    );
    expect(result.annotations).toContainEqual(
      expect.objectContaining({
        level: 'notice',
        message: expect.stringContaining('refs/heads/experiment is not the default branch main'),
      }),
    );
    expect(registryHead()).toBe(before);
  });

  it('says which node it needs when the one on PATH is too old or missing, before anything runs', async () => {
    const oldNode = join(tmp.path, 'old-node');
    const bashOnly = join(tmp.path, 'bash-only');
    mkdirSync(oldNode);
    mkdirSync(bashOnly);
    writeFileSync(join(oldNode, 'node'), '#!/bin/sh\necho v18.20.4\n', { mode: 0o755 });
    symlinkSync(execFileSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).trim(), join(bashOnly, 'bash'));
    const old = await run({ model: 'penguins' }, { env: { PATH: `${oldNode}:${process.env.PATH}` } });
    expect(outcomes(old)).toMatchObject({ plan: 'failure', validate: 'skipped', train: 'skipped' });
    expect(old.annotations.map((a) => a.message)).toEqual([
      'The node on PATH is v18.20.4; the mlops bundles need Node.js 20.19 or later. Add actions/setup-node (node-version: 20 or later) before this step.',
    ]);
    const none = await run({ model: 'penguins' }, { env: { PATH: bashOnly } });
    expect(none.conclusion).toBe('failure');
    expect(none.annotations.map((a) => a.message)).toEqual([
      'No node on PATH: the pipeline runs the mlops bundles with it (Node.js 20.19 or later). Add actions/setup-node before this step.',
    ]);
  });

  it('a register-when it does not know fails before anything runs', async () => {
    const result = await run({ model: 'penguins', 'register-when': 'main-only' });
    expect(result.conclusion).toBe('failure');
    expect(outcomes(result)).toMatchObject({ plan: 'failure', validate: 'skipped', train: 'skipped' });
    expect(result.annotations).toEqual([
      {
        level: 'error',
        message: 'Input register-when must be default-branch, not-pull-request or never, got "main-only".',
        properties: { title: 'mlops pipeline' },
      },
    ]);
  });
});
