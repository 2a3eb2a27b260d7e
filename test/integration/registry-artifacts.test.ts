/**
 * The registry's artifacts against what the branch says about them: stored URLs never receive a
 * token, stored locations never lead outside .mlops/artifacts, and fsck checks (and --fix
 * repairs) every version's file after `kill -9` of real register processes.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN, startGitHubDouble, type GitHubDouble } from '../support/github-double/index.js';
import { cloneRepo, createBareRemote, createRepo, gitIn, makeTempDir, writeFiles } from '../support/git.js';
import { distDir, runBundle, runCliBundle } from '../support/runner.js';

const tmp = makeTempDir('mlops-registry-artifacts-');
afterAll(() => tmp.cleanup());
const noIdentity = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', HOME: tmp.path };
const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Rewrites every file under models/ on the registry branch of `remote` with `edit`, and pushes. */
function editBranch(remote: string, name: string, edit: (text: string) => string): void {
  const editor = cloneRepo(remote, tmp.path, name);
  gitIn(editor, 'checkout', '--quiet', 'mlops-registry');
  const files = gitIn(editor, 'ls-files', 'models').split('\n');
  for (const file of files) writeFileSync(join(editor, file), edit(readFileSync(join(editor, file), 'utf8')));
  gitIn(editor, 'commit', '--quiet', '-am', `hand edit ${name}`);
  gitIn(editor, 'push', '--quiet', 'origin', 'mlops-registry');
}

