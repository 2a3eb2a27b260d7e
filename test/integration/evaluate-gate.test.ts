/**
 * evaluate-gate's bundle against the GitHub API double with real pull_request payloads: the
 * sticky comment (create, update across pages, races, faults), fork pull requests, the
 * comment-from-artifact poster, local mode, and baselines from git.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_TOKEN,
  GITHUB_ACTIONS_BOT,
  READ_ONLY_TOKEN,
  startGitHubDouble,
  type GitHubDouble,
} from '../support/github-double/index.js';
import { eventNameOf, loadEvent, type EventFixture } from '../support/events.js';
import { runBundle, runCliBundle, type BundleResult } from '../support/runner.js';
import { runActionInProcess, runCliInProcess } from '../support/in-process.js';
import { commitFiles, createBareRemote, createRepo, gitIn, makeTempDir, writeFiles } from '../support/git.js';
import { STRESS_TEST_TIMEOUT_MS } from '../support/timeouts.js';
import { seedVersions } from '../support/registry-seed.js';

const MARKER = '<!-- mlops:evaluate-gate workflow=ci key=default -->';

const GATES = `metrics:
  accuracy: {direction: higher, min: 0.8, max-regression: 0.02}
  loss: {direction: lower, max-regression-pct: 10, warn-only: true}
  slice.*: {direction: higher, min: 0.7}
`;

let gh: GitHubDouble;
let temp: { path: string; cleanup: () => void };

beforeEach(async () => {
  gh = await startGitHubDouble();
  temp = makeTempDir('mlops-gate-it-');
});

afterEach(async () => {
  temp.cleanup();
  // Every request the bundle made must be one GitHub's OpenAPI description allows.
  const problems = gh.validationErrors;
  await gh.close();
  expect(problems).toEqual([]);
});

function workspace(name: string, metrics: Record<string, unknown>, baseline?: Record<string, unknown>): string {
  const dir = join(temp.path, name);
  mkdirSync(dir, { recursive: true });
  writeFiles(dir, {
    'metrics.json': JSON.stringify({ slice: { a: 0.86 }, ...metrics }),
    'gates.yml': GATES,
    ...(baseline ? { 'baseline.json': JSON.stringify(baseline) } : {}),
  });
  return dir;
}

function pullRequestEvent(number: number, fixture: EventFixture = 'pull_request.opened', headSha?: string) {
  return {
    name: eventNameOf(fixture),
    payload: loadEvent(fixture, {
      owner: gh.owner,
      repo: gh.repo,
      pullNumber: number,
      apiUrl: gh.url,
      serverUrl: gh.serverUrl,
      // The payload's head is the pull request's head, as on GitHub, unless a test says otherwise.
      ...(headSha ? { headSha } : headOf(number)),
    }),
  };
}

function headOf(number: number): { headSha?: string } {
  const headSha = gh.state.issue(number)?.pullRequest?.headSha;
  return headSha ? { headSha } : {};
}

/**
 * Runs evaluate-gate: in this process unless `bundle` is set. The sticky-comment logic is the
 * same code either way; the tests about what the bundle reports (outputs, summary, exit code,
 * annotations) run it through the bundle.
 */
async function evaluate(
  dir: string,
  event: { name: string; payload: unknown } | undefined,
  options: {
    token?: string;
    inputs?: Record<string, string>;
    env?: Record<string, string | undefined>;
    bundle?: boolean;
  } = {},
): Promise<BundleResult> {
  return (options.bundle ? runBundle : runActionInProcess)('evaluate-gate', {
    workspace: dir,
    ...(event ? { event } : {}),
    token: options.token ?? DEFAULT_TOKEN,
    apiUrl: gh.url,
    serverUrl: gh.serverUrl,
    repository: `${gh.owner}/${gh.repo}`,
    inputs: { metrics: 'metrics.json', gates: 'gates.yml', baseline: 'file:baseline.json', ...options.inputs },
    env: { MLOPS_ARTIFACT_DIR: join(temp.path, 'artifacts'), MLOPS_RETRY_BASE_MS: '50', ...options.env },
    timeoutMs: 150_000,
  });
}

/** The sticky comments: by github-actions[bot], carrying the marker. */
function stickies(number: number) {
  return gh.state
    .commentsOf(number)
    .filter((c) => c.user.login === GITHUB_ACTIONS_BOT.login && c.body.includes(MARKER));
}

