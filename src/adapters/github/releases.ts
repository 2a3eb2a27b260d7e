import { readFile } from 'node:fs/promises';
import { EnvironmentError } from '../../core/errors.js';
import type { GitHubClient } from './client.js';

/** The fields of a GitHub release that mlops uses. */
export interface GitHubRelease {
  id: number;
  tag_name: string;
  name: string | null;
  draft: boolean;
  prerelease: boolean;
  html_url: string;
  upload_url: string;
  assets: GitHubReleaseAsset[];
}

export interface GitHubReleaseAsset {
  id: number;
  name: string;
  url: string;
  browser_download_url: string;
  size: number;
  /** `sha256:<hex>` of the stored bytes (GitHub reports it for new uploads). */
  digest?: string | null;
}

export interface RepositoryRef {
  owner: string;
  repo: string;
}

/** GitHub's release body limit (characters). */
export const RELEASE_BODY_LIMIT = 125_000;

/** Turns an Octokit failure into one clear line that names the call. */
function apiError(what: string, error: unknown): EnvironmentError {
  const status = (error as { status?: number }).status;
  const message =
    (error as { response?: { data?: { message?: string } } }).response?.data?.message ?? (error as Error).message;
  const hint =
    status === 403 || status === 404
      ? ' (the token needs contents: write permission; in a workflow add `permissions: contents: write`)'
      : '';
  return new EnvironmentError(
    `GitHub API: ${what} failed${status ? ` (HTTP ${status})` : ''}: ${message}${hint}`,
    undefined,
    {
      cause: error,
    },
  );
}

function clip(body: string): string {
  return body.length <= RELEASE_BODY_LIMIT ? body : body.slice(0, RELEASE_BODY_LIMIT - 40) + '\n\n…(truncated)\n';
}

/** Creates a draft release (drafts have no tag and are visible only to people with push access). */
export async function createDraftRelease(
  client: GitHubClient,
  repository: RepositoryRef,
  release: { tag: string; name: string; body: string; targetCommitish?: string },
): Promise<GitHubRelease> {
  try {
    const response = await client.request('POST /repos/{owner}/{repo}/releases', {
      ...repository,
      tag_name: release.tag,
      name: release.name,
      body: clip(release.body),
      draft: true,
      prerelease: true,
      ...(release.targetCommitish ? { target_commitish: release.targetCommitish } : {}),
    });
    return response.data;
  } catch (error) {
    throw apiError(`creating the draft release ${release.tag}`, error);
  }
}

/** Uploads a file as an asset of a release (to the release's upload_url). */
export async function uploadReleaseAsset(
  client: GitHubClient,
  release: GitHubRelease,
  asset: { file: string; name: string; contentType?: string },
): Promise<GitHubReleaseAsset> {
  // GitHub caps assets at 2 GiB, which is also what one read can hold.
  const data = await readFile(asset.file);
  try {
    const response = await client.request({
      method: 'POST',
      url: release.upload_url,
      name: asset.name,
      headers: {
        'content-type': asset.contentType ?? 'application/octet-stream',
        'content-length': String(data.length),
      },
      data,
    });
    return response.data;
  } catch (error) {
    throw apiError(`uploading ${asset.name} to release ${release.id}`, error);
  }
}

/** Updates a release: publish a draft under its final tag, change its prerelease flag, body... */
export async function updateRelease(
  client: GitHubClient,
  repository: RepositoryRef,
  id: number,
  fields: {
    tag?: string;
    name?: string;
    body?: string;
    draft?: boolean;
    prerelease?: boolean;
    targetCommitish?: string;
    makeLatest?: 'true' | 'false' | 'legacy';
  },
): Promise<GitHubRelease> {
  try {
    const response = await client.request('PATCH /repos/{owner}/{repo}/releases/{release_id}', {
      ...repository,
      release_id: id,
      ...(fields.tag !== undefined ? { tag_name: fields.tag } : {}),
      ...(fields.name !== undefined ? { name: fields.name } : {}),
      ...(fields.body !== undefined ? { body: clip(fields.body) } : {}),
      ...(fields.draft !== undefined ? { draft: fields.draft } : {}),
      ...(fields.prerelease !== undefined ? { prerelease: fields.prerelease } : {}),
      ...(fields.targetCommitish !== undefined ? { target_commitish: fields.targetCommitish } : {}),
      ...(fields.makeLatest !== undefined ? { make_latest: fields.makeLatest } : {}),
    });
    return response.data;
  } catch (error) {
    throw apiError(`updating release ${id}`, error);
  }
}

/** Reads a release by id; undefined when it no longer exists. */
export async function getRelease(
  client: GitHubClient,
  repository: RepositoryRef,
  id: number,
): Promise<GitHubRelease | undefined> {
  try {
    const response = await client.request('GET /repos/{owner}/{repo}/releases/{release_id}', {
      ...repository,
      release_id: id,
    });
    return response.data;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw apiError(`reading release ${id}`, error);
  }
}

/**
 * Deletes a release and, when it was published, its tag (GitHub keeps the tag of a deleted
 * release). A release that is already gone is not an error.
 */
export async function deleteRelease(
  client: GitHubClient,
  repository: RepositoryRef,
  release: { id: number; tag?: string; draft: boolean },
): Promise<void> {
  try {
    await client.request('DELETE /repos/{owner}/{repo}/releases/{release_id}', {
      ...repository,
      release_id: release.id,
    });
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw apiError(`deleting release ${release.id}`, error);
  }
  if (!release.draft && release.tag) {
    try {
      await client.request('DELETE /repos/{owner}/{repo}/git/refs/{ref}', {
        ...repository,
        ref: `tags/${release.tag}`,
      });
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status !== 404 && status !== 422) throw apiError(`deleting tag ${release.tag}`, error);
    }
  }
}