/** An HTTP server on 127.0.0.1 that answers 200 to anything and records what it got. */
async function startRecorder(): Promise<{
  url: string;
  requests: Array<{ method: string; url: string; headers: IncomingHttpHeaders }>;
  close: () => Promise<void>;
}> {
  const requests: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = [];
  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('registry artifacts in GitHub mode: stored URLs are data, never endpoints', () => {
  let gh: GitHubDouble;
  let remote: string;
  let work: string;
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  beforeAll(async () => {
    gh = await startGitHubDouble();
    recorder = await startRecorder();
    remote = createBareRemote(tmp.path, 'gh.git');
    work = createRepo(tmp.path, 'gh-work', remote, { 'README.md': '# x\n', 'model.bin': 'weights v1\n' });
  });
  afterAll(async () => {
    await recorder.close();
    await gh.close();
  });
  const github = () => ({
    GITHUB_TOKEN: DEFAULT_TOKEN,
    GITHUB_API_URL: gh.url,
    GITHUB_SERVER_URL: gh.serverUrl,
    GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
  });
  const register = (runId: string) =>
    runBundle('register', {
      workspace: work,
      token: DEFAULT_TOKEN,
      apiUrl: gh.url,
      serverUrl: gh.serverUrl,
      repository: `${gh.owner}/${gh.repo}`,
      sha: gitIn(work, 'rev-parse', 'HEAD'),
      inputs: { model: 'iris', path: 'model.bin' },
      env: { GITHUB_RUN_ID: runId, ...noIdentity },
    });

  it('set-alias sends nothing to an asset URL edited on the branch, and fsck names the foreign host', async () => {
    const first = await register('5001');
    expect(first.code, first.stdout).toBe(0);
    editBranch(remote, 'gh-edit-url', (text) => text.split(`${gh.url}/repos/`).join(`${recorder.url}/repos/`));

    const moved = await runCliBundle(['registry', 'set-alias', 'iris', 'production', 'v1'], {
      cwd: work,
      env: { ...noIdentity, ...github() },
    });
    expect(moved.code, moved.stderr).toBe(0);
    expect(recorder.requests).toEqual([]);
    // The promotion went to the configured API, by release id.
    expect(gh.state.releases.find((r) => r.tagName === 'iris/v1')).toMatchObject({ prerelease: false });
    expect(moved.stderr).toContain(`artifact.release.assetApiUrl points at ${recorder.url}, not the configured API`);
    expect(moved.stderr).not.toContain(DEFAULT_TOKEN);

    const fsck = await runCliBundle(['registry', 'fsck'], { cwd: work, env: { ...noIdentity, ...github() } });
    expect(fsck.code, fsck.stdout + fsck.stderr).toBe(1);
    expect(fsck.stdout).toMatch(
      new RegExp(
        `^models/iris/events/000001\\.jsonl:1: iris v1: artifact\\.release\\.assetApiUrl points at ${recorder.url.replace(/\./g, '\\.')}, not the configured API`,
        'm',
      ),
    );
    expect(fsck.stdout).not.toContain('No problems found');
    expect(recorder.requests).toEqual([]);
  }, 120_000);

  it('fsck with a token checks each release asset through the API: size and digest', async () => {
    writeFiles(work, { 'model.bin': 'weights v2\n' });
    const second = await register('5002');
    expect(second.code, second.stdout).toBe(0);
    const release = gh.state.releases.find((r) => r.tagName === 'iris/v2')!;
    const asset = gh.state.assets.find((a) => a.releaseId === release.id)!;
    asset.data = Buffer.from('tampered\n');

    const fsck = await runCliBundle(['registry', 'fsck', '--json'], { cwd: work, env: { ...noIdentity, ...github() } });
    expect(fsck.code, fsck.stderr).toBe(1);
    const report = JSON.parse(fsck.stdout) as {
      problems: Array<{ message: string; path: string; line?: number }>;
      artifacts: { broken: Array<{ model: string; version: number }> };
    };
    expect(report.problems).toContainEqual(
      expect.objectContaining({
        path: 'models/iris/events/000001.jsonl',
        line: 3,
        message: `iris v2: asset model.bin has 9 bytes, the registry records 11; the version is broken`,
      }),
    );
    expect(report.artifacts.broken).toEqual([{ model: 'iris', version: 2 }]);
    // Without a token the assets are not checked, and fsck says so.
    const offline = await runCliBundle(['registry', 'fsck'], {
      cwd: work,
      env: { ...noIdentity, ...github(), GITHUB_TOKEN: '', GH_TOKEN: '' },
    });
    expect(offline.stdout).toContain('2 release assets not checked: no GitHub token');
    expect(gh.validationErrors).toEqual([]);
    expect(recorder.requests).toEqual([]);
  }, 120_000);
});

describe('registry artifacts in local mode: nothing outside .mlops/artifacts', () => {
  let remote: string;
  let work: string;
  beforeAll(() => {
    remote = createBareRemote(tmp.path, 'local.git');
    work = createRepo(tmp.path, 'local-work', remote, { 'README.md': '# x\n', 'model.bin': 'local v1\n' });
  });
  const register = (clone: string, runId: string) =>
    runBundle('register', {
      workspace: clone,
      inputs: { model: 'iris', path: 'model.bin' },
      env: { GITHUB_RUN_ID: runId, ...noIdentity },
    });

  it('never writes where a location edited on the branch points (a retried register restores files)', async () => {
    const first = await register(work, '6001');
    expect(first.code, first.stdout).toBe(0);
    const file = join(work, '.mlops/artifacts/iris/v1/model.bin');
    expect(readFileSync(file, 'utf8')).toBe('local v1\n');

    // Another version's folder: valid in shape, but not this version's place.
    editBranch(remote, 'local-edit-other', (text) =>
      text.split('.mlops/artifacts/iris/v1/model.bin').join('.mlops/artifacts/iris/v7/model.bin'),
    );
    const retried = await register(work, '6001');
    expect(retried.code).toBe(1);
    expect(retried.annotations.find((a) => a.level === 'error')?.message).toContain(
      'location ".mlops/artifacts/iris/v7/model.bin" is not .mlops/artifacts/iris/v1/model.bin',
    );
    expect(existsSync(join(work, '.mlops/artifacts/iris/v7'))).toBe(false);
    const fsck = await runCliBundle(['registry', 'fsck'], { cwd: work, env: noIdentity });
    expect(fsck.code).toBe(1);
    expect(fsck.stdout).toContain(
      'models/iris/events/000001.jsonl:1: iris v1: location ".mlops/artifacts/iris/v7/model.bin" is not .mlops/artifacts/iris/v1/model.bin',
    );

    // A path out of the repository: refused when the record is read, before any file is touched.
    editBranch(remote, 'local-edit-escape', (text) =>
      text.split('.mlops/artifacts/iris/v7/model.bin').join('../escaped/model.bin'),
    );
    const escaped = await register(work, '6001');
    expect(escaped.code).toBe(1);
    expect(escaped.annotations.find((a) => a.level === 'error')?.message).toMatch(/\/artifact\/location must match/);
    expect(existsSync(join(work, '..', 'escaped'))).toBe(false);
  }, 120_000);

  it('refuses a symbolic link inside .mlops/artifacts instead of writing through it', async () => {
    const clone = cloneRepo(remote, tmp.path, 'local-link');
    writeFiles(clone, { 'model.bin': 'linked\n' });
    const outside = join(tmp.path, 'outside');
    mkdirSync(outside);
    mkdirSync(join(clone, '.mlops/artifacts'), { recursive: true });
    symlinkSync(outside, join(clone, '.mlops/artifacts/forest'));
    const result = await runCliBundle(['register', '--model', 'forest', '--path', 'model.bin'], {
      cwd: clone,
      env: noIdentity,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'error: .mlops/artifacts/forest is a symbolic link; mlops keeps local artifacts only in real folders under .mlops/artifacts (remove the link).',
    );
    expect(readdirSync(outside)).toEqual([]);
  }, 120_000);
});

describe('fsck after kill -9 of local registers', () => {
  let work: string;
  beforeAll(() => {
    work = createRepo(tmp.path, 'kill-work');
  });
  const cli = (...args: string[]) => runCliBundle(args, { cwd: work, env: noIdentity, timeoutMs: 120_000 });

  /** Starts `mlops register` and kills it with SIGKILL after `delayMs` (unless it ended first). */
  function registerKilledAfter(delayMs: number, env: Record<string, string> = {}): Promise<string | null> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [join(distDir(), 'cli', 'index.js'), 'register', '--model', 'k', '--path', 'model.bin'],
        { cwd: work, env: { PATH: process.env.PATH!, ...noIdentity, ...env }, stdio: 'ignore' },
      );
      const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
      child.on('error', reject);
      child.on('exit', (_code, signal) => {
        clearTimeout(timer);
        resolve(signal);
      });
    });
  }

  interface FsckJson {
    ok: boolean;
    problems: Array<{ message: string; fixable: boolean; fixed?: boolean; version?: number }>;
  }

  it('finds every version whose file stayed in staging, finishes the moves, cleans staging, keeps versions gapless', async () => {
    // How long one register takes here, so that the kills land all along it.
    writeFiles(work, { 'model.bin': Buffer.alloc(1 << 20, 1) });
    const started = Date.now();
    expect((await cli('register', '--model', 'k', '--path', 'model.bin')).code).toBe(0);
    const duration = Date.now() - started;

    const kills = 8;
    let random = 7;
    for (let i = 0; i < kills; i++) {
      random = (random * 48271) % 2147483647;
      writeFiles(work, { 'model.bin': Buffer.alloc(1 << 20, i + 2) });
      await registerKilledAfter(Math.round(((i + (random % 1000) / 1000) / kills) * duration));
    }
    // And one killed exactly between the registry write and the move, which random kills may miss.
    writeFiles(work, { 'model.bin': Buffer.alloc(1 << 20, 99) });
    expect(await registerKilledAfter(60_000, { MLOPS_TEST_CRASH_AFTER_REGISTRY_WRITE: '1' })).toBe('SIGKILL');

    // The versions on the branch (no remote: the local branch is the registry).
    const versions = (
      JSON.parse(gitIn(work, 'show', 'mlops-registry:models/k/versions/000001.json')) as {
        versions: Array<{ version: number }>;
      }
    ).versions.map((v) => v.version);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
    const last = versions.length;

    const checked = await cli('registry', 'fsck', '--json');
    expect(checked.code, checked.stdout + checked.stderr).toBe(1);
    const before = JSON.parse(checked.stdout) as FsckJson;
    expect(before.problems).toContainEqual(
      expect.objectContaining({
        version: last,
        fixable: true,
        message: expect.stringMatching(
          new RegExp(
            `^k v${last}: \\.mlops/artifacts/k/v${last}/model\\.bin is missing; its file \\(sha256 verified\\) is still in`,
          ),
        ) as unknown,
      }),
    );
    expect(before.problems.every((p) => p.fixable)).toBe(true);

    const fixed = await cli('registry', 'fsck', '--fix');
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain('[fixed]');
    expect(fixed.stdout).toContain('The registry is consistent now.');
    expect(readdirSync(join(work, '.mlops/artifacts/k/.staging'))).toEqual([]);
    expect(sha(readFileSync(join(work, `.mlops/artifacts/k/v${last}/model.bin`)))).toBe(sha(Buffer.alloc(1 << 20, 99)));
    const again = await cli('registry', 'fsck');
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toContain(`Artifacts: ${last} verified.`);
    expect(again.stdout).toContain('No problems found.');

    writeFiles(work, { 'model.bin': Buffer.alloc(1 << 20, 100) });
    const fresh = await cli('register', '--model', 'k', '--path', 'model.bin', '--json');
    expect(fresh.code, fresh.stderr).toBe(0);
    expect((JSON.parse(fresh.stdout) as { version: number }).version).toBe(last + 1);
  }, 180_000);
});
