import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, lstat, mkdir, mkdtemp, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { EnvironmentError, InputError } from '../../core/errors.js';
import { artifactNameProblem, LOCAL_ARTIFACTS_DIR, localLocationProblem } from '../../core/registry/artifact-policy.js';
import { verifyStoredVersion } from '../../core/registry/consistency.js';
import type { ModelVersionRecord } from '../../core/registry/contract.js';
import type { RegistryDocuments } from '../../core/registry/store.js';
import { chooseVersion } from '../../core/registry/view.js';
import {
  githubApi,
  missingGitHubAccess,
  openRegistryRepository,
  type GitHubApi,
  type RegistryAccessOptions,
  warnAboutReleaseRecord,
} from './access.js';
import { findStoreDirectory } from './artifacts.js';
import type { RegistryRepository } from './repository.js';
import { registrySnapshot } from './transaction.js';

/** What to download. */
export interface DownloadModelOptions extends RegistryAccessOptions {
  model: string;
  /** A version number, or `previous` (with `alias`): the version the alias pointed at before its latest move. */
  version?: number | 'previous';
  /** Download the version this alias points at (or, with version `previous`, pointed at before). */
  alias?: string;
  /**
   * The folder to put the model in (made if missing; relative to `cwd`). Without it, a new
   * temporary folder under `tempDir`.
   */
  outDir?: string;
  /** Where the temporary folder is made without `outDir` (RUNNER_TEMP; default the OS's). */
  tempDir?: string;
  /**
   * Replace a file (and a folder model's unpacked folder) already in `outDir` instead of refusing
   * it; the replacement is a rename, so the old file stays whole until the verified one takes its place.
   */
  clobber?: boolean;
  /**
   * The refusal when something is already there: `(path) => message`. Default: `out: <path>
   * already exists; remove it or download into another folder.`
   */
  alreadyExistsMessage?: (path: string) => string;
  /**
   * A registry snapshot the caller already read (registrySnapshot): the version is resolved in it
   * instead of fetching the branch again, so that one fetch serves all of a caller's reads.
   */
  snapshot?: RegistrySnapshot;
}

/** The registry as one fetch left it: the repository and its documents at one commit. */
export interface RegistrySnapshot {
  repo: RegistryRepository;
  docs: RegistryDocuments;
  commit: string | undefined;
}

/** A downloaded, verified model version. */
export interface DownloadedModel {
  model: string;
  version: number;
  /** sha256 (hex) of the verified asset: the registry's. */
  sha256: string;
  /** Size of the verified asset in bytes. */
  bytes: number;
  /** `file` as registered, or a `directory` (packaged as tar.gz, unpacked here). */
  kind: 'file' | 'directory';
  /** The verified asset (the tar.gz for a directory model). */
  file: string;
  /** What to deploy: the file, or the unpacked folder of a directory model. */
  path: string;
  /** The alias the version was reached through. */
  alias?: string;
  /** True when it is the alias' previous version (`version: previous`). */
  previous: boolean;
  /** The GitHub release the asset came from (GitHub mode). */
  release?: { id: number; url: string; tag: string };
  /** Where the bytes came from: a release asset, or `.mlops/artifacts` of this repository. */
  source: 'release' | 'local';
  /** The registry commit the version was read at. */
  commit: string | undefined;
  /** The version's record (metrics, lineage, aliases). */
  record: ModelVersionRecord;
}

/** A byte counter and sha256 on a stream. */
function hashingTap(): { tap: Transform; result: () => { sha256: string; bytes: number } } {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  return { tap, result: () => ({ sha256: hash.digest('hex'), bytes }) };
}

async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined)) !== undefined;
}

/** The unpacked folder's name for a directory model's `<name>.tar.gz`. */
export function unpackedName(assetName: string): string {
  return assetName.replace(/\.tar\.gz$/, '') || 'model';
}

/**
 * Why `name` (the saved file, or a folder model's unpacked folder) cannot be written into the
 * download folder, or undefined: artifactNameProblem's, and a leading "." too, since the default
 * folder is the user's own and `.git`, `.github` or `.npmrc` there would be configuration that
 * runs code.
 */
