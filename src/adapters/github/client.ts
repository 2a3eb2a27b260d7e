import type { Octokit } from '@octokit/core';
import type { Logger } from '../../core/logger.js';
import type { PaginateInterface } from '@octokit/plugin-paginate-rest';

/** An authenticated REST client with retries on 5xx and backoff on (secondary) rate limits. */
export type GitHubClient = Octokit & { paginate: PaginateInterface };

export interface GitHubClientOptions {
  token: string;
  /** GITHUB_API_URL: https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server. */
  apiUrl: string;
  log: Logger;
  /** Retries after a 5xx or a rate limit; tests lower it. */
  retries?: number;
  /** Base of the retry plugin's quadratic backoff (default 1000 ms); tests lower it. */
  retryBaseMs?: number;
  /** Overrides fetch (tests, proxies). */
  fetch?: typeof fetch;
}

/**
 * Creates the client. Octokit and its plugins are imported here, on first use, so that steps
 * that never talk to GitHub do not parse them at start-up.
 */
export async function createGitHubClient(options: GitHubClientOptions): Promise<GitHubClient> {
  const [{ Octokit }, { retry }, { throttling }, { paginateRest }] = await Promise.all([
    import('@octokit/core'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
    import('@octokit/plugin-paginate-rest'),
  ]);
  const retries = options.retries ?? 4;
  const Client = Octokit.plugin(retry, throttling, paginateRest);
  const client = new Client({
    auth: options.token,
    baseUrl: options.apiUrl,
    userAgent: 'mlops-actions',
    // `retries` belongs in the retry plugin's options: set on `request`, it would make the plugin
    // retry every failure, a 422 or a 403 included, at once and without backoff.
    retry: { retries, retryAfterBaseValue: options.retryBaseMs ?? retryBaseFromEnvironment() },
    ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
    log: {
      debug: (message: string) => options.log.debug(message),
      info: (message: string) => options.log.debug(message),
      warn: (message: string) => options.log.warning(message),
      error: (message: string) => options.log.debug(message),
    },
    throttle: {
      onRateLimit: retryWithin(retries, 'rate limit hit', options.log),
      onSecondaryRateLimit: retryWithin(retries, 'secondary rate limit', options.log),
    },
  });
  return client as unknown as GitHubClient;
}

/** A throttling handler: warns, then retries while fewer than `retries` attempts were made. */
function retryWithin(retries: number, what: string, log: Logger) {
  return (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    log.warning(`GitHub ${what} on ${request.method} ${request.url}; retrying in ${retryAfter}s.`);
    return retryCount < retries;
  };
}

/**
 * MLOPS_RETRY_BASE_MS shortens the backoff between retries. It is a test hook: integration tests
 * run the bundles against the API double with injected faults and should not wait seconds.
 */
function retryBaseFromEnvironment(): number {
  const value = Number(process.env.MLOPS_RETRY_BASE_MS);
  return Number.isFinite(value) && value > 0 ? value : 1000;
}
