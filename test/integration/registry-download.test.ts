/**
 * `mlops registry download` (downloadModelVersion) with the built CLI: the registered bytes from a
 * fresh clone (release assets through the GitHub API double; local-mode files committed with the
 * repository), verified against the registry before anything is left in --out; alias and
 * `previous` resolution.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN, startGitHubDouble, type GitHubDouble } from '../support/github-double/index.js';
import { cloneRepo, createBareRemote, createRepo, gitIn, makeTempDir, writeFiles } from '../support/git.js';
import { seedVersions } from '../support/registry-seed.js';
import { runBundle, runCliBundle } from '../support/runner.js';
import { RegistryRepository } from '../../src/adapters/registry/repository.js';
import { eventContext, registryTransaction } from '../../src/adapters/registry/transaction.js';
import { memoryLogger } from '../../src/core/logger.js';
import { setAlias } from '../../src/core/registry/operations.js';

const tmp = makeTempDir('mlops-registry-download-');
let gh: GitHubDouble;
let remote: string;
let work: string;
const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const noIdentity = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', HOME: tmp.path };
let clones = 0;

beforeAll(async () => {
  gh = await startGitHubDouble();
  remote = createBareRemote(tmp.path);
  work = createRepo(tmp.path, 'work', remote, { 'README.md': '# x\n' });
});
afterAll(async () => {
  await gh.close();
  tmp.cleanup();
});

/** register in GitHub mode, as a workflow step. */
async function registerRelease(inputs: Record<string, string>, runId: string) {
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
  expect(result.code, result.stdout + result.stderr).toBe(0);
  return result;
}

const githubEnv = () => ({
  ...noIdentity,
  GITHUB_TOKEN: DEFAULT_TOKEN,
  GITHUB_API_URL: gh.url,
  GITHUB_SERVER_URL: gh.serverUrl,
  GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
});

function freshClone(): string {
  return cloneRepo(remote, tmp.path, `clone-${++clones}`);
}

function download(cwd: string, args: string[], env: Record<string, string> = githubEnv()) {
  return runCliBundle(['registry', 'download', ...args], { cwd, env });
}

