/**
 * The issue lifecycle shared by drift-check and evaluate-gate's `comment: issue`: one open issue
 * per check (kind + key), created when a run finds a problem, its body replaced and a short
 * comment added by every later run while the problem lasts, closed with a comment by the first
 * run that finds none.
 *
 * The issue is found by a hidden marker on its body's first line (`<!-- mlops:drift:<key> -->`)
 * among the open issues carrying its first label, listed page by page (the issues list, not
 * search, which lags behind writes by up to a minute).
 *
 * Race safety: two runs that both find no issue both create one. So after creating, a run lists
 * again and keeps the oldest marked issue, closing the others as duplicates with a link to it;
 * both runs pick the same oldest issue, so they converge on one open issue whatever the order.
 *
 * Writes that are not idempotent (creating an issue or a comment) are sent with Octokit's own
 * retries off: after a failure whose outcome is unknown (a 5xx, a dropped connection, a rate
 * limit) the run looks first for what the lost attempt may have created, and sends again only
 * when nothing is there. Reads and PATCHes keep Octokit's retries and backoff.
 */
import { EnvironmentError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { GitHubClient } from './client.js';
import { isPermissionDenied, rateLimitWait, type RequestErrorLike } from './comments.js';

/** What the issue is about: the marker's kind. */
export type IssueKind = 'drift' | 'gate';

/** The token may not write issues: the workflow lacks `permissions: issues: write`. */
export class IssuePermissionError extends EnvironmentError {}

export interface SyncIssueOptions {
  client: GitHubClient;
  owner: string;
  repo: string;
  kind: IssueKind;
  /** The check's name (drift-check's `name`, evaluate-gate's `comment-key`): one open issue per key. */
  key: string;
  title: string;
  /** The issue body without the marker (the latest report). */
  body: string;
  /** Labels of a new issue, created in the repository when missing. The first one narrows the listing. */
  labels: readonly string[];
  /** True when this run found a problem (drift, a failed gate). */
  problem: boolean;
  /** The short comment that records a run on an issue that already existed, while the problem lasts. */
  runComment: string;
  /** The comment posted when the issue is closed because the problem is gone. */
  closeComment: string;
  /** Close the issue when the problem is gone (drift-check's close-resolved). */
  closeResolved: boolean;
  /** Appended to the 403 explanation: how to do without the issue (`Or set open-issue: false.`). */
  permissionHint?: string;
  log: Logger;
  /** Attempts at a non-idempotent write whose outcome was unknown (default 6). */
  writeAttempts?: number;
  /** Base of the backoff between those attempts in ms (default 500; tests lower it). */
  retryBaseMs?: number | undefined;
}

export interface IssueSyncResult {
  /**
   * `created`: a new issue; `updated`: body replaced and a run comment added; `closed`: the
   * problem is gone and the issue closed; `unchanged`: the problem is gone but close-resolved is
   * false, so the issue stays open as it was; `none`: no problem and no issue.
   */
  action: 'created' | 'updated' | 'closed' | 'unchanged' | 'none';
  number?: number;
  url?: string;
  /** Duplicate issues this run closed (overlapping runs). */
  closedDuplicates: number[];
}

interface ApiIssue {
  number: number;
  html_url: string;
  body?: string | null;
  title: string;
  state: string;
  pull_request?: unknown;
  user?: { login?: string; type?: string } | null;
}

interface ApiComment {
  id: number;
  body?: string;
  html_url: string;
}

/** Colours of the labels mlops creates: the first (`mlops`) neutral, the others by kind. */
const LABEL_COLORS: Record<IssueKind, string> = { drift: 'd93f0b', gate: 'b60205' };
const FIRST_LABEL_COLOR = '5319e7';

/** `<!-- mlops:drift:<key> -->`: the key URI-encoded so that it cannot end the comment. */
export function issueMarker(kind: IssueKind, key: string): string {
  return `<!-- mlops:${kind}:${encodeURIComponent(key)} -->`;
}

/** The full body: the marker line, then the report. */
export function composeIssueBody(kind: IssueKind, key: string, body: string): string {
  return `${issueMarker(kind, key)}\n${body}`;
}

/**
 * Whether an issue body belongs to this check. Our bodies start with the marker line; an issue
 * that merely quotes it somewhere is not ours to edit or close.
 */
export function issueCarriesMarker(body: string | null | undefined, marker: string): boolean {
  return (body ?? '').startsWith(`${marker}\n`) || body === marker;
}

/**
 * Whether an issue is ours: its body starts with the marker, or a bot opened it (the Actions
 * token is `github-actions[bot]`) and the marker starts any line of it, as after a person adds a
 * note above it. People quoting the marker in their own issues are never ours.
 */
export function isOwnMarkedIssue(issue: Pick<ApiIssue, 'body' | 'user'>, marker: string): boolean {
  if (issueCarriesMarker(issue.body, marker)) return true;
  const user = issue.user;
  const byBot = user?.type === 'Bot' || (user?.login ?? '').endsWith('[bot]');
  return byBot && (issue.body ?? '').split(/\r?\n/).some((line) => line.startsWith(marker));
}

/** A run comment's hidden stamp, so that a retried comment can be recognised as already posted. */
function commentStamp(kind: IssueKind, key: string): string {
  const nonce = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  return `<!-- mlops:${kind}-run:${encodeURIComponent(key)}:${nonce} -->`;
}

function asRequestError(error: unknown): RequestErrorLike {
  return error as RequestErrorLike;
}

/** GitHub's own message (`Resource not accessible by integration`), without Octokit's documentation link. */
export function githubMessage(error: unknown): string {
  const e = asRequestError(error);
  const message = (e.response?.data as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message !== '' ? message : e.message;
}

/**
 * Whether a failed write may still have happened, or may succeed when sent again: a 5xx, a
 * dropped connection (no status), or a rate limit. A 4xx other than those is an answer.
 */
export function outcomeUnknown(error: unknown): boolean {
  const e = asRequestError(error);
  if (e.status === undefined || e.status >= 500) return true;
  return rateLimitWait(e) !== undefined;
}

/** Octokit's own retries off for one request (plugin-retry and the throttling handler honour it). */
const NO_OCTOKIT_RETRIES = { retries: 0 };

/**
 * Explains a failed issue operation in one sentence: 403 as the missing permission, 401 and 404
 * as the token, others with GitHub's status and message.
 */
export function describeIssueFailure(what: string, error: unknown, hint = ''): EnvironmentError {
  const e = asRequestError(error);
  const tail = hint ? ` ${hint}` : '';
  if (isPermissionDenied(error)) {
    return new IssuePermissionError(
      `${what}: the token may not write issues (HTTP 403: ${githubMessage(error)}). Give the job \`permissions: issues: write\`.${tail}`,
      undefined,
      { cause: error },
    );
  }
  if (e.status === 401) {
    return new EnvironmentError(`${what}: GitHub rejected the token (HTTP 401). Check github-token.`, undefined, {
      cause: error,
    });
  }
  if (e.status === 404) {
    return new EnvironmentError(
      `${what}: not found (HTTP 404): the token cannot see this repository, or its issues are disabled. Check github-token.`,
      undefined,
      { cause: error },
    );
  }
  return new EnvironmentError(`${what}: ${e.status ? `HTTP ${e.status}: ` : ''}${githubMessage(error)}`, undefined, {
    cause: error,
  });
}

/**
 * Sends a non-idempotent write at most once in effect: after a failure whose outcome is unknown,
 * waits (GitHub's retry-after for a rate limit, else exponential backoff), asks `find` whether
 * the lost attempt happened after all, and sends again only when it did not.
 */
export async function writeOnce<T>(options: {
  send: () => Promise<T>;
  find: () => Promise<T | undefined>;
  attempts: number;
  baseMs: number;
  log: Logger;
  what: string;
}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await options.send();
    } catch (error) {
      if (!outcomeUnknown(error) || attempt >= options.attempts) throw error;
      const limited = rateLimitWait(asRequestError(error));
      const delay = limited ?? options.baseMs * 2 ** (attempt - 1);
      if (limited !== undefined) {
        options.log.warning(`GitHub rate limit on ${options.what}; retrying in ${Math.ceil(delay / 1000)}s.`);
      } else {
        options.log.debug(`${options.what} failed (${asRequestError(error).message}); checking, then retrying.`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      const found = await options.find();
      if (found !== undefined) {
        options.log.debug(`${options.what}: the earlier attempt went through after all.`);
        return found;
      }
    }
  }
}

/**
 * Every open issue (not pull request) of ours with the marker (isOwnMarkedIssue), oldest first,
 * all pages. The label narrows the listing; when it finds none, all open issues are listed, so
 * that removing the label (or changing issue-labels) does not orphan the issue and open another.
 */
export async function findMarkedIssues(
  client: GitHubClient,
  target: { owner: string; repo: string },
  marker: string,
  label: string | undefined,
): Promise<ApiIssue[]> {
  const listing = async (withLabel: string | undefined): Promise<ApiIssue[]> => {
    const issues = (await client.paginate('GET /repos/{owner}/{repo}/issues', {
      owner: target.owner,
      repo: target.repo,
      state: 'open',
      ...(withLabel ? { labels: withLabel } : {}),
      per_page: 100,
    })) as ApiIssue[];
    return issues
      .filter((issue) => issue.pull_request === undefined && isOwnMarkedIssue(issue, marker))
      .sort((a, b) => a.number - b.number);
  };
  const labelled = await listing(label);
  return labelled.length > 0 || !label ? labelled : listing(undefined);
}

/** Creates each label that does not exist yet; one already there (422 already_exists) is fine. */
export async function ensureLabels(
  client: GitHubClient,
  target: { owner: string; repo: string },
  labels: readonly string[],
  kind: IssueKind,
): Promise<void> {
  for (const [index, name] of labels.entries()) {
    try {
      await client.request('POST /repos/{owner}/{repo}/labels', {
        owner: target.owner,
        repo: target.repo,
        name,
        color: index === 0 ? FIRST_LABEL_COLOR : LABEL_COLORS[kind],
        description: `Opened and closed by mlops (${kind === 'drift' ? 'drift-check' : 'evaluate-gate'})`,
      });
    } catch (error) {
      const e = asRequestError(error);
      const data = e.response?.data as { errors?: Array<{ code?: string }> } | undefined;
      if (e.status === 422 && (data?.errors ?? []).some((entry) => entry.code === 'already_exists')) continue;
      throw error;
    }
  }
}

/**
 * Opens, updates or closes the check's one issue (see the module comment). Throws
 * IssuePermissionError when the token may not write issues, EnvironmentError when GitHub keeps
 * failing after the retries.
 */
export async function syncIssue(options: SyncIssueOptions): Promise<IssueSyncResult> {
  const { client, log, kind, key } = options;
  const target = { owner: options.owner, repo: options.repo };
  const where = `${target.owner}/${target.repo}`;
  const marker = issueMarker(kind, key);
  const fullBody = composeIssueBody(kind, key, options.body);
  const labels = [...new Set(options.labels.map((label) => label.trim()).filter((label) => label !== ''))];
  const listLabel = labels[0];
  const attempts = options.writeAttempts ?? 6;
  const baseMs = options.retryBaseMs ?? 500;
  const hint = options.permissionHint ?? '';
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw describeIssueFailure(`${what} in ${where}`, error, hint);
    }
  };
  const list = (): Promise<ApiIssue[]> =>
    call('Listing open issues', () => findMarkedIssues(client, target, marker, listLabel));

  const closeIssue = async (issue: ApiIssue, comment: string, reason: 'completed' | 'duplicate'): Promise<void> => {
    await postComment(issue.number, comment);
    await call(`Closing issue #${issue.number}`, () =>
      client.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
        ...target,
        issue_number: issue.number,
        state: 'closed',
        state_reason: reason,
      }),
    );
  };

  async function postComment(number: number, text: string): Promise<void> {
    const stamp = commentStamp(kind, key);
    const body = `${stamp}\n${text}`;
    const since = new Date(Date.now() - 60_000).toISOString();
    await call(`Commenting on issue #${number}`, () =>
      writeOnce({
        what: `commenting on issue #${number}`,
        attempts,
        baseMs,
        log,
        send: async () => {
          await client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
            ...target,
            issue_number: number,
            body,
            request: NO_OCTOKIT_RETRIES,
          });
          return true;
        },
        find: async () => {
          const comments = (await client.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
            ...target,
            issue_number: number,
            since,
            per_page: 100,
          })) as ApiComment[];
          return comments.some((comment) => (comment.body ?? '').startsWith(`${stamp}\n`)) ? true : undefined;
        },
      }),
    );
  }

  /** Keeps the oldest marked issue and closes the others as its duplicates. */
  async function reconcile(marked: ApiIssue[]): Promise<{ keep: ApiIssue; closed: number[] }> {
    const [keep, ...duplicates] = marked as [ApiIssue, ...ApiIssue[]];
    const closed: number[] = [];
    for (const duplicate of duplicates) {
      log.info(`Issue #${duplicate.number} duplicates #${keep.number} (overlapping runs): closing it.`);
      await closeIssue(
        duplicate,
        `Duplicate of #${keep.number}: another run of the same check opened that one at the same time.`,
        'duplicate',
      );
      closed.push(duplicate.number);
    }
    return { keep, closed };
  }

  let marked = await list();
  if (!options.problem) {
    if (marked.length === 0) return { action: 'none', closedDuplicates: [] };
    const [first] = marked as [ApiIssue, ...ApiIssue[]];
    if (!options.closeResolved) {
      return { action: 'unchanged', number: first.number, url: first.html_url, closedDuplicates: [] };
    }
    for (const issue of marked) await closeIssue(issue, options.closeComment, 'completed');
    return { action: 'closed', number: first.number, url: first.html_url, closedDuplicates: [] };
  }

  let created: ApiIssue | undefined;
  if (marked.length === 0) {
    if (labels.length > 0) await call('Creating the labels', () => ensureLabels(client, target, labels, kind));
    created = await call('Creating the issue', () =>
      writeOnce({
        what: 'creating the issue',
        attempts,
        baseMs,
        log,
        send: async () => {
          const response = await client.request('POST /repos/{owner}/{repo}/issues', {
            ...target,
            title: options.title,
            body: fullBody,
            labels,
            request: NO_OCTOKIT_RETRIES,
          });
          const issue: ApiIssue = response.data;
          return issue;
        },
        // The lost attempt (or another run) may have created it: then that one is the issue.
        find: async () => (await findMarkedIssues(client, target, marker, listLabel))[0],
      }),
    );
    // Another run may have created one at the same time: list again and keep the oldest.
    marked = await list();
    if (!marked.some((issue) => issue.number === created!.number)) {
      marked = [...marked, created].sort((a, b) => a.number - b.number);
    }
  }
  const { keep, closed } = await reconcile(marked);
  if (created && keep.number === created.number) {
    log.info(`Opened issue #${keep.number}: ${keep.html_url}`);
    return { action: 'created', number: keep.number, url: keep.html_url, closedDuplicates: closed };
  }
  if (keep.body !== fullBody || keep.title !== options.title) {
    await call(`Updating issue #${keep.number}`, () =>
      client.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
        ...target,
        issue_number: keep.number,
        title: options.title,
        body: fullBody,
      }),
    );
  }
  await postComment(keep.number, options.runComment);
  log.info(`Updated issue #${keep.number}: ${keep.html_url}`);
  return { action: 'updated', number: keep.number, url: keep.html_url, closedDuplicates: closed };
}