function expectOk(result: BundleResult, code = 0): void {
  if (result.code !== code)
    throw new Error(`exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
}

const BASE = { accuracy: 0.9, loss: 0.3, slice: { a: 0.85 } };

describe('sticky comment on pull_request', { timeout: STRESS_TEST_TIMEOUT_MS }, () => {
  it('creates the comment on the first run, with outputs, summary and report file', async () => {
    const pr = gh.state.addPullRequest();
    const dir = workspace('ws', { accuracy: 0.91, loss: 0.29 }, BASE);
    const result = await evaluate(dir, pullRequestEvent(pr.number), { bundle: true });
    expectOk(result);
    const comments = stickies(pr.number);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.startsWith(`${MARKER}\n<!-- mlops:stamp run=1000 attempt=1 time=`)).toBe(true);
    expect(body).toContain('### ✅ All 3 gates passed');
    expect(body).toContain('| `accuracy` ↑ | 0.9 | 0.91 | ▲ +0.01 | +1.11% | ✅ pass | |');
    expect(result.outputs['passed']).toBe('true');
    expect(result.outputs['comment-url']).toBe(
      `${gh.serverUrl}/${gh.owner}/${gh.repo}/pull/${pr.number}#issuecomment-${comments[0]!.id}`,
    );
    const report = readFileSync(join(dir, 'mlops-reports', 'evaluate-gate.md'), 'utf8');
    expect(result.outputs['report']).toBe(join(dir, 'mlops-reports', 'evaluate-gate.md'));
    expect(result.summary).toContain(report);
    expect(body.endsWith(report)).toBe(true);
    const results = JSON.parse(result.outputs['results']!);
    expect(results.passed).toBe(true);
    expect(results.counts).toEqual({ pass: 3, warn: 0, fail: 0, info: 0 });
    expect(gh.validationErrors).toEqual([]);
  });

  it('updates the same comment on a rerun, with more than 100 other comments before it', async () => {
    const pr = gh.state.addPullRequest();
    gh.state.addComments(pr.number, 150, 'octocat');
    // A human quoting the marker must never be mistaken for ours.
    const decoy = gh.state.addComment(pr.number, `quoting: ${MARKER}`, 'octocat');
    const first = await evaluate(workspace('one', { accuracy: 0.91, loss: 0.29 }, BASE), pullRequestEvent(pr.number));
    expectOk(first);
    const [created] = stickies(pr.number);
    expect(created).toBeDefined();

    gh.state.addComments(pr.number, 120, 'someone-else');
    const before = gh.requests.length;
    const rerun = await evaluate(workspace('two', { accuracy: 0.85, loss: 0.35 }, BASE), pullRequestEvent(pr.number));
    expectOk(rerun, 1);
    const after = stickies(pr.number);
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBe(created!.id);
    expect(after[0]!.body).toContain('### ❌ 1 of 3 gates failed');
    expect(after[0]!.body).toContain('regressed by 0.05 (allowed 0.02)');
    expect(gh.state.commentsOf(pr.number).find((c) => c.id === decoy.id)?.body).toBe(`quoting: ${MARKER}`);
    // The rerun listed every page (271 comments = 3 pages) and created nothing.
    const rerunRequests = gh.requests.slice(before);
    expect(rerunRequests.filter((r) => r.method === 'POST')).toHaveLength(0);
    expect(
      rerunRequests.filter((r) => r.method === 'GET' && r.path.endsWith('/comments')).length,
    ).toBeGreaterThanOrEqual(3);
    expect(rerun.outputs['passed']).toBe('false');
    expect(
      rerun.annotations.some((a) => a.level === 'error' && a.message.includes('accuracy: regressed by 0.05')),
    ).toBe(true);
  });

  it('reconciles duplicates left by racing runs: keeps the oldest, deletes the rest', async () => {
    const pr = gh.state.addPullRequest();
    const stale = `${MARKER}\n<!-- mlops:stamp run=999 attempt=1 time=2020-01-01T00:00:00.000Z -->\nold report`;
    const oldest = gh.state.addComment(pr.number, stale, GITHUB_ACTIONS_BOT);
    gh.state.addComment(pr.number, stale.replace('old report', 'other old report'), GITHUB_ACTIONS_BOT);
    const result = await evaluate(workspace('ws', { accuracy: 0.91, loss: 0.29 }, BASE), pullRequestEvent(pr.number));
    expectOk(result);
    const after = stickies(pr.number);
    expect(after.map((c) => c.id)).toEqual([oldest.id]);
    expect(after[0]!.body).toContain('### ✅ All 3 gates passed');
  });

  it('two runs racing leave exactly one comment, holding one run’s full report', async () => {
    // Two rounds: the processes start together, so most rounds really race (both list, both create).
    let raced = 0;
    for (const round of [1, 2]) {
      const pr = gh.state.addPullRequest();
      const event = pullRequestEvent(pr.number);
      const from = gh.requests.length;
      const a = workspace(`a${round}`, { accuracy: 0.91, loss: 0.29 }, BASE);
      const b = workspace(`b${round}`, { accuracy: 0.95, loss: 0.2 }, BASE);
      const [ra, rb] = await Promise.all([evaluate(a, event), evaluate(b, event)]);
      expectOk(ra);
      expectOk(rb);
      const after = stickies(pr.number);
      expect(after).toHaveLength(1);
      const reportA = readFileSync(join(a, 'mlops-reports', 'evaluate-gate.md'), 'utf8');
      const reportB = readFileSync(join(b, 'mlops-reports', 'evaluate-gate.md'), 'utf8');
      const body = after[0]!.body;
      expect(body.endsWith(reportA) || body.endsWith(reportB)).toBe(true);
      expect(ra.outputs['comment-url']).toBe(rb.outputs['comment-url']);
      // A real race: both runs listed the comments before the first one was created.
      const requests = gh.requests.slice(from);
      const firstCreate = requests.findIndex((r) => r.method === 'POST' && r.path.endsWith('/comments'));
      const listsBefore = requests
        .slice(0, firstCreate)
        .filter((r) => r.method === 'GET' && r.path.endsWith(`/issues/${pr.number}/comments`)).length;
      if (listsBefore >= 2) raced++;
    }
    expect(raced).toBeGreaterThan(0);
  });

  it('ends with exactly one correct comment under 30% injected faults', async () => {
    const pr = gh.state.addPullRequest();
    gh.state.addComments(pr.number, 40, 'octocat');
    gh.faults.inject({ probability: 0.3, status: 502 });
    gh.faults.inject({ probability: 0.05, rateLimit: 'secondary', retryAfter: 1 });
    const first = await evaluate(workspace('one', { accuracy: 0.91, loss: 0.29 }, BASE), pullRequestEvent(pr.number));
    expectOk(first);
    const second = await evaluate(workspace('two', { accuracy: 0.93, loss: 0.28 }, BASE), pullRequestEvent(pr.number));
    expectOk(second);
    expect(gh.requests.filter((r) => r.fault).length).toBeGreaterThan(0);
    gh.faults.clear();
    const after = stickies(pr.number);
    expect(after).toHaveLength(1);
    expect(after[0]!.body).toContain('| `accuracy` ↑ | 0.9 | 0.93 |');
  }, 180_000);

  it('recognises its own comments with a custom GitHub App installation token', async () => {
    const appToken = 'ghs_customAppInstallationToken000000000';
    gh.addToken(appToken, { login: 'my-ml-app[bot]', type: 'Bot' });
    const pr = gh.state.addPullRequest();
    // Someone else's bot quoting the marker later must not be taken for ours.
    const first = await evaluate(workspace('one', { accuracy: 0.91, loss: 0.29 }, BASE), pullRequestEvent(pr.number), {
      token: appToken,
    });
    expectOk(first);
    gh.state.addComment(pr.number, `${MARKER}\nnot ours`, 'other-bot[bot]');
    const ours = () => gh.state.commentsOf(pr.number).filter((c) => c.user.login === 'my-ml-app[bot]');
    const [created] = ours();
    expect(created).toBeDefined();
    const before = gh.requests.length;
    const rerun = await evaluate(workspace('two', { accuracy: 0.95, loss: 0.29 }, BASE), pullRequestEvent(pr.number), {
      token: appToken,
    });
    expectOk(rerun);
    expect(ours().map((c) => c.id)).toEqual([created!.id]);
    expect(ours()[0]!.body).toContain('| 0.9 | 0.95 |');
    expect(gh.requests.slice(before).filter((r) => r.method === 'POST' || r.method === 'DELETE')).toEqual([]);
    expect(gh.state.commentsOf(pr.number).find((c) => c.user.login === 'other-bot[bot]')?.body).toBe(
      `${MARKER}\nnot ours`,
    );
  });

  it('with a personal token, matches comments by that user only (GET /user)', async () => {
    const pat = 'ghp_personalAccessTokenForTheDouble00000';
    gh.addToken(pat, { login: 'ml-reviewer', type: 'User' });
    const pr = gh.state.addPullRequest();
    const actionsComment = gh.state.addComment(pr.number, `${MARKER}\nby the Actions bot`, GITHUB_ACTIONS_BOT);
    const first = await evaluate(workspace('one', { accuracy: 0.91, loss: 0.29 }, BASE), pullRequestEvent(pr.number), {
      token: pat,
    });
    expectOk(first);
    const rerun = await evaluate(workspace('two', { accuracy: 0.92, loss: 0.29 }, BASE), pullRequestEvent(pr.number), {
      token: pat,
    });
    expectOk(rerun);
    const mine = gh.state.commentsOf(pr.number).filter((c) => c.user.login === 'ml-reviewer');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toContain('| 0.9 | 0.92 |');
    expect(gh.state.commentsOf(pr.number).find((c) => c.id === actionsComment.id)?.body).toBe(
      `${MARKER}\nby the Actions bot`,
    );
    expect(gh.requests.filter((r) => r.method === 'GET' && r.path === '/user').map((r) => r.status)).toEqual([
      200, 200,
    ]);
  });

  it('works against GitHub Enterprise Server (an /api/v3 prefix)', async () => {
    const ghes = await startGitHubDouble({ pathPrefix: '/api/v3' });
    try {
      const pr = ghes.state.addPullRequest();
      const payload = loadEvent('pull_request.opened', {
        owner: ghes.owner,
        repo: ghes.repo,
        pullNumber: pr.number,
        headSha: pr.pullRequest!.headSha,
      });
      const result = await runBundle('evaluate-gate', {
        workspace: workspace('ws', { accuracy: 0.91, loss: 0.29 }, BASE),
        event: { name: 'pull_request', payload },
        token: DEFAULT_TOKEN,
        apiUrl: ghes.url,
        serverUrl: ghes.serverUrl,
        repository: `${ghes.owner}/${ghes.repo}`,
        inputs: { metrics: 'metrics.json', gates: 'gates.yml', baseline: 'file:baseline.json' },
        env: { MLOPS_ARTIFACT_DIR: join(temp.path, 'artifacts') },
      });
      expectOk(result);
      expect(ghes.state.commentsOf(pr.number)).toHaveLength(1);
      expect(ghes.validationErrors).toEqual([]);
    } finally {
      await ghes.close();
    }
  });

  it('does not comment outside pull requests', async () => {
    const result = await evaluate(workspace('ws', { accuracy: 0.91, loss: 0.29 }, BASE), {
      name: 'push',
      payload: loadEvent('push', { owner: gh.owner, repo: gh.repo }),
    });
    expectOk(result);
    expect(gh.requests.filter((r) => r.host === 'api')).toEqual([]);
    expect(result.outputs['comment-url']).toBeUndefined();
    expect(result.summary).toContain('### ✅ All 3 gates passed');
  });
});