export function downloadNameProblem(name: string, what: 'file' | 'folder'): string | undefined {
  const problem = artifactNameProblem(name);
  if (problem) return what === 'file' ? problem : problem.replace('the file name', 'the unpacked folder name');
  if (name.startsWith('.'))
    return `the ${what === 'file' ? 'file' : 'unpacked folder'} name ${JSON.stringify(name)} starts with "."`;
  return undefined;
}

/**
 * Downloads a registered model version and verifies it before returning: resolves `version`
 * (a number, or `previous` of `alias`) or `alias` through one registry snapshot (the caller's
 * `snapshot`, or one read now); fetches the
 * release asset through the configured API (by the asset id the branch records; the token goes
 * nowhere else) or copies `.mlops/artifacts/<model>/v<N>/<file>` of this repository; checks its
 * size and sha256 against the registry; unpacks a directory model (regular files and folders
 * only, every path inside the folder). On any failure nothing is left in `outDir` (a folder it
 * made is removed again), and the error names the model, the version, and what was expected
 * against what was found.
 */
export async function downloadModelVersion(options: DownloadModelOptions): Promise<DownloadedModel> {
  const { model, log } = options;
  const { repo, docs, commit } = options.snapshot ?? (await readSnapshot(options));
  const chosen = await chooseVersion(docs, model, {
    ...(options.version !== undefined ? { version: options.version } : {}),
    ...(options.alias !== undefined ? { alias: options.alias } : {}),
  });
  const { record } = chosen;
  const version = record.version;
  const name = `${model} v${version}`;
  // The sha256 every check below compares with must be the log's, not only the derived record's.
  await verifyStoredVersion(docs, model, version);
  const artifact = record.artifact;
  if (!artifact) throw new EnvironmentError(`${name} has no artifact record (run mlops registry fsck).`);

  let api: GitHubApi | undefined;
  if (artifact.release) {
    api = await githubApi(options);
    if (!api) {
      throw new EnvironmentError(
        `${name} is a release asset (${artifact.release.tag}) and cannot be downloaded: ${missingGitHubAccess(options)}.`,
      );
    }
    warnAboutReleaseRecord(record, api, log);
  }

  // The file is saved under the name GitHub gave the release asset (`churn model.bin` is stored
  // as `churn.model.bin`), the name register's checksums line gives, so that `sha256sum -c`
  // passes beside it; a folder model still unpacks under its own name.
  const fileName = artifact.release?.assetName ?? artifact.name;
  const folderName = artifact.kind === 'directory' ? unpackedName(artifact.name) : undefined;
  const nameIssue = downloadNameProblem(fileName, 'file') ?? (folderName && downloadNameProblem(folderName, 'folder'));
  if (nameIssue) {
    throw new EnvironmentError(
      `${name}: the registry's record cannot be trusted: ${nameIssue} (run mlops registry fsck).`,
    );
  }
  const target = await prepareTarget(options, fileName, unpackedName(artifact.name), artifact.kind);
  try {
    const assetFile = join(target.staging, fileName);
    log.info(
      `Fetching ${name} (${chosen.label}): ${fileName}, ${artifact.size} bytes, ` +
        `${api ? `release ${artifact.release!.tag}` : artifact.location}.`,
    );
    const got = api
      ? await fetchReleaseAsset(api, artifact.release!.assetId, assetFile, name)
      : await copyLocalArtifact(repo.root, record, assetFile);
    if (got.bytes !== artifact.size || got.sha256 !== record.sha256) {
      throw new EnvironmentError(
        `${name}: the ${api ? `release asset ${artifact.name} (${artifact.release!.tag})` : `file ${artifact.location}`} ` +
          `does not match the registry: expected ${artifact.size} bytes with sha256 ${record.sha256}, ` +
          `got ${got.bytes} bytes with sha256 ${got.sha256}; refusing it${options.outDir !== undefined ? ' (nothing was written)' : ''}.`,
      );
    }
    log.info(`Verified ${fileName}: sha256 ${record.sha256}.`);
    let unpacked: string | undefined;
    if (artifact.kind === 'directory') {
      unpacked = join(target.staging, unpackedName(artifact.name));
      const files = await unpackPackage(assetFile, unpacked, name);
      log.info(`Unpacked ${files} file${files === 1 ? '' : 's'} into ${unpackedName(artifact.name)}/.`);
    }
    const placed = await target.place(assetFile, unpacked);
    return {
      model,
      version,
      sha256: record.sha256,
      bytes: got.bytes,
      kind: artifact.kind,
      file: placed.file,
      path: placed.path,
      ...(chosen.alias !== undefined ? { alias: chosen.alias } : {}),
      previous: chosen.previous,
      ...(artifact.release
        ? { release: { id: artifact.release.id, url: artifact.release.url, tag: artifact.release.tag } }
        : {}),
      source: api ? 'release' : 'local',
      commit,
      record,
    };
  } catch (error) {
    await target.abandon();
    throw error;
  }
}

