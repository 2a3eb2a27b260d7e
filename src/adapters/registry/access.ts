import type { Logger } from '../../core/logger.js';
import type { RunEnvironment } from '../environment.js';
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
  /** The user named the token (`--github-token`): see RegistryRepositoryOptions.tokenIsExplicit. */
  tokenIsExplicit?: boolean;
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

/**
 * A step's registry access: where its registry inputs point (`cwd`, `branch`, `remote`, the
 * token) plus what the run environment says about GitHub, so every step reaches the registry and
 * the API the same way.
 */
export function registryAccess(
  location: { cwd: string; branch: string; remote: string; token?: string | undefined },
  env: RunEnvironment,
  log: Logger,
  mask: (secret: string) => void,
): RegistryAccessOptions {
  return {
    cwd: location.cwd,
    branch: location.branch,
    remote: location.remote,
    log,
    ...(location.token ? { token: location.token } : {}),
    // In a workflow the token is the step's github-token input, sent as before: a runner's own
    // credential helper (Git Credential Manager on Windows images) holds nothing for the job.
    tokenIsExplicit: env.inActions,
    serverUrl: env.serverUrl,
    apiUrl: env.apiUrl,
    ...(env.repository ? { repository: env.repository } : {}),
    retryBaseMs: env.retryBaseMs,
    inActions: env.inActions,
    mask,
  };
}

/** Opens the registry repository the options name. */
export function openRegistryRepository(options: RegistryAccessOptions): Promise<RegistryRepository> {
  return RegistryRepository.open({
    cwd: options.cwd,
    branch: options.branch,
    remote: options.remote,
    log: options.log,
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.tokenIsExplicit !== undefined ? { tokenIsExplicit: options.tokenIsExplicit } : {}),
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

/** Why GitHub cannot be called, in words for a message ('' when it can). */
export function missingGitHubAccess(options: RegistryAccessOptions): string {
  if (!options.token) return 'no GitHub token (github-token, --github-token or GITHUB_TOKEN)';
  if (!options.repository) return 'the repository is unknown (--repository owner/repo or GITHUB_REPOSITORY)';
  if (!options.apiUrl) return 'the API URL is unknown (--api-url or GITHUB_API_URL)';
  return '';
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
 * Warns about a version's release record that points anywhere but the configured GitHub. The
 * record's URLs are never called (releases and assets are addressed by id through the configured
 * API, and every download is checked against the sha256), so it is a sign of an edited or moved
 * registry, not a reason to stop.
 */
export function warnAboutReleaseRecord(record: ModelVersionRecord, api: GitHubApi, log: Logger): void {
  if (!record.artifact) return;
  for (const problem of releaseUrlProblems(record.artifact, api)) {
    log.warning(`${record.model} v${record.version}: ${problem} (see mlops registry fsck).`);
  }
}
