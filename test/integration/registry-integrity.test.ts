/**
 * Registry integrity against real git: hand-corrupted registry branches (a deleted model index, a
 * zeroed sha256, a lost top-level index, a corrupt log line), a wrong registry branch, a push
 * that fails with an unreachable remote, and a rewound branch. Each runs the built CLI or
 * register bundle as a user or a runner would. The registry the corruptions start from (iris v1 as
 * production, and v2) is registered once per file, and each test corrupts its own copy of it.
 */
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRemote, createRepo, gitIn, makeTempDir, writeFiles, editRegistryBranch } from '../support/git.js';
import { copyRemoteAndClone, type RemoteAndClone } from '../support/repo-copy.js';
import { runBundle, runCliBundle } from '../support/runner.js';

const tmp = makeTempDir('mlops-registry-integrity-');
afterAll(() => tmp.cleanup());

const noIdentity = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', HOME: tmp.path };

function cli(cwd: string, ...args: string[]) {
  return runCliBundle(args, { cwd, env: noIdentity });
}

let fixture: RemoteAndClone;
beforeAll(async () => {
  const remote = createBareRemote(tmp.path, 'fixture.git');
  const work = createRepo(tmp.path, 'fixture', remote, { 'README.md': '# x\n', 'model.bin': 'v1 weights\n' });
  const first = await cli(work, 'register', '--model', 'iris', '--path', 'model.bin', '--alias', 'production');
  expect(first.code, first.stderr).toBe(0);
  writeFiles(work, { 'model.bin': 'v2 weights\n' });
  const second = await cli(work, 'register', '--model', 'iris', '--path', 'model.bin');
  expect(second.code, second.stderr).toBe(0);
  fixture = { remote, work };
});

/** A remote with a working clone that registered iris v1 as production and v2 (local artifacts): a copy of the file's fixture. */
function seeded(name: string): RemoteAndClone {
  return copyRemoteAndClone(fixture, tmp.path, name);
}

/** The registry branch's `file` on `remote`, parsed. */
function branchJson<T>(remote: string, file: string): T {
  return JSON.parse(gitIn(remote, 'show', `mlops-registry:${file}`)) as T;
}

function editBranch(remote: string, name: string, edit: (dir: string) => void): void {
  editRegistryBranch(remote, tmp.path, name, edit);
}

const tip = (remote: string, branch = 'mlops-registry') => gitIn(remote, 'rev-parse', `refs/heads/${branch}`);

