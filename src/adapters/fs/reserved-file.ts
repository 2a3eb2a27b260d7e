import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EnvironmentError, InputError } from '../../core/errors.js';

/**
 * How much longer than the file's own name its temporary file's name is: `.` before it, then
 * `.<8 hex digits>.tmp` after it.
 */
export const TEMP_NAME_EXTRA_CHARS = 14;

/**
 * An output file whose temporary file already exists beside it: the folder is made, the name fits
 * and the folder takes new files. A step reserves a file it writes after irreversible work (a
 * registered version, an upload), so that what can fail about writing it fails before that work.
 */
export interface ReservedFile {
  /** The path reserved (where `write` puts the content unless told another name in its folder). */
  readonly path: string;
  /**
   * Writes `content` into the temporary file and renames it to `target` (`path`, or another file
   * in the same folder: the rename never crosses a folder). Throws an EnvironmentError, saying
   * `context`, when that still fails (a full disk, a folder removed meanwhile).
   */
  write(content: string | Uint8Array, context: string, target?: string): Promise<void>;
  /** Removes the temporary file: the step failed before it wrote the content. */
  release(): Promise<void>;
}

/** Why an fs operation in `folder` failed, in words: the cause a user can act on. */
function fsProblem(error: unknown, folder: string): string {
  const { code, message } = error as NodeJS.ErrnoException;
  switch (code) {
    case 'ENAMETOOLONG':
      return `the file name is too long for the file system (its temporary file's name is ${TEMP_NAME_EXTRA_CHARS} characters longer)`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied in ${folder}`;
    case 'EROFS':
      return `${folder} is on a read-only file system`;
    case 'ENOSPC':
    case 'EDQUOT':
      return 'no space left on the device';
    case 'EEXIST':
    case 'ENOTDIR':
      return `a file is in the way of its folder ${folder}`;
    case 'EISDIR':
      return 'it is a directory, not a file';
    default:
      return message;
  }
}

/**
 * Reserves `path` for a later `write`: makes its folder and creates its temporary file
 * exclusively (`wx`). On failure throws an InputError `<label>: cannot create <shown>: <why>.`
 * (`label` is the input or flag that named the path); nothing is left behind but folders made.
 */
export async function reserveOutputFile(path: string, label: string, shown: string = path): Promise<ReservedFile> {
  const folder = dirname(path);
  const temp = join(folder, `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(folder, { recursive: true });
    await (await open(temp, 'wx')).close();
  } catch (error) {
    throw new InputError(`${label}: cannot create ${shown}: ${fsProblem(error, dirname(shown))}.`, undefined, {
      cause: error,
    });
  }
  return {
    path,
    async write(content, context, target = path) {
      if (dirname(target) !== folder) throw new Error(`Internal error: ${target} is not in ${folder}.`);
      try {
        await writeFile(temp, content);
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw new EnvironmentError(`${context}: cannot write ${target}: ${fsProblem(error, folder)}.`, undefined, {
          cause: error,
        });
      }
    },
    release: () => rm(temp, { force: true }),
  };
}

/**
 * Makes a new folder `<parent>/<prefix>XXXXXX` for one step's files (mkdtemp), so that two steps
 * of a job never write the same file. Throws an EnvironmentError naming `parent` when it cannot.
 */
export async function makeStepFolder(parent: string, prefix: string): Promise<string> {
  try {
    await mkdir(parent, { recursive: true });
    return await mkdtemp(join(parent, prefix));
  } catch (error) {
    throw new EnvironmentError(`cannot make a folder in ${parent}: ${fsProblem(error, parent)}.`, undefined, {
      cause: error,
    });
  }
}
