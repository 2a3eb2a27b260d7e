/**
 * `comment: comment-from-artifact`: runs in a workflow_run workflow (action-templates/pr-comment.yml)
 * with a write token, and posts the report a pull_request run left in its artifact. The artifact
 * was made by pull-request code, so nothing in it is trusted beyond the pull-request number, and
 * that only after checking that the pull request exists and that its head is the commit, from
 * the repository, that the triggering pull_request run tested.
 */
import type { RunEnvironment } from '../environment.js';
import { readReportArtifact } from '../report-artifact.js';
import { createGitHubClient } from './client.js';
import { stickyMarker, upsertStickyComment } from './comments.js';
import { headCheck, SupersededError } from './gate-comment.js';
import { PULL_REQUEST_EVENTS, workflowRunFromEvent, type TriggeringEvent } from './event.js';
import { ConfigurationError, EnvironmentError, InputError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { sanitizeArtifactReport, trustedPullRequestNumber } from '../../core/report/gate-artifact.js';

export interface FromArtifactOptions {
  env: RunEnvironment;
  event: TriggeringEvent;
  token: string | undefined;
  /** The downloaded report.md; pr.json is read from the same folder. */
  reportPath: string;
  commentKey: string;
  log: Logger;
  /** How to show a path in messages (relative to the workspace). */
  display?: (path: string) => string;
}

export interface FromArtifactResult {
  posted: boolean;
  url?: string;
  number?: number;
}

/**
 * Why pull request `number` (head `sha`) may not get the report of a run that tested
 * `runRepository`, or undefined when both name the same repository. Fails closed: a pull request
 * with no head repository (a deleted fork: GitHub answers `head.repo: null`) or a payload that does
 * not say which repository the run tested cannot be checked, so nothing is posted.
 */
export function headRepositoryProblem(
  number: number,
  sha: string,
  pullRepository: string | undefined,
  runRepository: string | undefined,
): string | undefined {
  const at = sha.slice(0, 12);
  if (!runRepository) {
    return `the workflow_run payload has no head_repository, so pull request #${number}'s head (${pullRepository ?? 'unknown'}@${at}) cannot be checked against the repository the run tested: not posting.`;
  }
  if (!pullRepository) {
    return `pull request #${number}'s head repository is gone (a deleted fork?), so it cannot be checked against ${runRepository}, the repository the run that made the report tested: not posting.`;
  }
  if (pullRepository.toLowerCase() === runRepository.toLowerCase()) return undefined;
  return `pull request #${number}'s head is ${pullRepository}@${at}, but the run that made the report tested ${runRepository}@${at}: not posting.`;
}

/** Posts the artifact's report as the sticky comment of the pull request it names. */
export async function commentFromArtifact(options: FromArtifactOptions): Promise<FromArtifactResult> {
  const { env, log } = options;
  const run = workflowRunFromEvent(options.event);
  if (!run) {
    throw new InputError(
      `comment: comment-from-artifact runs in a workflow triggered by workflow_run (this event is ${options.event.eventName ?? 'none'}); see action-templates/pr-comment.yml.`,
    );
  }
  if (!options.token)
    throw new InputError('comment: comment-from-artifact needs github-token with pull-requests: write.');
  if (!env.repository) throw new EnvironmentError('GITHUB_REPOSITORY is not set: cannot find the pull request.');
  const { headSha, name: workflow } = run;
  if (!headSha || !workflow) throw new EnvironmentError('The workflow_run payload lacks head_sha or name.');
  if (run.event && !PULL_REQUEST_EVENTS.includes(run.event)) {
    throw new InputError(
      `comment: comment-from-artifact posts the reports of pull_request runs; the triggering run was a ${run.event} run (see the if: in action-templates/pr-comment.yml).`,
    );
  }

  const shown = options.display ?? ((path: string) => path);
  const artifact = await readReportArtifact(options.reportPath);
  const number = trustedPullRequestNumber(artifact.pullRequestJson, shown(artifact.pullRequestFile));
  const report = sanitizeArtifactReport(artifact.report);

  const client = await createGitHubClient({
    token: options.token,
    apiUrl: env.apiUrl,
    log,
    retries: 6,
    retryBaseMs: env.retryBaseMs,
  });
  const { owner, repo } = env.repository;
  let pull: { head?: { sha?: string; repo?: { full_name?: string } | null }; state?: string };
  try {
    pull = (await client.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner, repo, pull_number: number }))
      .data;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404) {
      throw new ConfigurationError(`pull request #${number} does not exist in ${owner}/${repo}.`, {
        file: shown(artifact.pullRequestFile),
        key: 'number',
      });
    }
    throw new EnvironmentError(`Reading pull request #${number}: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
  if (pull.head?.sha !== headSha) {
    // A newer push moved the head after the run; its own run will post. Never post for a PR the run did not test.
    log.warning(
      `Not commenting: pull request #${number}'s head is ${pull.head?.sha?.slice(0, 12) ?? 'unknown'}, but the run that made the report tested ${headSha.slice(0, 12)}.`,
    );
    return { posted: false, number };
  }
  // The same commit can be the head of several pull requests (anyone can push a commit to their
  // own fork): the pull request must also come from the repository the run tested.
  const problem = headRepositoryProblem(number, headSha, pull.head.repo?.full_name, run.headRepository);
  // A payload without head_repository is the runner's doing, not the artifact's: no location then.
  if (problem && !run.headRepository) throw new EnvironmentError(problem);
  if (problem) throw new ConfigurationError(problem, { file: shown(artifact.pullRequestFile), key: 'number' });
  let result: Awaited<ReturnType<typeof upsertStickyComment>>;
  try {
    result = await upsertStickyComment({
      client,
      owner,
      repo,
      issueNumber: number,
      marker: stickyMarker('evaluate-gate', workflow, options.commentKey),
      body: report,
      // The stamp of the run that made the report, so a direct post and this one order correctly.
      stamp: { runId: run.id, runAttempt: run.attempt, time: run.updatedAt ?? new Date().toISOString() },
      log,
      // The head can move between the check above and the write (or its retries): check again each time.
      beforeWrite: headCheck(client, { owner, repo }, number, headSha, log),
    });
  } catch (error) {
    if (!(error instanceof SupersededError)) throw error;
    log.warning(
      `Not commenting: pull request #${number}'s head moved to ${error.head.slice(0, 12)} while posting the report of ${headSha.slice(0, 12)}.`,
    );
    return { posted: false, number };
  }
  log.info(`Posted the report of run ${run.id ?? '?'} to pull request #${number}: ${result.url}`);
  return { posted: true, url: result.url, number };
}
