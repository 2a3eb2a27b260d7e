/**
 * The registry operations deploy and drift-check build on (src/adapters/registry: promoteAlias,
 * recordDeployEvent, setProductionRelease, readVersionProfile) against a bare git remote and the
 * GitHub API double. The versions the promotions work on are seeded in the test process
 * (test/support/registry-seed.ts); registrations with a profile and concurrent promotions go
 * through the built bundles, and the state they leave is read in the test process
 * (test/support/registry-read.ts) where the test is not about the CLI's output.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aliasHistory,
  aliasState,
  promoteAlias,
  readVersionProfile,
  recordDeployEvent,
  setProductionRelease,
  type RegistryAccessOptions,
} from '../../src/adapters/registry/index.js';
import { memoryLogger } from '../../src/core/logger.js';
import type { RegistryEvent } from '../../src/core/registry/documents.js';
import { DEFAULT_TOKEN, startGitHubDouble, type GitHubDouble } from '../support/github-double/index.js';
import {
  cloneRepo,
  createBareRemote,
  createRepo,
  editRegistryBranch,
  gitIn,
  makeTempDir,
  writeFiles,
} from '../support/git.js';
import { readRegistry } from '../support/registry-read.js';
import { seedVersions } from '../support/registry-seed.js';
import { runBundle, runCliBundle } from '../support/runner.js';

const tmp = makeTempDir('mlops-registry-deploy-ops-');
let gh: GitHubDouble;
let remote: string;
let work: string;
/** The clone the registry operations run in: each fetches the branch first, as a deploy's checkout does. */
let ops: string;
let clones = 0;
const noIdentity = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', HOME: tmp.path };
const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

beforeAll(async () => {
  gh = await startGitHubDouble();
  remote = createBareRemote(tmp.path);
  work = createRepo(tmp.path, 'work', remote, { 'README.md': '# x\n' });
  ops = cloneRepo(remote, tmp.path, 'ops');
});
afterAll(async () => {
  await gh.close();
  tmp.cleanup();
});

async function register(inputs: Record<string, string>, runId: string) {
  const result = await runBundle('register', {
    workspace: work,
    token: DEFAULT_TOKEN,
    apiUrl: gh.url,
    serverUrl: gh.serverUrl,
    repository: `${gh.owner}/${gh.repo}`,
    sha: gitIn(work, 'rev-parse', 'HEAD'),
    inputs,
    env: { GITHUB_RUN_ID: runId, ...noIdentity },
  });
  return result;
}

/** Where a clone (by default `ops`, which other writers have moved past) finds the registry, with the configured GitHub. */
function access(cwd: string = ops): RegistryAccessOptions {
  return {
    cwd,
    branch: 'mlops-registry',
    remote: 'origin',
    log: memoryLogger(),
    token: DEFAULT_TOKEN,
    apiUrl: gh.url,
    serverUrl: gh.serverUrl,
    repository: { owner: gh.owner, repo: gh.repo },
    retryBaseMs: 1,
  };
}

/** The model's events, as `mlops registry history <model> --json` lists them, read in the test process. */
async function history(model: string): Promise<RegistryEvent[]> {
  return (await (await readRegistry({ cwd: work })).history(model)).map((entry) => entry.event);
}

const release = (tag: string) => gh.state.releases.find((r) => r.tagName === tag && !r.draft)!;

