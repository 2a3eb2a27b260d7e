/**
 * evaluate-gate `comment: issue` (performance monitoring on a schedule): the built bundle against
 * the GitHub API double opens one issue per comment-key while gates fail, updates it, closes it
 * when they pass, explains a 403, skips pull requests, and writes the outbox in local mode.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_TOKEN,
  READ_ONLY_TOKEN,
  startGitHubDouble,
  type GitHubDouble,
} from '../support/github-double/index.js';
import { eventNameOf, loadEvent } from '../support/events.js';
import { runBundle, type BundleResult } from '../support/runner.js';
import { makeTempDir, writeFiles } from '../support/git.js';

const GATES = `metrics:
  accuracy: {direction: higher, min: 0.8}
`;
const MARKER = '<!-- mlops:gate:monitor -->';

let gh: GitHubDouble;
let temp: { path: string; cleanup: () => void };

beforeEach(async () => {
  gh = await startGitHubDouble();
  temp = makeTempDir('mlops-gate-monitor-');
});

afterEach(async () => {
  temp.cleanup();
  const problems = gh.validationErrors;
  await gh.close();
  expect(problems).toEqual([]);
});

function workspace(accuracy: number): string {
  const dir = join(temp.path, `ws-${accuracy}`);
  mkdirSync(dir, { recursive: true });
  writeFiles(dir, { 'metrics.json': JSON.stringify({ accuracy }), 'gates.yml': GATES });
  return dir;
}

const schedule = () => ({ name: eventNameOf('schedule'), payload: loadEvent('schedule') });

function monitor(dir: string, options: { token?: string; event?: { name: string; payload: unknown } } = {}) {
  return runBundle('evaluate-gate', {
    workspace: dir,
    event: options.event ?? schedule(),
    token: options.token ?? DEFAULT_TOKEN,
    apiUrl: gh.url,
    serverUrl: gh.serverUrl,
    repository: `${gh.owner}/${gh.repo}`,
    inputs: {
      metrics: 'metrics.json',
      gates: 'gates.yml',
      baseline: 'none',
      comment: 'issue',
      'comment-key': 'monitor',
      model: 'churn',
    },
    env: { MLOPS_RETRY_BASE_MS: '20' },
    timeoutMs: 110_000,
  });
}

function expectExit(result: BundleResult, code: number): void {
  if (result.code !== code)
    throw new Error(`exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
}

const ours = () => gh.state.issues.filter((issue) => (issue.body ?? '').startsWith(`${MARKER}\n`));

describe('evaluate-gate comment: issue', { timeout: 240_000 }, () => {
  it('opens one issue while gates fail, updates it on the next failure, closes it when they pass', async () => {
    const failing = await monitor(workspace(0.7));
    expectExit(failing, 1);
    expect(ours()).toHaveLength(1);
    const issue = ours()[0]!;
    expect(issue.title).toBe('Gates failing for model churn (monitor)');
    expect(issue.labels).toEqual(['mlops', 'evaluate-gate']);
    expect(issue.body).toContain('accuracy');
    expect(failing.outputs['comment-url']).toBe(`${gh.serverUrl}/${gh.owner}/${gh.repo}/issues/${issue.number}`);

    expectExit(await monitor(workspace(0.75)), 1);
    expect(ours()).toHaveLength(1);
    expect(issue.body).toContain('0.75');
    expect(
      gh.state
        .commentsOf(issue.number)
        .map((c) => c.body)
        .join('\n'),
    ).toMatch(/still fails 1 gate: `accuracy`/);

    expectExit(await monitor(workspace(0.9)), 0);
    expect(issue.state).toBe('closed');
    expect(gh.state.commentsOf(issue.number).at(-1)!.body).toMatch(/every gate passes again/);
  });

  it('explains a 403 as the missing issues: write permission', async () => {
    const result = await monitor(workspace(0.7), { token: READ_ONLY_TOKEN });
    expectExit(result, 1);
    const errors = result.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors.join('\n')).toContain(
      'the token may not write issues (HTTP 403: Resource not accessible by integration). Give the job `permissions: issues: write`. evaluate-gate with comment: issue needs `issues: write`; or set comment: false.',
    );
    expect(gh.state.issues).toHaveLength(0);
  });

  it('opens no issue on a pull request, and writes the outbox in local mode', async () => {
    const pr = gh.state.addPullRequest();
    const event = {
      name: eventNameOf('pull_request.opened'),
      payload: loadEvent('pull_request.opened', {
        owner: gh.owner,
        repo: gh.repo,
        pullNumber: pr.number,
        apiUrl: gh.url,
      }),
    };
    const onPullRequest = await monitor(workspace(0.7), { event });
    expectExit(onPullRequest, 1);
    expect(gh.state.issues.filter((issue) => !issue.pullRequest)).toHaveLength(0);

    const dir = workspace(0.6);
    const local = await runBundle('evaluate-gate', {
      workspace: dir,
      inputs: {
        metrics: 'metrics.json',
        gates: 'gates.yml',
        baseline: 'none',
        comment: 'issue',
        'comment-key': 'monitor',
      },
      env: { GITHUB_ACTIONS: undefined },
    });
    expectExit(local, 1);
    const file = join(dir, '.mlops', 'outbox', 'issue-evaluate-gate-monitor.md');
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(`# Gates failing for the model (monitor)\n\n${MARKER}\n`)).toBe(true);
  });
});
