import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { decodeUtf8File } from '../../core/data/utf8.js';
import { ConfigurationError, InputError } from '../../core/errors.js';

/**
 * How a path is shown in messages, reports and annotations: relative to `base` with `/` when it
 * is inside it (what a user recognises from their repository), else as given.
 */
export function displayPath(file: string, base: string): string {
  const inside = relative(base, file);
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside) ? inside.split(sep).join('/') : file;
}

/**
 * Reads a file the user named (a suite, gates, metrics, a run record) as UTF-8. A missing file or
 * a folder is the user's mistake about `label` (the input or flag), named as `shown`.
 */
export async function readUserFile(file: string, label: string, shown: string = file): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${label}: ${shown} does not exist.`);
    if (code === 'EISDIR') throw new InputError(`${label}: ${shown} is a directory, not a file.`);
    throw new ConfigurationError(`cannot read: ${(error as Error).message}`, { file: shown });
  }
  return decodeUtf8File(bytes, shown);
}

/**
 * Writes a file atomically: a temp file beside it, then a rename, so readers (and a crash) never
 * see half a file. Creates the folder.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, content);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
