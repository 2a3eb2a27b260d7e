/**
 * Registry bugs a review found after the integrity work (issue #8): names that are built-in
 * object properties, fsck --fix losing files or rolling the registry back, a fix that loops.
 * Each runs the built CLI against real git and a bare remote in a temporary folder; versions a
 * test only needs to exist are registered in the test process (registry-seed.ts), and the
 * registers a test is about run the CLI.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RegistryRepository } from '../../src/adapters/registry/repository.js';
import { eventContext, registryTransaction } from '../../src/adapters/registry/transaction.js';
import { memoryLogger } from '../../src/core/logger.js';
import { setAlias } from '../../src/core/registry/operations.js';
import { createBareRemote, createRepo, gitIn, makeTempDir, writeFiles, editRegistryBranch } from '../support/git.js';
import { seedVersions } from '../support/registry-seed.js';
import { runCliBundle } from '../support/runner.js';

const tmp = makeTempDir('mlops-registry-review-');
afterAll(() => tmp.cleanup());

const noIdentity = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', HOME: tmp.path };

function cli(cwd: string, ...args: string[]) {
  return runCliBundle(args, { cwd, env: noIdentity });
}

function editBranch(remote: string, name: string, edit: (dir: string) => void): void {
  editRegistryBranch(remote, tmp.path, name, edit);
}

interface FsckJson {
  ok: boolean;
  problems: Array<{ path: string; message: string; fixable: boolean; fixed?: boolean }>;
}

/**
 * Registers versions that a test only needs to exist, in the test process (registry-seed.ts):
 * the registers these tests are about still run the built CLI.
 */
async function seed(work: string, model: string, versions: string[]): Promise<void> {
  await seedVersions({ workspace: work, model, versions: versions.map((bytes) => ({ bytes })) });
}

function workspace(name: string): { remote: string; work: string } {
  const remote = createBareRemote(tmp.path, `${name}.git`);
  const work = createRepo(tmp.path, name, remote, { 'README.md': '# x\n', 'model.bin': 'v1 weights\n' });
  return { remote, work };
}

describe('registry names that are built-in object properties', () => {
  it('registers a model called constructor and refuses removing an alias called constructor in one line', async () => {
    const { work } = workspace('builtin-names');
    await seed(work, 'a', ['v1 weights\n']);
    const named = await cli(work, 'register', '--model', 'constructor', '--path', 'model.bin', '--json');
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(named.stdout)).toMatchObject({ version: 1 });
    const listed = await cli(work, 'registry', 'list', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { models: Array<{ name: string }> }).models.map((m) => m.name)).toEqual([
      'a',
      'constructor',
    ]);

    const removed = await cli(work, 'registry', 'remove-alias', 'a', 'constructor');
    expect(removed.code).toBe(2);
    expect(removed.stderr.trim().split('\n')).toEqual([
      'mlops: error: Model "a" has no alias "constructor" (it has no aliases).',
    ]);
    const toString = await cli(work, 'registry', 'show', 'a@toString');
    expect(toString.code, toString.stderr).not.toBe(0);
    expect(toString.stderr.trim().split('\n')).toHaveLength(1);
    expect(toString.stderr).not.toMatch(/TypeError|at .*\.js/);
  }, 120_000);
});

describe('fsck --fix with an event-log file it cannot parse', () => {
  it('keeps the staging folder of a version registered in that file, and reports the model', async () => {
    const { remote, work } = workspace('unread-log');
    await seed(work, 'm', ['v1 weights\n']);
    // 99 more events fill models/m/events/000001.jsonl (100 a file), in one commit: fast.
    const repo = await RegistryRepository.open({
      cwd: work,
      branch: 'mlops-registry',
      remote: 'origin',
      log: memoryLogger(),
    });
    await registryTransaction(
      repo,
      async (docs) => {
        for (let i = 1; i <= 99; i++) await setAlias(docs, 'm', `a${i}`, 1, eventContext('test'));
      },
      { message: () => '99 aliases' },
    );
    // v2 is event 101, in 000002.jsonl; the register dies before moving its file out of staging.
    writeFiles(work, { 'model.bin': 'v2 weights\n' });
    const crashed = await runCliBundle(['register', '--model', 'm', '--path', 'model.bin'], {
      cwd: work,
      env: { ...noIdentity, MLOPS_TEST_CRASH_AFTER_REGISTRY_WRITE: '1' },
    });
    expect(crashed.code).not.toBe(0);
    const staging = join(work, '.mlops/artifacts/m/.staging');
    const staged = readdirSync(staging).filter((name) => !name.endsWith('.json'));
    expect(staged).toHaveLength(1);
    expect(existsSync(join(work, '.mlops/artifacts/m/v2'))).toBe(false);

    editBranch(remote, 'unread-log-editor', (dir) =>
      appendFileSync(join(dir, 'models/m/events/000002.jsonl'), '{"oops"\n'),
    );
    const fixed = await cli(work, 'registry', 'fsck', '--fix', '--json');
    expect(fixed.code).toBe(1);
    expect(readdirSync(staging)).toContain(staged[0]);
    const report = JSON.parse(fixed.stdout) as FsckJson;
    expect(report.problems).toContainEqual(
      expect.objectContaining({
        path: `.mlops/artifacts/m/.staging/${staged[0]}/`,
        fixable: false,
        message: expect.stringContaining(
          'kept: models/m/events/000002.jsonl cannot be read, so fsck cannot tell whether a version of m records it',
        ) as string,
      }),
    );
  }, 120_000);
});

