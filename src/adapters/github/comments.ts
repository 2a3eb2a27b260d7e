/**
 * Sticky pull-request comments: one comment per marker (workflow + key), found across every page
 * of the thread and only among comments written by the token's own identity, updated in place on
 * every run, never duplicated, also when two runs race.
 *
 * Race safety: two runs that both find no comment both create one. So after creating, a run lists
 * again and reconciles: the oldest comment (lowest id) is kept, the others deleted. Every body
 * carries a stamp (run id, attempt, time); a run writes the kept comment only when its stamp is
 * newer than the one there, and re-reads after writing, so the newest run's report ends up in the
 * one remaining comment whatever the interleaving.
 */
import { EnvironmentError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { GitHubClient } from './client.js';

/** The login GitHub Actions' GITHUB_TOKEN comments as. */
export const GITHUB_ACTIONS_LOGIN = 'github-actions[bot]';

/**
 * GitHub refused the token for a reason no retry fixes: a bad or expired token (401), a
 * repository it cannot see (404), or missing permission (CommentPermissionError). The caller
 * decides whether that is expected (a fork's read-only token) or a misconfiguration to report.
 */
export class CommentAccessError extends EnvironmentError {}

/** A write was refused because the token is read-only (a fork pull request's GITHUB_TOKEN). */
export class CommentPermissionError extends CommentAccessError {}

/** Orders competing runs: a later run (or attempt, or time) wins. */
export interface CommentStamp {
  runId?: string | undefined;
  runAttempt?: string | undefined;
  /** ISO 8601 time the report was made. */
  time: string;
}

export interface StickyCommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
}

export interface StickyCommentOptions extends StickyCommentTarget {
  client: GitHubClient;
  /** The hidden marker line (see stickyMarker). */
  marker: string;
  /** The visible body. */
  body: string;
  stamp: CommentStamp;
  log: Logger;
  /** Identity to match, when known (skips GET /user). */
  login?: string;
  /** Retries after a network error (no HTTP status), on top of Octokit's own retries. */
  networkRetries?: number;
  /**
   * Called right before every attempt of a create or update, retries included; it throws to stop
   * the write (evaluate-gate's check that its commit is still the pull request's head). Its error
   * reaches the caller as is.
   */
  beforeWrite?: () => Promise<void>;
}

export interface StickyCommentResult {
  id: number;
  url: string;
  action: 'created' | 'updated' | 'unchanged' | 'kept-newer';
  /** Duplicates this run deleted. */
  deleted: number;
  login: string;
}

interface ApiComment {
  id: number;
  body?: string;
  html_url: string;
  user: { login: string; type?: string } | null;
}

export interface RequestErrorLike {
  status?: number;
  message: string;
  response?: { data?: unknown; headers?: Record<string, string | number | undefined> };
}

/**
 * How long GitHub asks to wait before retrying (ms), when `error` is a rate limit: `retry-after`,
 * else the primary limit's reset time. Undefined for any other error.
 */
export function rateLimitWait(error: RequestErrorLike): number | undefined {
  if (error.status !== 403 && error.status !== 429) return undefined;
  const headers = error.response?.headers ?? {};
  const retryAfter = Number(headers['retry-after']);
  if (/rate limit/i.test(error.message) && retryAfter > 0) return retryAfter * 1000;
  if (String(headers['x-ratelimit-remaining']) === '0') {
    return Math.max(0, Number(headers['x-ratelimit-reset']) * 1000 - Date.now()) + 1000;
  }
  if (error.status === 429) return 1000;
  return undefined;
}

function asRequestError(error: unknown): RequestErrorLike {
  return error as RequestErrorLike;
}

/** `<!-- mlops:evaluate-gate workflow=ci key=default -->`: values URI-encoded so they cannot end the comment. */
export function stickyMarker(source: string, workflow: string, key: string): string {
  return `<!-- mlops:${source} workflow=${encodeURIComponent(workflow)} key=${encodeURIComponent(key)} -->`;
}

