/**
 * The registry's git adapter and packaging against real repositories and files (no bundle):
 * compare-and-swap, credentials, deterministic tar.gz.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCatFileBatch } from '../../src/adapters/registry/git-tree.js';
import { packageArtifact } from '../../src/adapters/registry/package.js';
import { RegistryRepository } from '../../src/adapters/registry/repository.js';
import {
  backoffDelay,
  DEFAULT_RETRY,
  registryTransaction,
  registrySnapshot,
  eventContext,
  RegistryWriteUnknownError,
} from '../../src/adapters/registry/transaction.js';
import {
  localArtifactStore,
  releaseArtifactStore,
  type ModelArtifactStore,
} from '../../src/adapters/registry/artifacts.js';
import { registerModel } from '../../src/adapters/registry/register.js';
import type { GitHubClient } from '../../src/adapters/github/client.js';
import type { GitHubRelease } from '../../src/adapters/github/releases.js';
import { EnvironmentError } from '../../src/core/errors.js';
import { memoryLogger } from '../../src/core/logger.js';
import { registerVersion } from '../../src/core/registry/operations.js';
import { cloneRepo, createBareRemote, createRepo, gitIn, makeTempDir, writeFiles } from '../support/git.js';
import { copyClone, copyRemoteAndClone, copyRepo, type RemoteAndClone } from '../support/repo-copy.js';

const tmp = makeTempDir('mlops-registry-adapter-');
afterAll(() => tmp.cleanup());
const log = memoryLogger();

// Every test starts from a repository with one commit on main, alone or cloned from a bare
// remote: made once here, and copied per test (a copy costs no git process; making one costs 8).
let pairTemplate: RemoteAndClone;
let plainTemplate: string;
beforeAll(() => {
  const remote = createBareRemote(tmp.path, 'template.git');
  pairTemplate = { remote, work: createRepo(tmp.path, 'template-work', remote) };
  plainTemplate = createRepo(tmp.path, 'template-plain');
});
/** A bare remote with main and a clone of it: `createBareRemote` + `createRepo(…, remote)`. */
const remoteAndClone = (name: string) => copyRemoteAndClone(pairTemplate, tmp.path, name);
/** Another clone of a remote made by `remoteAndClone`. */
const secondClone = (remote: string, name: string) => copyClone(pairTemplate, remote, tmp.path, name);
/** A repository with one commit on main and no remote: `createRepo` alone. */
const plainRepo = (name: string) => copyRepo(plainTemplate, tmp.path, name);

const request = (n: number) => ({
  model: 'iris',
  sha256: String(n % 10).repeat(64),
  artifact: (version: number) => ({
    name: 'm',
    kind: 'file' as const,
    size: 1,
    location: `.mlops/artifacts/iris/v${version}/m`,
  }),
  metrics: {},
  lineage: {},
});

