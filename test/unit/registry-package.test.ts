// Packaging a model folder: each kind of bad symbolic link gets its own message, naming the link
// (and, for a broken one, where it points), so the user knows what to fix.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packageArtifact } from '../../src/adapters/registry/package.js';
import { InputError } from '../../src/core/errors.js';

let scratch: string;
let model: string;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'mlops-package-'));
  model = join(scratch, 'model');
  mkdirSync(model);
  writeFileSync(join(model, 'weights.bin'), 'bytes');
});

afterEach(() => rmSync(scratch, { recursive: true, force: true }));

async function failure(): Promise<string> {
  const error = await packageArtifact(model, join(scratch, 'tmp')).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).message;
}

describe('symbolic links in a model folder', () => {
  it('calls a link loop a loop', async () => {
    symlinkSync('b.bin', join(model, 'a.bin'));
    symlinkSync('a.bin', join(model, 'b.bin'));
    expect(await failure()).toBe(
      `path: ${join(model, 'a.bin')} is a symbolic link that loops (following it leads back to itself); replace it with the file.`,
    );
  });

  it('calls a dangling link broken and names its target', async () => {
    symlinkSync('missing/weights.bin', join(model, 'current.bin'));
    expect(await failure()).toBe(
      `path: ${join(model, 'current.bin')} is a broken symbolic link: its target "missing/weights.bin" does not exist.`,
    );
  });

  it('still refuses a link to outside the folder, and leaves no temporary folder behind', async () => {
    writeFileSync(join(scratch, 'elsewhere.bin'), 'x');
    symlinkSync(join(scratch, 'elsewhere.bin'), join(model, 'out.bin'));
    expect(await failure()).toBe(
      `path: ${join(model, 'out.bin')} is a symbolic link to outside the model directory; copy the file in instead.`,
    );
    expect(readdirSync(join(scratch, 'tmp'))).toEqual([]);
  });
});
