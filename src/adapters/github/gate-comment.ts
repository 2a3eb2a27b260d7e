/**
 * Where evaluate-gate's report goes besides the summary: the sticky pull-request comment, the
 * outbox in local mode, and (for fork pull requests, whose token cannot write) a workflow artifact
 * that action-templates/pr-comment.yml posts from a workflow_run workflow.
 */
import { writeOutboxMessage } from '../outbox.js';
import type { RunEnvironment } from '../environment.js';
import { uploadReportArtifact } from '../report-artifact.js';
import { createGitHubClient, type GitHubClient } from './client.js';
import {
  CommentAccessError,
  CommentPermissionError,
  stickyMarker,
  upsertStickyComment,
  type CommentStamp,
} from './comments.js';
import type { PullRequestInfo } from './event.js';
import { composeIssueBody, syncIssue } from './issues.js';
import { EnvironmentError } from '../../core/errors.js';
import { supersededCommentLine } from '../../core/report/evaluate-gate.js';
import type { Logger } from '../../core/logger.js';

export interface DeliverOptions {
  env: RunEnvironment;
  token: string | undefined;
  log: Logger;
  workingDirectory: string;
  pullRequest: PullRequestInfo | undefined;
  commentKey: string;
  /** The workflow name in the marker (GITHUB_WORKFLOW). */
  workflow: string;
  report: string;
  /** Where the report file is, for messages. */
  reportPath: string;
  stamp: CommentStamp;
}

export interface Delivery {
  /** `superseded`: the pull request's head moved past this run's commit, so its run owns the comment. */
  where: 'comment' | 'outbox' | 'artifact' | 'none' | 'superseded';
  url?: string;
  path?: string;
  /** A sentence for the step summary (why the comment was left alone). */
  note?: string;
}

/** Thrown by the head check before a write: `head` is the pull request's head now. */
export class SupersededError extends Error {
  constructor(readonly head: string) {
    super(`the pull request's head is now ${head}`);
  }
}

/**
 * The pull request's head sha now (GET pulls/{n}), or undefined when GitHub does not say: then
 * the write goes ahead, and the stamps still order the runs.
 */
async function currentHead(
  client: GitHubClient,
  repository: { owner: string; repo: string },
  number: number,
  log: Logger,
): Promise<string | undefined> {
  try {
    const response = await client.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      ...repository,
      pull_number: number,
    });
    const sha = (response.data as { head?: { sha?: unknown } }).head?.sha;
    return typeof sha === 'string' && sha !== '' ? sha : undefined;
  } catch (error) {
    log.debug(`Could not read pull request #${number}'s head (${(error as Error).message}); writing the comment.`);
    return undefined;
  }
}

/**
 * The check a sticky-comment write runs right before every attempt (upsertStickyComment's
 * `beforeWrite`): throws SupersededError when pull request `number`'s head is no longer `tested`.
 */
export function headCheck(
  client: GitHubClient,
  repository: { owner: string; repo: string },
  number: number,
  tested: string,
  log: Logger,
): () => Promise<void> {
  return async () => {
    const head = await currentHead(client, repository, number, log);
    if (head && head.toLowerCase() !== tested.toLowerCase()) throw new SupersededError(head);
  };
}

/** A logger that keeps warnings (as debug lines) for the caller to fold into its own message. */
function quiet(log: Logger, kept: string[] = []): Logger {
  return {
    ...log,
    warning: (message) => {
      kept.push(message);
      log.debug(message);
    },
  };
}

function artifactOf(options: DeliverOptions, log: Logger): Promise<string | undefined> {
  const pr = options.pullRequest!;
  return uploadReportArtifact({
    tempDir: options.env.tempDir,
    report: options.report,
    pullRequest: {
      number: pr.number,
      ...(pr.headSha ? { headSha: pr.headSha } : {}),
      commentKey: options.commentKey,
      workflow: options.workflow,
    },
    log,
    environment: options.env,
  });
}

/**
 * Delivers the report: the sticky comment on pull-request events with a token; the outbox
 * outside Actions or without a token; on a fork's read-only token, the step summary (already
 * written) and an artifact, with one warning that says how to get the comment. GitHub failing
 * otherwise (5xx after the retries, a locked conversation) is one warning too: the verdict never
 * depends on the comment. A token GitHub refuses for no such reason (401, 404, a 403 on a
 * same-repository pull request) is a misconfiguration and fails the step with the fix.
 */
