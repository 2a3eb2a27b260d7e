/**
 * repository_dispatch: drift-check's `dispatch-event` starts another workflow (retraining, see
 * action-templates/retrain-on-drift.yml) with a summary of the drift in `client_payload`.
 */
import { EnvironmentError, InputError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { GitHubClient } from './client.js';
import { isPermissionDenied, type RequestErrorLike } from './comments.js';
import { githubMessage } from './issues.js';

/** GitHub's limit on client_payload's top-level properties. */
export const MAX_PAYLOAD_KEYS = 10;

/** GitHub's limit on event_type's length. */
const MAX_EVENT_TYPE_LENGTH = 100;

/** The token may not send repository_dispatch: the workflow lacks `permissions: contents: write`. */
export class DispatchPermissionError extends EnvironmentError {}

/**
 * Checks an event type: 1 to 100 characters, none of them a line break (the `on:
 * repository_dispatch: types:` entry a workflow matches it against).
 */
export function checkEventType(eventType: string, label: string): string {
  if (eventType.length > MAX_EVENT_TYPE_LENGTH || /[\r\n]/.test(eventType)) {
    throw new InputError(
      `${label}: ${JSON.stringify(eventType.slice(0, 40))} is not an event type (one line, at most ${MAX_EVENT_TYPE_LENGTH} characters, such as retrain).`,
    );
  }
  return eventType;
}

/** Throws when a payload has more top-level keys than GitHub takes (a bug, not bad input). */
export function checkPayload(payload: Record<string, unknown>): void {
  const keys = Object.keys(payload);
  if (keys.length > MAX_PAYLOAD_KEYS) {
    throw new Error(`client_payload has ${keys.length} top-level keys (${keys.join(', ')}); GitHub takes at most 10.`);
  }
}

/**
 * Sends the event. A lost answer can make GitHub start the receiving workflow twice: Octokit
 * retries 5xx, and the template's `concurrency:` group folds a second run into the first.
 */
export async function sendRepositoryDispatch(options: {
  client: GitHubClient;
  owner: string;
  repo: string;
  eventType: string;
  payload: Record<string, unknown>;
  log: Logger;
}): Promise<void> {
  checkPayload(options.payload);
  const { owner, repo } = options;
  try {
    await options.client.request('POST /repos/{owner}/{repo}/dispatches', {
      owner,
      repo,
      event_type: options.eventType,
      client_payload: options.payload,
    });
  } catch (error) {
    const e = error as RequestErrorLike;
    const what = `Sending repository_dispatch "${options.eventType}" to ${owner}/${repo}`;
    if (isPermissionDenied(error) || e.status === 404) {
      // GitHub answers 404, not 403, to a token that may not see the endpoint at all.
      throw new DispatchPermissionError(
        `${what}: the token may not send it (HTTP ${e.status}: ${githubMessage(error)}). repository_dispatch needs \`permissions: contents: write\` on the job; or remove dispatch-event.`,
        undefined,
        { cause: error },
      );
    }
    throw new EnvironmentError(`${what}: ${e.status ? `HTTP ${e.status}: ` : ''}${githubMessage(error)}`, undefined, {
      cause: error,
    });
  }
  options.log.info(`Sent repository_dispatch "${options.eventType}" to ${owner}/${repo}.`);
}
