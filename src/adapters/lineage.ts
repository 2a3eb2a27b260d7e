import { execFile } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { open, readdir, readlink, stat } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../core/errors.js';
import type { GitLineage, HashedPath, RunLineage } from '../core/registry/runs.js';
import { readEnvironment, workflowRunUrl, type RunEnvironment } from './environment.js';
import { git } from './git/exec.js';

/**
 * Reads of 4 MiB: large enough that the hash, not the system calls, sets the pace (as fast as
 * `sha256sum`, which reads 32 KiB at a time but has no event loop between reads).
 */
const READ_SIZE = 4 * 1024 * 1024;

/** Files of a directory hashed at once: keeps an SSD's queue busy without opening hundreds of files. */
const PARALLEL_FILES = 4;

/** A path hashed by {@link hashPaths}. */
export interface HashEntry extends HashedPath {
  files: number;
  bytes: number;
}

/** What {@link hashPaths} returns. */
export interface HashedPaths {
  /** One entry's sha256, or, for several, the sha256 of their manifest (see hashPaths). */
  sha256: string;
  entries: HashEntry[];
}

/** The sha256 of a file's bytes (what `sha256sum` prints) and its size, streamed in big reads. */
async function hashFile(
  file: string,
  buffer: Buffer = Buffer.allocUnsafe(READ_SIZE),
): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  const handle = await open(file, 'r');
  let bytes = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      bytes += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** A line of a directory manifest: a file, or a symlink (never followed). */
interface ManifestItem {
  /** Relative path with `/` separators. */
  path: string;
  /** Absolute path on disk. */
  absolute: string;
  symlink: boolean;
}

/** Every file and symlink under `dir`, depth first; other entries (sockets, FIFOs, devices) are skipped. */
async function listTree(dir: string, prefix: string, out: ManifestItem[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    const absolute = join(dir, entry.name);
    if (entry.isDirectory()) await listTree(absolute, path, out);
    else if (entry.isFile()) out.push({ path, absolute, symlink: false });
    else if (entry.isSymbolicLink()) out.push({ path, absolute, symlink: true });
  }
}

/** Byte order of the UTF-8 paths: the same on every platform and locale (`LC_ALL=C sort`). */
function byUtf8(a: { path: string }, b: { path: string }): number {
  return Buffer.compare(Buffer.from(a.path, 'utf8'), Buffer.from(b.path, 'utf8'));
}

/**
 * Hashes a directory: the sha256 of its manifest, one line per regular file in UTF-8 byte order
 * of the relative path, `<file sha256>  <relative/path>\n`: exactly what `sha256sum` prints, so
 *
 *     cd dir && find . -type f | sed 's|^\./||' | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum
 *
 * gives the same hash (for names without newlines or backslashes, which sha256sum escapes).
 * Symlinks are not followed: each adds the line `<sha256 of its target text>  <path> -> <target>`
 * (so retargeting one changes the hash) and counts in neither `files` nor `bytes`. Empty
 * directories add nothing. Directory order on disk never matters.
 */
async function hashDirectory(dir: string): Promise<{ sha256: string; files: number; bytes: number }> {
  const items: ManifestItem[] = [];
  await listTree(dir, '', items);
  items.sort(byUtf8);
  const lines: string[] = new Array<string>(items.length);
  let files = 0;
  let bytes = 0;
  let next = 0;
  const worker = async () => {
    const buffer = Buffer.allocUnsafe(READ_SIZE);
    while (next < items.length) {
      const index = next++;
      const item = items[index]!;
      if (item.symlink) {
        const target = await readlink(item.absolute);
        lines[index] = `${createHash('sha256').update(target).digest('hex')}  ${item.path} -> ${target}\n`;
      } else {
        const file = await hashFile(item.absolute, buffer);
        lines[index] = `${file.sha256}  ${item.path}\n`;
        files += 1;
        bytes += file.bytes;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_FILES, items.length) }, worker));
  const hash: Hash = createHash('sha256');
  for (const line of lines) hash.update(line, 'utf8');
  return { sha256: hash.digest('hex'), files, bytes };
}

/** `a\b` -> `a/b`, without a leading `./`: the path as recorded. */
function recordedPath(path: string): string {
  const posix = sep === '\\' ? path.replace(/\\/g, '/') : path;
  return posix.replace(/^(\.\/)+/, '').replace(/\/+$/, '') || '.';
}

/**
 * Hashes files and directories (the train action's `data` and `model`), streamed. A file's
 * sha256 is that of its bytes (= `sha256sum`); a directory's is defined in hashDirectory. The
 * paths given are followed when they are symlinks (DVC checks data out as links into its cache);
 * symlinks inside directories are not. With one path, `sha256` is that entry's; with several, it
 * is the sha256 of the lines `<entry sha256>  <path>\n` in UTF-8 byte order of the recorded paths,
 * so the order the paths were given in does not matter. A missing path is an InputError.
 */
export async function hashPaths(paths: string[], cwd: string): Promise<HashedPaths> {
  if (paths.length === 0) throw new InputError('hashPaths needs at least one path.');
  const entries: HashEntry[] = [];
  for (const path of paths) {
    const absolute = isAbsolute(path) ? path : resolve(cwd, path);
    const shown = recordedPath(isAbsolute(path) ? path : relative(cwd, absolute) || '.');
    const stats = await stat(absolute).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR')
        throw new InputError(`${shown} does not exist (resolved against ${cwd}).`);
      if (error.code === 'ELOOP') throw new InputError(`${shown} is a symlink loop.`);
      throw error;
    });
    if (stats.isDirectory()) {
      entries.push({ path: shown, kind: 'directory', ...(await hashDirectory(absolute)) });
    } else if (stats.isFile()) {
      const file = await hashFile(absolute);
      entries.push({ path: shown, kind: 'file', sha256: file.sha256, files: 1, bytes: file.bytes });
    } else {
      throw new InputError(`${shown} is neither a file nor a directory.`);
    }
  }
  if (entries.length === 1) return { sha256: entries[0]!.sha256, entries };
  const manifest = createHash('sha256');
  for (const entry of [...entries].sort(byUtf8)) manifest.update(`${entry.sha256}  ${entry.path}\n`, 'utf8');
  return { sha256: manifest.digest('hex'), entries };
}

