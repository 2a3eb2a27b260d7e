import { randomUUID } from 'node:crypto';
import { copyFile, lstat, mkdir, rename, rm, rmdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EnvironmentError, InputError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ArtifactInfo, ReleaseInfo } from '../../core/registry/documents.js';
import {
  artifactNameProblem,
  LOCAL_ARTIFACTS_DIR,
  localArtifactLocation,
  localLocationProblem,
} from '../../core/registry/artifact-policy.js';
import { releaseTag } from '../../core/registry/names.js';
import { writeFileAtomic } from '../fs/user-files.js';
import type { GitHubClient } from '../github/client.js';
import {
  createDraftRelease,
  deleteRelease,
  getRelease,
  updateRelease,
  uploadReleaseAsset,
  type GitHubRelease,
  type RepositoryRef,
} from '../github/releases.js';
import type { PackagedArtifact } from './package.js';

/** An artifact uploaded under a temporary name, not yet part of the registry. */
export interface StagedArtifact {
  model: string;
  name: string;
  kind: 'file' | 'directory';
  sha256: string;
  size: number;
  /** Store-specific handle. */
  handle:
    { kind: 'local'; folder: string } | { kind: 'release'; release: GitHubRelease; assetId: number; assetName: string };
}

/** What finalising produced, for the action's outputs. */
export interface FinalizedArtifact {
  releaseUrl?: string;
  assetUrl: string;
}

/**
 * Where model files go. Registration is three steps so that a failure never leaves a visible,
 * half-registered version: `stage` uploads under a temporary name, the registry write allocates
 * the version, `finalize` gives the upload its versioned name. A failed registry write
 * `discard`s the upload. Not a run's workflow artifacts: those are a WorkflowArtifactStore
 * (src/adapters/artifacts.ts).
 */
export interface ModelArtifactStore {
  readonly kind: 'release' | 'local';
  stage(artifact: PackagedArtifact, model: string): Promise<StagedArtifact>;
  /** The artifact as the registry records it, once the version is known. */
  describe(staged: StagedArtifact, version: number): ArtifactInfo;
  finalize(staged: StagedArtifact, version: number, details: ReleaseDetails): Promise<FinalizedArtifact>;
  discard(staged: StagedArtifact): Promise<void>;
  /** True when a version's recorded artifact is this very upload (then discarding it would lose the version's file). */
  records(staged: StagedArtifact, artifact: ArtifactInfo): boolean;
  /**
   * Where an already registered version's artifact is (a retried register), finishing what a
   * killed run left undone: a release left as a draft is published, a local file that never got
   * its final name is put there from `packaged` (the same bytes: the caller checked the sha256).
   */
  recover(
    artifact: ArtifactInfo,
    version: number,
    model: string,
    details: ReleaseDetails,
    packaged: PackagedArtifact,
  ): Promise<FinalizedArtifact>;
}

/** What a release says about its version. */
export interface ReleaseDetails {
  body: string;
  /** True unless an alias such as production points at the version. */
  prerelease: boolean;
  /** The commit the tag should point at (the code that produced the model). */
  targetCommitish?: string;
}

/**
 * Local mode: `.mlops/artifacts/<model>/v<N>/<file>` under the repository root, staged in
 * `.mlops/artifacts/<model>/.staging/<id>/` until the version is registered. Beside each staging
 * folder, `<id>.json` records the process that made it (see {@link StagingRecord}), so that fsck
 * can tell an interrupted registration from one in progress.
 *
 * Every path is built from the model, version and file name, and no folder on the way may be a
 * symbolic link: a location read from the registry branch, or a link committed into the
 * repository, can never make mlops read or write outside `.mlops/artifacts`.
 */
