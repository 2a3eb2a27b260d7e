import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
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
 * A JSON file a step wrote earlier (a report), or undefined when it is missing or not JSON: for
 * summaries that are nice to have, never for input whose absence is an error.
 */
export async function readJsonIfPresent(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** A file a step is about to write, and how to name it in an error. */
export interface OutputPath {
  path: string;
  /** The input or flag that names it: `--report`, `Input "report"`. */
  label: string;
}

/**
 * Checks, before anything is written, that every output path can be written: not a directory,
 * not under a file, not the same as another output, and not one of the files the step reads
 * (`reads`: a report over the metrics file would destroy the input; compared by device and
 * inode, so another spelling or a link to the same file is caught too). A step that writes
 * several files calls it first, so that a bad last path never leaves the first files written.
 * Throws an InputError naming the input and the path (shown relative to `base`, the working
 * directory).
 */
export async function checkOutputPaths(
  outputs: readonly OutputPath[],
  base: string,
  reads: readonly OutputPath[] = [],
): Promise<void> {
  const inputs = new Map<string, string>();
  for (const { path, label } of reads) {
    const stats = await stat(path).catch(() => undefined);
    if (stats?.isFile()) inputs.set(`${stats.dev}:${stats.ino}`, label);
  }
  const seen = new Map<string, string>();
  for (const { path, label } of outputs) {
    const shown = displayPath(path, base);
    const other = seen.get(path);
    if (other !== undefined) throw new InputError(`${label}: ${shown} is also the path of ${other}.`);
    seen.set(path, label);
    const stats = await stat(path).catch(() => undefined);
    if (stats?.isDirectory()) throw new InputError(`${label}: ${shown} is a directory, not a file.`);
    const input = stats ? inputs.get(`${stats.dev}:${stats.ino}`) : undefined;
    if (input !== undefined) {
      throw new InputError(`${label}: ${shown} is also ${input}, a file this step reads; writing it would destroy it.`);
    }
    if (stats) continue;
    // The nearest ancestor that exists must be a directory: mkdir -p cannot go through a file.
    // (Below a file, stat says ENOTDIR: keep climbing until the file itself.)
    for (let parent = dirname(path); ; parent = dirname(parent)) {
      const parentStats = await stat(parent).catch(() => undefined);
      if (parentStats && !parentStats.isDirectory()) {
        throw new InputError(
          `${label}: cannot write ${shown}: ${displayPath(parent, base)} is a file, not a directory.`,
        );
      }
      if (parentStats || dirname(parent) === parent) break;
    }
  }
}

/**
 * Writes a file atomically: a temp file beside it, then a rename, so readers (and a crash) never
 * see half a file. Creates the folder.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new InputError(`cannot write ${path}: a file is in the way of its folder ${dirname(path)}.`);
    }
    throw error;
  }
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, content);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') {
      throw new InputError(`cannot write ${path}: it is a directory, not a file.`);
    }
    throw error;
  }
}
