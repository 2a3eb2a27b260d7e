/**
 * The GitHub API double itself, over raw HTTP: pagination and Link headers, authorship by token,
 * releases and asset downloads, faults, read-only tokens, the GHES prefix, search, and the
 * OpenAPI checks on requests and on the double's own responses.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_TOKEN,
  READ_ONLY_TOKEN,
  startGitHubDouble,
  type GitHubDouble,
  type GitHubDoubleOptions,
} from '../support/github-double/index.js';
import { eventNameOf, loadEvent } from '../support/events.js';

interface Reply {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of many shapes
  url: string;
}

/** One HTTP call: `path` is relative to gh.url unless it is absolute. */
async function call(
  gh: GitHubDouble,
  method: string,
  path: string,
  options: {
    token?: string | null;
    body?: unknown;
    raw?: Buffer | string;
    headers?: Record<string, string>;
    redirect?: 'follow' | 'manual';
  } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { accept: 'application/vnd.github+json', ...options.headers };
  const token = options.token === undefined ? DEFAULT_TOKEN : options.token;
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | Buffer | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(path.startsWith('http') ? path : `${gh.url}${path}`, {
    method,
    headers,
    body,
    redirect: options.redirect ?? 'follow',
  });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: parsed, url: response.url };
}

/** The Link header as rel → {page, url}. */
function links(reply: Reply): Record<string, string> {
  const header = reply.headers.get('link') ?? '';
  const out: Record<string, string> = {};
  for (const part of header.split(', ')) {
    const match = /^<([^>]+)>; rel="(\w+)"$/.exec(part);
    if (match?.[1] && match[2]) out[match[2]] = match[1];
  }
  return out;
}

