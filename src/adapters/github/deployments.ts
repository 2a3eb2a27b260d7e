/**
 * GitHub Deployments for the deploy action: one deployment per deploy, its statuses as the
 * rollout goes (in_progress, one per canary stage, then success or failure), so approvals and
 * history live where teams already look (the repository's Environments page).
 */
import { randomUUID } from 'node:crypto';
import { EnvironmentError } from '../../core/errors.js';
import { deploymentDescription } from '../../core/deploy/plan.js';
import type { GitHubClient } from './client.js';
import type { RepositoryRef } from './releases.js';

/** The deployment states mlops sets. */
export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

/** What the deployment records about the model (GitHub keeps it as the deployment's payload). */
export interface DeploymentPayload {
  model: string;
  version: number;
  sha256: string;
  [key: string]: unknown;
}

/** A deployment to create. */
export interface NewDeployment {
  /** The commit the workflow runs on (GITHUB_SHA): a sha, so GitHub never resolves a moving ref. */
  ref: string;
  environment: string;
  payload: DeploymentPayload;
  description: string;
  /** Preview environments that go away (the transient-environment input). */
  transient: boolean;
}

/** The fields of a created deployment mlops uses. */
export interface CreatedDeployment {
  id: number;
  environment: string;
  url: string;
}

/** Where the statuses link to. */
export interface StatusLinks {
  /** The workflow run (log_url). */
  logUrl?: string | undefined;
  /** The deployed service (environment_url input). */
  environmentUrl?: string | undefined;
}

/**
 * GitHub's `production_environment` flag: true for the environment named production. GitHub
 * guesses the same for "production" alone; saying it keeps the Environments page right for
 * `Production` or `PRODUCTION` too.
 */
export function isProductionEnvironment(environment: string): boolean {
  return environment.toLowerCase() === 'production';
}

/** Turns an Octokit failure into one line; 403 and 404 say which permission is missing. */
export function deploymentApiError(what: string, error: unknown): EnvironmentError {
  const status = (error as { status?: number }).status;
  const message =
    (error as { response?: { data?: { message?: string } } }).response?.data?.message ?? (error as Error).message;
  const hint =
    status === 403 || status === 404
      ? ' (the token needs the deployments: write permission: add `permissions: deployments: write` to the job,' +
        ' next to `contents: write` for the registry)'
      : '';
  return new EnvironmentError(
    `GitHub API: ${what} failed${status ? ` (HTTP ${status})` : ''}: ${message}${hint}`,
    undefined,
    {
      cause: error,
    },
  );
}

/**
 * Creates the deployment. `auto_merge` is off: a deploy step must never merge the default branch
 * into the ref. `required_contexts` is empty: GitHub would otherwise refuse (409) while any commit
 * status of the ref is not green, and the workflow's own earlier jobs already gate this step (the
 * workflow runs this step only after them, and environment protection rules wait before the job).
 */
