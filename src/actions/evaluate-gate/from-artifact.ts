/**
 * `comment: comment-from-artifact`: runs in a workflow_run workflow (action-templates/pr-comment.yml)
 * with a write token, and posts the report a pull_request run left in its artifact. The artifact
 * was made by pull-request code, so nothing in it is trusted beyond the pull-request number, and
 * that only after checking that the pull request exists and its head is the commit the
 * triggering run tested.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RunEnvironment } from '../../adapters/environment.js';
import { createGitHubClient } from '../../adapters/github/client.js';
import { stickyMarker, stripMarkers, upsertStickyComment } from '../../adapters/github/comments.js';
import { ConfigurationError, EnvironmentError, InputError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { GITHUB_COMMENT_LIMIT } from '../../core/report/evaluate-gate.js';

export interface FromArtifactOptions {
  env: RunEnvironment;
  payload: Record<string, unknown> | undefined;
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

/** Validates the pull-request number from pr.json: a positive integer, nothing else. */
export function trustedPullRequestNumber(text: string, file: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(`not valid JSON: ${(error as Error).message}`, { file });
  }
  const number = typeof parsed === 'object' && parsed !== null ? (parsed as { number?: unknown }).number : undefined;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1) {
    throw new ConfigurationError(
      `"number" must be a positive whole number, got ${JSON.stringify(number) ?? 'nothing'}.`,
      {
        file,
        key: 'number',
      },
    );
  }
  return number;
}

/** Makes the artifact's markdown safe to post: no mlops markers, within GitHub's limit. */
export function sanitizeArtifactReport(text: string): string {
  let body = stripMarkers(text);
  const limit = GITHUB_COMMENT_LIMIT - 1_024;
  if (body.length > limit) {
    // At a line break when there is one: a report of one enormous line is cut anywhere.
    const lineEnd = body.lastIndexOf('\n', limit - 100);
    body =
      body.slice(0, lineEnd > 0 ? lineEnd : limit - 100) + '\n\n…(report truncated to fit GitHub’s comment limit)\n';
  }
  return body;
}

async function readArtifactFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InputError(
        `comment-from-artifact: ${what} ${path} does not exist. Download the evaluate job's artifact first (see action-templates/pr-comment.yml) and point the report input at its report.md.`,
      );
    }
    throw error;
  }
}

/** Posts the artifact's report as the sticky comment of the pull request it names. */
export async function commentFromArtifact(options: FromArtifactOptions): Promise<FromArtifactResult> {
  const { env, payload, log } = options;
  if (env.eventName !== 'workflow_run' || !payload || typeof payload.workflow_run !== 'object') {
    throw new InputError(
      `comment: comment-from-artifact runs in a workflow triggered by workflow_run (this event is ${env.eventName ?? 'none'}); see action-templates/pr-comment.yml.`,
    );
  }
  if (!options.token)
    throw new InputError('comment: comment-from-artifact needs github-token with pull-requests: write.');
  if (!env.repository) throw new EnvironmentError('GITHUB_REPOSITORY is not set: cannot find the pull request.');
  const run = payload.workflow_run as Record<string, unknown>;
  const headSha = typeof run.head_sha === 'string' ? run.head_sha : undefined;
  const workflow = typeof run.name === 'string' && run.name ? run.name : undefined;
  if (!headSha || !workflow) throw new EnvironmentError('The workflow_run payload lacks head_sha or name.');

  const prFile = join(dirname(options.reportPath), 'pr.json');
  const shown = options.display ?? ((path: string) => path);
  const number = trustedPullRequestNumber(await readArtifactFile(prFile, 'the pull-request file'), shown(prFile));
  const report = sanitizeArtifactReport(await readArtifactFile(options.reportPath, 'the report'));

  const client = await createGitHubClient({ token: options.token, apiUrl: env.apiUrl, log, retries: 6 });
  const { owner, repo } = env.repository;
  let pull: { head?: { sha?: string }; state?: string };
  try {
    pull = (await client.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner, repo, pull_number: number }))
      .data as typeof pull;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404) {
      throw new ConfigurationError(`pull request #${number} does not exist in ${owner}/${repo}.`, {
        file: shown(prFile),
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
  const runId = typeof run.id === 'number' || typeof run.id === 'string' ? String(run.id) : undefined;
  const runAttempt =
    typeof run.run_attempt === 'number' || typeof run.run_attempt === 'string' ? String(run.run_attempt) : undefined;
  const result = await upsertStickyComment({
    client,
    owner,
    repo,
    issueNumber: number,
    marker: stickyMarker('evaluate-gate', workflow, options.commentKey),
    body: report,
    // The stamp of the run that made the report, so a direct post and this one order correctly.
    stamp: { runId, runAttempt, time: typeof run.updated_at === 'string' ? run.updated_at : new Date().toISOString() },
    log,
  });
  log.info(`Posted the report of run ${runId ?? '?'} to pull request #${number}: ${result.url}`);
  return { posted: true, url: result.url, number };
}