describe('GitHub API double', () => {
  let gh: GitHubDouble;
  const repoPath = (): string => `/repos/${gh.owner}/${gh.repo}`;

  const start = async (options: GitHubDoubleOptions = {}): Promise<GitHubDouble> => {
    gh = await startGitHubDouble({
      tokens: { ghp_alice: { login: 'alice', id: 501 }, ghp_bob: { login: 'bob', id: 502 } },
      ...options,
    });
    return gh;
  };

  beforeEach(async () => {
    await start();
  });

  afterEach(async () => {
    await gh.close();
  });

  describe('pagination', () => {
    it('pages 160 comments with GitHub Link headers (prev, next, last, first)', async () => {
      gh.state.ensureIssue(7);
      gh.state.addComments(7, 160, 'alice');
      const base = `${gh.url}/repositories/${gh.state.id}/issues/7/comments`;

      const first = await call(gh, 'GET', `${repoPath()}/issues/7/comments?per_page=50`);
      expect(first.status).toBe(200);
      expect(first.body).toHaveLength(50);
      expect(first.headers.get('link')).toBe(
        `<${base}?per_page=50&page=2>; rel="next", <${base}?per_page=50&page=4>; rel="last"`,
      );

      const second = await call(gh, 'GET', links(first).next!);
      expect(second.body[0].body).toBe('comment 51');
      expect(second.headers.get('link')).toBe(
        `<${base}?per_page=50&page=1>; rel="prev", <${base}?per_page=50&page=3>; rel="next", ` +
          `<${base}?per_page=50&page=4>; rel="last", <${base}?per_page=50&page=1>; rel="first"`,
      );

      const last = await call(gh, 'GET', links(second).last!);
      expect(last.body.map((c: { body: string }) => c.body)).toEqual(
        Array.from({ length: 10 }, (_, i) => `comment ${151 + i}`),
      );
      expect(Object.keys(links(last))).toEqual(['prev', 'first']);
      expect(links(last).prev).toBe(`${base}?per_page=50&page=3`);
    });

    it('defaults to 30 per page, caps per_page at 100, and has no Link on a single page', async () => {
      gh.state.addComments(1, 130);
      const byDefault = await call(gh, 'GET', `${repoPath()}/issues/1/comments`);
      expect(byDefault.body).toHaveLength(30);
      expect(links(byDefault).last).toBe(`${gh.url}/repositories/${gh.state.id}/issues/1/comments?page=5`);

      const capped = await call(gh, 'GET', `${repoPath()}/issues/1/comments?per_page=500`);
      expect(capped.body).toHaveLength(100);

      gh.state.addComments(2, 3);
      const single = await call(gh, 'GET', `${repoPath()}/issues/2/comments?per_page=100`);
      expect(single.body).toHaveLength(3);
      expect(single.headers.get('link')).toBeNull();
    });

    it('walks every page by following next links, with no duplicates or gaps', async () => {
      gh.state.addComments(3, 250, 'bob');
      const seen: number[] = [];
      let next: string | undefined = `${repoPath()}/issues/3/comments?per_page=100`;
      while (next) {
        const page: Reply = await call(gh, 'GET', next);
        seen.push(...page.body.map((c: { id: number }) => c.id));
        next = links(page).next;
      }
      expect(seen).toEqual(gh.state.commentsOf(3).map((c) => c.id));
    });
  });

  describe('identity and authorship', () => {
    it('authors comments as the token identity', async () => {
      gh.state.ensureIssue(4);
      const asAlice = await call(gh, 'POST', `${repoPath()}/issues/4/comments`, {
        token: 'ghp_alice',
        body: { body: 'hi' },
      });
      const asBot = await call(gh, 'POST', `${repoPath()}/issues/4/comments`, { body: { body: 'report' } });

      expect(asAlice.status).toBe(201);
      expect(asAlice.body.user).toMatchObject({ login: 'alice', id: 501, type: 'User' });
      expect(asBot.body.user).toMatchObject({ login: 'github-actions[bot]', id: 41898282, type: 'Bot' });
      expect(asAlice.headers.get('location')).toBe(asAlice.body.url);
      expect(gh.state.commentsOf(4).map((c) => c.user.login)).toEqual(['alice', 'github-actions[bot]']);
      // Seeding by login gives the same account as the token.
      expect(gh.state.addComment(4, 'seeded', 'alice').user).toMatchObject({ login: 'alice', id: 501 });
    });

    it('answers GET /user for a user token, 403 for the Actions token, 401 for unknown or missing tokens', async () => {
      const alice = await call(gh, 'GET', '/user', { token: 'ghp_alice' });
      expect(alice.status).toBe(200);
      expect(alice.body).toMatchObject({ login: 'alice', id: 501, type: 'User' });

      const bot = await call(gh, 'GET', '/user');
      expect(bot.status).toBe(403);
      expect(bot.body.message).toBe('Resource not accessible by integration');

      const unknown = await call(gh, 'GET', `${repoPath()}/issues`, { token: 'ghp_nobody' });
      expect(unknown.status).toBe(401);
      expect(unknown.body.message).toBe('Bad credentials');

      const anonymousWrite = await call(gh, 'POST', `${repoPath()}/issues`, { token: null, body: { title: 'x' } });
      expect(anonymousWrite.status).toBe(401);
      expect(anonymousWrite.body.message).toBe('Requires authentication');

      const anonymousRead = await call(gh, 'GET', `${repoPath()}/issues`, { token: null });
      expect(anonymousRead.status).toBe(200);
      expect(anonymousRead.headers.get('x-ratelimit-limit')).toBe('60');
    });

    it('answers 403 "Resource not accessible by integration" to every write of a read-only token', async () => {
      gh.state.addComment(gh.state.ensureIssue(9).number, 'existing', 'alice');
      const comment = gh.state.comments[0]!;
      const writes: [string, string, unknown][] = [
        ['POST', `${repoPath()}/issues/9/comments`, { body: 'x' }],
        ['PATCH', `${repoPath()}/issues/comments/${comment.id}`, { body: 'y' }],
        ['DELETE', `${repoPath()}/issues/comments/${comment.id}`, undefined],
        ['POST', `${repoPath()}/issues`, { title: 'drift' }],
        ['POST', `${repoPath()}/releases`, { tag_name: 'v1' }],
        ['POST', `${repoPath()}/dispatches`, { event_type: 'retrain' }],
      ];
      for (const [method, path, body] of writes) {
        const reply = await call(gh, method, path, { token: READ_ONLY_TOKEN, body });
        expect(reply.status, `${method} ${path}`).toBe(403);
        expect(reply.body).toMatchObject({ message: 'Resource not accessible by integration', status: '403' });
        expect(reply.body.documentation_url).toMatch(/^https:\/\/docs\.github\.com\/rest\//);
      }
      expect(gh.state.commentsOf(9).map((c) => c.body)).toEqual(['existing']);
      expect(gh.state.releases).toHaveLength(0);
      expect(gh.state.dispatches).toHaveLength(0);

      const read = await call(gh, 'GET', `${repoPath()}/issues/9/comments`, { token: READ_ONLY_TOKEN });
      expect(read.status).toBe(200);
    });
  });

  describe('issues, labels and comments', () => {
    it('creates, lists with filters, closes and reopens issues', async () => {
      const created = await call(gh, 'POST', `${repoPath()}/issues`, {
        body: { title: 'Data drift in income', body: 'share 0.4', labels: ['drift', 'mlops'] },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ number: 1, state: 'open', title: 'Data drift in income' });
      expect(created.body.labels.map((l: { name: string }) => l.name)).toEqual(['drift', 'mlops']);
      await call(gh, 'POST', `${repoPath()}/issues`, { token: 'ghp_alice', body: { title: 'Unrelated' } });

      const drift = await call(gh, 'GET', `${repoPath()}/issues?labels=drift&creator=github-actions[bot]`);
      expect(drift.body.map((i: { number: number }) => i.number)).toEqual([1]);

      const closed = await call(gh, 'PATCH', `${repoPath()}/issues/1`, {
        body: { state: 'closed', state_reason: 'completed' },
      });
      expect(closed.body).toMatchObject({ state: 'closed', state_reason: 'completed' });
      expect(closed.body.closed_at).toMatch(/Z$/);
      expect((await call(gh, 'GET', `${repoPath()}/issues`)).body.map((i: { number: number }) => i.number)).toEqual([
        2,
      ]);
      expect((await call(gh, 'GET', `${repoPath()}/issues?state=all`)).body).toHaveLength(2);

      const reopened = await call(gh, 'PATCH', `${repoPath()}/issues/1`, { body: { state: 'open' } });
      expect(reopened.body).toMatchObject({ state: 'open', state_reason: 'reopened', closed_at: null });

      const missing = await call(gh, 'GET', `${repoPath()}/issues/99`);
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ message: 'Not Found', status: '404' });
    });

    it('manages labels: create, duplicate, add, set and remove', async () => {
      gh.state.addIssue({ title: 'x' });
      const label = await call(gh, 'POST', `${repoPath()}/labels`, { body: { name: 'drift', color: 'd73a4a' } });
      expect(label.status).toBe(201);
      const duplicate = await call(gh, 'POST', `${repoPath()}/labels`, { body: { name: 'Drift' } });
      expect(duplicate.status).toBe(422);
      expect(duplicate.body.errors).toEqual([{ resource: 'Label', code: 'already_exists', field: 'name' }]);

      const added = await call(gh, 'POST', `${repoPath()}/issues/1/labels`, { body: { labels: ['drift', 'new-one'] } });
      expect(added.body.map((l: { name: string }) => l.name)).toEqual(['drift', 'new-one']);
      const byName = await call(gh, 'POST', `${repoPath()}/issues/1/labels`, { body: { labels: [{ name: 'third' }] } });
      expect(byName.body).toHaveLength(3);
      // The bare-array form is no longer in GitHub's description.
      const bareArray = await call(gh, 'POST', `${repoPath()}/issues/1/labels`, { body: ['fourth'] });
      expect(bareArray.status).toBe(422);
      gh.validationErrors.length = 0;
      const removed = await call(gh, 'DELETE', `${repoPath()}/issues/1/labels/new-one`);
      expect(removed.body.map((l: { name: string }) => l.name)).toEqual(['drift', 'third']);
      const set = await call(gh, 'PUT', `${repoPath()}/issues/1/labels`, { body: { labels: ['only'] } });
      expect(set.body.map((l: { name: string }) => l.name)).toEqual(['only']);
      expect((await call(gh, 'GET', `${repoPath()}/labels`)).body).toHaveLength(4);
    });

    it('updates, gets and deletes comments, and refuses bodies over 65536 characters', async () => {
      gh.state.ensureIssue(2);
      const created = await call(gh, 'POST', `${repoPath()}/issues/2/comments`, { body: { body: 'v1' } });
      const updated = await call(gh, 'PATCH', `${repoPath()}/issues/comments/${created.body.id}`, {
        body: { body: 'v2' },
      });
      expect(updated.body.body).toBe('v2');
      expect((await call(gh, 'GET', `${repoPath()}/issues/comments/${created.body.id}`)).body.body).toBe('v2');

      const tooLong = await call(gh, 'POST', `${repoPath()}/issues/2/comments`, { body: { body: 'x'.repeat(65_537) } });
      expect(tooLong.status).toBe(422);
      expect(tooLong.body.errors[0]).toMatchObject({ resource: 'IssueComment', field: 'body', code: 'custom' });

      expect((await call(gh, 'DELETE', `${repoPath()}/issues/comments/${created.body.id}`)).status).toBe(204);
      expect((await call(gh, 'GET', `${repoPath()}/issues/comments/${created.body.id}`)).status).toBe(404);
      expect(gh.state.commentsOf(2)).toEqual([]);
    });
  });

  describe('repositories and pull requests', () => {
    it('serves the repository and its pull requests, forks included', async () => {
      const repository = await call(gh, 'GET', repoPath());
      expect(repository.body).toMatchObject({
        full_name: `${gh.owner}/${gh.repo}`,
        default_branch: 'main',
        fork: false,
      });

      const own = gh.state.addPullRequest({ headRef: 'tune-lr', headSha: 'c'.repeat(40) });
      const fork = gh.state.addPullRequest({ headOwner: 'fork-contributor' });
      const pull = await call(gh, 'GET', `${repoPath()}/pulls/${own.number}`);
      expect(pull.status).toBe(200);
      expect(pull.body).toMatchObject({
        number: own.number,
        state: 'open',
        head: { ref: 'tune-lr', sha: 'c'.repeat(40), repo: { full_name: `${gh.owner}/${gh.repo}` } },
        base: { ref: 'main', sha: gh.state.ref('refs/heads/main')?.sha },
      });
      const forked = await call(gh, 'GET', `${repoPath()}/pulls/${fork.number}`);
      expect(forked.body.head.repo).toMatchObject({ fork: true, full_name: `fork-contributor/${gh.repo}` });
      expect(forked.body.user.login).toBe('fork-contributor');

      const issue = gh.state.addIssue({ title: 'not a pull request' });
      expect((await call(gh, 'GET', `${repoPath()}/pulls/${issue.number}`)).status).toBe(404);
      const asIssue = await call(gh, 'GET', `${repoPath()}/issues/${own.number}`);
      expect(asIssue.body.pull_request.url).toBe(pull.body.url);
      expect((await call(gh, 'GET', '/repos/someone/else')).status).toBe(404);
    });
  });

  describe('search', () => {
    beforeEach(() => {
      gh.state.addIssue({ title: 'Data drift detected: income', body: 'share 0.5', labels: ['drift', 'mlops'] });
      gh.state.addIssue({ title: 'Data drift detected: age', labels: ['drift'], state: 'closed' });
      gh.state.addIssue({ title: 'Flaky test', body: 'mentions drift in the body', labels: ['needs triage'] }, 'alice');
      gh.state.addPullRequest({ title: 'Fix drift check' });
      gh.repository('other', 'repo').addIssue({ title: 'Data drift detected: income', labels: ['drift'] });
    });

    const search = async (q: string): Promise<Reply> => call(gh, 'GET', `/search/issues?q=${encodeURIComponent(q)}`);
    const numbers = (reply: Reply): number[] => reply.body.items.map((i: { number: number }) => i.number).sort();

    it('filters by repo, kind, state, label and title text', async () => {
      const reply = await search(`repo:${gh.owner}/${gh.repo} is:issue is:open label:drift in:title "drift detected"`);
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ total_count: 1, incomplete_results: false });
      expect(reply.body.items[0]).toMatchObject({ number: 1, score: 1, title: 'Data drift detected: income' });
      expect(reply.headers.get('x-ratelimit-resource')).toBe('search');
      expect(reply.headers.get('x-ratelimit-limit')).toBe('30');
    });

    it('matches free text in titles and bodies, closed issues, pull requests, labels with spaces and authors', async () => {
      expect(numbers(await search(`repo:${gh.owner}/${gh.repo} is:issue drift`))).toEqual([1, 2, 3]);
      expect(numbers(await search(`repo:${gh.owner}/${gh.repo} is:issue drift in:title`))).toEqual([1, 2]);
      expect(numbers(await search(`repo:${gh.owner}/${gh.repo} is:closed`))).toEqual([2]);
      expect(numbers(await search(`repo:${gh.owner}/${gh.repo} is:pr`))).toEqual([4]);
      expect(numbers(await search(`repo:${gh.owner}/${gh.repo} label:"needs triage"`))).toEqual([3]);
      expect(numbers(await search(`repo:${gh.owner}/${gh.repo} author:alice`))).toEqual([3]);
      expect(numbers(await search(`repo:${gh.owner}/${gh.repo} label:mlops,needs-nothing`))).toEqual([1]);
      expect((await search('is:issue "drift detected: income"')).body.total_count).toBe(2);
    });

    it('refuses a qualifier it does not implement instead of over-matching', async () => {
      const reply = await search(`repo:${gh.owner}/${gh.repo} milestone:v1`);
      expect(reply.status).toBe(422);
      expect(reply.body.errors[0].message).toContain('milestone:v1');
    });
  });

  describe('releases and assets', () => {
    it('creates a release, uploads to upload_url, and downloads through a 302 to storage', async () => {
      const release = await call(gh, 'POST', `${repoPath()}/releases`, {
        body: { tag_name: 'churn-v1', name: 'churn v1', body: 'sha256 ...', target_commitish: 'main' },
      });
      expect(release.status).toBe(201);
      expect(release.body).toMatchObject({ tag_name: 'churn-v1', draft: false, assets: [] });
      expect(gh.state.ref('refs/tags/churn-v1')?.sha).toBe(gh.state.ref('refs/heads/main')?.sha);

      // upload_url is on another origin, like uploads.github.com.
      const uploadUrl = String(release.body.upload_url).replace('{?name,label}', '');
      expect(uploadUrl.startsWith(gh.uploadsUrl)).toBe(true);
      expect(gh.uploadsUrl).not.toBe(gh.serverUrl);
      const bytes = Buffer.from('model weights \u0000\u0001\u0002', 'utf8');
      const asset = await call(gh, 'POST', `${uploadUrl}?name=model.pkl&label=Model`, {
        raw: bytes,
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(asset.status).toBe(201);
      expect(asset.body).toMatchObject({
        name: 'model.pkl',
        label: 'Model',
        size: bytes.length,
        state: 'uploaded',
        content_type: 'application/octet-stream',
        digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
        uploader: { login: 'github-actions[bot]' },
      });

      const again = await call(gh, 'POST', `${uploadUrl}?name=model.pkl`, { raw: bytes });
      expect(again.status).toBe(422);
      expect(again.body.errors[0]).toMatchObject({ resource: 'ReleaseAsset', code: 'already_exists' });
      const onApiHost = await call(gh, 'POST', `${repoPath()}/releases/${release.body.id}/assets?name=x`, {
        raw: bytes,
      });
      expect(onApiHost.status).toBe(404);
      gh.validationErrors.length = 0;

      const redirect = await call(gh, 'GET', asset.body.url, {
        headers: { accept: 'application/octet-stream' },
        redirect: 'manual',
      });
      expect(redirect.status).toBe(302);
      const location = redirect.headers.get('location')!;
      expect(location).toMatch(/\/_storage\/\d+\/\d+\/model\.pkl\?expires=\d+&signature=[0-9a-f]{64}$/);

      const download = await fetch(asset.body.url, {
        headers: { accept: 'application/octet-stream', authorization: `Bearer ${DEFAULT_TOKEN}` },
      });
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
      expect(download.url).toBe(location);

      const browser = await fetch(asset.body.browser_download_url);
      expect(Buffer.from(await browser.arrayBuffer())).toEqual(bytes);
      expect(gh.state.assets[0]?.downloadCount).toBe(2);

      const forged = await fetch(location.replace(/signature=[0-9a-f]+/, 'signature=00'));
      expect(forged.status).toBe(403);

      const metadata = await call(gh, 'GET', asset.body.url);
      expect(metadata.body).toMatchObject({ id: asset.body.id, download_count: 2 });
    });

    it('gets by tag and latest, lists newest first, publishes drafts, deletes', async () => {
      const v1 = gh.state.addRelease({ tagName: 'm-v1' });
      const v2 = gh.state.addRelease({ tagName: 'm-v2', prerelease: true });
      const draft = gh.state.addRelease({ tagName: 'm-v3', draft: true });

      expect((await call(gh, 'GET', `${repoPath()}/releases/tags/m-v1`)).body.id).toBe(v1.id);
      expect((await call(gh, 'GET', `${repoPath()}/releases/tags/m-v3`)).status).toBe(404);
      expect((await call(gh, 'GET', `${repoPath()}/releases/latest`)).body.id).toBe(v1.id);
      const list = await call(gh, 'GET', `${repoPath()}/releases`);
      expect(list.body.map((r: { id: number }) => r.id)).toEqual([draft.id, v2.id, v1.id]);
      expect(gh.state.ref('refs/tags/m-v3')).toBeUndefined();

      const published = await call(gh, 'PATCH', `${repoPath()}/releases/${draft.id}`, { body: { draft: false } });
      expect(published.body.draft).toBe(false);
      expect(published.body.published_at).not.toBeNull();
      expect(gh.state.ref('refs/tags/m-v3')).toBeDefined();

      const clash = await call(gh, 'POST', `${repoPath()}/releases`, { body: { tag_name: 'm-v1' } });
      expect(clash.status).toBe(422);
      expect(clash.body.errors[0]).toMatchObject({ resource: 'Release', code: 'already_exists', field: 'tag_name' });

      gh.state.addAsset(v1.id, 'model.bin', 'abc');
      const assets = await call(gh, 'GET', `${repoPath()}/releases/${v1.id}/assets`);
      expect(assets.body.map((a: { name: string }) => a.name)).toEqual(['model.bin']);
      expect((await call(gh, 'DELETE', `${repoPath()}/releases/${v1.id}`)).status).toBe(204);
      expect(gh.state.assets).toHaveLength(0);
      expect(gh.state.ref('refs/tags/m-v1')).toBeDefined();
    });
  });

  describe('deployments, check runs, dispatches', () => {
    it('records deployments and statuses, marking earlier successes inactive', async () => {
      const first = await call(gh, 'POST', `${repoPath()}/deployments`, {
        body: { ref: 'main', environment: 'production', payload: { model: 'churn', version: 1 } },
      });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        ref: 'main',
        environment: 'production',
        payload: { model: 'churn', version: 1 },
      });
      await call(gh, 'POST', `${repoPath()}/deployments/${first.body.id}/statuses`, { body: { state: 'success' } });
      const second = await call(gh, 'POST', `${repoPath()}/deployments`, {
        body: { ref: 'main', environment: 'production' },
      });
      const status = await call(gh, 'POST', `${repoPath()}/deployments/${second.body.id}/statuses`, {
        body: { state: 'success', environment_url: 'https://models.example.com/churn' },
      });
      expect(status.status).toBe(201);
      expect(gh.state.latestDeploymentStatus(first.body.id)?.state).toBe('inactive');

      const listed = await call(gh, 'GET', `${repoPath()}/deployments?environment=production`);
      expect(listed.body.map((d: { id: number }) => d.id)).toEqual([second.body.id, first.body.id]);
      const statuses = await call(gh, 'GET', `${repoPath()}/deployments/${first.body.id}/statuses`);
      expect(statuses.body.map((s: { state: string }) => s.state)).toEqual(['inactive', 'success']);
    });

    it('creates and completes check runs, and records repository_dispatch', async () => {
      const run = await call(gh, 'POST', `${repoPath()}/check-runs`, {
        body: { name: 'evaluate-gate', head_sha: 'a'.repeat(40), status: 'in_progress' },
      });
      expect(run.body).toMatchObject({ status: 'in_progress', conclusion: null });
      const done = await call(gh, 'PATCH', `${repoPath()}/check-runs/${run.body.id}`, {
        body: { conclusion: 'failure', output: { title: 'accuracy regressed', summary: '0.91 → 0.87' } },
      });
      expect(done.body).toMatchObject({
        status: 'completed',
        conclusion: 'failure',
        output: { title: 'accuracy regressed' },
      });

      const dispatch = await call(gh, 'POST', `${repoPath()}/dispatches`, {
        body: { event_type: 'retrain', client_payload: { reason: 'drift', share: 0.4 } },
      });
      expect(dispatch.status).toBe(204);
      expect(gh.state.dispatches).toMatchObject([
        {
          eventType: 'retrain',
          clientPayload: { reason: 'drift', share: 0.4 },
          sender: { login: 'github-actions[bot]' },
        },
      ]);
    });
  });

  describe('headers', () => {
    it('sends GitHub headers and counts the rate limit per token', async () => {
      const one = await call(gh, 'GET', `${repoPath()}/issues`);
      const two = await call(gh, 'GET', `${repoPath()}/issues`);
      expect(one.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(one.headers.get('x-github-request-id')).toMatch(
        /^[0-9A-F]{4}:[0-9A-F]{4}:[0-9A-F]{7}:[0-9A-F]{7}:[0-9A-F]{8}$/,
      );
      expect(one.headers.get('x-github-api-version-selected')).toBe('2022-11-28');
      expect(one.headers.get('x-ratelimit-limit')).toBe('5000');
      expect(one.headers.get('x-ratelimit-resource')).toBe('core');
      expect(Number(one.headers.get('x-ratelimit-remaining')) - Number(two.headers.get('x-ratelimit-remaining'))).toBe(
        1,
      );
      expect(Number(one.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
      const rate = await call(gh, 'GET', '/rate_limit');
      expect(rate.body.resources.core).toMatchObject({ limit: 5000, used: 2, remaining: 4998 });
      expect(gh.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
        `GET ${repoPath()}/issues 200`,
        `GET ${repoPath()}/issues 200`,
        'GET /rate_limit 200',
      ]);
    });

    it('enforces a real primary rate limit when the budget runs out', async () => {
      await gh.close();
      await start({ rateLimit: 2 });
      expect((await call(gh, 'GET', `${repoPath()}/issues`)).status).toBe(200);
      expect((await call(gh, 'GET', `${repoPath()}/issues`)).status).toBe(200);
      const third = await call(gh, 'GET', `${repoPath()}/issues`);
      expect(third.status).toBe(403);
      expect(third.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(third.body.message).toMatch(/^API rate limit exceeded for installation ID 41898282/);
    });
  });

  describe('fault injection', () => {
    it('fails a counted number of matching requests, then recovers', async () => {
      const rule = gh.faults.inject({ status: 502, times: 3, method: 'GET', path: /\/issues$/ });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await call(gh, 'GET', `${repoPath()}/issues`)).status);
      expect(statuses).toEqual([502, 502, 502, 200]);
      expect(rule.hits).toBe(3);
      expect((await call(gh, 'GET', `${repoPath()}/labels`)).status).toBe(200);
      expect(gh.requests.filter((r) => r.fault)).toHaveLength(3);
    });

    it("answers 502 with an HTML page, like GitHub's load balancer", async () => {
      gh.faults.inject({ status: 502, times: 1 });
      const reply = await call(gh, 'GET', `${repoPath()}/issues`);
      expect(reply.headers.get('content-type')).toContain('text/html');
      expect(String(reply.body)).toContain('Unicorn');
    });

    it('simulates secondary and primary rate limits the way GitHub words them', async () => {
      gh.faults.inject({ rateLimit: 'secondary', retryAfter: 7, times: 1 });
      const secondary = await call(gh, 'POST', `${repoPath()}/issues`, { body: { title: 'x' } });
      expect(secondary.status).toBe(403);
      expect(secondary.headers.get('retry-after')).toBe('7');
      expect(secondary.body.message).toMatch(/^You have exceeded a secondary rate limit\. Please wait a few minutes/);
      expect(secondary.body.message).toContain(secondary.headers.get('x-github-request-id'));
      expect(gh.state.issues).toHaveLength(0);

      gh.faults.inject({ rateLimit: 'primary', retryAfter: 30, times: 1 });
      const primary = await call(gh, 'GET', `${repoPath()}/issues`);
      expect(primary.status).toBe(403);
      expect(primary.headers.get('x-ratelimit-remaining')).toBe('0');
      const reset = Number(primary.headers.get('x-ratelimit-reset'));
      expect(reset).toBeGreaterThan(Date.now() / 1000 + 20);
      expect(primary.body.message).toMatch(/^API rate limit exceeded/);

      gh.faults.inject({ rateLimit: 'primary', status: 429, times: 1 });
      expect((await call(gh, 'GET', `${repoPath()}/issues`)).status).toBe(429);
      expect((await call(gh, 'GET', `${repoPath()}/issues`)).status).toBe(200);
    });

    it('draws probability faults from a seeded generator: same seed, same failures', async () => {
      const run = async (seed: number): Promise<number[]> => {
        const double = await startGitHubDouble({ seed });
        try {
          double.faults.inject({ probability: 0.3, status: 503 });
          const statuses: number[] = [];
          for (let i = 0; i < 40; i += 1) {
            const reply = await fetch(`${double.url}/repos/${double.owner}/${double.repo}/issues`);
            statuses.push(reply.status);
          }
          return statuses;
        } finally {
          await double.close();
        }
      };
      const first = await run(42);
      expect(await run(42)).toEqual(first);
      const failures = first.filter((status) => status === 503).length;
      expect(failures).toBeGreaterThan(3);
      expect(failures).toBeLessThan(25);
      expect(first.every((status) => status === 503 || status === 200)).toBe(true);
    });

    it('clears rules, and injects a 404 for one path', async () => {
      gh.state.addRelease({ tagName: 'v1' });
      gh.faults.inject({ status: 404, path: `${repoPath()}/releases/tags/v1` });
      expect((await call(gh, 'GET', `${repoPath()}/releases/tags/v1`)).body.message).toBe('Not Found');
      gh.faults.clear();
      expect((await call(gh, 'GET', `${repoPath()}/releases/tags/v1`)).status).toBe(200);
      expect(() => gh.faults.inject({ probability: 2 })).toThrow(/within 0\.\.1/);
    });
  });

  describe('GitHub Enterprise Server prefix', () => {
    it('serves the API under /api/v3 and uploads under /api/uploads', async () => {
      await gh.close();
      await start({ pathPrefix: '/api/v3' });
      expect(gh.url).toBe(`${gh.serverUrl}/api/v3`);

      gh.state.addComments(1, 35);
      const page = await call(gh, 'GET', `${repoPath()}/issues/1/comments`);
      expect(page.status).toBe(200);
      expect(page.headers.get('x-github-enterprise-version')).toMatch(/^3\./);
      expect(links(page).next).toBe(`${gh.serverUrl}/api/v3/repositories/${gh.state.id}/issues/1/comments?page=2`);
      expect(page.body[0].url).toMatch(new RegExp(`^${gh.serverUrl}/api/v3/repos/`));
      expect(page.body[0].html_url).toMatch(new RegExp(`^${gh.serverUrl}/${gh.owner}/`));

      const release = await call(gh, 'POST', `${repoPath()}/releases`, { body: { tag_name: 'v1' } });
      expect(release.body.upload_url).toBe(
        `${gh.serverUrl}/api/uploads/repos/${gh.owner}/${gh.repo}/releases/${release.body.id}/assets{?name,label}`,
      );
      const asset = await call(gh, 'POST', release.body.upload_url.replace('{?name,label}', '?name=m.bin'), {
        raw: 'xyz',
      });
      expect(asset.status).toBe(201);
      const bytes = await fetch(asset.body.url, {
        headers: { accept: 'application/octet-stream', authorization: `token ${DEFAULT_TOKEN}` },
      });
      expect(await bytes.text()).toBe('xyz');

      const unprefixed = await call(gh, 'GET', `${gh.serverUrl}${repoPath()}/issues`);
      expect(unprefixed.status).toBe(404);
      expect(gh.validationErrors).toEqual([]);
    });
  });

  describe('OpenAPI validation', () => {
    it('rejects a comment without "body", as GitHub\'s description forbids, and records it', async () => {
      gh.state.ensureIssue(1);
      const reply = await call(gh, 'POST', `${repoPath()}/issues/1/comments`, { body: { text: 'wrong field' } });

      expect(reply.status).toBe(422);
      expect(reply.body.message).toBe('Invalid request.\n\n"body" wasn\'t supplied.');
      expect(gh.validationErrors).toMatchObject([
        {
          kind: 'request',
          method: 'POST',
          operationId: 'issues/create-comment',
          location: 'body',
          message: '"body" wasn\'t supplied.',
        },
      ]);
      expect(gh.state.commentsOf(1)).toEqual([]);
    });

    it('rejects wrong types, bad enums, unknown routes, bad path parameters and bad JSON', async () => {
      const wrongType = await call(gh, 'POST', `${repoPath()}/issues`, { body: { title: 'x', labels: 'drift' } });
      expect(wrongType.status).toBe(422);
      expect(wrongType.body.message).toContain(`For 'labels', "drift" must be array.`);

      const badEnum = await call(gh, 'GET', `${repoPath()}/issues?state=everything`);
      expect(badEnum.status).toBe(422);

      const unknown = await call(gh, 'POST', `${repoPath()}/issues/1/reactions-typo`, { body: {} });
      expect(unknown.status).toBe(404);

      const notANumber = await call(gh, 'GET', `${repoPath()}/issues/abc`);
      expect(notANumber.status).toBe(404);

      const badJson = await call(gh, 'POST', `${repoPath()}/issues`, {
        raw: '{"title": ',
        headers: { 'content-type': 'application/json' },
      });
      expect(badJson.status).toBe(400);
      expect(badJson.body.message).toBe('Problems parsing JSON');

      expect(gh.validationErrors.map((problem) => `${problem.location} ${problem.operationId ?? '-'}`)).toEqual([
        'body issues/create',
        'query issues/list-for-repo',
        'path -',
        'path issues/get',
        'body issues/create',
      ]);
    });

    it("skips the checks when validate is false (routing stays the description's)", async () => {
      await gh.close();
      await start({ validate: false });
      const loose = await call(gh, 'POST', `${repoPath()}/issues`, { body: { title: 'x', labels: 'drift' } });
      expect(loose.status).toBe(201);
      expect(loose.body.labels.map((l: { name: string }) => l.name)).toEqual(['drift']);
      expect((await call(gh, 'GET', `${repoPath()}/nope`)).status).toBe(404);
      expect(gh.validationErrors.map((problem) => problem.location)).toEqual(['path']);
    });

    it('fails loudly when the double itself produces a response the description forbids', async () => {
      const run = gh.state.addRelease({ tagName: 'v1' });
      // Corrupt a record so rendering breaks the schema (tag_name must be a string).
      (run as unknown as { tagName: unknown }).tagName = 42;
      const reply = await call(gh, 'GET', `${repoPath()}/releases/${run.id}`);
      expect(reply.status).toBe(400);
      expect(reply.body.message).toMatch(/^github-double bug: repos\/get-release 200 response/);
      expect(gh.validationErrors.at(-1)).toMatchObject({ kind: 'response', operationId: 'repos/get-release' });
      await expect(gh.close()).rejects.toThrow(
        /github-double produced 1 response\(s\) its OpenAPI description forbids/,
      );
      gh = await startGitHubDouble(); // afterEach closes a fresh one
    });
  });
});