export function localArtifactStore(root: string, log: Logger): ModelArtifactStore {
  return {
    kind: 'local',
    async stage(artifact, model) {
      const nameIssue = artifactNameProblem(artifact.name);
      if (nameIssue) throw new InputError(`Cannot store the model: ${nameIssue}.`);
      const staging = await ensureStoreDirectory(root, [model, STAGING_DIR]);
      const id = randomUUID();
      const record: StagingRecord = {
        pid: process.pid,
        host: hostname(),
        createdAt: new Date().toISOString(),
        model,
        name: artifact.name,
        sha256: artifact.sha256,
      };
      // The record first: a process killed after it leaves a folder fsck can attribute.
      await writeFileAtomic(join(staging, `${id}.json`), JSON.stringify(record, null, 2) + '\n');
      const folder = join(staging, id);
      await mkdir(folder);
      await copyFile(artifact.file, join(folder, artifact.name));
      return {
        model,
        name: artifact.name,
        kind: artifact.kind,
        sha256: artifact.sha256,
        size: artifact.size,
        handle: { kind: 'local', folder },
      };
    },
    describe(staged, version) {
      return {
        name: staged.name,
        kind: staged.kind,
        size: staged.size,
        location: localArtifactLocation(staged.model, version, staged.name),
      };
    },
    async finalize(staged, version) {
      if (staged.handle.kind !== 'local') throw new Error('not a local artifact');
      const target = await moveStagedFolder(root, staged.model, version, staged.handle.folder, log);
      return { assetUrl: pathToFileURL(join(target, staged.name)).href };
    },
    async discard(staged) {
      if (staged.handle.kind !== 'local') return;
      await rm(staged.handle.folder, { recursive: true, force: true });
      await rm(`${staged.handle.folder}.json`, { force: true });
      // A refused write (a model name that clashes in case) must not leave `.staging/` or the
      // model's folder behind; rmdir only removes them when empty, so other writers are safe.
      const staging = dirname(staged.handle.folder);
      for (const folder of [staging, dirname(staging)]) {
        await rmdir(folder).catch(() => undefined);
      }
    },
    records() {
      // The record names the final folder, never a staging folder.
      return false;
    },
    async recover(artifact, version, model, _details, packaged) {
      const problem = localLocationProblem(artifact, model, version);
      if (problem) {
        throw new EnvironmentError(
          `The registry's record of ${model} v${version} cannot be trusted: ${problem} (run mlops registry fsck).`,
        );
      }
      const folder = await ensureStoreDirectory(root, [model, `v${version}`]);
      const file = join(folder, artifact.name);
      const existing = await lstat(file).catch(() => undefined);
      if (existing?.isSymbolicLink()) throw symbolicLinkError(root, file);
      if (!existing) {
        log.warning(`${artifact.location} was missing (a run killed before it was moved there); putting it back.`);
        await copyFile(packaged.file, file);
      }
      return { assetUrl: pathToFileURL(file).href };
    },
  };
}

/** The staging folder's name under `.mlops/artifacts/<model>/`. */
export const STAGING_DIR = '.staging';

/** `.staging/<id>.json`: who staged `.staging/<id>/`, and what. */
export interface StagingRecord {
  pid: number;
  host: string;
  createdAt: string;
  model: string;
  name: string;
  sha256: string;
}

function symbolicLinkError(root: string, path: string): EnvironmentError {
  return new EnvironmentError(
    `${relative(root, path)} is a symbolic link; mlops keeps local artifacts only in real folders under ${LOCAL_ARTIFACTS_DIR} (remove the link).`,
  );
}

/** `<root>/.mlops/artifacts/<segments...>`, made where missing; see {@link findStoreDirectory}. */
export async function ensureStoreDirectory(root: string, segments: string[]): Promise<string> {
  return (await storeDirectory(root, segments, true))!;
}

/**
 * `<root>/.mlops/artifacts/<segments...>`, checked component by component: each must be a real
 * folder (not a symbolic link, not a file). Undefined when one is missing.
 */
export function findStoreDirectory(root: string, segments: string[]): Promise<string | undefined> {
  return storeDirectory(root, segments, false);
}

