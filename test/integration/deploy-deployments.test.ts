/**
 * src/adapters/github/deployments.ts against the GitHub API double: the requests GitHub's
 * description allows, the deployment and its statuses as GitHub keeps them, and a 403 explained.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient, type GitHubClient } from '../../src/adapters/github/client.js';
import { startDeployment } from '../../src/adapters/github/deployments.js';
import { EnvironmentError } from '../../src/core/errors.js';
import { memoryLogger } from '../../src/core/logger.js';
import {
  DEFAULT_TOKEN,
  READ_ONLY_TOKEN,
  startGitHubDouble,
  type GitHubDouble,
} from '../support/github-double/index.js';

const SHA = 'a'.repeat(40);

describe('GitHub deployments adapter', () => {
  let gh: GitHubDouble;
  let client: GitHubClient;

  beforeEach(async () => {
    gh = await startGitHubDouble();
    client = await createGitHubClient({ token: DEFAULT_TOKEN, apiUrl: gh.url, log: memoryLogger(), retryBaseMs: 1 });
  });

  afterEach(async () => {
    await gh.close();
  });

  const repository = () => ({ owner: gh.owner, repo: gh.repo });
  const payload = (version: number) => ({ model: 'churn', version, sha256: String(version).repeat(64) });

  it('creates a production deployment of the sha with the model in its payload, then its statuses', async () => {
    const tracker = await startDeployment(
      client,
      repository(),
      { ref: SHA, environment: 'production', payload: payload(2), description: 'churn v2', transient: false },
      { logUrl: 'https://github.example/run/1', environmentUrl: 'https://churn.example' },
    );
    await tracker.status('in_progress', 'Deploying churn v2');
    await tracker.status('success', 'churn v2 deployed');

    const [deployment] = gh.state.deployments;
    expect(deployment).toMatchObject({
      id: tracker.id,
      ref: SHA,
      sha: SHA,
      environment: 'production',
      productionEnvironment: true,
      transientEnvironment: false,
      payload: payload(2),
      description: 'churn v2',
    });
    const create = gh.requests.find((r) => r.operationId === 'repos/create-deployment');
    expect(create?.body).toMatchObject({ auto_merge: false, required_contexts: [], task: 'deploy' });
    const statuses = gh.state.deploymentStatuses.filter((s) => s.deploymentId === tracker.id);
    expect(statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(statuses[1]).toMatchObject({
      logUrl: 'https://github.example/run/1',
      environmentUrl: 'https://churn.example',
    });
    expect(gh.validationErrors).toEqual([]);
  });

  it('a create GitHub did but answered with a 502 is found, not sent again: one deployment', async () => {
    // GitHub made the deployment, then the load balancer lost the answer.
    let lost = 0;
    const flaky = {
      ...client,
      request: (async (route: string, params?: Parameters<GitHubClient['request']>[1]) => {
        const response = await client.request(route, params);
        if (route.startsWith('POST /repos/{owner}/{repo}/deployments') && !route.includes('statuses') && lost++ === 0) {
          throw Object.assign(new Error('Bad Gateway'), { status: 502 });
        }
        return response;
      }) as GitHubClient['request'],
    } as GitHubClient;
    const tracker = await startDeployment(
      flaky,
      repository(),
      { ref: SHA, environment: 'staging', payload: payload(3), description: 'churn v3', transient: false },
      {},
    );
    expect(gh.state.deployments).toHaveLength(1);
    expect(tracker.id).toBe(gh.state.deployments[0]!.id);
  });

  it('a later success marks the earlier deployment of the environment inactive, as GitHub does', async () => {
    const first = await startDeployment(
      client,
      repository(),
      { ref: SHA, environment: 'staging', payload: payload(1), description: 'v1', transient: false },
      {},
    );
    await first.status('success', 'v1 deployed');
    const second = await startDeployment(
      client,
      repository(),
      { ref: SHA, environment: 'staging', payload: payload(2), description: 'v2', transient: true },
      {},
    );
    await second.status('success', 'v2 deployed');
    expect(gh.state.latestDeploymentStatus(first.id!)?.state).toBe('inactive');
    expect(gh.state.latestDeploymentStatus(second.id!)?.state).toBe('success');
    expect(gh.state.deployments[1]).toMatchObject({ productionEnvironment: false, transientEnvironment: true });
    expect(gh.validationErrors).toEqual([]);
  });

  it('explains a 403 as the missing deployments: write permission', async () => {
    const readOnly = await createGitHubClient({ token: READ_ONLY_TOKEN, apiUrl: gh.url, log: memoryLogger() });
    const attempt = startDeployment(
      readOnly,
      repository(),
      { ref: SHA, environment: 'production', payload: payload(1), description: 'v1', transient: false },
      {},
    );
    await expect(attempt).rejects.toThrow(EnvironmentError);
    await expect(attempt).rejects.toThrow(
      /creating a deployment to production failed \(HTTP 403\).*needs the deployments: write permission/,
    );
    expect(gh.state.deployments).toEqual([]);
  });
});