/** The stamp line stored in the body. */
export function formatStamp(stamp: CommentStamp): string {
  return `<!-- mlops:stamp run=${stamp.runId ?? ''} attempt=${stamp.runAttempt ?? ''} time=${stamp.time} -->`;
}

/** Reads the stamp back from a comment body. */
export function parseStamp(body: string): CommentStamp | undefined {
  const match = /<!-- mlops:stamp run=(\d*) attempt=(\d*) time=(\S+) -->/.exec(body);
  if (!match) return undefined;
  return { runId: match[1] || undefined, runAttempt: match[2] || undefined, time: match[3]! };
}

function compareNumeric(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Negative when `a` is older than `b`. Run id, then attempt, then time. */
export function compareStamps(a: CommentStamp, b: CommentStamp): number {
  return (
    compareNumeric(a.runId, b.runId) ||
    compareNumeric(a.runAttempt, b.runAttempt) ||
    (a.time < b.time ? -1 : a.time > b.time ? 1 : 0)
  );
}

/** The full comment body: marker, stamp, then the report. */
export function composeStickyBody(marker: string, stamp: CommentStamp, body: string): string {
  return `${marker}\n${formatStamp(stamp)}\n${body}`;
}

/** Pure, shared with the artifact poster; re-exported here beside the markers it removes. */
export { stripMarkers } from '../../core/report/gate-artifact.js';

/**
 * Whether a comment body is a sticky comment with this marker. Our bodies start with the marker
 * line; a body that merely contains it (a quote, a bot echoing text) is not ours to edit.
 */
export function carriesMarker(body: string | undefined, marker: string): boolean {
  return (body ?? '').startsWith(`${marker}\n`) || body === marker;
}

function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** A GitHub write refused for lack of permission (fork PR tokens, read-only GITHUB_TOKEN). */
export function isPermissionDenied(error: unknown): boolean {
  const e = asRequestError(error);
  if (e.status !== 403) return false;
  const text = `${e.message} ${JSON.stringify(e.response?.data ?? '')}`;
  if (/rate limit/i.test(text)) return false;
  return /Resource not accessible by integration|Must have (admin|push) (rights|access)|not accessible|permission/i.test(
    text,
  );
}

/** `beforeWrite` stopped a write: never retried, and its error reaches the caller as is. */
class WriteRefused extends Error {
  constructor(readonly reason: unknown) {
    super('the write was refused before it was sent');
  }
}

/**
 * Octokit's own retries turned off for one request: a create or update is retried only by
 * withNetworkRetries, which re-runs `beforeWrite` before every attempt. Octokit would resend the
 * same request minutes after the check (plugin-retry honours `request.retries` per request).
 */
const NO_OCTOKIT_RETRIES = { retries: 0 };

async function withNetworkRetries<T>(fn: () => Promise<T>, retries: number, log: Logger, what: string): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof WriteRefused) throw error;
      const status = asRequestError(error).status;
      // Octokit already retried HTTP errors, except for writes sent with NO_OCTOKIT_RETRIES (whose
      // rate limits are waited out here); a missing status is a dropped connection or timeout.
      const network = status === undefined || status === 500 || status === 502 || status === 503 || status === 504;
      const limited = rateLimitWait(asRequestError(error));
      if ((!network && limited === undefined) || attempt >= retries) throw error;
      const delay = limited ?? 250 * 2 ** attempt;
      if (limited !== undefined)
        log.warning(`GitHub rate limit on ${what.toLowerCase()}; retrying in ${Math.ceil(delay / 1000)}s.`);
      log.debug(`${what} failed (${asRequestError(error).message}); retrying in ${delay} ms.`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function describeFailure(what: string, error: unknown): EnvironmentError {
  const e = asRequestError(error);
  if (isPermissionDenied(error)) {
    return new CommentPermissionError(
      `${what}: the token may not write comments (HTTP 403: ${e.message}).`,
      undefined,
      {
        cause: error,
      },
    );
  }
  if (e.status === 401) {
    return new CommentAccessError(`${what}: GitHub rejected the token (HTTP 401). Check github-token.`, undefined, {
      cause: error,
    });
  }
  if (e.status === 404) {
    return new CommentAccessError(
      `${what}: not found (HTTP 404): the token cannot see this repository or pull request. Check github-token.`,
      undefined,
      { cause: error },
    );
  }
  return new EnvironmentError(`${what}: ${e.status ? `HTTP ${e.status}: ` : ''}${e.message}`, undefined, {
    cause: error,
  });
}

/**
 * The login the token writes comments as. A personal or OAuth token can ask GET /user; an
 * installation token (GitHub Actions' GITHUB_TOKEN, a GitHub App's) gets 403 there, and
 * comments as `<app>[bot]`: for Actions that is github-actions[bot]. A custom app's login is
 * learned from the first comment it creates (see upsertStickyComment).
 */
export async function resolveCommentIdentity(
  client: GitHubClient,
  log: Logger,
): Promise<{ login: string; assumed: boolean }> {
  try {
    const response = await client.request('GET /user');
    const login = (response.data as { login?: string }).login;
    if (login) return { login, assumed: false };
  } catch (error) {
    const status = asRequestError(error).status;
    if (status === 401) throw describeFailure('Looking up the token identity', error);
    if (status !== 403 && status !== 404) throw describeFailure('Looking up the token identity', error);
    log.debug(`GET /user answered ${status}: an installation token; assuming it comments as ${GITHUB_ACTIONS_LOGIN}.`);
  }
  return { login: GITHUB_ACTIONS_LOGIN, assumed: true };
}

/** Every comment of the thread (all pages) that carries the marker, oldest first; `login` narrows to one author. */
export async function findStickyComments(
  client: GitHubClient,
  target: StickyCommentTarget,
  marker: string,
  login?: string,
): Promise<ApiComment[]> {
  const comments = (await client.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100,
  })) as ApiComment[];
  return comments
    .filter((c) => c.user && (login === undefined || sameLogin(c.user.login, login)) && carriesMarker(c.body, marker))
    .sort((a, b) => a.id - b.id);
}

