/**
 * register in GitHub mode: the built bundle against the GitHub API double (releases and assets)
 * and a bare git remote for the registry branch.
 */
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN, startGitHubDouble, type GitHubDouble } from '../support/github-double/index.js';
import { createBareRemote, createRepo, gitIn, makeTempDir, writeFiles } from '../support/git.js';
import { runBundle, runCliBundle } from '../support/runner.js';
import { KILL_TEST_TIMEOUT_MS } from '../support/timeouts.js';

const tmp = makeTempDir('mlops-registry-gh-');
let gh: GitHubDouble;
let remote: string;
let work: string;
const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const noIdentity = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', HOME: tmp.path };

beforeAll(async () => {
  gh = await startGitHubDouble();
  remote = createBareRemote(tmp.path);
  work = createRepo(tmp.path, 'work', remote, { 'README.md': '# x\n', 'model.bin': 'weights v1\n' });
  gh.state.ensureTag('base', gitIn(work, 'rev-parse', 'HEAD'));
});
afterEach(() => gh.faults.clear());
afterAll(async () => {
  await gh.close();
  tmp.cleanup();
});

function register(inputs: Record<string, string>, runId: string, env: Record<string, string> = {}) {
  return runBundle('register', {
    workspace: work,
    token: DEFAULT_TOKEN,
    apiUrl: gh.url,
    serverUrl: gh.serverUrl,
    repository: `${gh.owner}/${gh.repo}`,
    sha: gitIn(work, 'rev-parse', 'HEAD'),
    inputs: { model: 'iris', path: 'model.bin', ...inputs },
    env: { GITHUB_RUN_ID: runId, ...noIdentity, ...env },
  });
}

/** A file of the registry branch as pushed to the remote, parsed: what any clone would read. */
function registryJson<T>(file: string): T {
  return JSON.parse(gitIn(remote, 'show', `mlops-registry:${file}`)) as T;
}

/** `model`'s event log on the pushed registry branch. */
function registryEvents(model: string): Array<{ type: string }> {
  return gitIn(remote, 'show', `mlops-registry:models/${model}/events/000001.jsonl`)
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string });
}

function published() {
  return gh.state.releases.filter((r) => !r.draft);
}

