/**
 * register's checksums file (the `checksums` output): one `sha256sum` line for the bytes stored as
 * the model's asset, so `sha256sum -c` passes beside a downloaded asset and actions/attest can take
 * it as `subject-checksums`. Run with the built bundle against the GitHub API double (the asset is
 * downloaded from the double) and with the CLI in local mode, for a file and a folder model; a
 * register that fails on bad input writes no checksums file.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN, startGitHubDouble, type GitHubDouble } from '../support/github-double/index.js';
import { cloneRepo, createBareRemote, createRepo, gitIn, makeTempDir, writeFiles } from '../support/git.js';
import { runCliInProcess } from '../support/in-process.js';
import { runBundle, runCliBundle } from '../support/runner.js';

const tmp = makeTempDir('mlops-register-checksums-');
let gh: GitHubDouble;
let remote: string;
let work: string;
let runnerTemp: string;
const noIdentity = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', HOME: tmp.path };
const SHA256SUM_LINE = /^([0-9a-f]{64}) {2}(\S+)\n$/;

beforeAll(async () => {
  gh = await startGitHubDouble();
  remote = createBareRemote(tmp.path);
  runnerTemp = join(tmp.path, 'runner-temp');
  work = createRepo(tmp.path, 'work', remote, {
    'README.md': '# x\n',
    'model.bin': 'weights v1\n',
    'model/weights.bin': 'folder weights\n',
    'model/config.json': '{"layers": 3}\n',
  });
});
afterAll(async () => {
  await gh.close();
  tmp.cleanup();
});

function registerOnGitHub(inputs: Record<string, string>, runId: string) {
  return runBundle('register', {
    workspace: work,
    token: DEFAULT_TOKEN,
    apiUrl: gh.url,
    serverUrl: gh.serverUrl,
    repository: `${gh.owner}/${gh.repo}`,
    sha: gitIn(work, 'rev-parse', 'HEAD'),
    inputs,
    // A runner temp folder that outlives the run (runBundle's own is removed with it).
    env: { GITHUB_RUN_ID: runId, RUNNER_TEMP: runnerTemp, ...noIdentity },
  });
}

/**
 * The version's record as `mlops registry show --json` reads it from a fresh clone of the remote
 * (in this process: the read-back checks the registry, not the built CLI).
 */
async function registryRecord(model: string, version: string, name: string): Promise<{ sha256: string }> {
  const show = await runCliInProcess(['registry', 'show', `${model}@v${version}`, '--json'], {
    cwd: cloneRepo(remote, tmp.path, name),
    env: noIdentity,
  });
  expect(show.code, show.stderr).toBe(0);
  return JSON.parse(show.stdout) as { sha256: string };
}

/** Runs `sha256sum -c` on the checksums file, copied into `folder` beside the asset; returns its output. */
function sha256sumCheck(checksums: string, folder: string): string {
  copyFileSync(checksums, join(folder, 'SHA256SUMS'));
  return execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: folder, encoding: 'utf8' });
}

