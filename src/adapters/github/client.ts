import type { Octokit } from '@octokit/core';
import { InputError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { PaginateInterface } from '@octokit/plugin-paginate-rest';
import type { ThrottlingOptions } from '@octokit/plugin-throttling';

/** An authenticated REST client with retries on 5xx and backoff on (secondary) rate limits. */
export type GitHubClient = Octokit & { paginate: PaginateInterface };

export interface GitHubClientOptions {
  token: string;
  /** GITHUB_API_URL: https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server. */
  apiUrl: string;
  log: Logger;
  /** Retries after a 5xx or a rate limit; tests lower it. */
  retries?: number;
  /**
   * How long "a second" of waiting is for this client (default 1000 ms): the base of the retry
   * plugin's quadratic backoff, the unit of a rate limit's retry-after, and the throttle's spacing
   * of writes (GitHub's 1 s between writes, 3 s between notifying writes, 2 s between searches,
   * scaled by retryBaseMs / 1000, against a loopback API URL only). Tests lower it, through
   * MLOPS_RETRY_BASE_MS (RunEnvironment.retryBaseMs) when they run a bundle; unset, or against any
   * other host, the pacing is the throttling plugin's own.
   */
  retryBaseMs?: number | undefined;
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
    retry: { retries, retryAfterBaseValue: options.retryBaseMs ?? 1000 },
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
      // Only against a server on this machine (the API double): a user who sets the variable for
      // a real GitHub must never get writes faster than GitHub asks for.
      ...(options.retryBaseMs !== undefined && isLoopbackUrl(options.apiUrl)
        ? scaledThrottle(options.retryBaseMs)
        : {}),
    },
  });
  return client;
}

/**
 * The spacing @octokit/plugin-throttling keeps between requests of a kind (its Bottleneck groups'
 * minTime), after GitHub's guidance: writes one at a time, a second apart; writes that notify
 * people (issues, comments, releases) 3 s apart; searches 2 s apart.
 */
export const GITHUB_PACING_MS = { write: 1000, notifications: 3000, search: 2000 } as const;

/** What the throttling plugin calls on its `write`, `notifications` and `search` groups. */
interface PacingGroup {
  key(id: string): { schedule<T>(jobOptions: object, job: () => T | Promise<T>): Promise<T> };
}

/**
 * Launches jobs at least `minTime` ms apart, in the order they were scheduled: what a Bottleneck
 * group with `maxConcurrent: 1` does for the plugin's jobs, which only wait their turn (they are
 * no-ops; the request itself runs after). One schedule per key, as Bottleneck keeps one limiter
 * per key.
 */
function pacingGroup(minTime: number): PacingGroup {
  const nextStart = new Map<string, number>();
  return {
    key: (id) => ({
      schedule: async (_jobOptions, job) => {
        const now = Date.now();
        const start = Math.max(now, nextStart.get(id) ?? 0);
        nextStart.set(id, start + minTime);
        if (start > now) await new Promise((resolve) => setTimeout(resolve, start - now));
        return job();
      },
    }),
  };
}

/** The groups of one scale, shared by every client of the process, as the plugin's own are. */
const scaledGroups = new Map<number, Record<keyof typeof GITHUB_PACING_MS, PacingGroup>>();

/**
 * Throttle options under the MLOPS_RETRY_BASE_MS test hook: GitHub's pacing and retry-after
 * scaled by `retryBaseMs / 1000`, so that a run against the API double does not sit out 3 s
 * between two issue writes, while the order and one-at-a-time writes stay as in production.
 */
function scaledThrottle(retryBaseMs: number): Partial<ThrottlingOptions> {
  let groups = scaledGroups.get(retryBaseMs);
  if (!groups) {
    const scale = retryBaseMs / 1000;
    groups = {
      write: pacingGroup(GITHUB_PACING_MS.write * scale),
      notifications: pacingGroup(GITHUB_PACING_MS.notifications * scale),
      search: pacingGroup(GITHUB_PACING_MS.search * scale),
    };
    scaledGroups.set(retryBaseMs, groups);
  }
  // The plugin types its groups as Bottleneck.Group, of which it calls key().schedule() alone.
  type Group = NonNullable<ThrottlingOptions['write']>;
  return {
    write: groups.write as unknown as Group,
    notifications: groups.notifications as unknown as Group,
    search: groups.search as unknown as Group,
    // retry-after (seconds) times this is the wait before retrying a rate-limited request.
    retryAfterBaseValue: retryBaseMs,
  };
}

/** True for an http(s) URL whose host is this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** A throttling handler: warns, then retries while fewer than `retries` attempts were made. */
function retryWithin(retries: number, what: string, log: Logger) {
  return (
    retryAfter: number,
    request: { method: string; url: string; request?: object },
    _octokit: unknown,
    retryCount: number,
  ) => {
    // A request sent with `request.retries: 0` (a sticky-comment write) is retried by its caller,
    // which re-checks the pull request's head before every attempt.
    if ((request.request as { retries?: number } | undefined)?.retries === 0) return false;
    log.warning(`GitHub ${what} on ${request.method} ${request.url}; retrying in ${retryAfter}s.`);
    return retryCount < retries;
  };
}

/**
 * Checks a configured GitHub URL (GITHUB_API_URL, GITHUB_SERVER_URL, --api-url): http(s), no
 * credentials, query or fragment. Returns it without a trailing slash.
 */
export function checkGitHubUrl(url: string, what: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`${what}: ${JSON.stringify(url)} is not a URL (such as https://api.github.com).`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InputError(`${what}: ${JSON.stringify(url)} must be an http(s) URL.`);
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash) {
    throw new InputError(`${what}: ${JSON.stringify(url)} must not carry credentials, a query or a fragment.`);
  }
  return url.replace(/\/+$/, '');
}

/** `owner/repo` as a repository; an InputError naming `what` otherwise. */
export function parseRepository(text: string, what: string): { owner: string; repo: string } {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(text);
  if (!match || match[1] === '..' || match[2] === '..' || match[2] === '.') {
    throw new InputError(`${what}: ${JSON.stringify(text)} is not owner/repo.`);
  }
  return { owner: match[1]!, repo: match[2]! };
}

/**
 * The repository a git remote URL names on the GitHub server `serverUrl`
 * (`https://github.com/o/r.git`, `git@github.com:o/r.git`, `ssh://git@github.com/o/r`), or
 * undefined for a remote elsewhere (a path, another host).
 */
export function repositoryFromRemoteUrl(
  remoteUrl: string,
  serverUrl: string,
): { owner: string; repo: string } | undefined {
  let host: string;
  try {
    host = new URL(serverUrl).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  const forms = [/^(?:https?|ssh|git):\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/(.+)$/, /^(?:[^@/]+@)?([^/:]+):(?!\/)(.+)$/];
  for (const form of forms) {
    const match = form.exec(remoteUrl.trim());
    if (!match || match[1]!.toLowerCase() !== host) continue;
    const path = match[2]!.replace(/\.git$/, '').replace(/\/+$/, '');
    try {
      return parseRepository(path, 'remote');
    } catch {
      return undefined;
    }
  }
  return undefined;
}
