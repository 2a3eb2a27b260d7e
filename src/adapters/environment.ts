import { tmpdir } from 'node:os';
import { resolve } from 'node:path';

/** What the runner (or a laptop) tells a step about where and why it runs. */
export interface RunEnvironment {
  /** True under GitHub Actions (GITHUB_ACTIONS=true). */
  readonly inActions: boolean;
  /** Absolute directory relative inputs resolve against: GITHUB_WORKSPACE, else the current directory. */
  readonly workspace: string;
  readonly repository: { owner: string; repo: string } | undefined;
  readonly apiUrl: string;
  readonly serverUrl: string;
  readonly sha: string | undefined;
  readonly ref: string | undefined;
  readonly eventName: string | undefined;
  readonly eventPath: string | undefined;
  readonly runId: string | undefined;
  readonly runAttempt: string | undefined;
  readonly workflow: string | undefined;
  readonly job: string | undefined;
  readonly actor: string | undefined;
  /** Scratch space that the runner empties after the job. */
  readonly tempDir: string;
  /** RUNNER_DEBUG=1 or --debug: stack traces and debug lines are shown. */
  readonly debug: boolean;
}

/** Reads the runner contract's variables once, so nothing else needs process.env. */
export function readEnvironment(
  env: NodeJS.ProcessEnv,
  cwd: string,
  options: { debug?: boolean } = {},
): RunEnvironment {
  const value = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v === '' ? undefined : v;
  };
  const repository = value('GITHUB_REPOSITORY');
  const [owner, repo] = repository?.split('/') ?? [];
  return {
    inActions: env.GITHUB_ACTIONS === 'true',
    workspace: resolve(cwd, value('GITHUB_WORKSPACE') ?? '.'),
    repository: owner && repo ? { owner, repo } : undefined,
    apiUrl: (value('GITHUB_API_URL') ?? 'https://api.github.com').replace(/\/+$/, ''),
    serverUrl: (value('GITHUB_SERVER_URL') ?? 'https://github.com').replace(/\/+$/, ''),
    sha: value('GITHUB_SHA'),
    ref: value('GITHUB_REF'),
    eventName: value('GITHUB_EVENT_NAME'),
    eventPath: value('GITHUB_EVENT_PATH'),
    runId: value('GITHUB_RUN_ID'),
    runAttempt: value('GITHUB_RUN_ATTEMPT'),
    workflow: value('GITHUB_WORKFLOW'),
    job: value('GITHUB_JOB'),
    actor: value('GITHUB_ACTOR'),
    tempDir: value('RUNNER_TEMP') ?? tmpdir(),
    debug: options.debug === true || env.RUNNER_DEBUG === '1',
  };
}

/**
 * The web address of this workflow run (this attempt, when known), or undefined outside Actions.
 * The one place that builds it: evaluate-gate's report footer and register's lineage link to it.
 */
export function workflowRunUrl(environment: RunEnvironment): string | undefined {
  if (!environment.repository || !environment.runId) return undefined;
  const { owner, repo } = environment.repository;
  const attempt = environment.runAttempt ? `/attempts/${environment.runAttempt}` : '';
  return `${environment.serverUrl}/${owner}/${repo}/actions/runs/${environment.runId}${attempt}`;
}
