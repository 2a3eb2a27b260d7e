/**
 * src/adapters/github/client.ts against the GitHub API double: the retry, throttling and
 * pagination plugins doing their job over real HTTP.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient, GITHUB_PACING_MS, type GitHubClient } from '../../src/adapters/github/client.js';
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

describe("createGitHubClient's write pacing", () => {
  let gh: GitHubDouble;
  beforeEach(async () => {
    gh = await startGitHubDouble();
    gh.state.ensureIssue(1);
  });
  afterEach(async () => {
    await gh.close();
  });

  /** A client whose requests are timed as they leave (after the throttle let them go) and return. */
  async function timedClient(retryBaseMs?: number, apiUrl?: string) {
    const sent: Array<{ method: string; path: string; start: number; end: number }> = [];
    const timedFetch: typeof fetch = async (input, init) => {
      const start = performance.now();
      // A client configured for another host still reaches the double: the URL is rewritten here.
      const url = new URL(input instanceof Request ? input.url : String(input));
      const target = apiUrl
        ? gh.url + url.pathname.replace(new URL(apiUrl).pathname.replace(/\/$/, ''), '') + url.search
        : url.href;
      const response = await fetch(target, init);
      sent.push({ method: init?.method ?? 'GET', path: url.pathname, start, end: performance.now() });
      return response;
    };
    const client = await createGitHubClient({
      token: DEFAULT_TOKEN,
      apiUrl: apiUrl ?? gh.url,
      log: memoryLogger(),
      fetch: timedFetch,
      ...(retryBaseMs !== undefined ? { retryBaseMs } : {}),
    });
    const comment = (body: string) =>
      client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner: gh.owner,
        repo: gh.repo,
        issue_number: 1,
        body,
      });
    const label = (name: string) =>
      client.request('POST /repos/{owner}/{repo}/labels', { owner: gh.owner, repo: gh.repo, name });
    return { sent, comment, label };
  }

  /**
   * One comment and one label, untimed: the double compiles an operation's validators on its
   * first request, which on a loaded machine takes longer than the pacing being measured.
   */
  async function warmUp(
    comment: (body: string) => Promise<unknown>,
    label: (name: string) => Promise<unknown>,
    sent: unknown[],
  ) {
    await comment('warm-up');
    await label('warm-up');
    sent.length = 0;
  }

  it('keeps GitHub pacing with no test hook: 3 s between comments, 1 s between other writes', async () => {
    const { sent, comment, label } = await timedClient();
    await warmUp(comment, label, sent);
    await comment('first');
    await comment('second');
    await label('drift');
    await label('retrain');
    const [c1, c2, l1, l2] = sent;
    // Measured where fetch is called, a few async hops after the throttle released the job: on a
    // busy machine the first hop can lag the second by tens of ms. Unpaced, the gap is a few ms.
    expect(c2!.start - c1!.start).toBeGreaterThanOrEqual(GITHUB_PACING_MS.notifications * 0.9);
    expect(l2!.start - l1!.start).toBeGreaterThanOrEqual(GITHUB_PACING_MS.write * 0.9);
    expect(gh.state.commentsOf(1)).toHaveLength(3);
  }, 60_000);

  it('keeps GitHub pacing against a real GitHub even when MLOPS_RETRY_BASE_MS is set', async () => {
    const { sent, comment, label } = await timedClient(20, 'https://api.github.com');
    await warmUp(comment, label, sent);
    await comment('first');
    await comment('second');
    const [c1, c2] = sent;
    expect(c2!.start - c1!.start).toBeGreaterThanOrEqual(GITHUB_PACING_MS.notifications * 0.9);
    expect(gh.state.commentsOf(1)).toHaveLength(3);
  }, 60_000);

  it('scales the pacing and retry-after with retryBaseMs (MLOPS_RETRY_BASE_MS), still one write at a time', async () => {
    // Large enough that the scaled gaps (300 ms, 100 ms) stand well clear of the async hops
    // between the throttle releasing a job and fetch being called: at base 20 the 60 ms gap once
    // measured 54.5 ms on a loaded CI machine, because the first job's hops lagged the second's.
    const base = 100;
    const { sent, comment, label } = await timedClient(base);
    await warmUp(comment, label, sent);
    // Sent together, they still go out one after the other, spaced by the scaled pacing. Unpaced,
    // the two would leave within the same few milliseconds.
    await Promise.all([comment('first'), comment('second')]);
    await Promise.all([label('drift'), label('retrain')]);
    const [c1, c2, l1, l2] = sent.sort((a, b) => a.start - b.start);
    expect(c2!.start - c1!.start).toBeGreaterThanOrEqual(((GITHUB_PACING_MS.notifications * base) / 1000) * 0.75);
    expect(l2!.start - l1!.start).toBeGreaterThanOrEqual(((GITHUB_PACING_MS.write * base) / 1000) * 0.75);
    // Unscaled, the second comment would leave about 3 s after the first came back.
    expect(c2!.start - c1!.end).toBeLessThan(2000);

    // A secondary rate limit's retry-after of 1 s is waited as `base` ms.
    gh.faults.inject({ rateLimit: 'secondary', retryAfter: 1, times: 1, method: 'POST' });
    await comment('third');
    const [limited, retried] = sent.slice(-2);
    expect(gh.requests.slice(-2).map((r) => r.status)).toEqual([403, 201]);
    expect(retried!.start - limited!.end).toBeLessThan(900);
    expect(gh.state.commentsOf(1)).toHaveLength(4);
  }, 60_000);
});
