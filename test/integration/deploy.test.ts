/**
 * deploy, the built bundle, against the GitHub API double (releases, assets, deployments) and a
 * bare git remote holding the registry branch. The deploy command writes what it got (version,
 * traffic, the model's bytes) to a log file the tests read: what was deployed is what it says.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_TOKEN,
  READ_ONLY_TOKEN,
  startGitHubDouble,
  type GitHubDouble,
} from '../support/github-double/index.js';
import { createBareRemote, createRepo, gitIn, makeTempDir, writeFiles } from '../support/git.js';
import { modelState } from '../support/registry-read.js';
import { seedModels } from '../support/registry-seed-batch.js';
import { seedVersions, type SeedVersion } from '../support/registry-seed.js';
import { runBundle, runCliBundle, type BundleResult } from '../support/runner.js';

const TIMEOUT = 120_000;
/** Seeding the 24 versions in beforeAll: about 100 local git commits and 48 requests to the double. */
const SEED_TIMEOUT = 180_000;
const tmp = makeTempDir('mlops-deploy-');
let gh: GitHubDouble;
let remote: string;
let work: string;
let runs = 0;
const noIdentity = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', HOME: tmp.path };

/** The deploy command: one line per run, `<version> <traffic> <bytes of the model>`. */
const RUN =
  'printf "%s %s %s\\n" "$MLOPS_MODEL_VERSION" "$MLOPS_TRAFFIC_PERCENT" "$(cat "$MLOPS_MODEL_PATH")" >> "$DEPLOY_LOG"';
/** Fails for FAIL_VERSION from FAIL_AT percent of traffic on. */
const SMOKE =
  'if [ "$MLOPS_MODEL_VERSION" = "${FAIL_VERSION:-none}" ] && [ "$MLOPS_TRAFFIC_PERCENT" -ge "${FAIL_AT:-0}" ]; then ' +
  'echo "smoke test failed for v$MLOPS_MODEL_VERSION at $MLOPS_TRAFFIC_PERCENT%"; exit 1; fi';

/**
 * The versions each test starts from (one model per test, so tests never see each other's
 * versions), seeded in beforeAll in one push (test/support/registry-seed-batch.ts).
 */
const SEEDS: Record<string, SeedVersion[]> = {
  churn: [{ bytes: 'churn weights 1\n', alias: 'production' }],
  fraud: [{ bytes: 'fraud weights 1\n', alias: 'production' }, { bytes: 'fraud weights 2\n' }],
  tamper: [{ bytes: 'tamper weights 1\n', alias: 'production' }, { bytes: 'tamper weights 2\n' }],
  stale: [{ bytes: 'stale weights 1\n', alias: 'production' }, { bytes: 'stale weights 2\n' }],
  canary: [{ bytes: 'canary weights 1\n', alias: 'production' }, { bytes: 'canary weights 2\n' }],
  slow: [{ bytes: 'slow weights 1\n', alias: 'production' }, { bytes: 'slow weights 2\n' }],
  rollme: [
    { bytes: 'rollme weights 1\n', alias: 'production' },
    { bytes: 'rollme weights 2\n', alias: 'production' },
  ],
  solo: [{ bytes: 'solo weights 1\n' }],
  perm: [{ bytes: 'perm weights 1\n', alias: 'staging' }],
  race: [{ bytes: 'race weights 1\n', alias: 'staging' }, { bytes: 'race weights 2\n' }, { bytes: 'race weights 3\n' }],
  flaky: [{ bytes: 'flaky weights 1\n', alias: 'production' }, { bytes: 'flaky weights 2\n' }],
  stop: [{ bytes: 'stop weights 1\n', alias: 'production' }, { bytes: 'stop weights 2\n' }],
  redo: [
    { bytes: 'redo weights 1\n', alias: 'staging' },
    { bytes: 'redo weights 2\n', alias: 'staging' },
  ],
};

