import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readlink, realpath, rm, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants as zlib } from 'node:zlib';
import * as tar from 'tar-stream';
import { InputError } from '../../core/errors.js';

/** A model ready to upload: one file, its sha256 and size. */
export interface PackagedArtifact {
  /** The file to upload (the model file itself, or a temporary tar.gz). */
  file: string;
  /** The asset name: the file's name, or `<directory>.tar.gz`. */
  name: string;
  kind: 'file' | 'directory';
  sha256: string;
  size: number;
  /** Number of files packed (1 for a file). */
  files: number;
  /** Removes the temporary tar.gz, if one was made. */
  cleanup(): Promise<void>;
}

/** sha256 (hex) and size of a file, streamed. */
export async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

interface TreeEntry {
  /** Path inside the archive, with forward slashes. */
  name: string;
  type: 'file' | 'directory';
  /** The file to read (a symbolic link's target). */
  source: string;
  size: number;
  executable: boolean;
}

/**
 * The real path a symbolic link leads to. A loop and a dangling link are told apart from a link
 * to outside the folder: each needs a different fix.
 */
async function followLink(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') {
      throw new InputError(
        `path: ${path} is a symbolic link that loops (following it leads back to itself); replace it with the file.`,
      );
    }
    if (code === 'ENOENT') {
      const target = await readlink(path).catch(() => '?');
      throw new InputError(`path: ${path} is a broken symbolic link: its target "${target}" does not exist.`);
    }
    throw new InputError(`path: cannot follow the symbolic link ${path}: ${(error as Error).message}`);
  }
}

/** Walks a directory: entries sorted by their archive path (byte order), links resolved inside it. */
async function walk(root: string): Promise<TreeEntry[]> {
  const realRoot = await realpath(root);
  const entries: TreeEntry[] = [];
  const visit = async (dir: string): Promise<void> => {
    const names = (await readdir(dir)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const name of names) {
      const path = join(dir, name);
      const archiveName = relative(root, path).split(sep).join('/');
      let info = await lstat(path);
      let source = path;
      if (info.isSymbolicLink()) {
        const target = await followLink(path);
        const inside = !relative(realRoot, target).startsWith('..');
        if (!inside) {
          throw new InputError(
            `path: ${path} is a symbolic link to outside the model directory; copy the file in instead.`,
          );
        }
        info = await stat(target);
        source = target;
        if (info.isDirectory()) {
          throw new InputError(
            `path: ${path} is a symbolic link to a directory; mlops packs only regular files and folders.`,
          );
        }
      }
      if (info.isDirectory()) {
        entries.push({ name: archiveName + '/', type: 'directory', source, size: 0, executable: true });
        await visit(path);
      } else if (info.isFile()) {
        entries.push({
          name: archiveName,
          type: 'file',
          source,
          size: info.size,
          executable: (info.mode & 0o111) !== 0,
        });
      } else {
        throw new InputError(`path: ${path} is neither a file nor a folder; it cannot be packaged.`);
      }
    }
  };
  await visit(root);
  return entries;
}

/**
 * Rewrites the gzip header's variable bytes: zlib writes the OS byte of the platform it was built
 * for (3 on Unix, 10 on Windows). Fixing it (and the already-zero mtime) makes the archive's bytes
 * the same on every runner.
 */
function normaliseGzipHeader(): Transform {
  let position = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (position < 10) {
        chunk = Buffer.from(chunk);
        for (let i = 0; i < chunk.length && position + i < 10; i++) {
          const at = position + i;
          if (at >= 4 && at <= 7) chunk[i] = 0; // MTIME
          if (at === 9) chunk[i] = 3; // OS: Unix
        }
      }
      position += chunk.length;
      callback(null, chunk);
    },
  });
}

/**
 * Packs a directory as a deterministic tar.gz: entries sorted by path, every mtime 0, uid and gid
 * 0 with no user or group names, modes 0644 (0755 for executables and folders). The same content
 * gives the same bytes, so the same model gets the same sha256 on every machine.
 */
export async function packDirectory(
  directory: string,
  output: string,
): Promise<{ sha256: string; size: number; files: number }> {
  const entries = await walk(directory);
  if (!entries.some((entry) => entry.type === 'file')) {
    throw new InputError(`path: the folder ${directory} has no files to register.`);
  }
  const pack = tar.pack();
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const written = pipeline(
    pack,
    createGzip({ level: zlib.Z_BEST_COMPRESSION, memLevel: 9 }),
    normaliseGzipHeader(),
    tap,
    createWriteStream(output),
  );
  const epoch = new Date(0);
  for (const entry of entries) {
    const header: Partial<tar.Header> & { name: string } = {
      name: entry.name,
      type: entry.type,
      mode: entry.type === 'directory' || entry.executable ? 0o755 : 0o644,
      mtime: epoch,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
      size: entry.size,
    };
    if (entry.type === 'directory') {
      await new Promise<void>((resolve, reject) => pack.entry(header, (error) => (error ? reject(error) : resolve())));
      continue;
    }
    await new Promise<void>((resolve, reject) => {
      const sink = pack.entry(header, (error) => (error ? reject(error) : resolve()));
      const source = createReadStream(entry.source);
      source.on('error', reject);
      source.pipe(sink);
    });
  }
  pack.finalize();
  await written;
  return { sha256: hash.digest('hex'), size, files: entries.filter((e) => e.type === 'file').length };
}

/**
 * Prepares `path` for registration: a file as it is, a directory as a deterministic tar.gz in a
 * temporary folder (under `scratch`).
 */
export async function packageArtifact(path: string, scratch: string): Promise<PackagedArtifact> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new InputError(`path: ${path} does not exist.`);
  if (info.isFile()) {
    const { sha256, size } = await hashFile(path);
    return { file: path, name: basename(path), kind: 'file', sha256, size, files: 1, cleanup: async () => {} };
  }
  if (!info.isDirectory()) throw new InputError(`path: ${path} is neither a file nor a folder.`);
  await mkdir(scratch, { recursive: true });
  const folder = await mkdtemp(join(scratch, 'mlops-package-'));
  const name = `${basename(path)}.tar.gz`;
  const file = join(folder, name);
  try {
    const { sha256, size, files } = await packDirectory(path, file);
    return {
      file,
      name,
      kind: 'directory',
      sha256,
      size,
      files,
      cleanup: () => rm(folder, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Refuses a file a register step writes (its checksums file) inside the model folder it packs:
 * written there, it would become part of the next registration's tar.gz and change its sha256.
 */
export async function checkOutsideModelFolder(
  model: string,
  output: string,
  label: string,
  shown: (file: string) => string,
): Promise<void> {
  const inside = relative(model, output);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return;
  if (!(await stat(model).catch(() => undefined))?.isDirectory()) return;
  throw new InputError(`${label}: ${shown(output)} is inside the model folder ${shown(model)}; write it elsewhere.`);
}