describe('git adapter', () => {
  it('parses git cat-file --batch output, binary-safe, with missing objects', () => {
    const body = Buffer.from([0x7b, 0x0a, 0x00, 0xff, 0x7d]);
    const output = Buffer.concat([
      Buffer.from(`${'a'.repeat(40)} blob ${body.length}\n`),
      body,
      Buffer.from('\nHEAD:nope missing\n'),
      Buffer.from(`${'b'.repeat(40)} blob 0\n\n`),
    ]);
    const parsed = parseCatFileBatch(output, 3);
    expect(parsed[0]).toEqual(body);
    expect(parsed[1]).toBeUndefined();
    expect(parsed[2]).toEqual(Buffer.alloc(0));
    expect(() => parseCatFileBatch(Buffer.from(''), 1)).toThrow('truncated output after 0 of 1 objects');
  });

  it('keeps backoff delays within the doubling ceiling', () => {
    expect(backoffDelay(1, DEFAULT_RETRY, () => 1)).toBe(100);
    expect(backoffDelay(4, DEFAULT_RETRY, () => 1)).toBe(800);
    expect(backoffDelay(30, DEFAULT_RETRY, () => 1)).toBe(3000);
    expect(backoffDelay(3, DEFAULT_RETRY, () => 0)).toBe(0);
  });

  it('retries on a rejected push with the re-applied operation, allocating the next version', async () => {
    const { remote, work: a } = remoteAndClone('cas-a');
    const b = secondClone(remote, 'cas-b');
    const repoA = await RegistryRepository.open({ cwd: a, branch: 'mlops-registry', remote: 'origin', log });
    const repoB = await RegistryRepository.open({ cwd: b, branch: 'mlops-registry', remote: 'origin', log });
    let attempts = 0;
    const outcome = await registryTransaction(
      repoA,
      async (docs) => {
        attempts++;
        if (attempts === 1) {
          // Another writer registers between our fetch and our push.
          await registryTransaction(repoB, (other) => registerVersion(other, request(1), eventContext('b')), {
            message: () => 'b',
          });
        }
        return registerVersion(docs, request(2), eventContext('a'));
      },
      { message: (r) => `a v${r.version}`, retry: { baseDelayMs: 1 } },
    );
    expect(attempts).toBe(2);
    expect(outcome).toMatchObject({ attempts: 2, wrote: true, result: { version: 2 } });
    expect(gitIn(a, 'log', '--format=%s', 'origin/mlops-registry')).toBe('a v2\nb');
    // The first write created the branch as an orphan: no ancestry shared with main.
    expect(gitIn(a, 'rev-list', '--max-parents=0', 'origin/mlops-registry')).not.toBe(
      gitIn(a, 'rev-list', '--max-parents=0', 'main'),
    );
  });

  it('gives up with a clear error when the branch keeps moving', async () => {
    const { remote, work: a } = remoteAndClone('busy-a');
    const b = secondClone(remote, 'busy-b');
    const repoA = await RegistryRepository.open({ cwd: a, branch: 'mlops-registry', remote: 'origin', log });
    const repoB = await RegistryRepository.open({ cwd: b, branch: 'mlops-registry', remote: 'origin', log });
    let n = 0;
    await expect(
      registryTransaction(
        repoA,
        async (docs) => {
          await registryTransaction(repoB, (other) => registerVersion(other, request(++n), eventContext('b')), {
            message: () => 'b',
          });
          return registerVersion(docs, request(0), eventContext('a'));
        },
        { message: () => 'a', retry: { attempts: 3, baseDelayMs: 1 } },
      ),
    ).rejects.toThrow(
      /^Gave up updating the registry branch mlops-registry of origin after 3 attempts: other writers kept moving it/,
    );
  });

  it('counts a push that git reported as failed but that reached the branch as written, never writing twice', async () => {
    const { work } = remoteAndClone('ambiguous');
    const repo = await RegistryRepository.open({ cwd: work, branch: 'mlops-registry', remote: 'origin', log });
    const publish = repo.publish.bind(repo);
    // The push lands, then the connection drops: git exits non-zero.
    repo.publish = async (commit, parent) => {
      await publish(commit, parent);
      throw new EnvironmentError('Cannot push the registry branch mlops-registry to origin: the remote end hung up');
    };
    const first = await registryTransaction(repo, (docs) => registerVersion(docs, request(1), eventContext('a')), {
      message: () => 'one',
      retry: { baseDelayMs: 1 },
    });
    expect(first).toMatchObject({ wrote: true, result: { version: 1 } });
    expect(first.commit).toBe(gitIn(work, 'rev-parse', 'origin/mlops-registry'));
    // The push lands but is reported as rejected: re-applying would register v2 for the same write.
    repo.publish = async (commit, parent) => {
      await publish(commit, parent);
      return { ok: false, reason: '! refs/heads/mlops-registry [rejected] (fetch first)' };
    };
    const second = await registryTransaction(repo, (docs) => registerVersion(docs, request(2), eventContext('a')), {
      message: () => 'two',
      retry: { baseDelayMs: 1 },
    });
    expect(second).toMatchObject({ wrote: true, attempts: 1, result: { version: 2 } });
    expect(gitIn(work, 'log', '--format=%s', 'origin/mlops-registry')).toBe('two\none');
  });

  it('calls the outcome unknown, not failed, when the push throws and the branch cannot be fetched again', async () => {
    const { work } = remoteAndClone('unknown');
    const repo = await RegistryRepository.open({ cwd: work, branch: 'mlops-registry', remote: 'origin', log });
    const refresh = repo.refresh.bind(repo);
    let fetches = 0;
    repo.refresh = async () => {
      if (++fetches > 1)
        throw new EnvironmentError('Cannot fetch the registry branch mlops-registry from origin: gone');
      return refresh();
    };
    repo.publish = async () => {
      throw new EnvironmentError('Cannot push the registry branch mlops-registry to origin: the remote end hung up');
    };
    const failure = await registryTransaction(repo, (docs) => registerVersion(docs, request(1), eventContext('a')), {
      message: () => 'one',
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RegistryWriteUnknownError);
    expect((failure as RegistryWriteUnknownError).message).toBe(
      'The registry write is in an unknown state: pushing to origin failed (Cannot push the registry branch ' +
        'mlops-registry to origin: the remote end hung up) and the branch could not be fetched again to check ' +
        '(Cannot fetch the registry branch mlops-registry from origin: gone). Once the remote is reachable, check ' +
        'with `mlops registry history` or `mlops registry fsck` before writing again.',
    );
    expect((failure as RegistryWriteUnknownError).commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('never resurrects commits of a branch rewound between its fetch and its push', async () => {
    const { remote, work } = remoteAndClone('rewound');
    const repo = await RegistryRepository.open({ cwd: work, branch: 'mlops-registry', remote: 'origin', log });
    for (const n of [1, 2]) {
      await registryTransaction(repo, (docs) => registerVersion(docs, request(n), eventContext('a')), {
        message: () => `v${n}`,
      });
    }
    const v1Commit = gitIn(remote, 'rev-parse', 'mlops-registry~1');
    let attempts = 0;
    const outcome = await registryTransaction(
      repo,
      async (docs) => {
        // An operator rewinds the branch (dropping v2) after this writer fetched it.
        if (++attempts === 1) gitIn(remote, 'update-ref', 'refs/heads/mlops-registry', v1Commit);
        return registerVersion(docs, request(3), eventContext('a'));
      },
      { message: (r) => `v${r.version} again`, retry: { baseDelayMs: 1 } },
    );
    expect(attempts).toBe(2);
    expect(outcome.result.version).toBe(2);
    expect(gitIn(remote, 'log', '--format=%s', 'mlops-registry')).toBe('v2 again\nv1');
  });

  it('uses update-ref as the compare-and-swap when there is no remote, and refuses a checked-out registry branch', async () => {
    const work = plainRepo('local-cas');
    const repo = await RegistryRepository.open({ cwd: work, branch: 'mlops-registry', remote: 'origin', log });
    expect(repo.remoteMode).toBe(false);
    await registryTransaction(repo, (docs) => registerVersion(docs, request(1), eventContext('me')), {
      message: () => 'one',
    });
    const tip = gitIn(work, 'rev-parse', 'mlops-registry');
    // A stale parent is refused by update-ref.
    expect(await repo.publish(tip, gitIn(work, 'rev-parse', 'main'))).toMatchObject({ ok: false });
    gitIn(work, 'checkout', '--quiet', 'mlops-registry');
    await expect(
      registryTransaction(repo, (docs) => registerVersion(docs, request(2), eventContext('me')), {
        message: () => 'two',
      }),
    ).rejects.toThrow(/The registry branch mlops-registry is checked out in .*; switch to another branch/);
  });

  it('reads a missing branch as an empty registry, and a named remote that does not exist is an error', async () => {
    const { work } = remoteAndClone('empty');
    const repo = await RegistryRepository.open({ cwd: work, branch: 'mlops-registry', remote: 'origin', log });
    expect((await registrySnapshot(repo)).commit).toBeUndefined();
    await expect(
      RegistryRepository.open({ cwd: work, branch: 'mlops-registry', remote: 'upstream', log }),
    ).rejects.toThrow('The registry remote "upstream" is not configured');
    for (const branch of ['bad..name', 'reg/.hidden', 'reg/x.lock/y']) {
      await expect(RegistryRepository.open({ cwd: work, branch, remote: 'origin', log })).rejects.toThrow(
        `registry-branch: ${JSON.stringify(branch)} is not a valid git branch name.`,
      );
    }
    await expect(
      RegistryRepository.open({ cwd: tmp.path, branch: 'mlops-registry', remote: 'origin', log }),
    ).rejects.toThrow(/is not inside a git repository/);
  });

  it('says in one line why the registry cannot be fetched', async () => {
    const work = plainRepo('unreachable');
    gitIn(work, 'remote', 'add', 'origin', join(tmp.path, 'no-such-remote.git'));
    const repo = await RegistryRepository.open({ cwd: work, branch: 'mlops-registry', remote: 'origin', log });
    const error = await registrySnapshot(repo).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(
      /^Cannot fetch the registry branch mlops-registry from origin: fatal: .*no-such-remote\.git.* does not appear to be a git repository; fatal: Could not read from remote repository\.; /,
    );
    expect(error?.message).not.toContain('\n');
  });

  it('passes a token as an extra header only to the GitHub host and only when git has no credentials', async () => {
    const work = plainRepo('creds');
    gitIn(work, 'remote', 'add', 'origin', 'https://github.com/octo-org/octo-repo.git');
    gitIn(work, 'remote', 'add', 'elsewhere', 'https://example.com/octo-org/octo-repo.git');
    const masked: string[] = [];
    const open = (remote: string) =>
      RegistryRepository.open({
        cwd: work,
        branch: 'mlops-registry',
        remote,
        log,
        token: 'ghs_secret',
        mask: (s) => masked.push(s),
      });
    const header = `AUTHORIZATION: basic ${Buffer.from('x-access-token:ghs_secret').toString('base64')}`;
    const env = async (remote: string) => {
      const repo = await open(remote);
      // The header git sends to github.com through GIT_CONFIG_* ("command line") for this repository's commands.
      const result = await repo.run(['config', '--show-origin', '--show-scope', '--list'], { allowFailure: true });
      const passed = result.stdout
        .split('\n')
        .filter((line) => line.startsWith('command\tcommand line:\t'))
        .map((line) => line.split('\t')[2]!);
      if (passed.length === 0) return '';
      expect(passed).toEqual([`http.https://github.com/.extraheader=${header}`]);
      return header;
    };
    expect(await env('origin')).toBe(header);
    expect(masked).toContain(Buffer.from('x-access-token:ghs_secret').toString('base64'));
    expect(await env('elsewhere')).toBe('');
    // actions/checkout's persisted credentials win.
    gitIn(work, 'config', 'http.https://github.com/.extraheader', 'AUTHORIZATION: basic Y2hlY2tvdXQ=');
    expect(await env('origin')).toBe('');
  });

  it('scopes the token header to the GitHub server, so a pushurl to another host never receives it', async () => {
    // Two listeners: the "GitHub server" and another host a pushurl points at.
    const seen: Array<{ server: string; authorization: string | undefined }> = [];
    const listen = async (name: string) => {
      const server = createServer((req, res) => {
        seen.push({ server: name, authorization: req.headers.authorization });
        res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
    };
    const github = await listen('github');
    const other = await listen('other');
    try {
      const work = plainRepo('creds-pushurl');
      gitIn(work, 'remote', 'add', 'origin', `${github.url}/octo-org/octo-repo.git`);
      gitIn(work, 'config', 'remote.origin.pushurl', `${other.url}/octo-org/octo-repo.git`);
      const repo = await RegistryRepository.open({
        cwd: work,
        branch: 'mlops-registry',
        remote: 'origin',
        log,
        token: 'ghs_secret',
        serverUrl: github.url,
      });
      const env = { GIT_TERMINAL_PROMPT: '0' };
      await repo.run(['ls-remote', 'origin'], { allowFailure: true, env });
      await repo.run(['push', 'origin', 'HEAD:refs/heads/x'], { allowFailure: true, env });
      const header = `basic ${Buffer.from('x-access-token:ghs_secret').toString('base64')}`;
      // The GitHub server gets the token (so the test can see a header at all); the other host does not.
      expect(seen.filter((r) => r.server === 'github').map((r) => r.authorization)).toContain(header);
      expect(seen.filter((r) => r.server === 'other').length).toBeGreaterThan(0);
      expect(seen.filter((r) => r.server === 'other' && r.authorization !== undefined)).toEqual([]);
    } finally {
      github.server.close();
      other.server.close();
    }
  });
});

async function entriesOf(
  file: string,
): Promise<Array<{ name: string; mode: number; mtime: number; uid: number; data: string }>> {
  const extract = tar.extract();
  const out: Array<{ name: string; mode: number; mtime: number; uid: number; data: string }> = [];
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      out.push({
        name: entry.header.name,
        mode: entry.header.mode,
        mtime: entry.header.mtime.getTime(),
        uid: entry.header.uid,
        data: Buffer.concat(chunks).toString(),
      });
    }
  })();
  Readable.from(readFileSync(file)).pipe(createGunzip()).pipe(extract);
  await done;
  return out;
}

describe('registerModel', () => {
  const options = (repo: RegistryRepository, store: ModelArtifactStore, file: string) => ({
    repo,
    store,
    model: 'iris',
    path: file,
    metrics: {},
    lineage: {},
    idempotencyKey: '7/1/iris',
    scratch: tmp.path,
    log,
    retry: { baseDelayMs: 1 },
  });

  it('refuses a retried key that brings other bytes, and puts back a local file a killed run never moved', async () => {
    const work = plainRepo('register-local');
    writeFiles(work, { 'model.bin': 'weights-1', 'other.bin': 'weights-2' });
    const repo = await RegistryRepository.open({ cwd: work, branch: 'mlops-registry', remote: 'origin', log });
    const store = localArtifactStore(repo.root, log);
    const first = await registerModel(options(repo, store, join(work, 'model.bin')));
    expect(first).toMatchObject({ version: 1, existing: false, location: '.mlops/artifacts/iris/v1/model.bin' });
    // Killed between the registry write and the move out of .staging.
    rmSync(join(work, '.mlops/artifacts/iris/v1'), { recursive: true });
    const again = await registerModel(options(repo, store, join(work, 'model.bin')));
    expect(again).toMatchObject({ version: 1, existing: true, sha256: first.sha256 });
    expect(readFileSync(join(work, first.location), 'utf8')).toBe('weights-1');
    await expect(registerModel(options(repo, store, join(work, 'other.bin')))).rejects.toThrow(
      /^This workflow run already registered iris v1 with a different artifact \(sha256 [0-9a-f]{12}…, now [0-9a-f]{12}…\)/,
    );
  });

  it('publishes rather than deletes its own upload when the version its key finds is the one it just wrote', async () => {
    const work = plainRepo('register-own');
    writeFiles(work, { 'model.bin': 'weights' });
    const repo = await RegistryRepository.open({ cwd: work, branch: 'mlops-registry', remote: 'origin', log });
    const publish = repo.publish.bind(repo);
    // The write lands but is reported as rejected, and (as in a shallow clone, where only the tip
    // is known) is not recognised: the retry finds the version by its key.
    let pushes = 0;
    repo.publish = async (commit, parent) => {
      const outcome = await publish(commit, parent);
      return ++pushes === 1 ? { ok: false, reason: 'fetch first' } : outcome;
    };
    repo.contains = async () => false;
    const calls: string[] = [];
    const real = releaseArtifactStore({
      client: {} as GitHubClient,
      repository: { owner: 'o', repo: 'r' },
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      log,
    });
    const store: ModelArtifactStore = {
      ...real,
      stage: async (artifact, model) => ({
        model,
        name: artifact.name,
        kind: artifact.kind,
        sha256: artifact.sha256,
        size: artifact.size,
        handle: { kind: 'release', release: { id: 42 } as GitHubRelease, assetId: 7, assetName: artifact.name },
      }),
      finalize: async () => (calls.push('finalize'), { assetUrl: 'final' }),
      discard: async () => void calls.push('discard'),
      recover: async () => (calls.push('recover'), { assetUrl: 'recovered' }),
    };
    const result = await registerModel(options(repo, store, join(work, 'model.bin')));
    expect(result).toMatchObject({ version: 1, existing: true, assetUrl: 'recovered' });
    expect(calls).toEqual(['recover']);
  });
});

describe('packaging', () => {
  it('hashes a file as it is', async () => {
    const file = join(tmp.path, 'model.pkl');
    writeFileSync(file, 'pickle');
    const packaged = await packageArtifact(file, tmp.path);
    expect(packaged).toMatchObject({
      file,
      name: 'model.pkl',
      kind: 'file',
      size: 6,
      sha256: createHash('sha256').update('pickle').digest('hex'),
    });
  });

  it('packs a folder as a deterministic tar.gz: same content, same bytes', async () => {
    const make = (name: string, mtime: Date, order: string[]) => {
      const dir = join(tmp.path, name, 'model');
      for (const file of order) writeFiles(dir, { [file]: `content of ${file}\n` });
      chmodSync(join(dir, 'bin/run.sh'), 0o700);
      chmodSync(join(dir, 'b.json'), 0o600);
      return dir;
    };
    const first = make('one', new Date(), ['b.json', 'a/weights.bin', 'bin/run.sh', 'a/z/deep.txt']);
    const second = make('two', new Date(), ['a/z/deep.txt', 'bin/run.sh', 'a/weights.bin', 'b.json']);
    chmodSync(join(second, 'b.json'), 0o664);
    const one = await packageArtifact(first, tmp.path);
    await new Promise((r) => setTimeout(r, 20));
    const two = await packageArtifact(second, tmp.path);
    expect(one.kind).toBe('directory');
    expect(one.name).toBe('model.tar.gz');
    expect(one.files).toBe(4);
    expect(two.sha256).toBe(one.sha256);
    expect(readFileSync(two.file).equals(readFileSync(one.file))).toBe(true);
    const header = readFileSync(one.file).subarray(0, 10);
    expect([...header.subarray(4, 8)]).toEqual([0, 0, 0, 0]);
    expect(header[9]).toBe(3);
    const entries = await entriesOf(one.file);
    expect(entries.map((e) => [e.name, e.mode.toString(8), e.mtime, e.uid])).toEqual([
      ['a/', '755', 0, 0],
      ['a/weights.bin', '644', 0, 0],
      ['a/z/', '755', 0, 0],
      ['a/z/deep.txt', '644', 0, 0],
      ['b.json', '644', 0, 0],
      ['bin/', '755', 0, 0],
      ['bin/run.sh', '755', 0, 0],
    ]);
    expect(entries.find((e) => e.name === 'a/weights.bin')?.data).toBe('content of a/weights.bin\n');
    await one.cleanup();
    await two.cleanup();
  });

  it('follows links inside the folder and refuses links out of it, empty folders and missing paths', async () => {
    const dir = join(tmp.path, 'links', 'model');
    writeFiles(dir, { 'real.bin': 'bytes' });
    symlinkSync('real.bin', join(dir, 'alias.bin'));
    const packaged = await packageArtifact(dir, tmp.path);
    expect((await entriesOf(packaged.file)).map((e) => [e.name, e.data])).toEqual([
      ['alias.bin', 'bytes'],
      ['real.bin', 'bytes'],
    ]);
    symlinkSync('/etc/hostname', join(dir, 'outside'));
    await expect(packageArtifact(dir, tmp.path)).rejects.toThrow(
      /outside is a symbolic link to outside the model directory/,
    );
    mkdirSync(join(tmp.path, 'empty-model'));
    await expect(packageArtifact(join(tmp.path, 'empty-model'), tmp.path)).rejects.toThrow(/has no files to register/);
    await expect(packageArtifact(join(tmp.path, 'nope'), tmp.path)).rejects.toThrow(/nope does not exist/);
  });
});

/**
 * A smart-HTTP git server (git http-backend behind node:http) that demands a Basic
 * authorization for `x-access-token:<token>`, as github.com does for a GITHUB_TOKEN.
 */
async function startGitHttpServer(projectRoot: string, token: string) {
  const { createServer } = await import('node:http');
  const { spawn, execFileSync } = await import('node:child_process');
  const backend = join(execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim(), 'git-http-backend');
  const expected = `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
  const seen: string[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const auth = request.headers.authorization ?? '';
    seen.push(auth.replace(/^(\w+) .*/, '$1 ***'));
    if (auth.toLowerCase() !== expected.toLowerCase()) {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="git"' });
      response.end('unauthorized');
      return;
    }
    const cgi = spawn(backend, [], {
      env: {
        ...process.env,
        GIT_PROJECT_ROOT: projectRoot,
        GIT_HTTP_EXPORT_ALL: '1',
        REQUEST_METHOD: request.method ?? 'GET',
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: request.headers['content-type'] ?? '',
        REMOTE_USER: 'x-access-token',
        REMOTE_ADDR: '127.0.0.1',
        ...(request.headers['content-encoding']
          ? { HTTP_CONTENT_ENCODING: String(request.headers['content-encoding']) }
          : {}),
        ...(request.headers['git-protocol'] ? { GIT_PROTOCOL: String(request.headers['git-protocol']) } : {}),
      },
    });
    request.pipe(cgi.stdin);
    const chunks: Buffer[] = [];
    cgi.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    cgi.on('close', () => {
      const output = Buffer.concat(chunks);
      const split = output.indexOf('\r\n\r\n');
      const head = output.subarray(0, split).toString().split('\r\n');
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head) {
        const [name, ...rest] = line.split(':');
        if (name!.toLowerCase() === 'status') status = Number(rest.join(':').trim().split(' ')[0]);
        else headers[name!] = rest.join(':').trim();
      }
      response.writeHead(status, headers);
      response.end(output.subarray(split + 4));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('git adapter over HTTP with credentials', () => {
  it('fetches and pushes with the header actions/checkout leaves, or with a token, and fails clearly without', async () => {
    const root = join(tmp.path, 'http');
    mkdirSync(root);
    const remote = createBareRemote(root, 'repo.git');
    gitIn(remote, 'config', 'http.receivepack', 'true');
    const token = 'ghs_httpTestToken';
    const server = await startGitHttpServer(root, token);
    try {
      const url = `${server.url}/repo.git`;
      const seed = plainRepo('http-seed');
      gitIn(seed, 'remote', 'add', 'origin', url);
      const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;

      // 1. No credentials at all: a clear error, no prompt.
      const bare = await RegistryRepository.open({
        cwd: seed,
        branch: 'mlops-registry',
        remote: 'origin',
        log,
        serverUrl: server.url,
      });
      await expect(
        registryTransaction(bare, (docs) => registerVersion(docs, request(1), eventContext('x')), {
          message: () => 'x',
        }),
      ).rejects.toThrow(
        /^Cannot fetch the registry branch mlops-registry from origin: .*(401|Authentication|could not read Username)/,
      );

      // 2. The token input, sent as the same header through GIT_CONFIG_* (not on the command line).
      const withToken = await RegistryRepository.open({
        cwd: seed,
        branch: 'mlops-registry',
        remote: 'origin',
        log,
        token,
        serverUrl: server.url,
      });
      const first = await registryTransaction(
        withToken,
        (docs) => registerVersion(docs, request(1), eventContext('x')),
        { message: () => 'one' },
      );
      expect(first.result.version).toBe(1);
      expect(gitIn(remote, 'log', '--format=%s', 'mlops-registry')).toBe('one');

      // 3. What actions/checkout leaves: http.<url>.extraheader in the repository's config.
      const checkout = cloneRepo(remote, tmp.path, 'http-checkout');
      gitIn(checkout, 'remote', 'set-url', 'origin', url);
      gitIn(checkout, 'config', `http.${server.url}/.extraheader`, header);
      const persisted = await RegistryRepository.open({
        cwd: checkout,
        branch: 'mlops-registry',
        remote: 'origin',
        log,
        serverUrl: server.url,
      });
      const second = await registryTransaction(
        persisted,
        (docs) => registerVersion(docs, request(2), eventContext('x')),
        { message: () => 'two' },
      );
      expect(second.result.version).toBe(2);
      expect(gitIn(remote, 'log', '--format=%s', 'mlops-registry')).toBe('two\none');
      expect(server.seen).toContain('basic ***');
    } finally {
      await server.close();
    }
  });
});
