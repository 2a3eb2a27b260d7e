import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { checkOutputPaths, writeFileAtomic } from '../../src/adapters/fs/user-files.js';

const scratch = mkdtempSync(join(tmpdir(), 'mlops-user-files-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
mkdirSync(join(scratch, 'folder'));
writeFileSync(join(scratch, 'file'), 'x');

describe('checkOutputPaths', () => {
  it('accepts new files, also in folders that do not exist yet, and existing files', async () => {
    await checkOutputPaths(
      [
        { path: join(scratch, 'new.json'), label: '--report' },
        { path: join(scratch, 'a', 'b', 'c.json'), label: '--profile-out' },
        { path: join(scratch, 'file'), label: '--suite-out' },
      ],
      scratch,
    );
    expect(existsSync(join(scratch, 'a'))).toBe(false);
  });

  it('refuses a directory, a path under a file (however deep) and one path given twice', async () => {
    await expect(checkOutputPaths([{ path: join(scratch, 'folder'), label: '--report' }], scratch)).rejects.toThrow(
      new InputError('--report: folder is a directory, not a file.'),
    );
    await expect(
      checkOutputPaths([{ path: join(scratch, 'file', 'x', 'y.json'), label: 'Input "report"' }], scratch),
    ).rejects.toThrow(new InputError('Input "report": cannot write file/x/y.json: file is a file, not a directory.'));
    const same = join(scratch, 'same.json');
    await expect(
      checkOutputPaths(
        [
          { path: same, label: '--suite-out' },
          { path: same, label: '--profile-out' },
        ],
        scratch,
      ),
    ).rejects.toThrow(new InputError('--profile-out: same.json is also the path of --suite-out.'));
  });
});

describe('writeFileAtomic', () => {
  it('turns a directory in the way into one clear InputError, and leaves no temp file', async () => {
    await expect(writeFileAtomic(join(scratch, 'folder'), 'x')).rejects.toThrow(InputError);
    await expect(writeFileAtomic(join(scratch, 'file', 'under.json'), 'x')).rejects.toThrow(InputError);
    expect(existsSync(join(scratch, 'file'))).toBe(true);
    expect(readdirSync(scratch).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