beforeAll(async () => {
  gh = await startGitHubDouble();
  remote = createBareRemote(tmp.path);
  work = createRepo(tmp.path, 'work', remote, { 'README.md': '# x\n' });
  await seedModels({ remote, gh, models: SEEDS, commit: gitIn(work, 'rev-parse', 'HEAD') });
}, SEED_TIMEOUT);
afterEach(() => gh.faults.clear());
afterAll(async () => {
  await gh.close();
  tmp.cleanup();
});

const github = () => ({
  workspace: work,
  token: DEFAULT_TOKEN,
  apiUrl: gh.url,
  serverUrl: gh.serverUrl,
  repository: `${gh.owner}/${gh.repo}`,
  sha: gitIn(work, 'rev-parse', 'HEAD'),
});

/**
 * Registers `model` once per content, in order (v1, v2, ...), each with its alias if given: in the
 * test process, through the registry code the register bundle runs (test/support/registry-seed.ts).
 */
async function registerVersions(model: string, versions: SeedVersion[]): Promise<void> {
  await seedVersions({ workspace: work, gh, model, versions, commit: gitIn(work, 'rev-parse', 'HEAD') });
}

/** Registers as a workflow does: the register bundle, once per version. */
async function registerThroughBundle(model: string, versions: SeedVersion[]): Promise<void> {
  for (const { bytes, alias } of versions) {
    writeFiles(work, { 'model.bin': bytes });
    const result = await runBundle('register', {
      ...github(),
      inputs: { model, path: 'model.bin', ...(alias ? { alias } : {}) },
      env: { GITHUB_RUN_ID: String(5000 + ++runs), ...noIdentity },
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
  }
}

/** Runs the deploy bundle; the commands log to `log`. */
function deploy(inputs: Record<string, string>, log: string, env: Record<string, string> = {}): Promise<BundleResult> {
  return runBundle('deploy', {
    ...github(),
    inputs: { run: RUN, 'smoke-test': SMOKE, ...inputs },
    env: { GITHUB_RUN_ID: String(7000 + ++runs), DEPLOY_LOG: log, MLOPS_RETRY_BASE_MS: '1', ...noIdentity, ...env },
  });
}

const logLines = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);

/** A command that waits, after its own work, until the test creates the file $GO (a 60 s cap). */
const waitForGo = (condition: string) =>
  `if ${condition}; then i=0; while [ ! -f "$GO" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; fi`;

/** Resolves once `log` has `line` (the deploy got that far), polling. */
async function untilLogged(log: string, line: string, within = 90_000): Promise<void> {
  const until = Date.now() + within;
  while (!logLines(log).includes(line)) {
    if (Date.now() > until) throw new Error(`${log} never got "${line}": ${logLines(log).join(' | ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The model's state after a deploy, read in the test process (test/support/registry-read.ts). */
const stateOf = (model: string, alias: string) => modelState({ cwd: work }, model, alias);
const aliasVersion = async (model: string, alias: string) => (await stateOf(model, alias)).aliasVersion;

function deploymentOf(id: string | undefined) {
  const deployment = gh.state.deployments.find((d) => String(d.id) === id);
  expect(deployment, `deployment ${id}`).toBeDefined();
  const statuses = gh.state.deploymentStatuses.filter((s) => s.deploymentId === deployment!.id);
  return { deployment: deployment!, statuses };
}

describe('deploy in GitHub mode', { timeout: TIMEOUT }, () => {
  it('deploys the registered bytes, moves the alias, and records the deployment and its statuses', async () => {
    // End to end: the version deployed comes from a register run, as in a workflow (v1 is seeded).
    await registerThroughBundle('churn', [{ bytes: 'churn weights 2\n' }]);
    const log = join(tmp.path, 'churn.log');
    const result = await deploy(
      { model: 'churn', version: 'v2', 'promote-to': 'production', 'environment-url': 'https://churn.example.com' },
      log,
    );
    expect(result.code, result.stdout).toBe(0);
    expect(result.outputs).toMatchObject({
      version: '2',
      'previous-version': '1',
      status: 'deployed',
      'rolled-back': 'false',
    });
    expect(logLines(log)).toEqual(['2 100 churn weights 2']);
    // The verified file sat under RUNNER_TEMP (emptied after the job, here after the run).
    expect(result.outputs['model-path']).toMatch(/runner_temp\/.+\/model\.bin$/);

    const { aliasVersion: churnAlias, events: history } = await stateOf('churn', 'production');
    expect(churnAlias).toBe(2);
    expect(history.at(-2)).toMatchObject({ type: 'alias-set', alias: 'production', version: 2, previous: 1 });
    expect(history.at(-1)).toMatchObject({
      type: 'deployed',
      version: 2,
      environment: 'production',
      deploymentId: result.outputs['deployment-id'],
    });

    const { deployment, statuses } = deploymentOf(result.outputs['deployment-id']);
    expect(deployment).toMatchObject({
      environment: 'production',
      productionEnvironment: true,
      transientEnvironment: false,
      sha: gitIn(work, 'rev-parse', 'HEAD'),
    });
    expect(deployment.payload).toMatchObject({ model: 'churn', version: 2 });
    expect(statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(statuses[1]).toMatchObject({
      logUrl: `${gh.serverUrl}/${gh.owner}/${gh.repo}/actions/runs/${7000 + runs}/attempts/1`,
      environmentUrl: 'https://churn.example.com',
    });
    // Production's release follows the alias.
    const releases = gh.state.releases.filter((r) => r.tagName.startsWith('churn/'));
    expect(releases.find((r) => r.tagName === 'churn/v2')?.prerelease).toBe(false);
    expect(releases.find((r) => r.tagName === 'churn/v1')?.prerelease).toBe(true);
    expect(result.summary).toContain('Deployed churn v2 to production');
    expect(gh.validationErrors).toEqual([]);
  });

  it('a failing smoke test rolls back: the old bytes are deployed again and the alias stays', async () => {
    const log = join(tmp.path, 'fraud.log');
    const result = await deploy({ model: 'fraud', version: 'v2', 'promote-to': 'production' }, log, {
      FAIL_VERSION: '2',
    });
    expect(result.code).toBe(1);
    expect(result.outputs).toMatchObject({
      version: '2',
      'previous-version': '1',
      status: 'rolled-back',
      'rolled-back': 'true',
    });
    expect(logLines(log)).toEqual(['2 100 fraud weights 2', '1 100 fraud weights 1']);
    const fraudState = await stateOf('fraud', 'production');
    expect(fraudState.aliasVersion).toBe(1);
    expect(fraudState.events.at(-1)).toMatchObject({
      type: 'rolled-back',
      version: 1,
      from: 2,
      environment: 'production',
    });
    const errors = result.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBe(
      'deploy fraud v2 to production failed: smoke-test exited with code 1; rolled back to v1. Alias "production" was not moved.',
    );
    const { statuses } = deploymentOf(result.outputs['deployment-id']);
    expect(statuses.at(-1)).toMatchObject({ state: 'failure' });
    expect(statuses.at(-1)?.description).toContain('rolled back to v1');
    expect(result.summary).toContain('**Rollback** to v1: passed');
  });

  it('refuses a tampered asset before the command runs, and creates no deployment', async () => {
    const release = gh.state.releases.find((r) => r.tagName === 'tamper/v2')!;
    const asset = gh.state.assets.find((a) => a.releaseId === release.id)!;
    asset.data = Buffer.from('tamper weights X\n'); // same size, other bytes
    const before = gh.state.deployments.length;
    const log = join(tmp.path, 'tamper.log');
    const result = await deploy({ model: 'tamper', version: 'v2', 'promote-to': 'production' }, log);
    expect(result.code).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/tamper v2.*sha256/);
    expect(logLines(log)).toEqual([]);
    expect(gh.state.deployments.length).toBe(before);
    expect(await aliasVersion('tamper', 'production')).toBe(1);
  });

  it('a rollback target that fails verification is refused before any command runs or deployment exists', async () => {
    const release = gh.state.releases.find((r) => r.tagName === 'stale/v1')!;
    gh.state.assets.find((a) => a.releaseId === release.id)!.data = Buffer.from('stale weights X\n');
    const before = gh.state.deployments.length;
    const log = join(tmp.path, 'stale.log');
    const result = await deploy({ model: 'stale', version: 'v2', 'promote-to': 'production' }, log, {
      FAIL_VERSION: '2',
    });
    expect(result.code).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^Refusing to deploy stale v2: its rollback target v1 cannot be verified.*sha256.*rollback-on-failure: false/,
    );
    // Nothing ran: v2 never served, so nothing needed a rollback that could not happen.
    expect(logLines(log)).toEqual([]);
    expect(gh.state.deployments.length).toBe(before);
    expect(await aliasVersion('stale', 'production')).toBe(1);
  });

  it('a shell that cannot start is refused before the download and the deployment', async () => {
    const before = gh.state.deployments.length;
    const result = await deploy(
      { model: 'not-registered', version: 'v1', environment: 'staging', shell: 'no-such-shell' },
      join(tmp.path, 'shell.log'),
    );
    expect(result.code).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors).toEqual([expect.stringMatching(/^shell "no-such-shell": no-such-shell is not on the PATH/)]);
    expect(gh.state.deployments.length).toBe(before);
  });

  it('a staged rollout failing at 50% rolls back, and the statuses show each stage', async () => {
    const log = join(tmp.path, 'canary.log');
    const result = await deploy(
      { model: 'canary', version: 'v2', 'promote-to': 'production', traffic: '10,50,100', 'stage-wait-seconds': '1' },
      log,
      { FAIL_VERSION: '2', FAIL_AT: '50' },
    );
    expect(result.code).toBe(1);
    expect(result.outputs).toMatchObject({ status: 'rolled-back', 'rolled-back': 'true' });
    expect(logLines(log)).toEqual(['2 10 canary weights 2', '2 50 canary weights 2', '1 100 canary weights 1']);
    expect(await aliasVersion('canary', 'production')).toBe(1);
    const { statuses } = deploymentOf(result.outputs['deployment-id']);
    expect(statuses.map((s) => [s.state, s.description])).toEqual([
      ['in_progress', 'Deploying canary v2 to production'],
      ['in_progress', 'Deploying v2: stage 1/3 (10% traffic) passed'],
      ['in_progress', 'Deploying v2: stage 2/3 (50% traffic) failed'],
      ['in_progress', 'smoke-test exited with code 1 at stage 2/3 (50% traffic); rolling back to v1'],
      ['failure', 'smoke-test exited with code 1 at stage 2/3 (50% traffic); rolled back to v1'],
    ]);
    expect(result.summary).toContain('| 2 | 50% |');
  });

  it('a deploy command past timeout-minutes is killed, and the stage fails and rolls back', async () => {
    const log = join(tmp.path, 'slow.log');
    const result = await deploy(
      {
        model: 'slow',
        version: 'v2',
        'promote-to': 'production',
        'timeout-minutes': '0.05', // 3 seconds
        run: `if [ "$MLOPS_MODEL_VERSION" = 2 ]; then sleep 60; fi; ${RUN}`,
      },
      log,
    );
    expect(result.code).toBe(1);
    expect(result.outputs).toMatchObject({ status: 'rolled-back', 'rolled-back': 'true' });
    expect(logLines(log)).toEqual(['1 100 slow weights 1']);
    const errors = result.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors).toEqual([
      expect.stringMatching(
        /^deploy slow v2 to production failed: run timed out after [3-9](\.\d)?s; rolled back to v1\./,
      ),
    ]);
    expect(await aliasVersion('slow', 'production')).toBe(1);
  });

  it('version: previous redeploys the version the alias pointed at before, recorded as a rollback', async () => {
    const log = join(tmp.path, 'rollme.log');
    const result = await deploy({ model: 'rollme', version: 'previous', alias: 'production' }, log, {
      GITHUB_RUN_ID: '9911',
    });
    expect(result.code, result.stdout).toBe(0);
    expect(result.outputs).toMatchObject({ version: '1', 'previous-version': '2', status: 'deployed' });
    expect(logLines(log)).toEqual(['1 100 rollme weights 1']);
    const { aliasVersion: rollmeAlias, events: history } = await stateOf('rollme', 'production');
    expect(rollmeAlias).toBe(1);
    expect(history.at(-2)).toMatchObject({ type: 'alias-set', alias: 'production', version: 1, previous: 2 });
    expect(history.at(-1)).toMatchObject({ type: 'rolled-back', version: 1, from: 2, environment: 'production' });
    expect(result.summary).toContain('Rolled back to rollme v1 to production');
    const { statuses } = deploymentOf(result.outputs['deployment-id']);
    expect(statuses.map((s) => [s.state, s.description])).toEqual([
      ['in_progress', 'Rolling production back to rollme v1'],
      ['success', 'rollme v1 deployed to production'],
    ]);

    // The same rollback re-run (attempt 2, or run again): previous is before the last move that was
    // not itself a rollback, so it stays on v1 instead of flipping back to the bad v2.
    const again = await deploy({ model: 'rollme', version: 'previous', alias: 'production' }, log, {
      GITHUB_RUN_ID: '9911',
      GITHUB_RUN_ATTEMPT: '2',
    });
    expect(again.code, again.stdout).toBe(0);
    expect(logLines(log)).toEqual(['1 100 rollme weights 1', '1 100 rollme weights 1']);
    expect(await aliasVersion('rollme', 'production')).toBe(1);
  });

  it('with no previous version a failure moves nothing', async () => {
    const log = join(tmp.path, 'solo.log');
    const result = await deploy({ model: 'solo', version: 'v1', 'promote-to': 'production' }, log, {
      FAIL_VERSION: '1',
    });
    expect(result.code).toBe(1);
    expect(result.outputs).toMatchObject({ version: '1', status: 'failed', 'rolled-back': 'false' });
    expect(result.outputs['previous-version']).toBeUndefined();
    expect(logLines(log)).toEqual(['1 100 solo weights 1']);
    const soloState = await stateOf('solo', 'production');
    expect(soloState.aliasVersion).toBeUndefined();
    expect(soloState.events.map((e) => e.type)).toEqual(['registered']);
    const { statuses } = deploymentOf(result.outputs['deployment-id']);
    expect(statuses.at(-1)).toMatchObject({ state: 'failure' });
    expect(result.annotations.filter((a) => a.level === 'error').at(-1)?.message).toContain(
      'alias "production" has no previous version to go back to',
    );
  });

  it('a token without deployments: write is told so, before any command runs', async () => {
    const log = join(tmp.path, 'perm.log');
    const result = await runBundle('deploy', {
      ...github(),
      token: READ_ONLY_TOKEN,
      inputs: { model: 'perm', alias: 'staging', environment: 'staging', run: RUN },
      env: { DEPLOY_LOG: log, MLOPS_RETRY_BASE_MS: '1', ...noIdentity },
    });
    expect(result.code).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^GitHub API: creating a deployment to staging failed \(HTTP 403\): .*needs the deployments: write permission/,
    );
    expect(logLines(log)).toEqual([]);
  });

  it('a deploy whose alias another deploy moved meanwhile fails and serves what the alias names', async () => {
    const log = join(tmp.path, 'race.log');
    const go = join(tmp.path, 'race.go');
    // A (v2) passes its run, then its smoke test waits until B (v3) has deployed and committed.
    const first = deploy(
      {
        model: 'race',
        version: 'v2',
        'promote-to': 'staging',
        'smoke-test': waitForGo('[ "$MLOPS_MODEL_VERSION" = 2 ]'),
      },
      log,
      { GO: go },
    );
    await untilLogged(log, '2 100 race weights 2');
    const second = await deploy({ model: 'race', version: 'v3', 'promote-to': 'staging' }, log);
    expect(second.code, second.stdout).toBe(0);
    writeFiles(tmp.path, { 'race.go': '' });
    const a = await first;
    expect(a.code, a.stdout).toBe(1);
    const errors = a.annotations.filter((x) => x.level === 'error').map((x) => x.message);
    expect(errors).toEqual([
      'deploy race v2 to staging failed: another deploy moved alias "staging" to v3 while this one ran; rolled back to v3. Alias "staging" was not moved.',
    ]);
    // v3 serves again after A's v2, and the alias says v3: the registry names what serves.
    expect(logLines(log)).toEqual(['2 100 race weights 2', '3 100 race weights 3', '3 100 race weights 3']);
    const raceState = await stateOf('race', 'staging');
    expect(raceState.aliasVersion).toBe(3);
    expect(raceState.events.at(-1)).toMatchObject({ type: 'rolled-back', version: 3, from: 2 });
    expect(deploymentOf(a.outputs['deployment-id']).statuses.at(-1)?.state).toBe('failure');
  });

  it('a stage status or a release GitHub cannot update is a warning: the rollout goes on and deploys', async () => {
    const log = join(tmp.path, 'flaky.log');
    const go = join(tmp.path, 'flaky.go');
    const running = deploy(
      {
        model: 'flaky',
        version: 'v2',
        'promote-to': 'production',
        traffic: '10,100',
        run: `${RUN}; ${waitForGo('[ "$MLOPS_TRAFFIC_PERCENT" = 10 ]')}`,
      },
      log,
      { GO: go },
    );
    await untilLogged(log, '2 10 flaky weights 2');
    // The stage-1 status answers 500 on every attempt (the client tries 5 times).
    gh.faults.inject({ method: 'POST', path: /\/deployments\/\d+\/statuses$/, status: 500, times: 5 });
    // And the production release cannot be edited at all (after the registry commit).
    gh.faults.inject({ method: 'PATCH', path: /\/releases\/\d+$/, status: 500 });
    writeFiles(tmp.path, { 'flaky.go': '' });
    const result = await running;
    expect(result.code, result.stdout).toBe(0);
    expect(result.outputs).toMatchObject({ status: 'deployed', 'rolled-back': 'false' });
    expect(logLines(log)).toEqual(['2 10 flaky weights 2', '2 100 flaky weights 2']);
    const flakyState = await stateOf('flaky', 'production');
    expect(flakyState.aliasVersion).toBe(2);
    expect(flakyState.events.filter((e) => e.type === 'deployed')).toHaveLength(1);
    const warnings = result.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^GitHub deployment \d+: the status "Deploying v2: stage 1\/2 \(10% traffic\) passed" was not recorded: .*HTTP 500/,
      ),
      expect.stringMatching(
        /^flaky v2 is deployed and "production" names it, but its GitHub release was not updated: /,
      ),
    ]);
    const { statuses } = deploymentOf(result.outputs['deployment-id']);
    expect(statuses.map((s) => s.state)).toEqual(['in_progress', 'in_progress', 'success']);
  });

  it('a cancelled job (SIGTERM in a stage wait, or during a command) ends the deployment in error once, no rollback', async () => {
    const log = join(tmp.path, 'stop.log');
    const stopStatuses = (id: number | undefined) =>
      gh.state.deploymentStatuses.filter((s) => s.deploymentId === id).map((s) => s.state);
    const latestStop = () =>
      gh.state.deployments.filter((d) => (d.payload as { model?: string }).model === 'stop').at(-1);
    // The runner cancels the job while the deploy waits between stages: $PPID is the action's node.
    const waiting = await deploy(
      {
        model: 'stop',
        version: 'v2',
        'promote-to': 'production',
        traffic: '10,100',
        'stage-wait-seconds': '30',
        run: `${RUN}; (sleep 2; kill -TERM $PPID) >/dev/null 2>&1 &`,
      },
      log,
    );
    expect(waiting.code).not.toBe(0);
    expect(logLines(log)).toEqual(['2 10 stop weights 2']);
    expect(stopStatuses(latestStop()?.id)).toEqual(['in_progress', 'in_progress', 'error']);
    expect(waiting.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      expect.stringMatching(/^deploy stop v2 to production cancelled \(SIGTERM\) after stage 1\/2 \(10% traffic\)/),
    ]);
    // Cancelled while the command runs: the kill is no failure to roll back from.
    const killed = await deploy(
      { model: 'stop', version: 'v2', 'promote-to': 'production', run: `${RUN}; kill -TERM $PPID; sleep 30` },
      log,
    );
    expect(killed.code).not.toBe(0);
    expect(logLines(log)).toEqual(['2 10 stop weights 2', '2 100 stop weights 2']);
    expect(stopStatuses(latestStop()?.id)).toEqual(['in_progress', 'error']);
    expect(await aliasVersion('stop', 'production')).toBe(1);
  });

  it('a failed redeploy of the version the alias names rolls back and moves the alias to what serves', async () => {
    const log = join(tmp.path, 'redo.log');
    // As the template does: register moved staging to v2, then deploy v2 with promote-to staging.
    const result = await deploy({ model: 'redo', version: 'v2', 'promote-to': 'staging' }, log, { FAIL_VERSION: '2' });
    expect(result.code).toBe(1);
    expect(result.outputs).toMatchObject({ status: 'rolled-back', 'previous-version': '1' });
    expect(logLines(log)).toEqual(['2 100 redo weights 2', '1 100 redo weights 1']);
    const { aliasVersion: redoAlias, events: history } = await stateOf('redo', 'staging');
    expect(redoAlias).toBe(1);
    expect(history.at(-2)).toMatchObject({ type: 'alias-set', alias: 'staging', version: 1, previous: 2 });
    expect(history.at(-1)).toMatchObject({ type: 'rolled-back', version: 1, from: 2 });
    expect(result.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      'deploy redo v2 to staging failed: smoke-test exited with code 1; rolled back to v1. Alias "staging" moved back to v1.',
    ]);

    // A deprecated version is refused before anything is downloaded or run when an alias would move.
    await registerVersions('redo', [{ bytes: 'redo weights 3\n' }]);
    const deprecated = await runCliBundle(['registry', 'deprecate', 'redo', 'v3'], { cwd: work, env: noIdentity });
    expect(deprecated.code, deprecated.stderr).toBe(0);
    const refused = await deploy({ model: 'redo', version: 'v3', 'promote-to': 'staging' }, log);
    expect(refused.code).toBe(1);
    expect(refused.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      'redo v3 is deprecated: promote-to "staging" cannot point at a deprecated version (nothing was downloaded or deployed).',
    ]);
    expect(logLines(log)).toHaveLength(2);
    expect(await aliasVersion('redo', 'staging')).toBe(1);
  });
});

describe('mlops deploy in local mode', { timeout: TIMEOUT }, () => {
  it('mlops deploy --model m --version v2 deploys v2, with no GitHub deployment', async () => {
    const local = makeTempDir('mlops-deploy-local-');
    try {
      const repo = createRepo(local.path, 'laptop');
      const env = { ...noIdentity, GITHUB_TOKEN: '', GH_TOKEN: '', DEPLOY_LOG: join(local.path, 'deploy.log') };
      // v1 only needs to exist (seeded in the test process, in the local store); v2 is registered
      // as on a laptop, through the CLI.
      await seedVersions({ workspace: repo, model: 'm', versions: [{ bytes: 'laptop weights 1\n' }] });
      writeFiles(repo, { 'model.bin': 'laptop weights 2\n' });
      const registered = await runCliBundle(['register', '--model', 'm', '--path', 'model.bin'], { cwd: repo, env });
      expect(registered.code, registered.stderr).toBe(0);
      const result = await runCliBundle(
        [
          'deploy',
          '--model',
          'm',
          '--version',
          'v2',
          '--promote-to',
          'staging',
          '--run',
          RUN,
          '--smoke-test',
          SMOKE,
          '--json',
        ],
        { cwd: repo, env },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ version: 2, status: 'deployed', 'rolled-back': false });
      expect(result.stderr).toContain('Local mode: no GitHub deployment');
      expect(readFileSync(join(local.path, 'deploy.log'), 'utf8')).toBe('2 100 laptop weights 2\n');
      const show = await runCliBundle(['registry', 'show', 'm@staging', '--json'], { cwd: repo, env });
      expect((JSON.parse(show.stdout) as { version: number }).version).toBe(2);
    } finally {
      local.cleanup();
    }
  });
});