describe('register in GitHub mode', { timeout: KILL_TEST_TIMEOUT_MS }, () => {
  it('uploads the model as a prerelease asset of <model>/v<N> with lineage in the body', async () => {
    writeFiles(work, { 'metrics.json': JSON.stringify({ accuracy: 0.93, loss: { val: 0.2 } }) });
    const result = await register({ metrics: 'metrics.json', description: 'first model' }, '9001');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.outputs).toMatchObject({ version: '1', tag: 'iris/v1', sha256: sha('weights v1\n') });
    const [release] = published();
    expect(release).toMatchObject({ tagName: 'iris/v1', name: 'iris v1', draft: false, prerelease: true });
    expect(release!.body).toContain(`| sha256 | \`${sha('weights v1\n')}\` |`);
    expect(release!.body).toContain('| accuracy | 0.93 |');
    expect(release!.body).toContain('| loss.val | 0.2 |');
    expect(release!.body).toContain('first model');
    const assets = gh.state.assets.filter((a) => a.releaseId === release!.id);
    expect(assets.map((a) => [a.name, a.data.toString()])).toEqual([['model.bin', 'weights v1\n']]);
    expect(result.outputs['release-url']).toBe(`${gh.serverUrl}/${gh.owner}/${gh.repo}/releases/tag/iris%2Fv1`);
    // The asset URL serves the registered bytes.
    const download = await fetch(result.outputs['asset-url']!);
    expect(sha(Buffer.from(await download.arrayBuffer()))).toBe(result.outputs.sha256);
    expect(result.summary).toContain('### Registered iris v1');
    // The registry records where the asset is: v1's record on the pushed branch.
    const record = registryJson<{
      versions: Array<{ artifact: { release: { tag: string; id: number }; location: string }; description: string }>;
    }>('models/iris/versions/000001.json').versions[0]!;
    expect(record.artifact.release).toMatchObject({ tag: 'iris/v1', id: release!.id });
    expect(record.artifact.location).toBe(`${gh.url}/repos/${gh.owner}/${gh.repo}/releases/assets/${assets[0]!.id}`);
    expect(record.description).toBe('first model');
  });

  it('publishes a full release when registered as production, and set-alias production promotes a prerelease', async () => {
    writeFiles(work, { 'model.bin': 'weights v2\n' });
    const result = await register({ alias: 'production' }, '9002');
    expect(result.code, result.stdout).toBe(0);
    expect(published().find((r) => r.tagName === 'iris/v2')).toMatchObject({ prerelease: false });
    expect(published().find((r) => r.tagName === 'iris/v1')).toMatchObject({ prerelease: true });

    const moved = await runCliBundle(['registry', 'set-alias', 'iris', 'production', 'v1'], {
      cwd: work,
      env: { ...noIdentity, GITHUB_TOKEN: '', GH_TOKEN: '' },
    });
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toBe('iris@production -> v1 (was v2)\n');
    expect(moved.stderr).toContain("iris v1's release iris/v1 stays as it is: no GitHub token");
    expect(published().find((r) => r.tagName === 'iris/v1')).toMatchObject({ prerelease: true });
    // Running it again with a token finishes the promotion, though the alias is already there.
    const promotedAfter = gh.requests.length;
    const promote = await runCliBundle(['registry', 'set-alias', 'iris', 'production', 'v1', '--json'], {
      cwd: work,
      env: {
        ...noIdentity,
        GITHUB_TOKEN: DEFAULT_TOKEN,
        GITHUB_API_URL: gh.url,
        GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
      },
    });
    expect(promote.code, promote.stderr).toBe(0);
    expect(JSON.parse(promote.stdout)).toMatchObject({ changed: false, releaseUpdated: true });
    expect(published().find((r) => r.tagName === 'iris/v1')).toMatchObject({ prerelease: false });
    // GitHub's make_latest defaults to true: a promotion must not make the model release the repository's Latest.
    const v1 = published().find((r) => r.tagName === 'iris/v1')!;
    const promotions = gh.requests
      .slice(promotedAfter)
      .filter((r) => r.method === 'PATCH' && r.path.endsWith(`/releases/${v1.id}`));
    expect(promotions.map((r) => r.body)).toEqual([{ prerelease: false, make_latest: 'false' }]);
  });

  it('returns the same version and release for a retried register of the same run attempt', async () => {
    const before = gh.state.releases.length;
    const again = await register({ alias: 'production' }, '9002');
    expect(again.code, again.stdout).toBe(0);
    expect(again.outputs).toMatchObject({ version: '2', tag: 'iris/v2' });
    expect(gh.state.releases.length).toBe(before);
  });

  it('registers nothing when the upload fails, and deletes the draft', async () => {
    writeFiles(work, { 'model.bin': 'weights v3\n' });
    const before = gh.state.releases.length;
    gh.faults.inject({ status: 422, path: /\/assets$/, method: 'POST' });
    const result = await register({}, '9003');
    expect(result.code).toBe(1);
    expect(result.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /^GitHub API: uploading model.bin to release \d+ failed \(HTTP 422\)/,
    );
    expect(gh.state.releases.length).toBe(before);
    expect(registryEvents('iris').map((e) => e.type)).toEqual(['registered', 'registered', 'alias-set', 'alias-set']);
  });

  it('deletes the orphan release when the registry write fails after the upload', async () => {
    const hook = join(remote, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "registry is frozen" >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    try {
      const before = gh.state.releases.length;
      const result = await register({}, '9004');
      expect(result.code).toBe(1);
      expect(result.annotations.find((a) => a.level === 'error')?.message).toContain(
        'Cannot push the registry branch mlops-registry to origin',
      );
      expect(result.stdout).toContain('Deleted the draft release');
      expect(gh.state.releases.length).toBe(before);
      expect(
        gh.requests.some((r) => r.method === 'DELETE' && /\/releases\/\d+$/.test(r.path) && r.status === 204),
      ).toBe(true);
    } finally {
      rmSync(hook);
    }
  });

  it('leaves only an invisible draft when killed between upload and registry write', async () => {
    const before = published().length;
    const crashed = await register({}, '9005', { MLOPS_TEST_CRASH_AFTER_UPLOAD: '1' });
    expect(crashed.code).toBeNull();
    expect(published().length).toBe(before);
    const drafts = gh.state.releases.filter((r) => r.draft);
    expect(drafts.map((r) => r.tagName)).toEqual([expect.stringMatching(/^mlops-staging\/iris\//)]);
    // The pushed branch still ends at v2.
    expect(registryJson<{ models: Record<string, object> }>('index.json').models.iris).toMatchObject({
      latestVersion: 2,
    });
    // The next registration is v3: no gap.
    const next = await register({}, '9006');
    expect(next.outputs.version).toBe('3');
  });

  it('packages a folder as a deterministic tar.gz asset', async () => {
    writeFiles(work, {
      'model-dir/weights.bin': Buffer.from([0, 1, 2, 3]),
      'model-dir/config/params.json': '{"depth": 3}\n',
    });
    const first = await register({ path: 'model-dir', model: 'forest' }, '9007');
    expect(first.code, first.stdout).toBe(0);
    const again = await register({ path: 'model-dir', model: 'forest' }, '9008');
    expect(again.outputs.sha256).toBe(first.outputs.sha256);
    const release = published().find((r) => r.tagName === 'forest/v1')!;
    const asset = gh.state.assets.find((a) => a.releaseId === release.id)!;
    expect(asset.name).toBe('model-dir.tar.gz');
    expect(sha(asset.data)).toBe(first.outputs.sha256);
    expect(readFileSync(join(work, 'model-dir/weights.bin')).length).toBe(4);
  });
});