describe('a run whose commit is no longer the pull request head (#8 item 13)', () => {
  it('leaves the sticky comment to the newer run, says so, and exits by its own verdict', async () => {
    const pr = gh.state.addPullRequest();
    const tested = pr.pullRequest!.headSha;
    const earlier = `${MARKER}\n<!-- mlops:stamp run=999 attempt=1 time=2024-01-01T00:00:00Z -->\nan earlier report\n`;
    gh.state.addComment(pr.number, earlier, GITHUB_ACTIONS_BOT);
    // A push moved the head while this run, for the old commit, was still training.
    const newHead = 'b'.repeat(40);
    pr.pullRequest!.headSha = newHead;
    const dir = workspace('ws', { accuracy: 0.5, loss: 0.29 }, BASE);
    const result = await evaluate(dir, pullRequestEvent(pr.number, 'pull_request.synchronize', tested));
    expectOk(result, 1);
    expect(stickies(pr.number).map((c) => c.body)).toEqual([earlier]);
    expect(gh.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    const line = `Not updating the comment on pull request #${pr.number}: its head is now ${newHead.slice(0, 12)}, but this run tested ${tested.slice(0, 12)}; the run for the new head owns the comment.`;
    expect(result.stdout).toContain(line);
    expect(result.summary).toContain(`> ${line}`);
    expect(result.outputs['comment-url']).toBeUndefined();
    expect(JSON.parse(result.outputs['results']!).passed).toBe(false);
  });
});

/** Whether a GET of pull request `number` (the head check) comes right before every comment write. */
function headCheckedBeforeEveryWrite(number: number, from = 0): { writes: number; unchecked: string[] } {
  const requests = gh.requests;
  const pullPath = `/repos/${gh.owner}/${gh.repo}/pulls/${number}`;
  const writes = requests
    .map((r, index) => ({ r, index }))
    .filter(({ index }) => index >= from)
    .filter(({ r }) => (r.method === 'PATCH' || r.method === 'POST') && /\/comments(\/\d+)?$/.test(r.path));
  const unchecked = writes
    .filter(({ index }) => {
      const before = requests[index - 1];
      return !(before?.method === 'GET' && before.path === pullPath);
    })
    .map(
      ({ r, index }) =>
        `#${index} ${r.method} ${r.path} after ${requests[index - 1]?.method} ${requests[index - 1]?.path}`,
    );
  return { writes: writes.length, unchecked };
}

describe('the head check runs right before every attempt of a comment write (#8 item 13)', () => {
  it('re-checks the head before each retry of a PATCH that failed with 502', async () => {
    const pr = gh.state.addPullRequest();
    const earlier = `${MARKER}\n<!-- mlops:stamp run=1 attempt=1 time=2020-01-01T00:00:00Z -->\nan earlier report\n`;
    gh.state.addComment(pr.number, earlier, GITHUB_ACTIONS_BOT);
    gh.faults.inject({ status: 502, method: 'PATCH', times: 2 });
    const dir = workspace('ws', { accuracy: 0.91, loss: 0.29 }, BASE);
    const result = await evaluate(dir, pullRequestEvent(pr.number));
    expectOk(result);
    const checked = headCheckedBeforeEveryWrite(pr.number);
    expect(checked.writes).toBe(3);
    expect(checked.unchecked).toEqual([]);
    expect(stickies(pr.number)).toHaveLength(1);
    expect(stickies(pr.number)[0]!.body).toContain('### ✅ All 3 gates passed');
  });

  it('re-checks the head before retrying a PATCH that hit the secondary rate limit', async () => {
    const pr = gh.state.addPullRequest();
    const earlier = `${MARKER}\n<!-- mlops:stamp run=1 attempt=1 time=2020-01-01T00:00:00Z -->\nan earlier report\n`;
    gh.state.addComment(pr.number, earlier, GITHUB_ACTIONS_BOT);
    gh.faults.inject({ rateLimit: 'secondary', retryAfter: 1, method: 'PATCH', times: 1 });
    const dir = workspace('ws', { accuracy: 0.91, loss: 0.29 }, BASE);
    const result = await evaluate(dir, pullRequestEvent(pr.number));
    expectOk(result);
    expect(headCheckedBeforeEveryWrite(pr.number)).toEqual({ writes: 2, unchecked: [] });
    expect(stickies(pr.number)[0]!.body).toContain('### ✅ All 3 gates passed');
  });

  it('stops retrying when the head moved during the backoff', async () => {
    const pr = gh.state.addPullRequest();
    const earlier = `${MARKER}\n<!-- mlops:stamp run=1 attempt=1 time=2020-01-01T00:00:00Z -->\nan earlier report\n`;
    gh.state.addComment(pr.number, earlier, GITHUB_ACTIONS_BOT);
    const rule = gh.faults.inject({ status: 502, method: 'PATCH', times: 1 });
    const tested = pr.pullRequest!.headSha;
    // The double answers the faulted PATCH; a push lands before the retry.
    const moved = 'd'.repeat(40);
    const watcher = setInterval(() => {
      if (rule.hits > 0) pr.pullRequest!.headSha = moved;
    }, 5);
    const dir = workspace('ws', { accuracy: 0.91, loss: 0.29 }, BASE);
    const result = await evaluate(dir, pullRequestEvent(pr.number, 'pull_request.opened', tested)).finally(() =>
      clearInterval(watcher),
    );
    expectOk(result);
    expect(stickies(pr.number).map((c) => c.body)).toEqual([earlier]);
    expect(result.stdout).toContain(`its head is now ${moved.slice(0, 12)}`);
  });
});

describe('fork pull requests', () => {
  it('passes with the report in the summary and an artifact, warning once with the fix', async () => {
    const pr = gh.state.addPullRequest();
    const event = pullRequestEvent(pr.number, 'pull_request.opened.fork', pr.pullRequest!.headSha);
    const dir = workspace('ws', { accuracy: 0.91, loss: 0.29 }, BASE);
    const result = await evaluate(dir, event, { token: READ_ONLY_TOKEN });
    expectOk(result);
    expect(result.outputs['passed']).toBe('true');
    expect(result.summary).toContain('### ✅ All 3 gates passed');
    expect(gh.state.commentsOf(pr.number)).toEqual([]);
    const warnings = result.annotations.filter((a) => a.level === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain(`Cannot comment on pull request #${pr.number}`);
    expect(warnings[0]!.message).toContain('fork');
    expect(warnings[0]!.message).toContain('action-templates/pr-comment.yml');
    expect(result.annotations.filter((a) => a.level === 'error')).toEqual([]);
    const artifact = join(temp.path, 'artifacts', 'mlops-evaluate-gate-default');
    expect(readFileSync(join(artifact, 'report.md'), 'utf8')).toBe(
      readFileSync(join(dir, 'mlops-reports', 'evaluate-gate.md'), 'utf8'),
    );
    expect(JSON.parse(readFileSync(join(artifact, 'pr.json'), 'utf8'))).toEqual({
      number: pr.number,
      headSha: pr.pullRequest!.headSha,
      commentKey: 'default',
      workflow: 'ci',
    });
  });

  it('still fails on a failed gate, but not because of the comment', async () => {
    const pr = gh.state.addPullRequest();
    const event = pullRequestEvent(pr.number, 'pull_request.opened.fork');
    // No artifact service here either: still exactly one warning, saying so.
    const result = await evaluate(workspace('ws', { accuracy: 0.7, loss: 0.29 }, BASE), event, {
      token: READ_ONLY_TOKEN,
      env: { MLOPS_ARTIFACT_DIR: undefined },
    });
    expectOk(result, 1);
    const warnings = result.annotations.filter((a) => a.level === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('workflow artifacts are unavailable here');
    const errors = result.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors).toContain('1 of 3 gates failed: accuracy (see the report).');
    expect(errors.some((m) => /comment/i.test(m))).toBe(false);
  });
});

describe('comment problems that are not forks', () => {
  it('fails with the fix when a same-repository pull request’s token may not write', async () => {
    const pr = gh.state.addPullRequest();
    const dir = workspace('ws', { accuracy: 0.91, loss: 0.29 }, BASE);
    const result = await evaluate(dir, pullRequestEvent(pr.number), { token: READ_ONLY_TOKEN });
    expectOk(result, 1);
    const errors = result.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`Cannot comment on pull request #${pr.number}`);
    expect(errors[0]).toContain('permissions: pull-requests: write');
    expect(errors[0]).not.toContain('fork');
    // The report was still written before the step failed.
    expect(result.summary).toContain('### ✅ All 3 gates passed');
    expect(existsSync(join(dir, 'mlops-reports', 'evaluate-gate.md'))).toBe(true);
  });

  it('warns but keeps a passing verdict when GitHub refuses for another reason (a locked conversation)', async () => {
    const pr = gh.state.addPullRequest();
    pr.locked = true;
    const result = await evaluate(workspace('ws', { accuracy: 0.91, loss: 0.29 }, BASE), pullRequestEvent(pr.number));
    expectOk(result);
    expect(result.outputs['passed']).toBe('true');
    const warnings = result.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('locked');
    expect(warnings[0]).toContain('mlops-evaluate-gate-default');
    expect(result.annotations.filter((a) => a.level === 'error')).toEqual([]);
  });

  it('with fail-on-regression false, reports failed gates as warnings, not errors', async () => {
    const pr = gh.state.addPullRequest();
    const result = await evaluate(workspace('ws', { accuracy: 0.7, loss: 0.29 }, BASE), pullRequestEvent(pr.number), {
      inputs: { 'fail-on-regression': 'false' },
    });
    expectOk(result);
    expect(result.outputs['passed']).toBe('false');
    expect(result.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(
      result.annotations.some((a) => a.level === 'warning' && a.message.startsWith('accuracy: 0.7 is below')),
    ).toBe(true);
  });
});

describe('comment-from-artifact', () => {
  function artifact(dir: string, number: unknown, report = '### report\n'): string {
    mkdirSync(join(dir, 'mlops-evaluate-gate'), { recursive: true });
    writeFileSync(join(dir, 'mlops-evaluate-gate', 'report.md'), report);
    writeFileSync(join(dir, 'mlops-evaluate-gate', 'pr.json'), JSON.stringify({ number }));
    return dir;
  }

  function workflowRun(headSha: string) {
    const payload = loadEvent('workflow_run.completed', { owner: gh.owner, repo: gh.repo, apiUrl: gh.url });
    const run = payload.workflow_run as Record<string, unknown>;
    run.name = 'ci';
    run.event = 'pull_request';
    run.head_sha = headSha;
    return { name: 'workflow_run', payload };
  }

  async function post(dir: string, event: { name: string; payload: unknown }, bundle = false) {
    return (bundle ? runBundle : runActionInProcess)('evaluate-gate', {
      workspace: dir,
      event,
      token: DEFAULT_TOKEN,
      apiUrl: gh.url,
      serverUrl: gh.serverUrl,
      repository: `${gh.owner}/${gh.repo}`,
      inputs: {
        comment: 'comment-from-artifact',
        report: 'mlops-evaluate-gate/report.md',
        metrics: 'unused.json',
        gates: 'unused.yml',
      },
    });
  }

  it('refuses a pr.json whose number is not a positive integer', async () => {
    const dir = artifact(join(temp.path, 'ws'), '7; rm -rf /');
    const result = await post(dir, workflowRun('a'.repeat(40)), true);
    expect(result.code).toBe(1);
    const error = result.annotations.find((a) => a.level === 'error');
    expect(error?.message).toBe(
      'mlops-evaluate-gate/pr.json, key "number": "number" must be a positive whole number, got "7; rm -rf /".',
    );
    expect(gh.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('refuses a pr.json naming a pull request whose head comes from another repository (#8 item 4)', async () => {
    // Two pull requests can share a head commit: anyone can push alice's commit to their own fork.
    const sha = 'c'.repeat(40);
    const victim = gh.state.addPullRequest({ headSha: sha, headOwner: 'alice' });
    gh.state.addPullRequest({ headSha: sha, headOwner: 'mallory' });
    const dir = artifact(join(temp.path, 'ws'), victim.number, '### forged report\n');
    const event = workflowRun(sha);
    const run = (event.payload as { workflow_run: Record<string, unknown> }).workflow_run;
    run.head_repository = { ...(run.head_repository as object), full_name: `mallory/${gh.repo}` };
    const result = await post(dir, event);
    expect(result.code).toBe(1);
    expect(result.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      `mlops-evaluate-gate/pr.json, key "number": pull request #${victim.number}'s head is alice/${gh.repo}@${sha.slice(0, 12)}, but the run that made the report tested mallory/${gh.repo}@${sha.slice(0, 12)}: not posting.`,
    ]);
    expect(gh.state.commentsOf(victim.number)).toEqual([]);
    expect(gh.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('refuses a workflow_run that does not say which repository its run tested (#8 item 4)', async () => {
    const pr = gh.state.addPullRequest();
    const dir = artifact(join(temp.path, 'ws'), pr.number);
    const event = workflowRun(pr.pullRequest!.headSha);
    delete (event.payload as { workflow_run: Record<string, unknown> }).workflow_run.head_repository;
    const result = await post(dir, event);
    expect(result.code).toBe(1);
    expect(result.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      `the workflow_run payload has no head_repository, so pull request #${pr.number}'s head (${gh.owner}/${gh.repo}@${pr.pullRequest!.headSha.slice(0, 12)}) cannot be checked against the repository the run tested: not posting.`,
    ]);
    expect(gh.state.commentsOf(pr.number)).toEqual([]);
    expect(gh.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('refuses a workflow_run whose run was not a pull request run', async () => {
    const pr = gh.state.addPullRequest();
    const dir = artifact(join(temp.path, 'ws'), pr.number);
    const event = workflowRun(pr.pullRequest!.headSha);
    (event.payload as { workflow_run: Record<string, unknown> }).workflow_run.event = 'push';
    const result = await post(dir, event);
    expect(result.code).toBe(1);
    expect(result.annotations.find((a) => a.level === 'error')?.message).toBe(
      'comment: comment-from-artifact posts the reports of pull_request runs; the triggering run was a push run (see the if: in action-templates/pr-comment.yml).',
    );
    expect(gh.state.commentsOf(pr.number)).toEqual([]);
  });

  it('refuses to run outside a workflow_run event', async () => {
    const dir = artifact(join(temp.path, 'ws'), 1);
    const result = await post(dir, pullRequestEvent(1));
    expect(result.code).toBe(1);
    expect(result.annotations.find((a) => a.level === 'error')?.message).toBe(
      'comment: comment-from-artifact runs in a workflow triggered by workflow_run (this event is pull_request); see action-templates/pr-comment.yml.',
    );
  });

  it('posts the fork run’s artifact as the sticky comment after checking the head sha', async () => {
    const pr = gh.state.addPullRequest();
    const headSha = pr.pullRequest!.headSha;
    const forkDir = workspace('fork', { accuracy: 0.91, loss: 0.29 }, BASE);
    expectOk(
      await evaluate(forkDir, pullRequestEvent(pr.number, 'pull_request.opened.fork', headSha), {
        token: READ_ONLY_TOKEN,
      }),
    );
    const poster = join(temp.path, 'poster');
    mkdirSync(poster);
    const source = join(temp.path, 'artifacts', 'mlops-evaluate-gate-default');
    mkdirSync(join(poster, 'mlops-evaluate-gate'));
    for (const file of readdirSync(source)) {
      let text = readFileSync(join(source, file), 'utf8');
      // Hostile report text must not be able to plant a marker for another sticky comment.
      if (file === 'report.md') text = `<!-- mlops:evaluate-gate workflow=other key=x -->\n${text}`;
      writeFileSync(join(poster, 'mlops-evaluate-gate', file), text);
    }
    const posting = gh.requests.length;
    const result = await post(poster, workflowRun(headSha));
    expectOk(result);
    const after = stickies(pr.number);
    expect(after).toHaveLength(1);
    expect(after[0]!.body).toContain('### ✅ All 3 gates passed');
    expect(after[0]!.body).not.toContain('workflow=other');
    expect(result.outputs['comment-url']).toContain(`#issuecomment-${after[0]!.id}`);

    // The poster checks the head right before its write, as a direct run does.
    expect(headCheckedBeforeEveryWrite(pr.number, posting)).toEqual({ writes: 1, unchecked: [] });

    // A report for a head the pull request has moved past is not posted.
    const stale = await post(poster, workflowRun('b'.repeat(40)));
    expectOk(stale);
    expect(stale.annotations.some((a) => a.level === 'warning' && a.message.startsWith('Not commenting'))).toBe(true);
  });
});

describe('local mode', () => {
  it('writes the comment to .mlops/outbox/ and prints a short summary, with no GitHub at all', async () => {
    const dir = workspace('ws', { accuracy: 0.91, loss: 0.29 }, BASE);
    const result = await runCliBundle(
      ['evaluate-gate', '--metrics', 'metrics.json', '--gates', 'gates.yml', '--baseline', 'file:baseline.json'],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    const outbox = join(dir, '.mlops', 'outbox', 'comment-evaluate-gate-default.md');
    const text = readFileSync(outbox, 'utf8');
    expect(text).toContain('<!-- mlops:evaluate-gate workflow=local key=default -->');
    expect(text).toContain('### ✅ All 3 gates passed');
    // stdout is the human summary: the verdict and where the report is, not the comment's markdown.
    expect(result.stdout).toContain('PASSED  evaluate-gate: 3 gates passed');
    expect(result.stdout).toContain(`Report: ${join(dir, 'mlops-reports', 'evaluate-gate.md')}`);
    expect(result.stdout).not.toContain('<!--');
    expect(result.stderr).toContain(`Local mode: the comment is in ${outbox}.`);
  });

  it('exits 2 with one line naming the file and key for a non-numeric metric', async () => {
    const dir = workspace('ws', {});
    writeFileSync(join(dir, 'metrics.json'), '{"accuracy": "high"}');
    const result = await runCliInProcess(['evaluate-gate', '--metrics', 'metrics.json', '--gates', 'gates.yml'], {
      cwd: dir,
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'mlops: error: metrics.json:1:2, key "accuracy": metric "accuracy" is the text "high", not a number.',
    );
  });
});

describe('inputs', () => {
  it('takes inline gates YAML, several metrics files, and fail-on-regression false', async () => {
    const dir = workspace('ws', { accuracy: 0.6 });
    writeFileSync(join(dir, 'extra.yaml'), 'latency_ms: 120\n');
    const result = await runCliInProcess(
      [
        'evaluate-gate',
        '--metrics',
        'metrics.json',
        '--metrics',
        'extra.yaml',
        '--gates',
        'metrics:\n  accuracy: {min: 0.8}\n  latency_ms: {direction: lower, max: 100}\n',
        '--baseline',
        'none',
        '--fail-on-regression',
        'false',
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('FAILED (not enforced: fail-on-regression is false)  evaluate-gate: 2 of 2 gates');
    expect(result.stdout).toContain('120 is above the maximum 100');
    const report = readFileSync(join(dir, 'mlops-reports', 'evaluate-gate.md'), 'utf8');
    expect(report).toContain('### ❌ 2 of 2 gates failed (reported only: fail-on-regression is false)');
    expect(report).toContain('**No baseline**: baseline: none was asked for.');
  });

  it('exits 2 naming the input for a missing metrics file, and the line for a bad gates file', async () => {
    const dir = workspace('ws', { accuracy: 0.9 });
    const missing = await runCliBundle(['evaluate-gate', '--metrics', 'nope.json', '--gates', 'gates.yml'], {
      cwd: dir,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe('mlops: error: --metrics: nope.json does not exist.');
    writeFileSync(join(dir, 'bad.yml'), 'metrics:\n  accuracy:\n    direction: up\n');
    const bad = await runCliInProcess(['evaluate-gate', '--metrics', 'metrics.json', '--gates', 'bad.yml'], {
      cwd: dir,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'mlops: error: bad.yml:3:5, key "metrics.accuracy.direction": metrics > accuracy > direction must be one of "higher", "lower".',
    );
  });
});

describe('baseline auto on a pull request', () => {
  it('reads the metrics file at the base sha, fetching it into a shallow clone', async () => {
    const remote = createBareRemote(temp.path);
    const work = createRepo(temp.path, 'work', remote, { 'metrics.json': JSON.stringify(BASE), 'gates.yml': GATES });
    const baseSha = gitIn(work, 'rev-parse', 'HEAD');
    const headSha = commitFiles(work, { 'metrics.json': JSON.stringify({ accuracy: 0.86, loss: 0.31 }) });
    gitIn(work, 'push', '--quiet', 'origin', 'main');
    const clone = join(temp.path, 'shallow');
    gitIn(temp.path, 'clone', '--quiet', '--depth=1', `file://${remote}`, clone);
    expect(gitIn(clone, 'rev-parse', 'HEAD')).toBe(headSha);
    const pr = gh.state.addPullRequest({ headSha });
    const event = {
      name: 'pull_request',
      payload: loadEvent('pull_request.synchronize', {
        owner: gh.owner,
        repo: gh.repo,
        pullNumber: pr.number,
        apiUrl: gh.url,
        headSha,
        baseSha,
      }),
    };
    const result = await evaluate(clone, event, { inputs: { baseline: 'auto' } });
    expectOk(result, 1);
    const results = JSON.parse(result.outputs['results']!);
    expect(results.baseline.resolved).toBe(`the pull request base ${baseSha.slice(0, 7)} (metrics.json)`);
    expect(results.metrics[0]).toMatchObject({ metric: 'accuracy', baseline: 0.9, candidate: 0.86, verdict: 'fail' });
    expect(stickies(pr.number)[0]!.body).toContain(`Compared with **the pull request base ${baseSha.slice(0, 7)}`);
  });

  it('prefers registry:<model>@production from a real registry branch, and charts the history', async () => {
    const remote = createBareRemote(temp.path);
    const work = createRepo(temp.path, 'work', remote, { 'gates.yml': GATES });
    // The versions are seeded in this process with register's own code (the gate is the subject here).
    await seedVersions({
      workspace: work,
      model: 'churn',
      versions: [
        { bytes: 'model one', metrics: { accuracy: 0.8, loss: 0.4, 'slice.a': 0.8 } },
        { bytes: 'model two', metrics: { accuracy: 0.88, loss: 0.33, 'slice.a': 0.84 }, alias: 'production' },
        { bytes: 'model three', metrics: { accuracy: 0.7, loss: 0.5, 'slice.a': 0.7 } },
      ],
    });
    writeFiles(work, { 'metrics.json': JSON.stringify({ accuracy: 0.89, loss: 0.32, slice: { a: 0.85 } }) });
    const pr = gh.state.addPullRequest();
    const result = await evaluate(work, pullRequestEvent(pr.number), { inputs: { baseline: 'auto', model: 'churn' } });
    expectOk(result);
    const results = JSON.parse(result.outputs['results']!);
    expect(results.baseline).toEqual({
      requested: 'auto',
      resolved: 'registry:churn@production (v2)',
      note: 'auto: the production model',
    });
    const body = stickies(pr.number)[0]!.body;
    expect(body).toContain('| `accuracy` ↑ | 0.88 | 0.89 | ▲ +0.01 |');
    expect(body).toContain(`x-axis ["v1", "v2", "v3", "PR #${pr.number}"]`);
    expect(body).toContain('line [0.8, 0.88, 0.7, 0.89]');
    expect(body).toContain('| Model version | `churn` v2 | — |');

    const pinned = await evaluate(work, pullRequestEvent(pr.number), { inputs: { baseline: 'registry:churn@v3' } });
    expectOk(pinned);
    expect(JSON.parse(pinned.outputs['results']!).baseline.resolved).toBe('registry:churn@v3');
  });

  it('with baseline none, says so and still applies absolute gates', async () => {
    const pr = gh.state.addPullRequest();
    const dir = workspace('ws', { accuracy: 0.75, loss: 0.3 });
    const result = await evaluate(dir, pullRequestEvent(pr.number), { inputs: { baseline: 'none' } });
    expectOk(result, 1);
    const body = stickies(pr.number)[0]!.body;
    expect(body).toContain('**No baseline**: baseline: none was asked for.');
    expect(body).toContain('0.75 is below the minimum 0.8');
    expect(existsSync(join(dir, 'mlops-reports', 'evaluate-gate.md'))).toBe(true);
  });

  it('a baseline file that does not exist stops the step before any report or comment', async () => {
    const pr = gh.state.addPullRequest();
    const dir = workspace('ws', { accuracy: 0.95, loss: 0.3 });
    const result = await evaluate(dir, pullRequestEvent(pr.number), { inputs: { baseline: 'file:missing.json' } });
    expect(result.code).toBe(1);
    expect(result.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      'Input "baseline": file:missing.json does not exist.',
    ]);
    expect(stickies(pr.number)).toEqual([]);
    expect(existsSync(join(dir, 'mlops-reports', 'evaluate-gate.md'))).toBe(false);
  });
});