/** Opens the repository and reads the registry (one fetch in remote mode). */
async function readSnapshot(options: RegistryAccessOptions): Promise<RegistrySnapshot> {
  const repo = await openRegistryRepository(options);
  return { repo, ...(await registrySnapshot(repo)) };
}

/** Where the download goes: a staging folder, then its place in `outDir` (or the temporary folder itself). */
interface DownloadTarget {
  staging: string;
  /** Moves the verified asset (and unpacked folder) to their final place. */
  place(file: string, unpacked: string | undefined): Promise<{ file: string; path: string }>;
  /** Removes everything this download made. */
  abandon(): Promise<void>;
}

async function prepareTarget(
  options: DownloadModelOptions,
  fileName: string,
  folderName: string,
  kind: 'file' | 'directory',
): Promise<DownloadTarget> {
  if (options.outDir === undefined) {
    const base = options.tempDir ?? tmpdir();
    await mkdir(base, { recursive: true });
    const folder = await mkdtemp(join(base, 'mlops-model-'));
    return {
      staging: folder,
      place: (file, unpacked) => Promise.resolve({ file, path: unpacked ?? file }),
      abandon: () => rm(folder, { recursive: true, force: true }),
    };
  }
  const outDir = isAbsolute(options.outDir) ? options.outDir : resolve(options.cwd, options.outDir);
  const finalFile = join(outDir, fileName);
  const finalFolder = kind === 'directory' ? join(outDir, folderName) : undefined;
  // Never overwrite: what is there may be what someone is running.
  const alreadyExists = (path: string) =>
    new InputError(
      options.alreadyExistsMessage?.(path) ?? `out: ${path} already exists; remove it or download into another folder.`,
    );
  const clobber = options.clobber === true;
  for (const path of [finalFile, finalFolder]) {
    if (!clobber && path !== undefined && (await exists(path))) throw alreadyExists(path);
  }
  const info = await lstat(outDir).catch(() => undefined);
  if (info && !info.isDirectory()) throw new InputError(`out: ${outDir} is not a folder.`);
  // The folders this download makes, outermost first, so that a failure removes exactly them.
  const made: string[] = [];
  if (!info) {
    const first = await mkdir(outDir, { recursive: true });
    if (first !== undefined) made.push(first);
  }
  const staging = await mkdtemp(join(outDir, '.mlops-download-'));
  const placed: string[] = [];
  return {
    staging,
    async place(file, unpacked) {
      // Folder first, file last, so that a failure anywhere puts the old folder back and leaves
      // the old file untouched. The old folder waits beside outDir's other files (not inside
      // staging, which abandon() removes): a kill at any step leaves it there under a name that
      // says what it is.
      let movedAside: string | undefined;
      let madeFolder = false;
      try {
        if (unpacked !== undefined && finalFolder !== undefined) {
          if (clobber && (await exists(finalFolder))) {
            movedAside = join(outDir, `.${folderName}.mlops-old-${randomBytes(4).toString('hex')}`);
            await rename(finalFolder, movedAside);
          }
          // mkdir without recursive claims the name (EEXIST if taken); rename then replaces only
          // the empty folder this download just made.
          await mkdir(finalFolder).catch((error: NodeJS.ErrnoException) => {
            if (error.code !== 'EEXIST') throw error;
            throw clobber
              ? new EnvironmentError(
                  `out: ${finalFolder} appeared while this download ran (another download into the same folder?); nothing was replaced.`,
                )
              : alreadyExists(finalFolder);
          });
          madeFolder = true;
          await rename(unpacked, finalFolder);
        }
        if (clobber) {
          // rename() replaces the old file in one step: a reader sees the old bytes or the new.
          await rename(file, finalFile);
        } else {
          // link() fails with EEXIST where rename() would replace: a download racing this one
          // into the same --out never has its verified file swapped for other bytes.
          await link(file, finalFile).catch((error: NodeJS.ErrnoException) => {
            throw error.code === 'EEXIST' ? alreadyExists(finalFile) : error;
          });
          placed.push(finalFile);
          await unlink(file);
        }
      } catch (error) {
        if (madeFolder) await rm(finalFolder!, { recursive: true, force: true });
        if (movedAside !== undefined) {
          await rename(movedAside, finalFolder!).catch((restoreError: Error) => {
            throw new EnvironmentError(
              `${(error as Error).message}; and the old folder could not be put back (${restoreError.message}): it is ${movedAside}.`,
              undefined,
              { cause: error },
            );
          });
        }
        throw error;
      }
      if (movedAside !== undefined) await rm(movedAside, { recursive: true, force: true });
      await rm(staging, { recursive: true, force: true });
      return { file: finalFile, path: finalFolder ?? finalFile };
    },
    async abandon() {
      await rm(staging, { recursive: true, force: true });
      for (const path of placed) await rm(path, { recursive: true, force: true });
      // Only folders this download made (outDir up to the first one mkdir created), innermost
      // first, and only when empty (rmdir): another writer's files stay.
      if (made.length === 0) return;
      for (let folder = outDir; ; folder = dirname(folder)) {
        await rmdir(folder).catch(() => undefined);
        if (folder === made[0] || dirname(folder) === folder) break;
      }
    },
  };
}

