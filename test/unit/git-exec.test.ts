import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { git } from '../../src/adapters/git/exec.js';

const scratch = mkdtempSync(join(tmpdir(), 'mlops-git-exec-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('git working directory errors', () => {
  it('blames a working directory that does not exist, not a missing git', async () => {
    const missing = join(scratch, 'nowhere');
    await expect(git(['status'], { cwd: missing })).rejects.toThrow(
      new InputError(`working directory ${missing} does not exist.`),
    );
  });

  it('says a working directory that is a file is not a directory (spawn ENOTDIR)', async () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'x');
    await expect(git(['status'], { cwd: file })).rejects.toThrow(
      new InputError(`working directory ${file} is not a directory.`),
    );
  });
});
