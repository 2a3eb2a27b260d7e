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
  /** Scratch space: RUNNER_TEMP (which the runner empties after the job), else the OS temp folder. */
  readonly tempDir: string;
  /**
   * True when tempDir is the runner's RUNNER_TEMP: what a step leaves there lives until the job
   * ends (a later step may read it). Outside a runner nobody empties the OS temp folder, so each
   * command removes what it made there.
   */
  readonly runnerTemp: boolean;
  /** RUNNER_DEBUG=1 or --debug: stack traces and debug lines are shown. */
  readonly debug: boolean;
  /** The file the step summary is appended to (GITHUB_STEP_SUMMARY); none outside a runner. */
  readonly stepSummaryFile: string | undefined;
  /**
   * MLOPS_ARTIFACT_DIR, absolute: workflow artifact uploads copy their files here instead of
   * calling the artifact service (the GitHub API double has none; also for local dry runs).
   */
  readonly artifactDir: string | undefined;
  /**
   * True when the runner provides the Actions artifact service (ACTIONS_RUNTIME_TOKEN and
   * ACTIONS_RESULTS_URL). Only the fact is kept: @actions/artifact reads the token itself.
   */
  readonly actionsArtifactService: boolean;
  /**
   * MLOPS_RETRY_BASE_MS, a positive number of milliseconds: how long "a second" is for the GitHub
   * client (retry backoff, retry-after, the throttle's 1 s / 3 s spacing of writes). A test hook, so
   * that runs against the API double do not wait; unset, GitHub's own pacing applies.
   */
  readonly retryBaseMs: number | undefined;
  /**
   * MLOPS_CACHE_DIR, absolute: train's cache-paths are saved to and restored from this folder
   * instead of the Actions cache service (a test hook, like MLOPS_ARTIFACT_DIR).
   */
  readonly cacheDir: string | undefined;
  /** All the variables this environment was read from: what train's command inherits. */
  readonly variables: Readonly<Record<string, string | undefined>>;
  /** Crash points for the kill-and-recover tests; never set in a real run (docs/registry.md). */
  readonly testHooks: TestHooks;
}

/**
 * Test hooks, each enabled by its variable set to `1`. They exist so integration tests can kill a
 * real register process at the two points a cancelled job or a lost runner could stop it.
 */
export interface TestHooks {
  /** MLOPS_TEST_CRASH_AFTER_UPLOAD: SIGKILL between the artifact upload and the registry write. */
  readonly crashAfterUpload: boolean;
  /** MLOPS_TEST_CRASH_AFTER_REGISTRY_WRITE: SIGKILL after the write, before the artifact's final name. */
  readonly crashAfterRegistryWrite: boolean;
}

/**
 * The process's own variables: the one place mlops reads process.env. The two entry points hand
 * them to readEnvironment (and the runner's INPUT_* reader); git's child processes inherit them
 * (PATH, HOME, the user's GIT_* configuration and credential helpers).
 */
export function processVariables(): NodeJS.ProcessEnv {
  return process.env;
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
  const artifactDir = value('MLOPS_ARTIFACT_DIR');
  const cacheDir = value('MLOPS_CACHE_DIR');
  const retryBaseMs = Number(value('MLOPS_RETRY_BASE_MS'));
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
    runnerTemp: value('RUNNER_TEMP') !== undefined,
    debug: options.debug === true || env.RUNNER_DEBUG === '1',
    stepSummaryFile: value('GITHUB_STEP_SUMMARY'),
    artifactDir: artifactDir === undefined ? undefined : resolve(cwd, artifactDir),
    actionsArtifactService: value('ACTIONS_RUNTIME_TOKEN') !== undefined && value('ACTIONS_RESULTS_URL') !== undefined,
    retryBaseMs: retryBaseMs > 0 && Number.isFinite(retryBaseMs) ? retryBaseMs : undefined,
    cacheDir: cacheDir === undefined ? undefined : resolve(cwd, cacheDir),
    variables: { ...env },
    testHooks: {
      crashAfterUpload: env.MLOPS_TEST_CRASH_AFTER_UPLOAD === '1',
      crashAfterRegistryWrite: env.MLOPS_TEST_CRASH_AFTER_REGISTRY_WRITE === '1',
    },
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