describe('fsck --fix when the event log lost its tail', () => {
  it('refuses to roll the registry back to the shorter log, naming the lost events, and keeps v2', async () => {
    const { remote, work } = workspace('lost-tail');
    await seedVersions({
      workspace: work,
      model: 'c',
      versions: [{ bytes: 'v1 weights\n' }, { bytes: 'v2 weights\n', alias: 'production' }],
    });
    editBranch(remote, 'lost-tail-editor', (dir) => {
      const file = join(dir, 'models/c/events/000001.jsonl');
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      writeFileSync(file, lines.slice(0, -2).join('\n') + '\n');
    });
    const before = gitIn(remote, 'rev-parse', 'refs/heads/mlops-registry');
    const v2 = readFileSync(join(work, '.mlops/artifacts/c/v2/model.bin'), 'utf8');

    const fixed = await cli(work, 'registry', 'fsck', '--fix', '--json');
    expect(fixed.code).toBe(1);
    const report = JSON.parse(fixed.stdout) as FsckJson;
    expect(report.problems).toContainEqual({
      path: 'models/c/index.json',
      message:
        'the event log lost events 2..3 (it ends at event 1): the derived files remember v2, alias production; restore the log from history (git log on the registry branch) rather than rebuilding from it',
      fixable: false,
    });
    expect(gitIn(remote, 'rev-parse', 'refs/heads/mlops-registry')).toBe(before);
    expect(readFileSync(join(work, '.mlops/artifacts/c/v2/model.bin'), 'utf8')).toBe(v2);
  }, 120_000);

  it('moves an existing v<N> folder aside to .orphaned instead of deleting it when a register reuses the number', async () => {
    const { work } = workspace('orphaned');
    await seed(work, 'o', ['v1 weights\n']);
    // A v2 folder the registry does not know (left by a registry that was rolled back).
    writeFiles(work, { '.mlops/artifacts/o/v2/model.bin': 'old v2\n', 'model.bin': 'new v2\n' });
    const second = await cli(work, 'register', '--model', 'o', '--path', 'model.bin');
    expect(second.code, second.stderr).toBe(0);
    expect(readFileSync(join(work, '.mlops/artifacts/o/v2/model.bin'), 'utf8')).toBe('new v2\n');
    const orphans = readdirSync(join(work, '.mlops/artifacts/o/.orphaned'));
    expect(orphans).toHaveLength(1);
    expect(orphans[0]).toMatch(/^v2-\d{8}T\d{6}Z$/);
    expect(readFileSync(join(work, '.mlops/artifacts/o/.orphaned', orphans[0]!, 'model.bin'), 'utf8')).toBe('old v2\n');
    expect(second.stderr).toContain(`moved it to .mlops/artifacts/o/.orphaned/${orphans[0]}/`);
    // The orphan is not the registry's: fsck finds both versions in place.
    const fsck = await cli(work, 'registry', 'fsck');
    expect(fsck.code, fsck.stdout + fsck.stderr).toBe(0);
  }, 120_000);
});

describe('fsck --fix with a broken model the top-level index does not list', () => {
  it('lets writes and list go on for the other models, and fsck still reports the broken one', async () => {
    const { remote, work } = workspace('broken-unlisted');
    await seed(work, 'a', ['v1 weights\n']);
    await seed(work, 'b', ['v1 weights\n']);
    editBranch(remote, 'broken-unlisted-editor', (dir) => {
      writeFileSync(join(dir, 'models/b/events/000001.jsonl'), '{"oops"\n');
      rmSync(join(dir, 'index.json'));
    });
    const fixed = await cli(work, 'registry', 'fsck', '--fix');
    expect(fixed.code).toBe(1);

    writeFiles(work, { 'model.bin': 'a v2\n' });
    const next = await cli(work, 'register', '--model', 'a', '--path', 'model.bin', '--json');
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ version: 2 });
    const listed = await cli(work, 'registry', 'list', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { models: Array<{ name: string }> }).models.map((m) => m.name)).toEqual(['a']);

    const again = await cli(work, 'registry', 'fsck', '--json');
    expect(again.code).toBe(1);
    expect((JSON.parse(again.stdout) as FsckJson).problems).toContainEqual(
      expect.objectContaining({ path: 'models/b/events/000001.jsonl', fixable: false }),
    );
  }, 120_000);
});

describe('fsck and symbolic links in .mlops/artifacts', () => {
  it('reports a v<N> folder that is a symbolic link and reads nothing through it', async () => {
    const { work } = workspace('linked-version');
    await seed(work, 's', ['v1 weights\n']);
    const outside = join(tmp.path, 'linked-version-outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'model.bin'), 'v1 weights\n');
    rmSync(join(work, '.mlops/artifacts/s/v1'), { recursive: true });
    symlinkSync(outside, join(work, '.mlops/artifacts/s/v1'));
    const fsck = await cli(work, 'registry', 'fsck', '--json');
    expect(fsck.code).toBe(1);
    const report = JSON.parse(fsck.stdout) as FsckJson;
    expect(report.problems).toContainEqual(
      expect.objectContaining({
        message: expect.stringContaining('.mlops/artifacts/s/v1 is a symbolic link') as string,
        fixable: false,
      }),
    );
    expect(fsck.stdout + fsck.stderr).not.toMatch(/[0-9a-f]{64}/);
    expect(readFileSync(join(outside, 'model.bin'), 'utf8')).toBe('v1 weights\n');
  }, 120_000);
});