describe('deploy registry operations', () => {
  it('promotes production, making the new release a full release and the old one a prerelease again', async () => {
    await seedVersions({
      workspace: work,
      gh,
      model: 'churn',
      versions: [{ bytes: 'one\n' }, { bytes: 'two\n' }],
      commit: gitIn(work, 'rev-parse', 'HEAD'),
    });
    expect(release('churn/v1').prerelease).toBe(true);
    const runUrl = `${gh.serverUrl}/${gh.owner}/${gh.repo}/actions/runs/42`;
    const first = await promoteAlias({
      ...access(),
      model: 'churn',
      alias: 'production',
      version: 1,
      reason: 'deploy',
      environment: 'production',
      runUrl,
      actor: 'alice',
    });
    expect(first).toMatchObject({ changed: true, releases: { promoted: 'churn/v1' } });
    expect(first.previousVersion).toBeUndefined();
    expect(release('churn/v1').prerelease).toBe(false);
    expect(release('churn/v2').prerelease).toBe(true);

    const second = await promoteAlias({
      ...access(),
      model: 'churn',
      alias: 'production',
      version: 2,
      reason: 'deploy',
      environment: 'production',
      runUrl,
      actor: 'bob',
    });
    expect(second).toMatchObject({
      previousVersion: 1,
      changed: true,
      releases: { promoted: 'churn/v2', demoted: 'churn/v1' },
    });
    expect(release('churn/v2').prerelease).toBe(false);
    expect(release('churn/v1').prerelease).toBe(true);

    // The first promote's release update arriving late (after the second) changes nothing:
    // production names v2, so v1's release is not made the full release again.
    const late = await setProductionRelease({ ...access(), model: 'churn', version: 1 });
    expect(late.promoted).toBeUndefined();
    expect(late.skipped).toBe('no production alias names churn v1 any more (a later promote moved it)');
    expect(release('churn/v1').prerelease).toBe(true);
    expect(release('churn/v2').prerelease).toBe(false);
  });

  it('keeps the previous version, actor, run and environment in the log, and finishes releases when promoted again', async () => {
    const runUrl = `${gh.serverUrl}/${gh.owner}/${gh.repo}/actions/runs/42`;
    const moves = (await history('churn')).filter((e) => e.type === 'alias-set');
    expect(moves.map((e) => ({ ...e, id: undefined, time: undefined, sha256: undefined }))).toEqual([
      expect.objectContaining({ version: 1, alias: 'production', actor: 'alice', reason: 'deploy', runUrl }),
      expect.objectContaining({
        version: 2,
        alias: 'production',
        previous: 1,
        actor: 'bob',
        reason: 'deploy',
        environment: 'production',
        runUrl,
      }),
    ]);
    expect(moves[0]).not.toHaveProperty('previous');
    const human = await runCliBundle(['registry', 'history', 'churn', '--alias', 'production'], {
      cwd: work,
      env: noIdentity,
    });
    expect(human.stdout).toContain('production -> v2 (was v1), deploy in production');
    const state = await aliasState({ ...access(), model: 'churn', alias: 'production' });
    expect(state).toMatchObject({ version: 2, previous: 1 });
    expect((await aliasHistory({ ...access(), model: 'churn', alias: 'production' })).map((e) => e.version)).toEqual([
      1, 2,
    ]);
    // Promoting to where it is changes nothing and finishes the releases.
    release('churn/v2').prerelease = true;
    const again = await promoteAlias({ ...access(), model: 'churn', alias: 'production', version: 2 });
    expect(again).toMatchObject({ changed: false, previousVersion: 2, releases: { promoted: 'churn/v2' } });
    expect(again.releases?.demoted).toBeUndefined();
    expect(release('churn/v2').prerelease).toBe(false);
    expect(gh.validationErrors).toEqual([]);
  });

  it('records deployed and rolled-back events with environment, deployment and run', async () => {
    const runUrl = `${gh.serverUrl}/${gh.owner}/${gh.repo}/actions/runs/43`;
    const deployed = await recordDeployEvent({
      ...access(),
      model: 'churn',
      version: 2,
      event: 'deployed',
      environment: 'staging',
      previousVersion: 1,
      deploymentId: 17,
      status: 'success',
      runUrl,
      actor: 'carol',
    });
    expect(deployed.event).toMatchObject({
      type: 'deployed',
      version: 2,
      environment: 'staging',
      previous: 1,
      deploymentId: '17',
      status: 'success',
      runUrl,
      actor: 'carol',
    });
    const rolledBack = await recordDeployEvent({
      ...access(),
      model: 'churn',
      version: 1,
      event: 'rolled-back',
      environment: 'staging',
      fromVersion: 2,
      deploymentId: 18,
      reason: 'smoke test failed',
      runUrl,
    });
    expect(rolledBack.event).toMatchObject({ type: 'rolled-back', version: 1, from: 2, deploymentId: '18', runUrl });
    const events = await history('churn');
    expect(events.slice(-2).map((e) => e.type)).toEqual(['deployed', 'rolled-back']);
    expect(events.at(-1)).toMatchObject({ reason: 'smoke test failed', environment: 'staging' });
    // The registry stays consistent (fsck replays the log, schema included).
    const fsck = await runCliBundle(['registry', 'fsck'], {
      cwd: cloneRepo(remote, tmp.path, `fsck-${++clones}`),
      env: {
        ...noIdentity,
        GITHUB_TOKEN: DEFAULT_TOKEN,
        GITHUB_API_URL: gh.url,
        GITHUB_SERVER_URL: gh.serverUrl,
        GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
      },
    });
    expect(fsck.stdout).toContain('No problems found.');
    expect(fsck.code, fsck.stdout).toBe(0);
  });

  it('leaves the releases alone and says why without a token', async () => {
    const log = memoryLogger();
    const result = await setProductionRelease({
      ...access(),
      log,
      token: undefined,
      model: 'churn',
      version: 2,
      previousVersion: 1,
    });
    expect(result.skipped).toBe('no GitHub token (github-token, --github-token or GITHUB_TOKEN)');
    expect(log.records.map((r) => r.message).join('\n')).toContain(
      "churn v1's release churn/v1 stays as it is: no GitHub token",
    );
  });
});