/**
 * With an assumed identity (an installation token, which cannot ask GET /user), a custom
 * GitHub App comments as `<app>[bot]`, not github-actions[bot]. Such a token's earlier comments
 * are recognised by author type: only a Bot account's comment carrying our marker counts, and
 * then only one login, the author of the oldest. People cannot post as a Bot account.
 */
export function adoptBotLogin(marked: readonly ApiComment[], assumed: string): string {
  if (marked.some((c) => c.user && sameLogin(c.user.login, assumed))) return assumed;
  return marked.find((c) => c.user?.type === 'Bot')?.user?.login ?? assumed;
}

/**
 * Creates or updates the sticky comment and removes duplicates. Throws CommentPermissionError
 * when the token may not write (fork pull requests), EnvironmentError for other API failures.
 */
export async function upsertStickyComment(options: StickyCommentOptions): Promise<StickyCommentResult> {
  const { client, log, marker, stamp } = options;
  const target = { owner: options.owner, repo: options.repo, issueNumber: options.issueNumber };
  const retries = options.networkRetries ?? 4;
  const fullBody = composeStickyBody(marker, stamp, options.body);
  const where = `${target.owner}/${target.repo}#${target.issueNumber}`;
  const call = <T>(what: string, fn: () => Promise<T>): Promise<T> =>
    withNetworkRetries(fn, retries, log, what).catch((error: unknown) => {
      if (error instanceof WriteRefused) throw error.reason;
      throw describeFailure(`${what} on ${where}`, error);
    });
  /** A create or update: `beforeWrite` runs right before every attempt, inside the retries. */
  const write = <T>(what: string, send: () => Promise<T>): Promise<T> =>
    call(what, async () => {
      try {
        await options.beforeWrite?.();
      } catch (error) {
        throw new WriteRefused(error);
      }
      return send();
    });

  const identity = options.login ? { login: options.login, assumed: false } : await resolveCommentIdentity(client, log);
  let login = identity.login;
  let adopt = identity.assumed;
  let createdId: number | undefined;
  let deleted = 0;

  for (let round = 0; round < 5; round++) {
    const marked = await call('Listing comments', () => findStickyComments(client, target, marker));
    if (adopt) {
      adopt = false;
      const adopted = adoptBotLogin(marked, login);
      if (adopted !== login) log.debug(`Matching sticky comments by ${adopted} (an app installation token).`);
      login = adopted;
    }
    let ours = marked.filter((c) => c.user && sameLogin(c.user.login, login));
    if (ours.length === 0) {
      const created = await write('Creating the comment', async () => {
        const response = await client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
          owner: target.owner,
          repo: target.repo,
          issue_number: target.issueNumber,
          body: fullBody,
          request: NO_OCTOKIT_RETRIES,
        });
        return response.data as ApiComment;
      });
      createdId = created.id;
      if (created.user?.login && !sameLogin(created.user.login, login)) {
        log.debug(`The token comments as ${created.user.login}; matching its comments from now on.`);
        login = created.user.login;
      }
      // Another run may have created one at the same time: list again and reconcile.
      ours = await call('Listing comments', () => findStickyComments(client, target, marker, login));
      if (!ours.some((c) => c.id === created.id)) ours = [...ours, created].sort((a, b) => a.id - b.id);
    }
    const [keep, ...duplicates] = ours as [ApiComment, ...ApiComment[]];
    for (const duplicate of duplicates) {
      const gone = await call('Deleting a duplicate comment', async () => {
        try {
          await client.request('DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}', {
            owner: target.owner,
            repo: target.repo,
            comment_id: duplicate.id,
          });
          return true;
        } catch (error) {
          // Another run deleted it first.
          if (asRequestError(error).status === 404) return false;
          throw error;
        }
      });
      if (gone) deleted++;
    }
    const converged = await writeIfNewer(keep);
    if (converged === 'retry') continue;
    const action: StickyCommentResult['action'] = keep.id === createdId ? 'created' : converged;
    return { id: keep.id, url: keep.html_url, action, deleted, login };
  }
  throw new EnvironmentError(`The sticky comment on ${where} kept changing under this run; gave up after 5 rounds.`);

  /**
   * Writes our body into `keep` unless it already holds a newer run's report, then reads it back
   * until it holds ours or a newer one (another run may have written in between).
   */
  async function writeIfNewer(keep: ApiComment): Promise<'updated' | 'unchanged' | 'kept-newer' | 'retry'> {
    let current = keep;
    let wrote = false;
    for (let check = 0; check < 5; check++) {
      const body = current.body ?? '';
      if (body === fullBody) return wrote ? 'updated' : 'unchanged';
      const theirs = parseStamp(body);
      const order = theirs ? compareStamps(stamp, theirs) : 1;
      // Same stamp, different body: order by the body itself so both runs agree on one winner.
      const newer = order > 0 || (order === 0 && fullBody > body);
      if (!newer) return 'kept-newer';
      const updated = await write('Updating the comment', async () => {
        try {
          const response = await client.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
            owner: target.owner,
            repo: target.repo,
            comment_id: current.id,
            body: fullBody,
            request: NO_OCTOKIT_RETRIES,
          });
          return response.data as ApiComment;
        } catch (error) {
          if (asRequestError(error).status === 404) return undefined;
          throw error;
        }
      });
      if (!updated) return 'retry';
      wrote = true;
      const reread = await call('Reading the comment back', async () => {
        try {
          const response = await client.request('GET /repos/{owner}/{repo}/issues/comments/{comment_id}', {
            owner: target.owner,
            repo: target.repo,
            comment_id: current.id,
          });
          return response.data as ApiComment;
        } catch (error) {
          if (asRequestError(error).status === 404) return undefined;
          throw error;
        }
      });
      if (!reread) return 'retry';
      current = reread;
    }
    return wrote ? 'updated' : 'unchanged';
  }
}
