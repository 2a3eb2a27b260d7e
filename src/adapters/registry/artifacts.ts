import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EnvironmentError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ArtifactInfo, ReleaseInfo } from '../../core/registry/documents.js';
import { releaseTag } from '../../core/registry/names.js';
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
 * `discard`s the upload.
 */
export interface ArtifactStore {
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
 * `.mlops/artifacts/<model>/.staging/<id>/` until the version is registered.
 */
export function localArtifactStore(root: string, log: Logger): ArtifactStore {
  const modelRoot = (model: string) => join(root, '.mlops', 'artifacts', model);
  const finalPath = (model: string, version: number, name: string) => `.mlops/artifacts/${model}/v${version}/${name}`;
  return {
    kind: 'local',
    async stage(artifact, model) {
      const folder = join(modelRoot(model), '.staging', randomUUID());
      await mkdir(folder, { recursive: true });
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
        location: finalPath(staged.model, version, staged.name),
      };
    },
    async finalize(staged, version) {
      if (staged.handle.kind !== 'local') throw new Error('not a local artifact');
      const target = join(modelRoot(staged.model), `v${version}`);
      if (await stat(target).catch(() => undefined)) {
        log.warning(`Replacing ${target}, left from a registry that no longer has ${staged.model} v${version}.`);
        await rm(target, { recursive: true, force: true });
      }
      await mkdir(dirname(target), { recursive: true });
      await rename(staged.handle.folder, target);
      return { assetUrl: pathToFileURL(join(target, staged.name)).href };
    },
    async discard(staged) {
      if (staged.handle.kind !== 'local') return;
      await rm(staged.handle.folder, { recursive: true, force: true });
      // A refused write (a model name that clashes in case) must not leave `.staging/` or the
      // model's folder behind; rmdir only removes them when empty, so other writers are safe.
      for (const folder of [dirname(staged.handle.folder), modelRoot(staged.model)]) {
        await rmdir(folder).catch(() => undefined);
      }
    },
    records() {
      // The record names the final folder, never a staging folder.
      return false;
    },
    async recover(artifact, _version, _model, _details, packaged) {
      const file = join(root, artifact.location);
      if (!(await stat(file).catch(() => undefined))) {
        log.warning(`${artifact.location} was missing (a run killed before it was moved there); putting it back.`);
        await mkdir(dirname(file), { recursive: true });
        await copyFile(packaged.file, file);
      }
      return { assetUrl: pathToFileURL(file).href };
    },
  };
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
}): ArtifactStore {
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
            tag: info.tag,
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

/** Sets a version's release to prerelease or not (an alias such as production points at it or not). */
export async function setReleasePrerelease(
  client: GitHubClient,
  repository: RepositoryRef,
  release: ReleaseInfo,
  prerelease: boolean,
): Promise<void> {
  await updateRelease(client, repository, release.id, { prerelease });
}
