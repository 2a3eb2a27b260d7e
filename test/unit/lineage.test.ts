import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnvironment } from '../../src/adapters/environment.js';
import { collectLineage, hashLockfiles, hashPaths } from '../../src/adapters/lineage.js';
import { InputError } from '../../src/core/errors.js';

const sha = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');
const sha256sum = (file: string, cwd: string) =>
  execFileSync('sha256sum', [file], { cwd, encoding: 'utf8' }).slice(0, 64);
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@x',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@x',
    },
  }).trim();

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlops-lineage-'));
  mkdirSync(join(dir, 'data/sub/deeper'), { recursive: true });
  mkdirSync(join(dir, 'data/empty'));
  writeFileSync(join(dir, 'data/a.csv'), 'x,y\n1,2\n');
  writeFileSync(join(dir, 'data/Z.csv'), 'z\n');
  writeFileSync(join(dir, 'data/sub/b.bin'), Buffer.from([0, 1, 2, 255]));
  writeFileSync(join(dir, 'data/sub/deeper/ü.txt'), 'unicode name\n');
  // Bigger than one read buffer (4 MiB), so the streamed hash crosses reads.
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(9 * 1024 * 1024 + 7, 7));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hashPaths', () => {
  it("gives a file's sha256sum, size and count", async () => {
    const result = await hashPaths(['big.bin'], dir);
    expect(result.entries).toEqual([
      { path: 'big.bin', kind: 'file', sha256: sha256sum('big.bin', dir), files: 1, bytes: 9 * 1024 * 1024 + 7 },
    ]);
    expect(result.sha256).toBe(result.entries[0]!.sha256);
  });

  it('hashes a directory as the documented sha256sum manifest, independent of creation order', async () => {
    const manifest = execFileSync(
      'bash',
      ['-c', "find . -type f | sed 's|^\\./||' | LC_ALL=C sort | xargs -d '\\n' sha256sum"],
      { cwd: join(dir, 'data'), encoding: 'utf8' },
    );
    const result = await hashPaths(['./data/'], dir);
    expect(result.entries).toEqual([
      { path: 'data', kind: 'directory', sha256: sha(manifest), files: 4, bytes: 8 + 2 + 4 + 13 },
    ]);
    // The same files written in another order (another directory order on disk) hash the same.
    const copy = mkdtempSync(join(tmpdir(), 'mlops-lineage-copy-'));
    try {
      mkdirSync(join(copy, 'sub/deeper'), { recursive: true });
      writeFileSync(join(copy, 'sub/deeper/ü.txt'), 'unicode name\n');
      writeFileSync(join(copy, 'sub/b.bin'), Buffer.from([0, 1, 2, 255]));
      writeFileSync(join(copy, 'Z.csv'), 'z\n');
      writeFileSync(join(copy, 'a.csv'), 'x,y\n1,2\n');
      expect((await hashPaths([copy], dir)).sha256).toBe(result.sha256);
      writeFileSync(join(copy, 'a.csv'), 'x,y\n1,3\n');
      expect((await hashPaths([copy], dir)).sha256).not.toBe(result.sha256);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('records symlinks inside a directory by their target, without following them', async () => {
    const linked = mkdtempSync(join(tmpdir(), 'mlops-lineage-link-'));
    try {
      writeFileSync(join(linked, 'a.csv'), 'a\n');
      symlinkSync(join(dir, 'big.bin'), join(linked, 'big'));
      const result = await hashPaths(['.'], linked);
      const target = join(dir, 'big.bin');
      expect(result.entries[0]).toMatchObject({ kind: 'directory', files: 1, bytes: 2 });
      expect(result.sha256).toBe(sha(`${sha('a\n')}  a.csv\n${sha(target)}  big -> ${target}\n`));
      // A given path that is itself a symlink is followed (DVC links data into its cache).
      const top = await hashPaths(['big'], linked);
      expect(top.entries[0]).toMatchObject({ path: 'big', kind: 'file', sha256: sha256sum('big.bin', dir) });
    } finally {
      rmSync(linked, { recursive: true, force: true });
    }
  });

  it('combines several paths over their sorted manifest, whatever order they are given in', async () => {
    const one = await hashPaths(['data', 'big.bin'], dir);
    const other = await hashPaths(['big.bin', 'data'], dir);
    const [data, big] = [(await hashPaths(['data'], dir)).sha256, sha256sum('big.bin', dir)];
    expect(one.sha256).toBe(sha(`${big}  big.bin\n${data}  data\n`));
    expect(other.sha256).toBe(one.sha256);
    expect(one.entries.map((e) => e.path)).toEqual(['data', 'big.bin']);
  });

  it('names a missing path', async () => {
    await expect(hashPaths(['data/nope.csv'], dir)).rejects.toThrow(
      new InputError(`data/nope.csv does not exist (resolved against ${dir}).`),
    );
  });
});

describe('collectLineage', () => {
  it('records git commit, ref and dirty state (untracked files do not count), lockfiles, runner, versions', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'mlops-lineage-git-'));
    try {
      git(repo, 'init', '-q', '-b', 'main');
      writeFileSync(join(repo, 'train.py'), 'print(1)\n');
      writeFileSync(join(repo, 'requirements-dev.txt'), 'pytest\n');
      writeFileSync(join(repo, 'uv.lock'), 'lock\n');
      writeFileSync(join(repo, 'notes.txt'), 'not a lockfile\n');
      git(repo, 'add', '.');
      git(repo, 'commit', '-q', '-m', 'init');
      const commit = git(repo, 'rev-parse', 'HEAD');
      writeFileSync(join(repo, 'model.bin'), 'untracked output\n');
      const clean = await collectLineage({ cwd: repo, env: { GITHUB_ACTOR: 'octocat' } });
      expect(clean.git).toEqual({ commit, ref: 'refs/heads/main', dirty: false });
      expect(clean.lockfiles).toEqual([
        { path: 'requirements-dev.txt', sha256: sha('pytest\n') },
        { path: 'uv.lock', sha256: sha('lock\n') },
      ]);
      expect(clean.runner).toEqual({ os: process.platform, arch: process.arch });
      expect(clean.node).toBe(process.version);
      expect(clean.actor).toBe('octocat');
      expect(clean.runUrl).toBeUndefined();

      writeFileSync(join(repo, 'train.py'), 'print(2)\n');
      const environment = readEnvironment(
        { GITHUB_REF: 'refs/pull/7/merge', GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '42', GITHUB_ACTOR: 'a' },
        repo,
      );
      const dirty = await collectLineage({ cwd: repo, env: environment });
      expect(dirty.git).toEqual({ commit, ref: 'refs/pull/7/merge', dirty: true });
      expect(dirty.runUrl).toBe('https://github.com/o/r/actions/runs/42');
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('has no git outside a work tree, and finds python on the PATH it is given', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'mlops-lineage-bin-'));
    try {
      writeFileSync(join(bin, 'python3'), '#!/bin/sh\necho "Python 3.99.1"\n', { mode: 0o755 });
      const lineage = await collectLineage({ cwd: bin, env: { PATH: `${bin}:/usr/bin:/bin` } });
      expect(lineage.git).toBeUndefined();
      expect(lineage.python).toBe('3.99.1');
      const none = await collectLineage({ cwd: bin, env: { PATH: join(bin, 'nothing-here') } });
      expect(none.python).toBeUndefined();
      expect(await hashLockfiles(bin)).toEqual([]);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