export async function deliverReport(options: DeliverOptions): Promise<Delivery> {
  const { env, log, pullRequest } = options;
  const marker = stickyMarker('evaluate-gate', options.workflow, options.commentKey);
  if (!env.inActions || !options.token) {
    const path = await writeOutboxMessage(options.workingDirectory, {
      kind: 'comment',
      source: 'evaluate-gate',
      key: options.commentKey,
      ...(pullRequest ? { number: pullRequest.number } : {}),
      // No stamp: a local file has no competing runs, and a stable file diffs cleanly.
      body: `${marker}\n${options.report}`,
    });
    log.info(`Local mode: the comment is in ${path}.`);
    return { where: 'outbox', path };
  }
  if (!pullRequest) {
    log.info(
      `No pull request in this ${env.eventName ?? 'unknown'} event: no comment (the report is in the step summary).`,
    );
    return { where: 'none' };
  }
  if (!env.repository) throw new EnvironmentError('GITHUB_REPOSITORY is not set: cannot find the pull request.');
  const client = await createGitHubClient({
    token: options.token,
    apiUrl: env.apiUrl,
    log,
    retries: 6,
    retryBaseMs: env.retryBaseMs,
  });
  const repository = env.repository;
  const tested = pullRequest.headSha;
  // Stamps order the runs of one commit; across commits, only the head's run may write. Checked
  // right before each write, so an older run that was slow (or re-run) never lands over a newer one.
  const beforeWrite = tested ? headCheck(client, repository, pullRequest.number, tested, log) : undefined;
  try {
    const result = await upsertStickyComment({
      client,
      owner: repository.owner,
      repo: repository.repo,
      issueNumber: pullRequest.number,
      marker,
      body: options.report,
      stamp: options.stamp,
      log,
      ...(beforeWrite ? { beforeWrite } : {}),
    });
    const verb = {
      created: 'Created',
      updated: 'Updated',
      unchanged: 'Kept',
      'kept-newer': 'Kept (a newer run wrote it)',
    }[result.action];
    log.info(`${verb} the comment ${result.url}${result.deleted ? ` (removed ${result.deleted} duplicate(s))` : ''}.`);
    // The artifact lets action-templates/pr-comment.yml work for every pull request; here it is optional.
    await artifactOf(options, quiet(log));
    return { where: 'comment', url: result.url };
  } catch (error) {
    if (error instanceof SupersededError) {
      const note = supersededCommentLine(pullRequest.number, error.head, tested!);
      log.info(note);
      return { where: 'superseded', note };
    }
    if (!(error instanceof EnvironmentError)) throw error;
    const readOnlyByDesign = error instanceof CommentPermissionError && forkTokenIsReadOnly(env.eventName, pullRequest);
    if (error instanceof CommentAccessError && !readOnlyByDesign) {
      // The token was refused and no retry or fork explains it: the workflow is misconfigured,
      // and a warning on a green check would hide that every pull request goes without its comment.
      const fix =
        error instanceof CommentPermissionError
          ? ' Give the job `permissions: pull-requests: write`, or set comment: false.'
          : ' Set comment: false to skip the comment.';
      throw new EnvironmentError(
        `Cannot comment on pull request #${pullRequest.number}: ${error.message}${fix} The report is in the step summary and ${options.reportPath}.`,
        undefined,
        { cause: error },
      );
    }
    const why = readOnlyByDesign
      ? pullRequest.headRepository && pullRequest.headRepository !== pullRequest.baseRepository
        ? ` (a pull request from the fork ${pullRequest.headRepository} gets a read-only GITHUB_TOKEN)`
        : ' (a pull request from a fork gets a read-only GITHUB_TOKEN)'
      : // GitHub kept failing (5xx, rate limits, a locked conversation): the verdict must not depend on it.
        `: ${error.message.replace(/\.+$/, '')}`;
    // One warning in all: the artifact's fate is part of it.
    const problems: string[] = [];
    const artifact = await artifactOf(options, quiet(log, problems));
    log.warning(
      `Cannot comment on pull request #${pullRequest.number}${why}. The report is in the step summary` +
        (artifact ? ` and in the artifact "${artifact}"` : ` (${problems.join(' ') || 'no artifact was uploaded'})`) +
        (readOnlyByDesign
          ? '. To post it as a comment, add action-templates/pr-comment.yml to .github/workflows/: it runs on workflow_run with a write token and posts the artifact without checking out pull-request code.'
          : '. The next run updates the comment.'),
    );
    return { where: 'artifact' };
  }
}