async function storeDirectory(root: string, segments: string[], create: boolean): Promise<string | undefined> {
  let path = root;
  for (const segment of [...LOCAL_ARTIFACTS_DIR.split('/'), ...segments]) {
    if (segment === '' || segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) {
      throw new Error(`Internal error: unsafe path segment ${JSON.stringify(segment)}`);
    }
    path = join(path, segment);
    let info = await lstat(path).catch(() => undefined);
    if (!info) {
      if (!create) return undefined;
      await mkdir(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      info = await lstat(path);
    }
    if (info.isSymbolicLink()) throw symbolicLinkError(root, path);
    if (!info.isDirectory()) {
      throw new EnvironmentError(`${relative(root, path)} is not a folder; mlops keeps local artifacts there.`);
    }
  }
  return path;
}

/** Where an existing `v<N>` folder goes when a register needs its name: never deleted. */
export const ORPHANED_DIR = '.orphaned';

/**
 * Gives a staged folder its final name `v<N>` (one rename: a reader sees all of it or nothing)
 * and removes its staging record. Returns the final folder. A `v<N>` already there (left by a
 * registry that lost v<N>, say a rewound branch) may be the only copy of a model someone used:
 * it is moved to `.orphaned/v<N>-<UTC time>/`, never deleted.
 */
export async function moveStagedFolder(
  root: string,
  model: string,
  version: number,
  folder: string,
  log: Logger,
): Promise<string> {
  const modelFolder = await ensureStoreDirectory(root, [model]);
  const target = join(modelFolder, `v${version}`);
  const existing = await lstat(target).catch(() => undefined);
  if (existing?.isSymbolicLink()) throw symbolicLinkError(root, target);
  if (existing) {
    const orphans = await ensureStoreDirectory(root, [model, ORPHANED_DIR]);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    let name = `v${version}-${stamp}`;
    for (let n = 2; await lstat(join(orphans, name)).catch(() => undefined); n++) name = `v${version}-${stamp}-${n}`;
    await rename(target, join(orphans, name));
    log.warning(
      `${relative(root, target)} was there, left from a registry that no longer has ${model} v${version}; ` +
        `moved it to ${relative(root, join(orphans, name))}/ (delete it once you know it is not needed).`,
    );
  }
  await rename(folder, target);
  await rm(`${folder}.json`, { force: true });
  return target;
}

/** `https://github.com/o/r/releases/download/iris%2Fv3/model.pkl`: GitHub encodes the tag's `/`. */
function downloadUrl(serverUrl: string, repository: RepositoryRef, tag: string, name: string): string {
  return `${serverUrl}/${repository.owner}/${repository.repo}/releases/download/${encodeURIComponent(tag)}/${encodeURIComponent(name)}`;
}

/**
 * GitHub mode: the artifact is an asset of the release `<model>/v<N>`. It is uploaded to a draft
 * release under the temporary tag `mlops-staging/<model>/<id>` (drafts create no tag and are
 * invisible to readers), and the draft is published under its final tag once the registry has
 * the version.
 */
export function releaseArtifactStore(options: {
  client: GitHubClient;
  repository: RepositoryRef;
  serverUrl: string;
  apiUrl: string;
  log: Logger;
}): ModelArtifactStore {
  const { client, repository, serverUrl, apiUrl, log } = options;
  const releaseInfo = (release: { id: number }, assetId: number, assetName: string, tag: string): ReleaseInfo => ({
    id: release.id,
    tag,
    url: `${serverUrl}/${repository.owner}/${repository.repo}/releases/tag/${encodeURIComponent(tag)}`,
    assetId,
    assetName,
    assetApiUrl: `${apiUrl}/repos/${repository.owner}/${repository.repo}/releases/assets/${assetId}`,
    downloadUrl: downloadUrl(serverUrl, repository, tag, assetName),
  });
  return {
    kind: 'release',
    async stage(artifact, model) {
      const stagingTag = `mlops-staging/${model}/${randomUUID()}`;
      const release = await createDraftRelease(client, repository, {
        tag: stagingTag,
        name: `${model} (being registered)`,
        body: `Draft made by mlops while registering ${model}; it becomes ${model}/v<N> once the registry has the version.`,
      });
      try {
        const asset = await uploadReleaseAsset(client, release, { file: artifact.file, name: artifact.name });
        // GitHub reports the stored bytes' digest: a corrupted upload is caught before it is registered.
        if (asset.digest && asset.digest !== `sha256:${artifact.sha256}`) {
          throw new EnvironmentError(
            `The uploaded ${asset.name} has digest ${asset.digest}, not sha256:${artifact.sha256}; the upload was corrupted.`,
          );
        }
        log.info(`Uploaded ${asset.name} (${artifact.size} bytes) to a draft release.`);
        return {
          model,
          name: artifact.name,
          kind: artifact.kind,
          sha256: artifact.sha256,
          size: artifact.size,
          handle: { kind: 'release', release, assetId: asset.id, assetName: asset.name },
        };
      } catch (error) {
        await deleteRelease(client, repository, { id: release.id, draft: true }).catch((cleanup: unknown) =>
          log.warning(`Could not delete the draft release ${release.id}: ${(cleanup as Error).message}`),
        );
        throw error;
      }
    },
    describe(staged, version) {
      if (staged.handle.kind !== 'release') throw new Error('not a release artifact');
      const release = releaseInfo(
        staged.handle.release,
        staged.handle.assetId,
        staged.handle.assetName,
        releaseTag(staged.model, version),
      );
      return { name: staged.name, kind: staged.kind, size: staged.size, location: release.assetApiUrl, release };
    },
    async finalize(staged, version, details) {
      if (staged.handle.kind !== 'release') throw new Error('not a release artifact');
      const tag = releaseTag(staged.model, version);
      const published = await updateRelease(client, repository, staged.handle.release.id, {
        tag,
        name: `${staged.model} v${version}`,
        body: details.body,
        draft: false,
        prerelease: details.prerelease,
        makeLatest: 'false',
        ...(details.targetCommitish ? { targetCommitish: details.targetCommitish } : {}),
      });
      const asset = published.assets.find((a) => a.id === (staged.handle as { assetId: number }).assetId);
      return {
        releaseUrl: published.html_url,
        assetUrl: asset?.browser_download_url ?? downloadUrl(serverUrl, repository, tag, staged.name),
      };
    },
    async discard(staged) {
      if (staged.handle.kind !== 'release') return;
      await deleteRelease(client, repository, { id: staged.handle.release.id, draft: true });
      log.info(`Deleted the draft release ${staged.handle.release.id}: the version was not registered.`);
    },
    records(staged, artifact) {
      return staged.handle.kind === 'release' && artifact.release?.id === staged.handle.release.id;
    },
    async recover(artifact, version, model, details) {
      const info = artifact.release;
      if (!info) return { assetUrl: artifact.location };
      const release = await getRelease(client, repository, info.id);
      if (!release) {
        log.warning(`The release of ${model} v${version} (${info.url}) no longer exists.`);
        return { releaseUrl: info.url, assetUrl: info.downloadUrl };
      }
      const finished = release.draft
        ? await updateRelease(client, repository, info.id, {
            // The tag the version gives, not the one read from the branch (an edit could name any tag).
            tag: releaseTag(model, version),
            name: `${model} v${version}`,
            body: details.body,
            draft: false,
            prerelease: details.prerelease,
            makeLatest: 'false',
            ...(details.targetCommitish ? { targetCommitish: details.targetCommitish } : {}),
          })
        : release;
      const asset = finished.assets.find((a) => a.id === info.assetId);
      return { releaseUrl: finished.html_url, assetUrl: asset?.browser_download_url ?? info.downloadUrl };
    },
  };
}

/**
 * Sets a version's release to prerelease or not (an alias such as production points at it or
 * not). Never makes it the repository's Latest release: GitHub's `make_latest` defaults to true,
 * which would put a model above the project's own releases.
 */
export async function setReleasePrerelease(
  client: GitHubClient,
  repository: RepositoryRef,
  release: ReleaseInfo,
  prerelease: boolean,
): Promise<void> {
  await updateRelease(client, repository, release.id, { prerelease, makeLatest: 'false' });
}
