/**
 * register's checksums file (the `checksums` output): one `sha256sum` line for the bytes stored as
 * the model's asset, so `sha256sum -c` passes beside a downloaded asset and actions/attest can take
 * it as `subject-checksums`. Run with the built bundle against the GitHub API double (the asset is
 * downloaded from the double) and with the CLI in local mode, for a file and a folder model; a
 * register that fails on bad input writes no checksums file.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN, startGitHubDouble, type GitHubDouble } from '../support/github-double/index.js';
import { cloneRepo, createBareRemote, createRepo, gitIn, makeTempDir, writeFiles } from '../support/git.js';
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

/** The version's record as `mlops registry show --json` reads it from a fresh clone of the remote. */
async function registryRecord(model: string, version: string, name: string): Promise<{ sha256: string }> {
  const show = await runCliBundle(['registry', 'show', `${model}@v${version}`, '--json'], {
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
      // By default in the runner's temp folder, out of the working tree: no later step commits or packs it.
      expect(checksums).toBe(join(runnerTemp, 'mlops', `${model}-v1.sha256`));
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