/** The lockfiles lineage looks for at the working directory, as exact names or `requirements*.txt`. */
export const LOCKFILE_NAMES = ['package-lock.json', 'poetry.lock', 'uv.lock', 'Pipfile.lock', 'environment.yml'];
const REQUIREMENTS = /^requirements.*\.txt$/;

/** The lockfiles present directly in `cwd`, sorted by name, with their sha256. */
export async function hashLockfiles(cwd: string): Promise<Array<{ path: string; sha256: string }>> {
  const names = (await readdir(cwd, { withFileTypes: true }).catch(() => []))
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && (LOCKFILE_NAMES.includes(e.name) || REQUIREMENTS.test(e.name)))
    .map((e) => e.name)
    .sort();
  const out: Array<{ path: string; sha256: string }> = [];
  for (const name of names) {
    const file = await hashFile(join(cwd, name)).catch(() => undefined);
    if (file) out.push({ path: name, sha256: file.sha256 });
  }
  return out;
}

/**
 * The commit, ref and dirty state of the repository at `cwd`, or undefined outside a git work
 * tree. Dirty means tracked files differ from HEAD (staged or not): untracked files do not count,
 * because training writes its outputs (model/, metrics.json, mlops-reports/) into the work tree
 * and often not into .gitignore; counting them would mark every second run dirty. On GitHub
 * Actions the ref is GITHUB_REF (checkouts are detached), elsewhere the branch HEAD is on.
 */
export async function gitLineage(cwd: string, environment: RunEnvironment): Promise<GitLineage | undefined> {
  const head = await git(['rev-parse', '--verify', '-q', 'HEAD'], { cwd, allowFailure: true }).catch(() => undefined);
  if (!head || head.code !== 0) return environment.sha ? { commit: environment.sha, ref: environment.ref } : undefined;
  const out: GitLineage = { commit: head.stdout.trim() };
  const ref = environment.ref ?? (await git(['symbolic-ref', '-q', 'HEAD'], { cwd, allowFailure: true })).stdout.trim();
  if (ref) out.ref = ref;
  const status = await git(['status', '--porcelain', '--untracked-files=no'], { cwd, allowFailure: true });
  if (status.code === 0) out.dirty = status.stdout.trim() !== '';
  return out;
}

/** `Python 3.11.2` -> `3.11.2`: the first of `python3`, `python` that answers within the timeout. */
export async function pythonVersion(env: NodeJS.ProcessEnv | undefined, timeoutMs = 5000): Promise<string | undefined> {
  for (const command of ['python3', 'python']) {
    const version = await new Promise<string | undefined>((resolveVersion) => {
      try {
        execFile(command, ['--version'], { timeout: timeoutMs, env, windowsHide: true }, (error, stdout, stderr) => {
          // Python 2 printed its version on stderr.
          const match = /Python (\d+\.\d+\.\d+\S*)/.exec(`${String(stdout)} ${String(stderr)}`);
          resolveVersion(error ? undefined : match?.[1]);
        });
      } catch {
        resolveVersion(undefined);
      }
    });
    if (version) return version;
  }
  return undefined;
}

/** What {@link collectLineage} adds to a run record. */
export interface CollectedLineage extends RunLineage {
  lockfiles: Array<{ path: string; sha256: string }>;
  runner: { os: string; arch: string };
  node: string;
  actor?: string;
  runUrl?: string;
}

/**
 * The lineage of a run started now at `cwd`: git, lockfiles, runner OS/arch (Node's
 * `process.platform`/`process.arch` names: linux, darwin, win32; x64, arm64), Node and Python
 * versions, actor and workflow run URL. `env` is the run's RunEnvironment, or raw variables
 * (read with readEnvironment; their PATH is then the one Python is looked up on).
 */
export async function collectLineage(options: {
  cwd: string;
  env: RunEnvironment | NodeJS.ProcessEnv;
}): Promise<CollectedLineage> {
  const raw = !isRunEnvironment(options.env);
  const environment = isRunEnvironment(options.env) ? options.env : readEnvironment(options.env, options.cwd);
  const [gitInfo, lockfiles, python] = await Promise.all([
    gitLineage(options.cwd, environment),
    hashLockfiles(options.cwd),
    pythonVersion(raw ? (options.env as NodeJS.ProcessEnv) : undefined),
  ]);
  const lineage: CollectedLineage = { lockfiles, runner: { os: platform(), arch: arch() }, node: process.version };
  if (gitInfo) lineage.git = gitInfo;
  if (python) lineage.python = python;
  if (environment.actor) lineage.actor = environment.actor;
  const runUrl = workflowRunUrl(environment);
  if (runUrl) lineage.runUrl = runUrl;
  return lineage;
}

function isRunEnvironment(env: RunEnvironment | NodeJS.ProcessEnv): env is RunEnvironment {
  return typeof (env as RunEnvironment).testHooks === 'object' && typeof (env as RunEnvironment).workspace === 'string';
}