describe('concurrent promotions', () => {
  it('two processes promoting at once on one bare remote end with log and alias agreeing', async () => {
    const fork = cloneRepo(remote, tmp.path, `racer-${++clones}`);
    const other = cloneRepo(remote, tmp.path, `racer-${++clones}`);
    const env = { ...noIdentity, GITHUB_TOKEN: '', GH_TOKEN: '' };
    const [a, b] = await Promise.all([
      runCliBundle(['registry', 'set-alias', 'churn', 'canary', 'v1', '--json'], { cwd: fork, env }),
      runCliBundle(['registry', 'set-alias', 'churn', 'canary', 'v2', '--json'], { cwd: other, env }),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const results = [a, b].map(
      (r) => JSON.parse(r.stdout) as { version: number; previous: number | null; changed: boolean },
    );
    expect(results.every((r) => r.changed)).toBe(true);
    // One went first (previous null), the other saw it (previous = the first's version).
    const firstWriter = results.find((r) => r.previous === null)!;
    const secondWriter = results.find((r) => r.previous !== null)!;
    expect(secondWriter.previous).toBe(firstWriter.version);
    const events = await history('churn');
    const moves = events.filter((e) => e.type === 'alias-set' && e.alias === 'canary');
    expect(moves.map((e) => [e.version, (e as { previous?: number }).previous])).toEqual([
      [firstWriter.version, undefined],
      [secondWriter.version, firstWriter.version],
    ]);
    const state = await aliasState({ ...access(), model: 'churn', alias: 'canary' });
    expect(state).toMatchObject({ version: secondWriter.version, previous: firstWriter.version });
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });
});

describe('register profile and readVersionProfile', () => {
  const profile =
    JSON.stringify({ kind: 'mlops-drift-profile', columns: { age: { values: [1, 2, 3] } } }, null, 2) + '\n';

  it('stores the profile with the version on the branch and reads it back verified from a fresh clone', async () => {
    writeFiles(work, { 'model.bin': 'profiled\n', 'profile.json': profile });
    const registered = await register(
      { model: 'skew', path: 'model.bin', profile: 'profile.json', alias: 'production' },
      '8101',
    );
    expect(registered.code, registered.stdout + registered.stderr).toBe(0);
    const read = await readVersionProfile({
      ...access(cloneRepo(remote, tmp.path, `fresh-${++clones}`)),
      model: 'skew',
      alias: 'production',
    });
    expect(read).toMatchObject({ text: profile, model: 'skew', version: 1, sha256: sha(profile) });
    expect(read.file).toBe(
      'registry:skew@production (v1, models/skew/profiles/v1.json on branch mlops-registry of origin)',
    );
    expect((await readVersionProfile({ ...access(), model: 'skew', version: 1 })).text).toBe(profile);
    const show = await runCliBundle(['registry', 'show', 'skew@v1', '--json'], {
      cwd: cloneRepo(remote, tmp.path, `show-${++clones}`),
      env: noIdentity,
    });
    expect(JSON.parse(show.stdout)).toMatchObject({
      profile: { path: 'models/skew/profiles/v1.json', sha256: sha(profile), size: profile.length },
    });
  });

  it('refuses a version without a profile, a bad profile file, and a profile changed on the branch', async () => {
    await expect(readVersionProfile({ ...access(), model: 'churn', version: 1 })).rejects.toThrow(
      'registry:churn@v1 (v1) was registered without a drift profile; register it with `profile:` (mlops profile --profile-out), or give the reference data itself.',
    );
    writeFiles(work, { 'bad.json': '{"columns": [1, 2,,]}\n' });
    const bad = await register({ model: 'skew', path: 'model.bin', profile: 'bad.json' }, '8102');
    expect(bad.code).toBe(1);
    // The second comma, column 19, is where it stops being JSON.
    expect(bad.annotations.map((a) => a.message)).toEqual([
      'bad.json:1:19: Input "profile": invalid JSON: Unexpected token \',\'; a drift profile is the JSON `mlops profile --profile-out` writes.',
    ]);
    expect(gh.state.releases.filter((r) => r.tagName === 'skew/v2')).toEqual([]);

    editRegistryBranch(remote, tmp.path, `editor-${++clones}`, (dir) => {
      const file = join(dir, 'models/skew/profiles/v1.json');
      writeFileSync(file, readFileSync(file, 'utf8').replace('"age"', '"agE"'));
    });
    await expect(readVersionProfile({ ...access(), model: 'skew', alias: 'production' })).rejects.toThrow(
      /^registry:skew@production \(v1, models\/skew\/profiles\/v1\.json on branch mlops-registry of origin\): the stored profile has sha256 [0-9a-f]{64}, the version records [0-9a-f]{64}; it was changed after registration/,
    );
    const fsck = await runCliBundle(['registry', 'fsck'], {
      cwd: cloneRepo(remote, tmp.path, `fsck-${++clones}`),
      env: noIdentity,
    });
    expect(fsck.code).toBe(1);
    expect(fsck.stdout).toContain(
      `models/skew/profiles/v1.json: does not have the sha256 v1 records (${sha(profile)}); it was changed after registration`,
    );
  });
});
