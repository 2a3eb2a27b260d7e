/**
 * Unpacking a directory model's tar.gz (downloadModelVersion): regular files and folders only,
 * every path inside the target folder; anything else refuses the whole package.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { entryNameProblem, unpackPackage } from '../../src/adapters/registry/download.js';
import { packDirectory } from '../../src/adapters/registry/package.js';

const scratch = mkdtempSync(join(tmpdir(), 'mlops-unpack-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;

/** A tar.gz with the given entries, written by tar-stream as any tar tool would. */
async function archive(entries: Array<Partial<tar.Header> & { name: string; body?: string }>): Promise<string> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const { body, ...header } of entries) {
    await new Promise<void>((resolve, reject) =>
      pack.entry({ type: 'file', mode: 0o644, ...header }, body ?? '', (error) => (error ? reject(error) : resolve())),
    );
  }
  pack.finalize();
  await done;
  const file = join(scratch, `a${++n}.tar.gz`);
  writeFileSync(file, gzipSync(Buffer.concat(chunks)));
  return file;
}

describe('unpackPackage', () => {
  it('unpacks what register packed, file for file, keeping the executable bit', async () => {
    const source = join(scratch, 'model');
    for (const [file, body] of [
      ['a.txt', 'a\n'],
      ['sub/b.bin', 'b'],
    ] as const) {
      const path = join(source, file);
      rmSync(path, { force: true });
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, body);
    }
    writeFileSync(join(source, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    const packed = join(scratch, 'model.tar.gz');
    await packDirectory(source, packed);
    const target = join(scratch, `out${++n}`);
    expect(await unpackPackage(packed, target, 'm v1')).toBe(3);
    expect(readFileSync(join(target, 'sub/b.bin'), 'utf8')).toBe('b');
    expect(statSync(join(target, 'run.sh')).mode & 0o111).not.toBe(0);
    expect(statSync(join(target, 'a.txt')).mode & 0o111).toBe(0);
  });

  it.each([
    ['../evil.txt', 'climbs out of the folder (..)'],
    ['sub/../../evil.txt', 'climbs out of the folder (..)'],
    ['/etc/evil', 'is an absolute path'],
    ['C:/evil', 'is an absolute path'],
    ['sub\\..\\evil', 'contains a backslash'],
  ])('refuses the entry %s', async (name, why) => {
    const file = await archive([
      { name: 'ok.txt', body: 'ok' },
      { name, body: 'x' },
    ]);
    const target = join(scratch, `out${++n}`);
    await expect(unpackPackage(file, target, 'm v1')).rejects.toThrow(
      `m v1: the package has an entry ${JSON.stringify(name)} that ${why}; refusing to unpack it.`,
    );
    expect(existsSync(join(scratch, 'evil.txt'))).toBe(false);
  });

  it('refuses symbolic and hard links and files given twice', async () => {
    for (const [entries, why] of [
      [[{ name: 'link', type: 'symlink' as const, linkname: '/etc/passwd' }], 'is a symlink, not a file or folder'],
      [[{ name: 'hard', type: 'link' as const, linkname: 'other' }], 'is a link, not a file or folder'],
      [
        [
          { name: 'twice.txt', body: 'first' },
          { name: 'twice.txt', body: 'second' },
        ],
        'is in the package twice',
      ],
    ] as const) {
      const file = await archive(entries as never);
      const target = join(scratch, `out${++n}`);
      await expect(unpackPackage(file, target, 'm v1')).rejects.toThrow(why);
      expect(readdirSync(target).filter((name) => name === 'link' || name === 'hard')).toEqual([]);
    }
  });

  it('names a file that is not a tar.gz', async () => {
    const file = join(scratch, 'not.tar.gz');
    writeFileSync(file, 'plain text');
    await expect(unpackPackage(file, join(scratch, `out${++n}`), 'm v1')).rejects.toThrow(
      /^m v1: the package is not a readable tar\.gz: /,
    );
  });

  it('accepts ordinary names', () => {
    for (const name of ['a', 'a/b.txt', 'dir/', 'x..y', '.hidden'])
      expect(entryNameProblem(name), name).toBeUndefined();
  });
});