describe('mlops registry download', () => {
  it('gets the registered bytes of a file model from a fresh clone (GitHub mode), verified', async () => {
    writeFiles(work, { 'model.bin': Buffer.from([0, 1, 2, 255, 10, 13, 10]) });
    const registered = await registerRelease({ model: 'iris', path: 'model.bin', alias: 'staging' }, '7001');
    const clone = freshClone();
    const result = await download(clone, ['--model', 'iris', '--version', 'v1', '--out', 'fetched', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      model: 'iris',
      version: 1,
      sha256: registered.outputs.sha256,
      bytes: 7,
      kind: 'file',
      source: 'release',
      file: join(clone, 'fetched', 'model.bin'),
      path: join(clone, 'fetched', 'model.bin'),
      release: { tag: 'iris/v1' },
    });
    expect(sha(readFileSync(join(clone, 'fetched', 'model.bin')))).toBe(registered.outputs.sha256);
    expect(readdirSync(join(clone, 'fetched'))).toEqual(['model.bin']);
    // The human summary says what, where and that it was verified.
    const human = await download(clone, ['--model', 'iris', '--alias', 'staging', '--out', 'again']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('Downloaded iris v1 (@staging)\n');
    expect(human.stdout).toContain(`sha256  ${registered.outputs.sha256} (verified)`);
    expect(human.stdout).toContain(`file    ${join(clone, 'again', 'model.bin')} (7 bytes)`);
    // The token went to the configured API only; the bytes came from the storage redirect.
    const assetRequests = gh.requests.filter((r) => r.operationId === 'repos/get-release-asset');
    expect(assetRequests.length).toBeGreaterThanOrEqual(2);
    expect(gh.validationErrors).toEqual([]);
  });

  it('unpacks a directory model beside its verified tar.gz, file for file', async () => {
    writeFiles(work, {
      'model/weights.bin': Buffer.from('w'.repeat(3000)),
      'model/config/params.json': '{"depth": 3}\n',
      'model/run.sh': '#!/bin/sh\necho hi\n',
    });
    const registered = await registerRelease({ model: 'forest', path: 'model' }, '7002');
    const clone = freshClone();
    const result = await download(clone, ['--model', 'forest', '--version', '1', '--out', 'out', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { file: string; path: string; kind: string; sha256: string };
    expect(json).toMatchObject({
      kind: 'directory',
      file: join(clone, 'out', 'model.tar.gz'),
      path: join(clone, 'out', 'model'),
    });
    expect(sha(readFileSync(json.file))).toBe(registered.outputs.sha256);
    for (const file of ['weights.bin', 'config/params.json', 'run.sh']) {
      expect(readFileSync(join(json.path, file)), file).toEqual(readFileSync(join(work, 'model', file)));
    }
  });

  it('refuses a release asset whose bytes differ from the registry, leaving nothing in --out', async () => {
    await seedVersions({ workspace: work, model: 'tampered', versions: [{ bytes: 'honest weights\n' }], gh });
    const release = gh.state.releases.find((r) => r.tagName === 'tampered/v1')!;
    const asset = gh.state.assets.find((a) => a.releaseId === release.id)!;
    asset.data = Buffer.from('evil!! weights\n'); // same size, other bytes
    const clone = freshClone();
    const result = await download(clone, ['--model', 'tampered', '--version', 'v1', '--out', 'out/a/b']);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines[lines.length - 1]).toBe(
      `mlops: error: tampered v1: the release asset model.bin (tampered/v1) does not match the registry: ` +
        `expected 15 bytes with sha256 ${sha('honest weights\n')}, got 15 bytes with sha256 ${sha('evil!! weights\n')}; ` +
        'refusing it (nothing was written).',
    );
    expect(existsSync(join(clone, 'out'))).toBe(false);
    // A missing asset is one clear line too.
    gh.state.assets.splice(gh.state.assets.indexOf(asset), 1);
    const gone = await download(clone, ['--model', 'tampered', '--version', 'v1', '--out', 'out']);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain(`mlops: error: tampered v1: its release asset ${asset.id} no longer exists`);
    expect(existsSync(join(clone, 'out'))).toBe(false);
  });

  it('names what is missing to fetch a release asset without a token', async () => {
    const clone = freshClone();
    const result = await download(clone, ['--model', 'iris', '--version', 'v1'], { ...noIdentity, GITHUB_TOKEN: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'mlops: error: iris v1 is a release asset (iris/v1) and cannot be downloaded: no GitHub token (github-token, --github-token or GITHUB_TOKEN).\n',
    );
  });

  it('resolves an alias, and previous: the version the alias pointed at before its latest move', async () => {
    await seedVersions({ workspace: work, model: 'churn', versions: [{ bytes: 'a\n' }, { bytes: 'b\n' }], gh });
    // v2, then back to v1: previous is v2 (the version before the latest move), not v1 - 1.
    const repo = await RegistryRepository.open({
      cwd: work,
      branch: 'mlops-registry',
      remote: 'origin',
      log: memoryLogger(),
    });
    for (const version of [2, 1]) {
      await registryTransaction(repo, (docs) => setAlias(docs, 'churn', 'production', version, eventContext('test')), {
        message: () => `churn@production -> v${version}`,
      });
    }
    const clone = freshClone();
    let outs = 0;
    const fetched = async (args: string[]) => {
      // Each into a folder of its own: both versions' assets are named model.bin.
      const result = await download(clone, [...args, '--out', `out-${++outs}`, '--json']);
      expect(result.code, result.stderr).toBe(0);
      const json = JSON.parse(result.stdout) as { version: number; file: string; previous: boolean };
      return { version: json.version, bytes: readFileSync(json.file, 'utf8'), previous: json.previous };
    };
    expect(await fetched(['--model', 'churn', '--alias', 'production'])).toEqual({
      version: 1,
      bytes: 'a\n',
      previous: false,
    });
    expect(await fetched(['--model', 'churn', '--alias', 'production', '--version', 'previous'])).toEqual({
      version: 2,
      bytes: 'b\n',
      previous: true,
    });
  });

  it('names what does not exist: no previous version, alias or version; previous without an alias', async () => {
    const clone = freshClone();
    const noPrevious = await download(clone, ['--model', 'iris', '--alias', 'staging', '--version', 'previous']);
    expect(noPrevious.stderr).toMatch(
      /^mlops: error: iris@staging has no previous version: its latest move \(event 2, .*\) was its first, to v1\.\n$/,
    );
    const noAlias = await download(clone, ['--model', 'churn', '--alias', 'canary']);
    expect(noAlias.stderr).toBe('mlops: error: Model "churn" has no alias "canary" (its aliases: production).\n');
    const noVersion = await download(clone, ['--model', 'churn', '--version', 'v9']);
    expect(noVersion.stderr).toBe('mlops: error: Model "churn" has no version v9 (it has v1..v2).\n');
    const previousAlone = await download(clone, ['--model', 'churn', '--version', 'previous']);
    expect(previousAlone.code).toBe(2);
    expect(previousAlone.stderr).toContain('give the alias too');
  });

  it('never overwrites what is in --out', async () => {
    const clone = freshClone();
    writeFiles(clone, { 'out/model.bin': 'mine\n' });
    const result = await download(clone, ['--model', 'iris', '--version', 'v1', '--out', 'out']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `mlops: error: out: ${join(clone, 'out', 'model.bin')} already exists; remove it or download into another folder.\n`,
    );
    expect(readFileSync(join(clone, 'out', 'model.bin'), 'utf8')).toBe('mine\n');
    expect(readdirSync(join(clone, 'out'))).toEqual(['model.bin']);
  });

  it('without --out saves into the current directory under the asset name, as gh release download does; --clobber replaces', async () => {
    const clone = freshClone();
    const first = await download(clone, ['--model', 'iris', '--version', 'v1']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`file    ${join(clone, 'model.bin')} (7 bytes)`);
    expect(sha(readFileSync(join(clone, 'model.bin')))).toBe(sha(Buffer.from([0, 1, 2, 255, 10, 13, 10])));
    writeFileSync(join(clone, 'model.bin'), 'mine\n');
    const refused = await download(clone, ['--model', 'iris', '--version', 'v1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `mlops: error: ${join(clone, 'model.bin')} already exists; remove it, give --clobber to replace it, or --out <dir>.\n`,
    );
    expect(readFileSync(join(clone, 'model.bin'), 'utf8')).toBe('mine\n');
    const clobbered = await download(clone, ['--model', 'iris', '--version', 'v1', '--clobber', '--json']);
    expect(clobbered.code, clobbered.stderr).toBe(0);
    expect(JSON.parse(clobbered.stdout)).toMatchObject({ file: join(clone, 'model.bin') });
    expect(sha(readFileSync(join(clone, 'model.bin')))).toBe(sha(Buffer.from([0, 1, 2, 255, 10, 13, 10])));
    expect(readdirSync(clone).filter((name) => name.startsWith('.mlops-download-'))).toEqual([]);
  });

  it('two downloads racing into one --out: exactly one lands, the other says it already exists', async () => {
    const clone = freshClone();
    const results = await Promise.all([
      download(clone, ['--model', 'iris', '--version', 'v1', '--out', 'race']),
      download(clone, ['--model', 'iris', '--version', 'v1', '--out', 'race']),
    ]);
    expect(results.map((r) => r.code).sort()).toEqual([0, 2]);
    expect(results.find((r) => r.code === 2)?.stderr).toMatch(/race\/model\.bin already exists/);
    expect(readdirSync(join(clone, 'race'))).toEqual(['model.bin']);
  });
});

describe('mlops registry download in local mode', () => {
  const local = { ...noIdentity, GITHUB_TOKEN: '', GH_TOKEN: '' };

  it('refuses a version whose file name starts with "." with exit 2, writing nothing into the current directory', async () => {
    const dotRemote = createBareRemote(tmp.path, 'dots.git');
    const repo = createRepo(tmp.path, 'dots-work', dotRemote, { 'README.md': '# x\n' });
    await seedVersions({ workspace: repo, model: 'dotted', versions: [{ bytes: 'x\n' }], fileName: '.gitconfig' });
    const before = readdirSync(repo).sort();
    const result = await runCliBundle(['registry', 'download', '--model', 'dotted', '--version', 'v1'], {
      cwd: repo,
      env: local,
    });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(
      'mlops: error: dotted v1: the registry\'s record cannot be trusted: the file name ".gitconfig" starts with "." (run mlops registry fsck).',
    );
    expect(readdirSync(repo).sort()).toEqual(before);
  }, 120_000);

  it('gets the bytes of file and directory models from a fresh clone that has .mlops/artifacts, and refuses a changed file', async () => {
    const localRemote = createBareRemote(tmp.path, 'local.git');
    const repo = createRepo(tmp.path, 'local-work', localRemote, {
      'model.pkl': 'pickled\n',
      'bundle/a.txt': 'a\n',
      'bundle/sub/b.txt': 'b\n',
    });
    // The file model is seeded; the folder model goes through mlops register end to end.
    await seedVersions({ workspace: repo, model: 'pkl', versions: [{ bytes: 'pickled\n' }], fileName: 'model.pkl' });
    const registered = await runCliBundle(['register', '--model', 'bundle', '--path', 'bundle'], {
      cwd: repo,
      env: local,
    });
    expect(registered.code, registered.stderr).toBe(0);
    // Small local-mode models can live in the repository itself.
    gitIn(repo, 'add', '-f', '.mlops/artifacts');
    gitIn(repo, 'commit', '--quiet', '-m', 'models');
    gitIn(repo, 'push', '--quiet', 'origin', 'main');
    const clone = cloneRepo(localRemote, tmp.path, 'local-clone');
    const file = await runCliBundle(
      ['registry', 'download', '--model', 'pkl', '--version', 'v1', '--out', 'o', '--json'],
      {
        cwd: clone,
        env: local,
      },
    );
    expect(file.code, file.stderr).toBe(0);
    expect(JSON.parse(file.stdout)).toMatchObject({ source: 'local', sha256: sha('pickled\n'), bytes: 8 });
    expect(readFileSync(join(clone, 'o', 'model.pkl'), 'utf8')).toBe('pickled\n');
    const folder = await runCliBundle(['registry', 'download', '--model', 'bundle', '--version', 'v1', '--out', 'o'], {
      cwd: clone,
      env: local,
    });
    expect(folder.code, folder.stderr).toBe(0);
    expect(readFileSync(join(clone, 'o', 'bundle', 'sub', 'b.txt'), 'utf8')).toBe('b\n');
    expect(readFileSync(join(clone, 'o', 'bundle', 'a.txt'), 'utf8')).toBe('a\n');

    writeFileSync(join(clone, '.mlops/artifacts/pkl/v1/model.pkl'), 'pickleD\n');
    const changed = await runCliBundle(['registry', 'download', '--model', 'pkl', '--version', 'v1', '--out', 'new'], {
      cwd: clone,
      env: local,
    });
    expect(changed.code).toBe(2);
    expect(changed.stderr.split('\n').at(-2)).toBe(
      `mlops: error: pkl v1: the file .mlops/artifacts/pkl/v1/model.pkl does not match the registry: expected 8 bytes with sha256 ${sha('pickled\n')}, ` +
        `got 8 bytes with sha256 ${sha('pickleD\n')}; refusing it (nothing was written).`,
    );
    expect(existsSync(join(clone, 'new'))).toBe(false);
  });
});