describe('event fixtures', () => {
  it('loads deep copies of real webhook payloads', () => {
    const one = loadEvent('pull_request.opened');
    const two = loadEvent('pull_request.opened');
    expect(one).toEqual(two);
    (one.pull_request as { title: string }).title = 'changed';
    expect((two.pull_request as { title: string }).title).not.toBe('changed');
    expect(eventNameOf('pull_request.opened')).toBe('pull_request');
    expect(eventNameOf('workflow_run.completed')).toBe('workflow_run');
    expect(loadEvent('schedule')).toEqual({ schedule: '0 6 * * *' });
    expect(loadEvent('push')).toMatchObject({ ref: expect.stringMatching(/^refs\/heads\//) });
    expect(loadEvent('workflow_dispatch')).toHaveProperty('inputs');
    expect(loadEvent('workflow_run.completed')).toMatchObject({ action: 'completed' });
    expect(loadEvent('pull_request.synchronize')).toMatchObject({ action: 'synchronize' });
  });

  it('retargets a pull request at the double: repository, number, shas and URLs', () => {
    const payload = loadEvent('pull_request.opened', {
      owner: 'octo-org',
      repo: 'octo-repo',
      pullNumber: 7,
      headSha: 'a'.repeat(40),
      baseSha: 'b'.repeat(40),
      apiUrl: 'http://127.0.0.1:1234/api/v3',
      serverUrl: 'http://127.0.0.1:1234',
    }) as any; // eslint-disable-line @typescript-eslint/no-explicit-any -- a webhook payload
    expect(payload.number).toBe(7);
    expect(payload.repository).toMatchObject({
      full_name: 'octo-org/octo-repo',
      name: 'octo-repo',
      owner: { login: 'octo-org' },
    });
    expect(payload.pull_request).toMatchObject({
      number: 7,
      url: 'http://127.0.0.1:1234/api/v3/repos/octo-org/octo-repo/pulls/7',
      html_url: 'http://127.0.0.1:1234/octo-org/octo-repo/pull/7',
      head: { sha: 'a'.repeat(40) },
      base: {
        sha: 'b'.repeat(40),
        label: expect.stringMatching(/^octo-org:/),
        repo: { full_name: 'octo-org/octo-repo' },
      },
    });
    expect(JSON.stringify(payload)).not.toContain('Codertocat/Hello-World');
    expect(JSON.stringify(payload)).not.toContain('api.github.com');
  });

  it('has a fork pull request: head repository is a fork owned by someone else', () => {
    const payload = loadEvent('pull_request.opened.fork', { owner: 'octo-org', repo: 'octo-repo' }) as any; // eslint-disable-line @typescript-eslint/no-explicit-any -- a webhook payload
    expect(payload.pull_request.head.repo.fork).toBe(true);
    expect(payload.pull_request.head.repo.owner.login).not.toBe(payload.pull_request.base.repo.owner.login);
    expect(payload.pull_request.head.repo.full_name).not.toBe('octo-org/octo-repo');
    expect(payload.pull_request.base.repo.full_name).toBe('octo-org/octo-repo');
    expect(payload.sender.login).toBe(payload.pull_request.head.repo.owner.login);
  });
});
