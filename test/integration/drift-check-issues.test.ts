/**
 * The issue lifecycle adapter (src/adapters/github/issues.ts) against the GitHub API double over
 * real HTTP: create, update, close, overlapping runs, injected faults, lost answers, 403s, and
 * repository_dispatch (src/adapters/github/dispatch.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient, type GitHubClient } from '../../src/adapters/github/client.js';
import { sendRepositoryDispatch } from '../../src/adapters/github/dispatch.js';
import { issueMarker, syncIssue, type SyncIssueOptions } from '../../src/adapters/github/issues.js';
import { memoryLogger } from '../../src/core/logger.js';
import {
  DEFAULT_TOKEN,
  READ_ONLY_TOKEN,
  startGitHubDouble,
  type GitHubDouble,
} from '../support/github-double/index.js';

describe('syncIssue against the GitHub double', () => {
  let gh: GitHubDouble;
  let client: GitHubClient;
  let log: ReturnType<typeof memoryLogger>;

  beforeEach(async () => {
    gh = await startGitHubDouble();
    log = memoryLogger();
    client = await createGitHubClient({ token: DEFAULT_TOKEN, apiUrl: gh.url, log, retries: 6, retryBaseMs: 5 });
  });

  afterEach(async () => {
    await gh.close();
  });

  function options(overrides: Partial<SyncIssueOptions> = {}): SyncIssueOptions {
    return {
      client,
      owner: gh.owner,
      repo: gh.repo,
      kind: 'drift',
      key: 'nightly',
      title: 'Data drift detected: nightly',
      body: 'table of run 1',
      labels: ['mlops', 'drift'],
      problem: true,
      runComment: 'run 1 still drifts',
      closeComment: 'no drift any more',
      closeResolved: true,
      log,
      retryBaseMs: 5,
      ...overrides,
    };
  }

  const marked = () =>
    gh.state.issues.filter((issue) => (issue.body ?? '').startsWith(`${issueMarker('drift', 'nightly')}\n`));
  const openMarked = () => marked().filter((issue) => issue.state === 'open');
  const bodiesOf = (number: number) => gh.state.commentsOf(number).map((comment) => comment.body);

  it('creates the issue and its missing labels on the first problem', async () => {
    gh.state.ensureLabel('mlops');
    const result = await syncIssue(options());

    expect(result.action).toBe('created');
    const [issue] = openMarked();
    expect(issue).toBeDefined();
    expect(result.number).toBe(issue!.number);
    expect(result.url).toMatch(new RegExp(`/issues/${issue!.number}$`));
    expect(issue!.title).toBe('Data drift detected: nightly');
    expect(issue!.body).toBe(`${issueMarker('drift', 'nightly')}\ntable of run 1`);
    expect(issue!.labels).toEqual(['mlops', 'drift']);
    expect(gh.state.labels.map((label) => label.name).sort()).toEqual(['drift', 'mlops']);
    expect(gh.state.label('drift')?.description).toMatch(/mlops/);
    // One label existed: its 422 already_exists is fine.
    expect(gh.requests.filter((r) => r.operationId === 'issues/create-label').map((r) => r.status)).toEqual([422, 201]);
    expect(gh.validationErrors).toEqual([]);
  });

  it('replaces the body and adds a run comment while the problem lasts, without a new issue', async () => {
    const first = await syncIssue(options());
    const second = await syncIssue(options({ body: 'table of run 2', runComment: 'run 2 still drifts' }));

    expect(second).toMatchObject({ action: 'updated', number: first.number });
    expect(openMarked()).toHaveLength(1);
    expect(openMarked()[0]!.body).toBe(`${issueMarker('drift', 'nightly')}\ntable of run 2`);
    const comments = bodiesOf(first.number!);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatch(/^<!-- mlops:drift-run:nightly:\S+ -->\nrun 2 still drifts$/);
    expect(gh.validationErrors).toEqual([]);
  });

  it('closes the issue with a comment when the problem is gone', async () => {
    const first = await syncIssue(options());
    const resolved = await syncIssue(options({ problem: false }));

    expect(resolved).toMatchObject({ action: 'closed', number: first.number });
    const issue = gh.state.issue(first.number!)!;
    expect(issue.state).toBe('closed');
    expect(issue.stateReason).toBe('completed');
    expect(bodiesOf(first.number!).at(-1)).toMatch(/no drift any more$/);
    // The next drift opens a new issue.
    const again = await syncIssue(options());
    expect(again.action).toBe('created');
    expect(again.number).not.toBe(first.number);
    expect(gh.validationErrors).toEqual([]);
  });

  it('leaves the issue open when close-resolved is false, and does nothing without an issue', async () => {
    expect(await syncIssue(options({ problem: false }))).toEqual({ action: 'none', closedDuplicates: [] });
    const first = await syncIssue(options());
    const kept = await syncIssue(options({ problem: false, closeResolved: false }));

    expect(kept).toMatchObject({ action: 'unchanged', number: first.number });
    expect(gh.state.issue(first.number!)!.state).toBe('open');
    expect(bodiesOf(first.number!)).toEqual([]);
  });

  it('keeps its issue when a person adds a note above the marker and removes every label', async () => {
    const marker = issueMarker('drift', 'nightly');
    for (let i = 0; i < 120; i++) gh.state.addIssue({ title: `other ${i}`, labels: ['mlops'] }, 'alice');
    const ours = gh.state.addIssue({
      title: 'Data drift detected: nightly',
      body: `note\n${marker}\nold table`,
      labels: [],
    });
    const quote = gh.state.addIssue({ title: 'a quote', body: `see\n${marker}\n` }, 'alice');

    const result = await syncIssue(options({ body: 'table of run 2' }));

    expect(result).toMatchObject({ action: 'updated', number: ours.number });
    expect(gh.requests.filter((r) => r.operationId === 'issues/create')).toEqual([]);
    expect(gh.state.issue(ours.number)!.body).toBe(`${marker}\ntable of run 2`);
    expect(gh.state.issue(quote.number)!.body).toBe(`see\n${marker}\n`);
    const closed = await syncIssue(options({ problem: false }));
    expect(closed).toMatchObject({ action: 'closed', number: ours.number });
    expect(gh.state.issue(quote.number)!.state).toBe('open');
    expect(gh.validationErrors).toEqual([]);
  });

  it('finds its issue among many open issues across pages, ignoring pull requests and quotes of the marker', async () => {
    const marker = issueMarker('drift', 'nightly');
    for (let i = 0; i < 230; i++) gh.state.addIssue({ title: `other ${i}`, labels: ['mlops'] }, 'alice');
    gh.state.addIssue({ title: 'a quote', body: `see\n${marker}\n`, labels: ['mlops'] }, 'alice');
    const pull = gh.state.addPullRequest({ body: `${marker}\nnot an issue` });
    pull.labels = ['mlops'];
    const ours = gh.state.addIssue({ title: 'old drift', body: `${marker}\nold table`, labels: ['mlops', 'drift'] });
    for (let i = 0; i < 40; i++) gh.state.addIssue({ title: `newer ${i}`, labels: ['mlops'] }, 'alice');

    const result = await syncIssue(options());

    expect(result).toMatchObject({ action: 'updated', number: ours.number });
    expect(ours.body).toBe(`${marker}\ntable of run 1`);
    expect(pull.body).toBe(`${marker}\nnot an issue`);
    const lists = gh.requests.filter((r) => r.operationId === 'issues/list-for-repo');
    expect(lists.length).toBeGreaterThanOrEqual(3);
    expect(lists[0]!.query).toContain('labels=mlops');
    expect(lists[0]!.query).toContain('state=open');
    expect(gh.validationErrors).toEqual([]);
  });

  it('converges two overlapping runs on one open issue, closing the duplicate with a link', async () => {
    for (let round = 0; round < 2; round++) {
      const key = `race-${round}`;
      const [a, b] = await Promise.all([
        syncIssue(options({ key, body: 'run A' })),
        syncIssue(options({ key, body: 'run B' })),
      ]);
      const mine = gh.state.issues.filter((issue) => (issue.body ?? '').startsWith(`${issueMarker('drift', key)}\n`));
      const open = mine.filter((issue) => issue.state === 'open');
      expect(open).toHaveLength(1);
      expect(a.number).toBe(open[0]!.number);
      expect(b.number).toBe(open[0]!.number);
      for (const closed of mine.filter((issue) => issue.state === 'closed')) {
        expect(closed.stateReason).toBe('duplicate');
        expect(bodiesOf(closed.number).join('\n')).toContain(`Duplicate of #${open[0]!.number}`);
      }
    }
    expect(gh.validationErrors).toEqual([]);
  });

  it('does not open a second issue when the answer to the create is lost', async () => {
    gh.faults.inject({ status: 502, times: 1, method: 'POST', path: /\/issues$/, afterHandling: true });
    const result = await syncIssue(options());

    expect(result.action).toBe('created');
    expect(marked()).toHaveLength(1);
    expect(gh.requests.filter((r) => r.operationId === 'issues/create')).toHaveLength(1);
  });

  it('does not post a run comment twice when its answer is lost', async () => {
    const first = await syncIssue(options());
    gh.faults.inject({ status: 502, times: 1, method: 'POST', path: /\/comments$/, afterHandling: true });
    await syncIssue(options({ body: 'run 2' }));

    expect(bodiesOf(first.number!)).toHaveLength(1);
  });

  it('ends with exactly one issue in the right state under 30% injected faults and rate limits', async () => {
    gh.faults.inject({ rateLimit: 'secondary', retryAfter: 1, times: 1, method: 'POST' });
    gh.faults.inject({ probability: 0.3, status: 503 });
    gh.faults.inject({ probability: 0.1, status: 502, method: 'POST', afterHandling: true });
    gh.faults.inject({ probability: 0.1, status: 502, method: 'PATCH', afterHandling: true });

    const steps: Array<[boolean, 'open' | 'closed']> = [
      [true, 'open'],
      [true, 'open'],
      [false, 'closed'],
      [true, 'open'],
    ];
    for (const [index, [problem, state]] of steps.entries()) {
      await syncIssue(options({ problem, body: `table ${index}` }));
      expect(openMarked()).toHaveLength(state === 'open' ? 1 : 0);
      if (state === 'open') expect(openMarked()[0]!.body).toBe(`${issueMarker('drift', 'nightly')}\ntable ${index}`);
    }
    expect(marked()).toHaveLength(2);
    expect(gh.requests.filter((r) => r.fault).length).toBeGreaterThan(5);
    expect(gh.validationErrors).toEqual([]);
  });

  it('explains a 403 as the missing issues: write permission', async () => {
    const readOnly = await createGitHubClient({ token: READ_ONLY_TOKEN, apiUrl: gh.url, log, retryBaseMs: 5 });
    await expect(syncIssue(options({ client: readOnly, permissionHint: 'Or set open-issue: false.' }))).rejects.toThrow(
      'Creating the labels in octo-org/octo-repo: the token may not write issues (HTTP 403: Resource not accessible by integration). Give the job `permissions: issues: write`. Or set open-issue: false.',
    );
    expect(gh.state.issues).toHaveLength(0);
  });
});

describe('sendRepositoryDispatch against the GitHub double', () => {
  let gh: GitHubDouble;

  beforeEach(async () => {
    gh = await startGitHubDouble();
  });

  afterEach(async () => {
    await gh.close();
  });

  it('sends the event with its payload, and explains a 403 as contents: write', async () => {
    const log = memoryLogger();
    const client = await createGitHubClient({ token: DEFAULT_TOKEN, apiUrl: gh.url, log, retryBaseMs: 5 });
    await sendRepositoryDispatch({
      client,
      owner: gh.owner,
      repo: gh.repo,
      eventType: 'retrain',
      payload: { name: 'nightly', drift: true },
      log,
    });
    expect(gh.state.dispatches.map((d) => [d.eventType, d.clientPayload])).toEqual([
      ['retrain', { name: 'nightly', drift: true }],
    ]);

    const readOnly = await createGitHubClient({ token: READ_ONLY_TOKEN, apiUrl: gh.url, log, retryBaseMs: 5 });
    await expect(
      sendRepositoryDispatch({
        client: readOnly,
        owner: gh.owner,
        repo: gh.repo,
        eventType: 'retrain',
        payload: {},
        log,
      }),
    ).rejects.toThrow(
      /HTTP 403: Resource not accessible by integration\)\. repository_dispatch needs `permissions: contents: write`/,
    );
    expect(gh.validationErrors).toEqual([]);
  });
});