/**
 * Whether a 403 is what GitHub does by design: a `pull_request` run from a fork gets a read-only
 * token. `pull_request_target` runs get the base repository's token, and a same-repository pull
 * request's token is what the workflow's `permissions:` made it, so a 403 there is a setting to fix.
 * A payload without the head repository (a deleted fork) counts as a fork.
 */
export function forkTokenIsReadOnly(eventName: string | undefined, pullRequest: PullRequestInfo): boolean {
  if (eventName !== 'pull_request') return false;
  return (
    !pullRequest.headRepository ||
    !pullRequest.baseRepository ||
    pullRequest.headRepository.toLowerCase() !== pullRequest.baseRepository.toLowerCase()
  );
}

export interface GateIssueOptions {
  env: RunEnvironment;
  token: string | undefined;
  log: Logger;
  workingDirectory: string;
  pullRequest: PullRequestInfo | undefined;
  /** One issue per comment-key. */
  commentKey: string;
  model: string | undefined;
  report: string;
  /** True when a gate failed (warnings do not open an issue). */
  failed: boolean;
  /** The failed gates' metrics, for the run comment. */
  failedMetrics: readonly string[];
  runUrl: string | undefined;
}

/** The monitor issue's title: stable across runs. */
export function gateIssueTitle(model: string | undefined, commentKey: string): string {
  const what = model ? `model ${model}` : 'the model';
  return `Gates failing for ${what}${commentKey === 'default' ? '' : ` (${commentKey})`}`;
}

/**
 * `comment: issue` (performance monitoring on a schedule or push): one issue per comment-key,
 * opened while gates fail, updated by every failing run, closed by the first passing run. On a
 * pull request the report stays in the step summary (the sticky comment is `comment: true`). In
 * local mode a failing run's issue goes to the outbox.
 */
export async function deliverGateIssue(options: GateIssueOptions): Promise<Delivery> {
  const { env, log } = options;
  const title = gateIssueTitle(options.model, options.commentKey);
  if (!env.inActions || !options.token) {
    if (!options.failed) {
      log.info('Local mode: every gate passed, so no issue.');
      return { where: 'none' };
    }
    const path = await writeOutboxMessage(options.workingDirectory, {
      kind: 'issue',
      source: 'evaluate-gate',
      key: options.commentKey,
      title,
      body: composeIssueBody('gate', options.commentKey, options.report),
    });
    log.info(`Local mode: the issue is in ${path}.`);
    return { where: 'outbox', path };
  }
  if (options.pullRequest) {
    log.info(
      `comment: issue opens issues from scheduled and push runs; on pull request #${options.pullRequest.number} the report is in the step summary (use comment: true for the sticky comment).`,
    );
    return { where: 'none' };
  }
  if (!env.repository) throw new EnvironmentError('GITHUB_REPOSITORY is not set: cannot open the gate issue.');
  const client = await createGitHubClient({
    token: options.token,
    apiUrl: env.apiUrl,
    log,
    retries: 6,
    retryBaseMs: env.retryBaseMs,
  });
  const run = options.runUrl ? `[This run](${options.runUrl})` : 'This run';
  const result = await syncIssue({
    client,
    owner: env.repository.owner,
    repo: env.repository.repo,
    kind: 'gate',
    key: options.commentKey,
    title,
    body: options.report,
    labels: ['mlops', 'evaluate-gate'],
    problem: options.failed,
    runComment: `${run} still fails ${options.failedMetrics.length} gate${options.failedMetrics.length === 1 ? '' : 's'}: ${options.failedMetrics.map((metric) => `\`${metric.replace(/`/g, "'")}\``).join(', ')}. The report above is this run's.`,
    closeComment: `${run}: every gate passes again. Closing; a later failure opens a new issue.`,
    closeResolved: true,
    permissionHint: 'evaluate-gate with comment: issue needs `issues: write`; or set comment: false.',
    log,
    retryBaseMs: env.retryBaseMs,
  });
  if (result.action === 'closed') log.info(`Every gate passed: closed issue #${result.number}.`);
  return result.url ? { where: 'comment', url: result.url } : { where: 'none' };
}
