/**
 * reserveOutputFile: what can fail about an output file fails when it is reserved (before a step's
 * irreversible work), as an InputError naming the input; what still fails at the write (the folder
 * removed meanwhile, a full disk) is an EnvironmentError saying what was done, never a raw fs error.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reserveOutputFile } from '../../src/adapters/fs/reserved-file.js';
import { EnvironmentError, InputError } from '../../src/core/errors.js';

const folders: string[] = [];
function scratch(): string {
  const folder = mkdtempSync(join(tmpdir(), 'mlops-reserved-file-'));
  folders.push(folder);
  return folder;
}
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('reserveOutputFile', () => {
  it('makes the folder and a temporary file, then writes the content under another name in it', async () => {
    const folder = join(scratch(), 'out');
    const reserved = await reserveOutputFile(join(folder, 'm.sha256'), '--checksums');
    expect(readdirSync(folder)).toEqual([expect.stringMatching(/^\.m\.sha256\.[0-9a-f]{8}\.tmp$/)]);
    await reserved.write('line\n', 'm v1 is registered', join(folder, 'm-v1.sha256'));
    expect(readdirSync(folder)).toEqual(['m-v1.sha256']);
    expect(readFileSync(join(folder, 'm-v1.sha256'), 'utf8')).toBe('line\n');
  });

  it('refuses a path below a file as an InputError naming the input, leaving nothing', async () => {
    const base = scratch();
    writeFileSync(join(base, 'file'), 'x');
    const error = await reserveOutputFile(join(base, 'file', 'm.sha256'), 'Input "checksums"', 'file/m.sha256').catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      'Input "checksums": cannot create file/m.sha256: a file is in the way of its folder file.',
    );
  });

  it('a write that fails after all (the folder removed meanwhile) is an EnvironmentError saying the context', async () => {
    const folder = join(scratch(), 'gone');
    const reserved = await reserveOutputFile(join(folder, 'm.sha256'), '--checksums');
    rmSync(folder, { recursive: true });
    const error = await reserved
      .write('line\n', 'm v1 is registered, but its checksums file is not written')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as Error).message).toMatch(
      /^m v1 is registered, but its checksums file is not written: cannot write /,
    );
    expect(existsSync(folder)).toBe(false);
  });

  it('release removes the temporary file', async () => {
    const folder = scratch();
    const reserved = await reserveOutputFile(join(folder, 'm.sha256'), '--checksums');
    await reserved.release();
    expect(readdirSync(folder)).toEqual([]);
  });
});
