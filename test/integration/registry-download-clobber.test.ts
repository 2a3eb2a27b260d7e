/**
 * downloadModelVersion in-process (local mode): --clobber of a folder model leaves the old folder
 * and file as they were when the new folder cannot take its place, and names starting with "."
 * (a folder model's unpacked name included) are refused before anything is written. It mocks
 * node:fs/promises, so it lives with the isolated integration files: in the unit project (no
 * per-file isolation) the mock could miss an already loaded download.js or leak into other files.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type * as fsPromises from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createBareRemote, createRepo, makeTempDir, writeFiles } from '../support/git.js';
import { seedVersions } from '../support/registry-seed.js';
import { runCliBundle } from '../support/runner.js';
import { downloadModelVersion } from '../../src/adapters/registry/download.js';
import { memoryLogger } from '../../src/core/logger.js';

/** The rename whose destination ends with this path fails once (EBUSY), as a busy folder would. */
const failRename = vi.hoisted(() => ({ destinationEnding: undefined as string | undefined }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof fsPromises>();
  return {
    ...actual,
    rename: async (from: string, to: string) => {
      if (failRename.destinationEnding !== undefined && String(to).endsWith(failRename.destinationEnding)) {
        failRename.destinationEnding = undefined;
        throw Object.assign(new Error(`EBUSY: resource busy, rename '${from}' -> '${to}'`), { code: 'EBUSY' });
      }
      return actual.rename(from, to);
    },
  };
});

const tmp = makeTempDir('mlops-download-clobber-');
afterAll(() => tmp.cleanup());
const local = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: tmp.path,
  GITHUB_TOKEN: '',
  GH_TOKEN: '',
};
const options = (cwd: string) => ({ cwd, branch: 'mlops-registry', remote: 'origin', log: memoryLogger() });

describe('downloadModelVersion --clobber of a folder model', () => {
  it('leaves the old folder and the old tar.gz exactly as they were when the new folder cannot take its place', async () => {
    const repo = createRepo(tmp.path, 'work', createBareRemote(tmp.path), { 'bundle/a.txt': 'new\n' });
    const registered = await runCliBundle(['register', '--model', 'bundle', '--path', 'bundle'], {
      cwd: repo,
      env: local,
    });
    expect(registered.code, registered.stderr).toBe(0);
    const out = join(tmp.path, 'out');
    writeFiles(out, { 'bundle.tar.gz': 'old archive\n', 'bundle/a.txt': 'old\n' });

    failRename.destinationEnding = join('out', 'bundle');
    await expect(
      downloadModelVersion({ ...options(repo), model: 'bundle', version: 1, outDir: out, clobber: true }),
    ).rejects.toThrow(/EBUSY/);
    expect(failRename.destinationEnding).toBeUndefined();
    expect(readFileSync(join(out, 'bundle.tar.gz'), 'utf8')).toBe('old archive\n');
    expect(readFileSync(join(out, 'bundle', 'a.txt'), 'utf8')).toBe('old\n');
    expect(readdirSync(out).sort()).toEqual(['bundle', 'bundle.tar.gz']);

    // Without the failure the same download replaces both, and leaves nothing else behind.
    const placed = await downloadModelVersion({
      ...options(repo),
      model: 'bundle',
      version: 1,
      outDir: out,
      clobber: true,
    });
    expect(placed.path).toBe(join(out, 'bundle'));
    expect(readFileSync(join(out, 'bundle', 'a.txt'), 'utf8')).toBe('new\n');
    expect(readdirSync(out).sort()).toEqual(['bundle', 'bundle.tar.gz']);
  }, 120_000);
});

describe('downloadModelVersion names starting with "."', () => {
  it('refuses a version whose file or unpacked folder name starts with "." before writing anything', async () => {
    const repo = createRepo(tmp.path, 'dots', createBareRemote(tmp.path, 'dots.git'), { 'README.md': '# x\n' });
    await seedVersions({ workspace: repo, model: 'dotted', versions: [{ bytes: 'x\n' }], fileName: '.gitconfig' });
    const out = join(tmp.path, 'dots-out');
    await expect(downloadModelVersion({ ...options(repo), model: 'dotted', version: 1, outDir: out })).rejects.toThrow(
      'dotted v1: the registry\'s record cannot be trusted: the file name ".gitconfig" starts with "." (run mlops registry fsck).',
    );
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});

describe('downloadNameProblem', () => {
  it('refuses an unpacked folder name starting with "." even where the file name is fine', async () => {
    const { downloadNameProblem } = await import('../../src/adapters/registry/download.js');
    expect(downloadNameProblem('default.git.tar.gz', 'file')).toBeUndefined();
    expect(downloadNameProblem('.git', 'folder')).toBe('the unpacked folder name ".git" starts with "."');
    expect(downloadNameProblem('a/b', 'folder')).toBe(
      'the unpacked folder name "a/b" contains a path separator or NUL',
    );
    expect(downloadNameProblem('model', 'folder')).toBeUndefined();
  });
});