describe('registry integrity: derived files that disagree with the log', () => {
  it('refuses to register over a deleted model index, keeping v1, its artifact and production', async () => {
    const { remote, work } = seeded('no-model-index');
    editBranch(remote, 'no-model-index-editor', (dir) => rmSync(join(dir, 'models/iris/index.json')));
    const before = tip(remote);
    const v1 = readFileSync(join(work, '.mlops/artifacts/iris/v1/model.bin'), 'utf8');

    writeFiles(work, { 'model.bin': 'v3 weights\n' });
    const refused = await cli(work, 'register', '--model', 'iris', '--path', 'model.bin');
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n').pop()).toMatch(
      /^mlops: error: models\/iris\/index\.json: does not match the event log on branch mlops-registry of origin at [0-9a-f]{7}: it is missing, but the event log has 3 events \(the last in models\/iris\/events\/000001\.jsonl\)\. Nothing was written; run `mlops registry fsck` to see every problem and `mlops registry fsck --fix` to rebuild the derived files from the event logs\.$/,
    );
    expect(tip(remote)).toBe(before);
    expect(readFileSync(join(work, '.mlops/artifacts/iris/v1/model.bin'), 'utf8')).toBe(v1);
    expect(readdirSync(join(work, '.mlops/artifacts/iris')).filter((n) => n !== '.staging')).toEqual(['v1', 'v2']);

    const fixed = await cli(work, 'registry', 'fsck', '--fix');
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    const next = await cli(work, 'register', '--model', 'iris', '--path', 'model.bin', '--json');
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ version: 3 });
    // The rebuilt model index still points production at v1.
    expect(branchJson(remote, 'models/iris/index.json')).toMatchObject({
      latestVersion: 3,
      aliases: { production: { version: 1 } },
    });
  }, 120_000);

  it('refuses set-alias when the versions file has a sha256 the log does not', async () => {
    const { remote, work } = seeded('zero-sha');
    editBranch(remote, 'zero-sha-editor', (dir) => {
      const file = join(dir, 'models/iris/versions/000001.json');
      const chunk = JSON.parse(readFileSync(file, 'utf8')) as { versions: Array<{ sha256: string }> };
      chunk.versions[1]!.sha256 = '0'.repeat(64);
      writeFileSync(file, JSON.stringify(chunk, null, 2) + '\n');
    });
    const before = tip(remote);
    const refused = await cli(work, 'registry', 'set-alias', 'iris', 'staging', 'v2');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^mlops: error: models/iris/versions/000001\\.json: does not match the event log on branch mlops-registry of origin at [0-9a-f]{7}: v2 has sha256 ${'0'.repeat(64)}, but the log registered it with [0-9a-f]{64} \\(models/iris/events/000001\\.jsonl line 3\\)\\. Nothing was written;`,
      ),
    );
    expect(tip(remote)).toBe(before);
  }, 120_000);

  it('reports a lost top-level index in list and refuses a write that would drop the other models', async () => {
    const { remote, work } = seeded('no-top-index');
    writeFiles(work, { 'other.bin': 'other weights\n' });
    const other = await cli(work, 'register', '--model', 'penguins', '--path', 'other.bin');
    expect(other.code, other.stderr).toBe(0);
    editBranch(remote, 'no-top-index-editor', (dir) => rmSync(join(dir, 'index.json')));
    const before = tip(remote);

    const list = await cli(work, 'registry', 'list');
    expect(list.code).toBe(2);
    expect(list.stderr).toMatch(
      /^mlops: error: index\.json: does not match the event log on branch mlops-registry of origin at [0-9a-f]{7}: it is missing, but models\/ holds models iris, penguins\. Run `mlops registry fsck`/,
    );
    const refused = await cli(work, 'register', '--model', 'penguins', '--path', 'other.bin');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('index.json: does not match the event log');
    expect(refused.stderr).toContain('it is missing, but models/ holds models iris, penguins. Nothing was written;');
    expect(refused.stderr).not.toContain('Uploading');
    expect(tip(remote)).toBe(before);

    const fixed = await cli(work, 'registry', 'fsck', '--fix');
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    // The rebuilt top-level index lists both models again.
    expect(Object.keys(branchJson<{ models: object }>(remote, 'index.json').models)).toEqual(['iris', 'penguins']);
  }, 120_000);
});

describe('registry integrity: a branch that is not a registry', () => {
  it('refuses to register onto main, writing nothing to main or to the remote', async () => {
    const remote = createBareRemote(tmp.path, 'onto-main.git');
    const work = createRepo(tmp.path, 'onto-main', remote, { 'README.md': '# x\n', 'model.bin': 'weights\n' });
    const before = tip(remote, 'main');
    const refused = await cli(work, 'register', '--model', 'iris', '--path', 'model.bin', '--registry-branch', 'main');
    expect(refused.code).toBe(2);
    expect(refused.stderr).not.toContain('Uploading');
    expect(refused.stderr.trim().split('\n').pop()).toMatch(
      /^mlops: error: registry-branch: branch main of origin at [0-9a-f]{7} has files \(README\.md, model\.bin\) but no registry\.json, so it is not an mlops registry; refusing to write registry files onto it\. Use a branch of its own for the registry \(the default is mlops-registry\)\.$/,
    );
    expect(tip(remote, 'main')).toBe(before);
    expect(gitIn(work, 'rev-parse', 'main')).toBe(before);
    expect(existsSync(join(work, '.mlops/artifacts/iris/v1'))).toBe(false);
    const list = await cli(work, 'registry', 'list', '--registry-branch', 'main');
    expect(list.code).toBe(2);
    expect(list.stderr).toContain('so it is not an mlops registry. Use a branch of its own');
    const fsck = await cli(work, 'registry', 'fsck', '--fix', '--registry-branch', 'main');
    expect(fsck.code).toBe(2);
    expect(fsck.stderr).toContain('so it is not an mlops registry.');
    expect(tip(remote, 'main')).toBe(before);
  }, 120_000);
});

describe('registry integrity: fsck --fix keeps a broken model', () => {
  it('reports the corrupt log line and keeps the model in index.json', async () => {
    const { remote, work } = seeded('corrupt-line');
    editBranch(remote, 'corrupt-line-editor', (dir) => {
      const file = join(dir, 'models/iris/events/000001.jsonl');
      const lines = readFileSync(file, 'utf8').split('\n');
      // Line 2 is the event that made v1 production: the one fsck --fix must not lose.
      expect(JSON.parse(lines[1]!)).toMatchObject({ type: 'alias-set', alias: 'production' });
      lines[1] = lines[1]!.slice(0, 20);
      writeFileSync(file, lines.join('\n'));
    });
    const index = gitIn(remote, 'show', 'mlops-registry:index.json');

    const fixed = await cli(work, 'registry', 'fsck', '--fix');
    expect(fixed.code).toBe(1);
    expect(fixed.stdout).toContain('models/iris/events/000001.jsonl:2: The registry document');
    expect(fixed.stdout).toContain('Some problems are in the event logs themselves and need a person to look at them.');
    expect(gitIn(remote, 'show', 'mlops-registry:index.json')).toBe(index);
    expect(gitIn(remote, 'show', 'mlops-registry:models/iris/index.json')).toContain('"production"');
  }, 120_000);
});

describe('registry integrity: pushes', () => {
  it('keeps the staged upload and says the outcome is unknown when the push fails and the remote is gone', async () => {
    const remote = createBareRemote(tmp.path, 'vanishing.git');
    const work = createRepo(tmp.path, 'vanishing', remote, { 'README.md': '# x\n', 'model.bin': 'weights\n' });
    // The remote takes the push, then the connection drops and the remote becomes unreachable.
    const hook = join(remote, 'hooks', 'post-receive');
    writeFileSync(hook, `#!/bin/sh\nmv "$PWD" "$PWD-gone"\nkill -9 $PPID\n`);
    chmodSync(hook, 0o755);

    const result = await runBundle('register', {
      workspace: work,
      inputs: { model: 'iris', path: 'model.bin' },
      env: { GITHUB_RUN_ID: '9100', ...noIdentity },
    });
    expect(result.code).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^The registry write is in an unknown state: pushing to origin failed \(.+\) and the branch could not be fetched again to check \(.+\)\. iris may be registered; the uploaded artifact is kept at \.mlops\/artifacts\/iris\/\.staging\/[0-9a-f-]{36}\. Once origin is reachable, see whether it landed with `mlops registry history iris`, and check its artifact with `mlops registry fsck`\.$/,
    );
    // The staged folder, beside its staging record (<id>.json).
    const staged = readdirSync(join(work, '.mlops/artifacts/iris/.staging')).filter((name) => !name.endsWith('.json'));
    expect(staged).toHaveLength(1);
    expect(readFileSync(join(work, '.mlops/artifacts/iris/.staging', staged[0]!, 'model.bin'), 'utf8')).toBe(
      'weights\n',
    );
    // The version did land: the kept upload is what it records.
    renameSync(`${remote}-gone`, remote);
    rmSync(hook);
    expect(branchJson(remote, 'models/iris/index.json')).toMatchObject({ latestVersion: 1 });
    const again = await runBundle('register', {
      workspace: work,
      inputs: { model: 'iris', path: 'model.bin' },
      env: { GITHUB_RUN_ID: '9100', ...noIdentity },
    });
    expect(again.code, again.stdout).toBe(0);
    expect(again.outputs.version).toBe('1');
    expect(readFileSync(join(work, '.mlops/artifacts/iris/v1/model.bin'), 'utf8')).toBe('weights\n');
  }, 120_000);
});
