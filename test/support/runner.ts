/**
 * Runs a built bundle the way the GitHub runner does: `node dist/<action>/index.js` in a child
 * process, inputs in INPUT_* variables (action.yml defaults applied, as the runner applies them),
 * outputs read back from GITHUB_OUTPUT, the step summary from GITHUB_STEP_SUMMARY, annotations
 * parsed from the workflow commands on stdout. The bundle runs from a copy of dist/ outside the
 * repository, so a missing dependency cannot be papered over by a node_modules up the tree.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject, TestRunner } from 'vitest';
import { parse } from 'yaml';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

let isolatedDist: string | undefined;

/** The limit for a child process outside any test (in a beforeAll hook): the hook timeout's, less a margin. */
const DEFAULT_PROCESS_TIMEOUT_MS = 115_000;

/**
 * How long a bundle or CLI run may take unless the caller says: a little less than the running
 * test's own limit, so that a test given a longer limit (test/support/timeouts.ts) gives its
 * processes longer too, and a hung process fails with its output rather than a bare test timeout.
 */
export function processTimeoutMs(): number {
  const testTimeout = TestRunner.getCurrentTest()?.timeout;
  return testTimeout ? Math.max(testTimeout - 5_000, 1_000) : DEFAULT_PROCESS_TIMEOUT_MS;
}

/** dist/ (or $MLOPS_DIST) copied once per test process to a folder with no node_modules above it. */
export function distDir(): string {
  if (isolatedDist) return isolatedDist;
  const source = process.env.MLOPS_DIST ? resolve(process.env.MLOPS_DIST) : join(repoRoot, 'dist');
  if (!existsSync(join(source, 'cli', 'index.js')))
    throw new Error(`No built bundles in ${source}: run npm run bundle.`);
  // Inside the run's folder for copies (global-setup.ts), which the run removes at its end.
  const target = mkdtempSync(join(inject('mlopsDist').copies, 'mlops-dist-'));
  cpSync(source, join(target, 'dist'), { recursive: true });
  process.on('exit', () => rmSync(target, { recursive: true, force: true }));
  isolatedDist = join(target, 'dist');
  return isolatedDist;
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice' | 'debug';
  message: string;
  properties: Record<string, string>;
}

export interface BundleResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  annotations: Annotation[];
  /** Values the bundle asked the runner to mask. */
  masked: string[];
}

export interface RunBundleOptions {
  /** Inputs by their action.yml names; unset ones get the action.yml default. */
  inputs?: Record<string, string | undefined>;
  /** GITHUB_WORKSPACE and the process's working directory. */
  workspace?: string;
  /** Event name and payload (written to a file for GITHUB_EVENT_PATH). */
  event?: { name: string; payload: unknown };
  /** What `${{ github.token }}` expands to; empty by default, as for a runner with no token. */
  token?: string;
  repository?: string;
  apiUrl?: string;
  serverUrl?: string;
  sha?: string;
  ref?: string;
  /** Extra or overriding environment variables. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

function unescapeData(value: string): string {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function unescapeProperty(value: string): string {
  return unescapeData(value).replace(/%3A/g, ':').replace(/%2C/g, ',');
}

/** Parses `::error file=a,line=3::message` lines; other log lines are ignored. */
export function parseAnnotations(stdout: string): { annotations: Annotation[]; masked: string[] } {
  const annotations: Annotation[] = [];
  const masked: string[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const match = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!match) continue;
    const [, command, props, message] = match;
    if (command === 'add-mask') {
      masked.push(unescapeData(message!));
      continue;
    }
    if (command !== 'error' && command !== 'warning' && command !== 'notice' && command !== 'debug') continue;
    const properties: Record<string, string> = {};
    for (const pair of (props ?? '').split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
    annotations.push({ level: command, message: unescapeData(message!), properties });
  }
  return { annotations, masked };
}

/** Parses the GITHUB_OUTPUT file format (`name<<delimiter` heredocs and `name=value` lines). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i]!);
      outputs[name!] = value.join('\n');
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}

/** The action.yml defaults as the runner would fill them in. */
export function actionDefaults(action: string, token: string): Record<string, string> {
  const doc = parse(readFileSync(join(repoRoot, 'actions', action, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, { default?: unknown }>;
  };
  const defaults: Record<string, string> = {};
  for (const [name, spec] of Object.entries(doc.inputs ?? {})) {
    if (spec.default === undefined) continue;
    const text = String(spec.default);
    defaults[name] = text === '${{ github.token }}' ? token : text;
  }
  return defaults;
}

/**
 * MLOPS_RETRY_BASE_MS for every bundle and CLI run unless a test sets its own (or `undefined`, for
 * GitHub's real pacing): against the API double "a second" of backoff, retry-after or write
 * spacing lasts 10 ms (src/adapters/github/client.ts), so a run that writes ten times does not
 * wait ten seconds.
 */
export const TEST_RETRY_BASE_MS = '10';

/** A minimal environment: what a runner sets, not what the test process happens to have. */
export function baseEnvironment(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SystemRoot', 'NODE_OPTIONS'];
  return {
    ...Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!])),
    MLOPS_RETRY_BASE_MS: TEST_RETRY_BASE_MS,
  };
}

