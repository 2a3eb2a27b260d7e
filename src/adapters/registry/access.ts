import { EnvironmentError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ModelVersionRecord } from '../../core/registry/contract.js';
import { releaseUrlProblems } from '../../core/registry/artifact-policy.js';
import { createGitHubClient, type GitHubClient } from '../github/client.js';
import type { RepositoryRef } from '../github/releases.js';
import { RegistryRepository } from './repository.js';

/**
 * Where the registry is and how to reach GitHub: what every registry operation of deploy
 * (download, promote, deploy events, profiles) takes. The token goes to the git remote (only
 * when git has no credentials of its own) and to `apiUrl`, never to a URL read from the branch.
 */
export interface RegistryAccessOptions {
  /** Any directory inside the repository. */
  cwd: string;
  /** The registry branch (registry-branch input, default mlops-registry). */
  branch: string;
  /** The remote (registry-remote input, default origin); with no such remote the local branch is used. */
  remote: string;
  log: Logger;
  /** github-token: for the https remote (see RegistryRepositoryOptions) and the GitHub API. */
  token?: string;
  /** GITHUB_SERVER_URL (https://github.com). */
  serverUrl?: string;
  /** GITHUB_API_URL (https://api.github.com): the only API a token is sent to. */
  apiUrl?: string;
  /** The repository whose releases hold the models (GITHUB_REPOSITORY). */
  repository?: RepositoryRef;
  /** MLOPS_RETRY_BASE_MS: the test hook that shortens the API client's backoff. */
  retryBaseMs?: number | undefined;
  /** True under GitHub Actions: registry commits are made as github-actions[bot]. */
  inActions?: boolean;
  /** Hides a derived secret in the log. */
  mask?: (secret: string) => void;
}

/** Opens the registry repository the options name. */
export function openRegistryRepository(options: RegistryAccessOptions): Promise<RegistryRepository> {
  return RegistryRepository.open({
    cwd: options.cwd,
    branch: options.branch,
    remote: options.remote,
    log: options.log,
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.serverUrl !== undefined ? { serverUrl: options.serverUrl } : {}),
    ...(options.inActions !== undefined ? { inActions: options.inActions } : {}),
    ...(options.mask !== undefined ? { mask: options.mask } : {}),
  });
}

/** The configured GitHub API, when a token, an API URL and the repository are all known. */
export interface GitHubApi {
  client: GitHubClient;
  repository: RepositoryRef;
  apiUrl: string;
  serverUrl: string;
}

/** What is missing to call GitHub, in words for a message ('' when nothing is). */
export function missingGitHubAccess(options: RegistryAccessOptions): string {
  const missing = [
    !options.token ? 'a token (github-token / --github-token / GITHUB_TOKEN)' : undefined,
    !options.apiUrl ? 'the API URL (GITHUB_API_URL / --api-url)' : undefined,
    !options.repository ? 'the repository (GITHUB_REPOSITORY / --repository owner/repo)' : undefined,
  ].filter(Boolean);
  return missing.join(', ');
}

/** A client for the configured API, or undefined when a token, the API URL or the repository is missing. */
export async function githubApi(options: RegistryAccessOptions): Promise<GitHubApi | undefined> {
  if (!options.token || !options.apiUrl || !options.repository) return undefined;
  const client = await createGitHubClient({
    token: options.token,
    apiUrl: options.apiUrl,
    log: options.log,
    retryBaseMs: options.retryBaseMs,
  });
  return {
    client,
    repository: options.repository,
    apiUrl: options.apiUrl,
    serverUrl: options.serverUrl ?? defaultServerUrl(options.apiUrl),
  };
}

/** https://github.com for https://api.github.com, https://HOST for https://HOST/api/v3. */
export function defaultServerUrl(apiUrl: string): string {
  return apiUrl === 'https://api.github.com' ? 'https://github.com' : apiUrl.replace(/\/api\/v3\/?$/, '');
}

/**
 * Refuses a version whose release record points anywhere but the configured GitHub: the asset
 * would be fetched with the token from there.
 */
export function checkReleaseRecord(record: ModelVersionRecord, api: GitHubApi): void {
  if (!record.artifact) return;
  const problems = releaseUrlProblems(record.artifact, api);
  if (problems.length > 0) {
    throw new EnvironmentError(
      `${record.model} v${record.version}: the registry's release record cannot be trusted: ${problems[0]} (run mlops registry fsck).`,
    );
  }
}