describe('register writes a sha256sum checksums file of the stored asset', () => {
  it.each([
    ['a file model', 'model.bin', 'model.bin', '101'],
    ['a folder model (the deterministic tar.gz)', 'model/', 'model.tar.gz', '102'],
  ])(
    'GitHub mode, %s: the release asset downloaded from the double passes sha256sum -c',
    async (_what, path, assetName, runId) => {
      const model = `gh-${runId}`;
      const result = await registerOnGitHub({ model, path }, runId);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const checksums = result.outputs.checksums!;
      // By default in a folder of the step's own in the runner's temp folder, out of the working
      // tree: no later step commits or packs it, and no other step writes it.
      expect(dirname(dirname(checksums))).toBe(join(runnerTemp, 'mlops'));
      expect(basename(dirname(checksums))).toMatch(/^register-\w{6}$/);
      expect(basename(checksums)).toBe(`${model}-v1.sha256`);
      const text = readFileSync(checksums, 'utf8');
      const [, digest, name] = SHA256SUM_LINE.exec(text) ?? [];
      expect({ digest, name }).toEqual({ digest: result.outputs.sha256, name: assetName });

      // The digest is the registry's record of the version and the release asset's bytes.
      expect((await registryRecord(model, result.outputs.version!, `reader-${runId}`)).sha256).toBe(digest);
      const download = await fetch(result.outputs['asset-url']!);
      expect(download.status).toBe(200);
      const folder = join(tmp.path, `download-${runId}`);
      mkdirSync(folder);
      writeFileSync(join(folder, assetName), Buffer.from(await download.arrayBuffer()));
      expect(sha256sumCheck(checksums, folder)).toBe(`${assetName}: OK\n`);
    },
  );

  it('GitHub mode: the line names the asset as GitHub renamed it, which is what a download saves', async () => {
    writeFiles(work, { 'my model.bin': 'spaced weights\n' });
    const result = await registerOnGitHub(
      { model: 'spaced', path: 'my model.bin', checksums: 'out/spaced.sha256' },
      '103',
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.outputs.checksums).toBe(join(work, 'out', 'spaced.sha256'));
    expect(readFileSync(result.outputs.checksums!, 'utf8')).toBe(`${result.outputs.sha256}  my.model.bin\n`);
  });

  it.each([
    ['a file', 'churn model.bin', 'churn.model.bin', 'churn.model.bin', '111'],
    ['a folder', 'churn model/', 'churn.model.tar.gz', 'churn model', '112'],
  ])(
    'GitHub mode, %s with a space: mlops registry download saves the renamed asset, and sha256sum -c passes beside it',
    async (_what, path, assetName, unpacked, runId) => {
      writeFiles(work, { 'churn model.bin': 'spaced file weights\n', 'churn model/w.bin': 'spaced folder weights\n' });
      const model = `spaced-${runId}`;
      const result = await registerOnGitHub({ model, path }, runId);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const checksums = result.outputs.checksums!;
      expect(readFileSync(checksums, 'utf8')).toBe(`${result.outputs.sha256}  ${assetName}\n`);

      const clone = cloneRepo(remote, tmp.path, `download-spaced-${runId}`);
      const download = await runCliBundle(
        ['registry', 'download', '--model', model, '--version', '1', '--out', 'out', '--json'],
        {
          cwd: clone,
          env: {
            ...noIdentity,
            GITHUB_TOKEN: DEFAULT_TOKEN,
            GITHUB_API_URL: gh.url,
            GITHUB_SERVER_URL: gh.serverUrl,
            GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
          },
        },
      );
      expect(download.code, download.stderr).toBe(0);
      const out = join(clone, 'out');
      // The file under GitHub's name (what the checksums line names); a folder unpacks under the model's own name.
      expect(JSON.parse(download.stdout)).toMatchObject({
        file: join(out, assetName),
        path: join(out, path.endsWith('/') ? unpacked : assetName),
      });
      expect(sha256sumCheck(checksums, out)).toBe(`${assetName}: OK\n`);
    },
  );

  it('two register steps of one job, same model and version on two registry branches, write two files', async () => {
    const first = await registerOnGitHub({ model: 'twin', path: 'model.bin', 'registry-branch': 'registry-a' }, '110');
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const second = await registerOnGitHub({ model: 'twin', path: 'model/', 'registry-branch': 'registry-b' }, '110');
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect([first.outputs.version, second.outputs.version]).toEqual(['1', '1']);
    expect(second.outputs.checksums).not.toBe(first.outputs.checksums);
    // Each step's file still holds its own digest after the other step ran.
    expect(readFileSync(first.outputs.checksums!, 'utf8')).toBe(`${first.outputs.sha256}  model.bin\n`);
    expect(readFileSync(second.outputs.checksums!, 'utf8')).toBe(`${second.outputs.sha256}  model.tar.gz\n`);
  });

  it('a re-run of the same step (the idempotency key finds the version) writes the same file', async () => {
    const first = await registerOnGitHub({ model: 'rerun', path: 'model.bin', checksums: 'rerun-1.sha256' }, '104');
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const again = await registerOnGitHub({ model: 'rerun', path: 'model.bin', checksums: 'rerun-2.sha256' }, '104');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.outputs.version).toBe(first.outputs.version);
    expect(readFileSync(again.outputs.checksums!, 'utf8')).toBe(readFileSync(first.outputs.checksums!, 'utf8'));
  });

  it.each([
    ['a file model', 'model.bin', 'model.bin'],
    ['a folder model', 'model', 'model.tar.gz'],
  ])(
    'local mode, %s: mlops register prints the path; sha256sum -c passes in the local store',
    async (_what, path, assetName) => {
      const local = createRepo(tmp.path, `local-${assetName}`, undefined, {
        'model.bin': 'local weights\n',
        'model/weights.bin': 'local folder weights\n',
      });
      const result = await runCliBundle(['register', '--model', 'churn', '--path', path], {
        cwd: local,
        env: noIdentity,
      });
      expect(result.code, result.stderr).toBe(0);
      // By default beside the local store, under .mlops/ like it.
      const checksums = join(local, '.mlops', 'checksums', 'churn-v1.sha256');
      expect(result.stdout).toContain(`  checksums  ${checksums}\n`);
      const [, digest, name] = SHA256SUM_LINE.exec(readFileSync(checksums, 'utf8')) ?? [];
      expect(name).toBe(assetName);
      expect(result.stdout).toContain(`  sha256     ${digest}\n`);
      expect(sha256sumCheck(checksums, join(local, '.mlops', 'artifacts', 'churn', 'v1'))).toBe(`${assetName}: OK\n`);

      const json = await runCliBundle(
        ['register', '--model', 'churn', '--path', path, '--checksums', 'v2.sha256', '--json'],
        {
          cwd: local,
          env: noIdentity,
        },
      );
      expect(json.code, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({ version: 2, checksums: join(local, 'v2.sha256') });
    },
  );

  it('a register that fails on bad input writes no checksums file and uploads nothing', async () => {
    const releases = gh.state.releases.length;
    const missingMetrics = await registerOnGitHub(
      { model: 'bad', path: 'model.bin', metrics: 'missing.json', checksums: 'bad/1.sha256' },
      '105',
    );
    expect(missingMetrics.code).toBe(1);
    expect(missingMetrics.annotations.map((a) => a.message)).toEqual(['Input "metrics": missing.json does not exist.']);
    expect(existsSync(join(work, 'bad'))).toBe(false);

    const badModel = await runCliBundle(
      ['register', '--model', 'Bad Name!', '--path', 'model.bin', '--checksums', 'bad/2.sha256'],
      {
        cwd: work,
        env: noIdentity,
      },
    );
    expect(badModel.code).toBe(2);
    expect(existsSync(join(work, 'bad'))).toBe(false);

    // A checksums path that cannot be written is bad input found before anything is uploaded.
    mkdirSync(join(work, 'a-folder.sha256'));
    const folder = await registerOnGitHub({ model: 'bad', path: 'model.bin', checksums: 'a-folder.sha256' }, '106');
    expect(folder.code).toBe(1);
    expect(folder.annotations.map((a) => a.message)).toEqual([
      'Input "checksums": a-folder.sha256 is a directory, not a file.',
    ]);
    // Nor may it overwrite the model it registers.
    const overModel = await registerOnGitHub({ model: 'bad', path: 'model.bin', checksums: 'model.bin' }, '107');
    expect(overModel.code).toBe(1);
    expect(overModel.annotations[0]?.message).toMatch(/^Input "checksums": model\.bin is also Input "path"/);
    expect(readFileSync(join(work, 'model.bin'), 'utf8')).toBe('weights v1\n');
    // Nor go inside the folder it packs, where the next registration would pack it too.
    const inside = await registerOnGitHub({ model: 'bad', path: 'model/', checksums: 'model/SHA256SUMS' }, '108');
    expect(inside.code).toBe(1);
    expect(inside.annotations.map((a) => a.message)).toEqual([
      'Input "checksums": model/SHA256SUMS is inside the model folder model; write it elsewhere.',
    ]);
    expect(existsSync(join(work, 'model', 'SHA256SUMS'))).toBe(false);
    expect(gh.state.releases.length).toBe(releases);
  });
});

