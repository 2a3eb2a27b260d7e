/**
 * The triggering event, read from the RunEnvironment's GITHUB_EVENT_PATH and GITHUB_EVENT_NAME
 * (typed as @actions/github types it), and what evaluate-gate needs from it: the pull request a
 * run is about, or the workflow run a comment-from-artifact run follows.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { context } from '@actions/github';
import { EnvironmentError } from '../../core/errors.js';
import type { RunEnvironment } from '../environment.js';

/** The webhook payload as @actions/github types it. */
export type WebhookPayload = (typeof context)['payload'];

/**
 * The event that triggered this run: its name and its webhook payload (empty outside Actions).
 * Not the registry's EventContext (clock, actor and ids of a registry event).
 */
export interface TriggeringEvent {
  eventName: string | undefined;
  payload: WebhookPayload;
}

/** The pull request an event is about. */
export interface PullRequestInfo {
  number: number;
  baseSha?: string;
  headSha?: string;
  /** owner/repo of the head and base; they differ for a pull request from a fork. */
  headRepository?: string;
  baseRepository?: string;
}

/**
 * The workflow run a `workflow_run` event reports (the run whose artifact is posted). Not the
 * registry's WorkflowRunInfo, which records where a model was trained.
 */
export interface TriggeringWorkflowRun {
  id?: string;
  attempt?: string;
  name?: string;
  headSha?: string;
  /** owner/repo the run's head commit came from (a fork's, for a fork pull request). */
  headRepository?: string;
  /** The event that triggered that run (`pull_request`...). */
  event?: string;
  updatedAt?: string;
}

/** The events whose payload carries `pull_request` and that a sticky comment belongs to. */
export const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target'];

/**
 * Reads the event. Outside Actions (no GITHUB_EVENT_PATH) the payload is empty. A payload file
 * that is missing or not JSON is an EnvironmentError naming the file: @actions/github would
 * print a line and carry on with an empty payload, and a pull request would silently get no comment.
 */
export async function readTriggeringEvent(environment: RunEnvironment): Promise<TriggeringEvent> {
  if (!environment.eventPath) return { eventName: environment.eventName, payload: {} };
  if (!existsSync(environment.eventPath)) {
    throw new EnvironmentError(`Cannot read the event payload ${environment.eventPath}: the file does not exist.`);
  }
  try {
    // Read here, not through @actions/github's context: that reads the process's variables once,
    // at import, so it would ignore the environment this run was given.
    const payload = JSON.parse(readFileSync(environment.eventPath, 'utf8')) as WebhookPayload;
    return { eventName: environment.eventName, payload };
  } catch (error) {
    throw new EnvironmentError(
      `The event payload ${environment.eventPath} is not valid JSON: ${(error as Error).message}`,
      undefined,
      { cause: error },
    );
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function idText(value: unknown): string | undefined {
  return typeof value === 'number' || (typeof value === 'string' && value !== '') ? String(value) : undefined;
}

/** The pull request of a pull_request or pull_request_target event; undefined for other events. */
export function pullRequestFromEvent(event: TriggeringEvent): PullRequestInfo | undefined {
  if (!event.eventName || !PULL_REQUEST_EVENTS.includes(event.eventName)) return undefined;
  const pull = event.payload.pull_request;
  const number: unknown = pull?.number ?? event.payload.number;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1) return undefined;
  const info: PullRequestInfo = { number };
  const baseSha = text(pull?.base?.sha);
  const headSha = text(pull?.head?.sha);
  const headRepository = text(pull?.head?.repo?.full_name);
  const baseRepository = text(pull?.base?.repo?.full_name);
  if (baseSha) info.baseSha = baseSha;
  if (headSha) info.headSha = headSha;
  if (headRepository) info.headRepository = headRepository;
  if (baseRepository) info.baseRepository = baseRepository;
  return info;
}

/** The workflow run of a workflow_run event; undefined for other events. */
export function workflowRunFromEvent(event: TriggeringEvent): TriggeringWorkflowRun | undefined {
  const run: unknown = event.payload.workflow_run;
  if (event.eventName !== 'workflow_run' || typeof run !== 'object' || run === null) return undefined;
  const fields = run as Record<string, unknown>;
  const headRepository = (fields.head_repository as { full_name?: unknown } | null | undefined)?.full_name;
  const info: TriggeringWorkflowRun = {};
  const entries: Array<[keyof TriggeringWorkflowRun, string | undefined]> = [
    ['id', idText(fields.id)],
    ['attempt', idText(fields.run_attempt)],
    ['name', text(fields.name)],
    ['headSha', text(fields.head_sha)],
    ['headRepository', text(headRepository)],
    ['event', text(fields.event)],
    ['updatedAt', text(fields.updated_at)],
  ];
  for (const [key, value] of entries) if (value !== undefined) info[key] = value;
  return info;
}