/**
 * Streams a release asset to `file` through the configured API (`Accept: application/octet-stream`
 * answers a redirect to short-lived storage; fetch drops the token on that cross-origin hop).
 */
async function fetchReleaseAsset(
  api: GitHubApi,
  assetId: number,
  file: string,
  name: string,
): Promise<{ sha256: string; bytes: number }> {
  let body: unknown;
  try {
    const response = await api.client.request('GET /repos/{owner}/{repo}/releases/assets/{asset_id}', {
      ...api.repository,
      asset_id: assetId,
      headers: { accept: 'application/octet-stream' },
      request: { parseSuccessResponseBody: false },
    });
    body = response.data;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404) {
      throw new EnvironmentError(
        `${name}: its release asset ${assetId} no longer exists in ${api.repository.owner}/${api.repository.repo} (HTTP 404); the version is broken (see mlops registry fsck).`,
      );
    }
    throw new EnvironmentError(
      `${name}: downloading release asset ${assetId} failed${status ? ` (HTTP ${status})` : ''}: ${(error as Error).message}`,
      undefined,
      { cause: error },
    );
  }
  const source =
    body instanceof Uint8Array || body instanceof ArrayBuffer
      ? Readable.from([Buffer.from(body as ArrayBuffer)])
      : Readable.fromWeb(body as WebReadableStream);
  const { tap, result } = hashingTap();
  await pipeline(source, tap, createWriteStream(file, { flags: 'wx' }));
  return result();
}

/**
 * Copies a local-mode artifact: only ever from `.mlops/artifacts/<model>/v<N>/<name>` of this
 * repository, through real folders (no symbolic link on the way).
 */