describe('a checksums file that cannot be created stops register before anything is uploaded or registered', () => {
  /** `mlops registry list --json` in `cwd` (in this process): the models the local registry branch holds. */
  async function registeredModels(cwd: string): Promise<unknown[]> {
    const list = await runCliInProcess(['registry', 'list', '--json'], { cwd, env: noIdentity });
    expect(list.code, list.stderr).toBe(0);
    return (JSON.parse(list.stdout) as { models: unknown[] }).models;
  }

  /** Registers in a fresh local repository with `--checksums checksums`; returns the result and the repository. */
  async function registerLocally(name: string, checksums: string) {
    const local = createRepo(tmp.path, name, undefined, { 'model.bin': 'local weights\n' });
    const result = await runCliBundle(['register', '--model', 'm', '--path', 'model.bin', '--checksums', checksums], {
      cwd: local,
      env: noIdentity,
    });
    return { result, local };
  }

  it('a 245-character file name (259 with its temporary file’s suffix, over the 255 a name may have): exit 2, nothing registered', async () => {
    const name = `${'a'.repeat(238)}.sha256`;
    const { result, local } = await registerLocally('too-long', name);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toContain(`--checksums: cannot create ${name}: the file name is too long`);
    expect(result.stderr).not.toContain('internal error');
    expect(result.stdout + result.stderr).not.toContain('Registered');
    expect(await registeredModels(local)).toEqual([]);
    expect(existsSync(join(local, '.mlops', 'artifacts'))).toBe(false);
  });

  it('GitHub mode, a 245-character file name: one annotation naming the input, no release', async () => {
    const releases = gh.state.releases.length;
    const name = `${'b'.repeat(238)}.sha256`;
    const result = await registerOnGitHub({ model: 'too-long', path: 'model.bin', checksums: name }, '109');
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.annotations.map((a) => a.message)).toEqual([
      `Input "checksums": cannot create ${name}: the file name is too long for the file system (its temporary file's name is 14 characters longer).`,
    ]);
    expect(gh.state.releases.length).toBe(releases);
    const show = await runCliInProcess(['registry', 'list', '--json'], {
      cwd: cloneRepo(remote, tmp.path, 'reader-too-long'),
      env: noIdentity,
    });
    expect(JSON.parse(show.stdout)).not.toMatchObject({ models: [{ name: 'too-long' }] });
  });

  // Root writes through any file mode, so a 0555 folder stops nobody there; sysfs refuses new
  // files even to root, with the same EACCES a read-only folder gives everyone else.
  it.skipIf(!existsSync('/sys/kernel'))(
    'a folder that refuses new files (EACCES, /sys): exit 2 naming the input, nothing registered',
    async () => {
      const { result, local } = await registerLocally('sysfs', '/sys/m.sha256');
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(result.stderr).toContain('--checksums: cannot create /sys/m.sha256: permission denied');
      expect(result.stdout + result.stderr).not.toContain('Registered');
      expect(await registeredModels(local)).toEqual([]);
    },
  );

  it.skipIf(process.getuid?.() === 0)(
    'a chmod 0555 folder: exit 2 naming the input, nothing registered (skipped as root, whom no mode stops)',
    async () => {
      const readOnly = join(tmp.path, 'read-only');
      mkdirSync(readOnly, { mode: 0o555 });
      const { result, local } = await registerLocally('chmod', join(readOnly, 'm.sha256'));
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(result.stderr).toContain(`--checksums: cannot create ${join(readOnly, 'm.sha256')}: permission denied`);
      expect(await registeredModels(local)).toEqual([]);
    },
  );
});