/**
 * The environment the runner gives a step of `action`: a minimal base, the runner contract
 * (GITHUB_OUTPUT and GITHUB_STEP_SUMMARY in `scratch`, the event file written there), the inputs
 * with action.yml's defaults as INPUT_*, then `options.env` on top. runBundle and the in-process
 * runner (test/support/in-process.ts) both run actions in it.
 */
export function runnerEnvironment(action: string, options: RunBundleOptions, scratch: string): Record<string, string> {
  const workspace = options.workspace ?? scratch;
  const env: Record<string, string> = {
    ...baseEnvironment(),
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: join(scratch, 'github_output'),
    GITHUB_STEP_SUMMARY: join(scratch, 'step_summary'),
    GITHUB_REPOSITORY: options.repository ?? 'octo-org/octo-repo',
    GITHUB_API_URL: options.apiUrl ?? 'https://api.github.com',
    GITHUB_SERVER_URL: options.serverUrl ?? 'https://github.com',
    GITHUB_SHA: options.sha ?? '0000000000000000000000000000000000000000',
    GITHUB_REF: options.ref ?? 'refs/heads/main',
    GITHUB_RUN_ID: '1000',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'ci',
    GITHUB_JOB: 'test',
    GITHUB_ACTOR: 'octocat',
    RUNNER_TEMP: join(scratch, 'runner_temp'),
  };
  if (options.event) {
    const eventFile = join(scratch, 'event.json');
    writeFileSync(eventFile, JSON.stringify(options.event.payload));
    env.GITHUB_EVENT_NAME = options.event.name;
    env.GITHUB_EVENT_PATH = eventFile;
  }
  const inputs = { ...actionDefaults(action, options.token ?? ''), ...options.inputs };
  for (const [name, value] of Object.entries(inputs)) {
    if (value !== undefined) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Runs dist/<action>/index.js as the runner does and collects what it reported. */
export async function runBundle(action: string, options: RunBundleOptions = {}): Promise<BundleResult> {
  const scratch = mkdtempSync(join(tmpdir(), `mlops-run-${action}-`));
  try {
    const workspace = options.workspace ?? scratch;
    const outputFile = join(scratch, 'github_output');
    const summaryFile = join(scratch, 'step_summary');
    writeFileSync(outputFile, '');
    writeFileSync(summaryFile, '');
    const env = runnerEnvironment(action, options, scratch);
    const { code, stdout, stderr } = await spawnNode([join(distDir(), action, 'index.js')], {
      cwd: workspace,
      env,
      timeoutMs: options.timeoutMs ?? processTimeoutMs(),
    });
    const { annotations, masked } = parseAnnotations(stdout);
    return {
      code,
      stdout,
      stderr,
      outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
      summary: readFileSync(summaryFile, 'utf8'),
      annotations,
      masked,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `mlops` command (dist/cli/index.js) with a clean, non-Actions environment. */
export function runCliBundle(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number; input?: string },
): Promise<CliResult> {
  const env: Record<string, string> = { ...baseEnvironment() };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return spawnNode([join(distDir(), 'cli', 'index.js'), ...args], {
    cwd: options.cwd,
    env,
    timeoutMs: options.timeoutMs ?? processTimeoutMs(),
    input: options.input,
  });
}

function spawnNode(
  args: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs: number; input?: string | undefined },
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args[0]} timed out after ${options.timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