export async function createDeployment(
  client: GitHubClient,
  repository: RepositoryRef,
  deployment: NewDeployment,
): Promise<CreatedDeployment> {
  // A key of this attempt in the payload: a create that GitHub did but answered with a 5xx is
  // found by it instead of being sent again (a second deployment of the same deploy).
  const payload = { ...deployment.payload, createKey: randomUUID() };
  const body = {
    ...repository,
    ref: deployment.ref,
    task: 'deploy',
    environment: deployment.environment,
    payload,
    description: deploymentDescription(deployment.description),
    auto_merge: false,
    required_contexts: [],
    transient_environment: deployment.transient,
    production_environment: isProductionEnvironment(deployment.environment),
  };
  let response;
  for (let attempt = 0; ; attempt++) {
    try {
      // Octokit's own retries are off for this POST: it would resend it blindly.
      response = await client.request('POST /repos/{owner}/{repo}/deployments', { ...body, request: { retries: 0 } });
      break;
    } catch (error) {
      const status = (error as { status?: number }).status;
      const maybeCreated = status === undefined || status >= 500;
      if (!maybeCreated || attempt >= CREATE_ATTEMPTS - 1) {
        throw deploymentApiError(`creating a deployment to ${deployment.environment}`, error);
      }
      const existing = await findCreated(client, repository, deployment, payload.createKey);
      if (existing) return existing;
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
  }
  // 202 means GitHub merged the default branch instead of deploying; auto_merge false rules it
  // out, but a body without an id must never pass for a deployment.
  const data = response.data as { id?: number; environment?: string; url?: string; message?: string };
  if (response.status !== 201 || typeof data.id !== 'number') {
    throw new EnvironmentError(
      `GitHub API: creating a deployment to ${deployment.environment} answered HTTP ${response.status}` +
        `${data.message ? `: ${data.message}` : ''} instead of a deployment.`,
    );
  }
  return { id: data.id, environment: data.environment ?? deployment.environment, url: data.url ?? '' };
}

/** How many times a create that failed with a 5xx or no answer is tried (each after a look-up). */
const CREATE_ATTEMPTS = 4;

/** The deployment a create with `createKey` made, when GitHub made it but the answer was lost. */
async function findCreated(
  client: GitHubClient,
  repository: RepositoryRef,
  deployment: NewDeployment,
  createKey: string,
): Promise<CreatedDeployment | undefined> {
  try {
    const { data } = await client.request('GET /repos/{owner}/{repo}/deployments', {
      ...repository,
      environment: deployment.environment,
      per_page: 30,
    });
    const found = (data as Array<{ id: number; environment?: string; url?: string; payload?: unknown }>).find(
      (candidate) => (candidate.payload as { createKey?: unknown } | undefined)?.createKey === createKey,
    );
    return found
      ? { id: found.id, environment: found.environment ?? deployment.environment, url: found.url ?? '' }
      : undefined;
  } catch {
    return undefined; // the next create attempt says what is wrong
  }
}

/**
 * Adds a status to the deployment. `auto_inactive` (GitHub's default, said out loud) makes a
 * `success` mark the environment's earlier successful deployments inactive, as GitHub does for
 * every environment, so the Environments page shows one active deployment.
 */
export async function setDeploymentStatus(
  client: GitHubClient,
  repository: RepositoryRef,
  deploymentId: number,
  state: DeploymentState,
  description: string,
  links: StatusLinks,
): Promise<void> {
  try {
    await client.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      ...repository,
      deployment_id: deploymentId,
      state,
      description: deploymentDescription(description),
      ...(links.logUrl ? { log_url: links.logUrl } : {}),
      ...(links.environmentUrl ? { environment_url: links.environmentUrl } : {}),
      auto_inactive: true,
    });
  } catch (error) {
    throw deploymentApiError(`setting deployment ${deploymentId} to ${state}`, error);
  }
}

/** One deployment's place in the rollout: statuses go to it (see bestEffortStatuses). */
export interface DeploymentTracker {
  readonly id: number | undefined;
  status(state: DeploymentState, description: string): Promise<void>;
}

/** A tracker for local mode: no GitHub deployment, every status a no-op. */
export const noDeployment: DeploymentTracker = { id: undefined, status: async () => {} };

/** Creates the deployment and returns a tracker that sets its statuses with the same links. */
export async function startDeployment(
  client: GitHubClient,
  repository: RepositoryRef,
  deployment: NewDeployment,
  links: StatusLinks,
): Promise<DeploymentTracker> {
  const created = await createDeployment(client, repository, deployment);
  return {
    id: created.id,
    status: (state, description) => setDeploymentStatus(client, repository, created.id, state, description, links),
  };
}

/**
 * The same tracker, whose statuses never throw: a status GitHub cannot record (a 500 after the
 * retries, a 403) is a warning, because once a command has run, the rollout and its rollback
 * must go on; the deployment's history is the only thing that misses a line.
 */
export function bestEffortStatuses(tracker: DeploymentTracker, warn: (message: string) => void): DeploymentTracker {
  return {
    id: tracker.id,
    status: async (state, description) => {
      try {
        await tracker.status(state, description);
      } catch (error) {
        warn(
          `GitHub deployment ${tracker.id}: the status "${deploymentDescription(description)}" was not recorded: ` +
            (error instanceof Error ? error.message : String(error)),
        );
      }
    },
  };
}