async function copyLocalArtifact(
  root: string,
  record: ModelVersionRecord,
  file: string,
): Promise<{ sha256: string; bytes: number }> {
  const artifact = record.artifact!;
  const name = `${record.model} v${record.version}`;
  const problem = localLocationProblem(artifact, record.model, record.version);
  if (problem) {
    throw new EnvironmentError(
      `${name}: the registry's record cannot be trusted: ${problem} (run mlops registry fsck).`,
    );
  }
  const folder = await findStoreDirectory(root, [record.model, `v${record.version}`]);
  const source = folder && join(folder, artifact.name);
  const info = source && (await lstat(source).catch(() => undefined));
  if (!source || !info) {
    throw new EnvironmentError(
      `${name}: its file ${artifact.location} is not in ${root}; local-mode models live only in ${LOCAL_ARTIFACTS_DIR} ` +
        'of the repository that registered them (register in GitHub mode to download from any clone).',
    );
  }
  if (!info.isFile()) {
    throw new EnvironmentError(
      `${name}: ${artifact.location} is not a regular file (a link or a folder); refusing it.`,
    );
  }
  const { tap, result } = hashingTap();
  await pipeline(createReadStream(source), tap, createWriteStream(file, { flags: 'wx' }));
  return result();
}

/**
 * Why an archive entry name cannot be unpacked inside the folder, or undefined: absolute paths,
 * `..`, backslashes, drive letters and NUL would reach outside it (or mean another thing on Windows).
 */
export function entryNameProblem(entry: string): string | undefined {
  if (entry === '' || entry.includes('\0')) return 'is empty or contains NUL';
  if (entry.startsWith('/') || /^[A-Za-z]:/.test(entry)) return 'is an absolute path';
  if (entry.includes('\\')) return 'contains a backslash';
  const segments = entry.replace(/\/+$/, '').split('/');
  if (segments.some((segment) => segment === '..')) return 'climbs out of the folder (..)';
  if (segments.some((segment) => segment === '' || segment === '.')) return 'has an empty or "." path segment';
  return undefined;
}

/**
 * Unpacks a directory model's tar.gz into `folder` (which must not exist): regular files and
 * folders only; a symbolic or hard link, a device, an unsafe name or a duplicate refuses the
 * whole package. Returns the number of files.
 */
export async function unpackPackage(archive: string, folder: string, name: string): Promise<number> {
  await mkdir(folder);
  const extract = tar.extract();
  let files = 0;
  const refuse = (entry: string, why: string) =>
    new EnvironmentError(
      `${name}: the package has an entry ${JSON.stringify(entry)} that ${why}; refusing to unpack it.`,
    );
  extract.on('entry', (header, stream, next) => {
    const handle = async () => {
      const problem = entryNameProblem(header.name);
      if (problem) throw refuse(header.name, problem);
      const segments = header.name.replace(/\/+$/, '').split('/');
      const path = join(folder, ...segments);
      if (header.type === 'directory') {
        await mkdir(path, { recursive: true });
        stream.resume();
        return;
      }
      if (header.type !== 'file') throw refuse(header.name, `is a ${header.type}, not a file or folder`);
      await mkdir(join(folder, ...segments.slice(0, -1)), { recursive: true });
      const mode = (header.mode & 0o111) !== 0 ? 0o755 : 0o644;
      // `wx`: an entry that names a file twice would otherwise replace the first one.
      await pipeline(stream, createWriteStream(path, { flags: 'wx', mode })).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') throw refuse(header.name, 'is in the package twice');
        throw error;
      });
      files++;
    };
    handle().then(
      () => next(),
      (error: unknown) => extract.destroy(error as Error),
    );
  });
  try {
    await pipeline(createReadStream(archive), createGunzip(), extract);
  } catch (error) {
    if (error instanceof EnvironmentError) throw error;
    throw new EnvironmentError(
      `${name}: the package is not a readable tar.gz: ${(error as Error).message}`,
      undefined,
      {
        cause: error,
      },
    );
  }
  return files;
}
