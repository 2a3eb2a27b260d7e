/**
 * src/adapters/github/client.ts against the GitHub API double: the retry, throttling and
 * pagination plugins doing their job over real HTTP.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient, type GitHubClient } from '../../src/adapters/github/client.js';
import { memoryLogger } from '../../src/core/logger.js';
import { DEFAULT_TOKEN, startGitHubDouble, type GitHubDouble } from '../support/github-double/index.js';

describe('createGitHubClient against the GitHub double', () => {
  let gh: GitHubDouble;
  let log: ReturnType<typeof memoryLogger>;
  let client: GitHubClient;

  beforeEach(async () => {
    gh = await startGitHubDouble();
    log = memoryLogger();
    client = await createGitHubClient({ token: DEFAULT_TOKEN, apiUrl: gh.url, log });
  });

  afterEach(async () => {
    await gh.close();
  });

  it('retries a 502 from the load balancer and succeeds', async () => {
    gh.state.addIssue({ title: 'Data drift detected' });
    const fault = gh.faults.inject({ status: 502, times: 1, method: 'GET', path: /\/issues\/1$/ });

    const { data, status } = await client.request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
      owner: gh.owner,
      repo: gh.repo,
      issue_number: 1,
    });

    expect(status).toBe(200);
    expect(data.title).toBe('Data drift detected');
    expect(fault.hits).toBe(1);
    expect(gh.requests.filter((r) => r.path.endsWith('/issues/1')).map((r) => r.status)).toEqual([502, 200]);
  });

  it('gives up after its retries and surfaces the last status', async () => {
    const quick = await createGitHubClient({ token: DEFAULT_TOKEN, apiUrl: gh.url, log, retries: 1 });
    gh.state.addIssue({ title: 'x' });
    gh.faults.inject({ status: 503, path: /\/issues\/1$/ });

    await expect(
      quick.request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
        owner: gh.owner,
        repo: gh.repo,
        issue_number: 1,
      }),
    ).rejects.toMatchObject({ status: 503 });
    expect(gh.requests.filter((r) => r.path.endsWith('/issues/1'))).toHaveLength(2);
  });

  it('honours a secondary rate limit: waits for retry-after, then retries the write', async () => {
    gh.state.ensureIssue(3);
    gh.faults.inject({ rateLimit: 'secondary', retryAfter: 1, times: 1, method: 'POST' });

    const { data } = await client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: gh.owner,
      repo: gh.repo,
      issue_number: 3,
      body: 'Gate passed',
    });

    expect(data.body).toBe('Gate passed');
    const posts = gh.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.status)).toEqual([403, 201]);
    expect(gh.state.commentsOf(3)).toHaveLength(1);
    expect(log.records.some((r) => r.level === 'warning' && /secondary rate limit/.test(r.message))).toBe(true);
  });

  it('honours a primary rate limit (x-ratelimit-remaining 0) until the reset', async () => {
    gh.state.addIssue({ title: 'x' });
    gh.faults.inject({ rateLimit: 'primary', retryAfter: 1, times: 1 });

    const { status } = await client.request('GET /repos/{owner}/{repo}/issues', { owner: gh.owner, repo: gh.repo });

    expect(status).toBe(200);
    expect(gh.requests.map((r) => r.status)).toEqual([403, 200]);
    expect(log.records.some((r) => r.level === 'warning' && /rate limit hit/.test(r.message))).toBe(true);
  });

  it('does not retry a 422 (the request itself is wrong)', async () => {
    gh.state.ensureIssue(1);
    await expect(
      client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner: gh.owner,
        repo: gh.repo,
        issue_number: 1,
        body: 'x'.repeat(65_537),
      }),
    ).rejects.toMatchObject({ status: 422 });
    expect(gh.requests).toHaveLength(1);
  });

  it('paginates more than 100 comments by following the Link headers', async () => {
    gh.state.ensureIssue(5);
    gh.state.addComments(5, 150, 'alice');
    gh.state.addComment(5, '<!-- mlops:evaluate-gate -->\nour sticky comment', 'github-actions[bot]');

    const comments = await client.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: gh.owner,
      repo: gh.repo,
      issue_number: 5,
      per_page: 100,
    });

    expect(comments).toHaveLength(151);
    expect(comments[150]?.user?.login).toBe('github-actions[bot]');
    expect(new Set(comments.map((c) => c.id)).size).toBe(151);
    const pages = gh.requests.filter((r) => r.operationId === 'issues/list-comments');
    expect(pages).toHaveLength(2);
    // The second page came from GitHub's own link, the /repositories/{id} form.
    expect(pages[1]?.path).toBe(`/repositories/${gh.state.id}/issues/5/comments`);
    expect(pages[1]?.query).toBe('?per_page=100&page=2');
    expect(gh.validationErrors).toEqual([]);
  });

  it('works against a GitHub Enterprise Server prefix', async () => {
    const ghes = await startGitHubDouble({ pathPrefix: '/api/v3' });
    try {
      const enterprise = await createGitHubClient({ token: DEFAULT_TOKEN, apiUrl: ghes.url, log });
      ghes.state.addComments(1, 40, 'bob');
      const comments = await enterprise.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner: ghes.owner,
        repo: ghes.repo,
        issue_number: 1,
        per_page: 30,
      });
      expect(comments).toHaveLength(40);
      expect(ghes.requests.every((r) => r.host === 'api')).toBe(true);
    } finally {
      await ghes.close();
    }
  });
});
