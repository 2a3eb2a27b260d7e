/**
 * actions/pipeline's own decisions (which steps run, what each is given), run by the composite
 * runner against stub bundles: a `node` first on PATH (a shell script: a node start costs ~0.25 s
 * of CPU, a sh start a few ms) answers the plan step's `node --version` as a supported Node and,
 * run as `node <root>/dist/<action>/index.js` on a bundle that exists, records the INPUT_*
 * variables the step got and writes the outputs the next steps read. What the real bundles do
 * with those inputs, and the node version check against a real node, are pipeline.test.ts's
 * business; this file proves the action.yml's `if:`s and `env:`s in a few milliseconds per run,
 * so every event that could register is tried.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  evaluateCondition,
  runComposite,
  type CompositeResult,
  type ExpressionValue,
} from '../support/composite-runner.js';
import { loadEvent } from '../support/events.js';
import { makeTempDir } from '../support/git.js';
import { repoRoot } from '../support/runner.js';

const tmp = makeTempDir('mlops-pipeline-wiring-');
const root = join(tmp.path, 'mlops');
const pipeline = join(root, 'actions', 'pipeline', 'action.yml');
const calls = join(tmp.path, 'calls');
const bin = join(tmp.path, 'bin');

/**
 * The stand-in for node (bash: dash would drop INPUT_PROMOTE-TO, a name no shell variable can have): `--version` answers a Node the pipeline accepts; `node <bundle>` fails as
 * node would when the bundle is missing, else records the step's environment (NUL-separated, as
 * `env -0` prints it) in `$CALLS/<action>.env` and appends the bundle's stub outputs to GITHUB_OUTPUT.
 */
const FAKE_NODE = `#!/usr/bin/env bash
if [ "$1" = --version ]; then echo v22.12.0; exit 0; fi
if [ ! -f "$1" ]; then echo "node: cannot find module $1" >&2; exit 1; fi
env -0 > "$CALLS/$(basename "$(dirname "$1")").env"
cat "$(dirname "$1")/outputs" >> "$GITHUB_OUTPUT"
`;

/** What each stub writes to GITHUB_OUTPUT: enough for the later steps' conditions and inputs. */
const STUB_OUTPUTS: Record<string, Record<string, string>> = {
  'validate-data': { passed: 'true' },
  train: { 'run-record': 'mlops-reports/run.json' },
  'evaluate-gate': { passed: 'true' },
  register: { version: '3' },
  deploy: { status: 'deployed' },
};

beforeAll(() => {
  mkdirSync(join(root, 'actions', 'pipeline'), { recursive: true });
  copyFileSync(join(repoRoot, 'actions', 'pipeline', 'action.yml'), pipeline);
  for (const [action, outputs] of Object.entries(STUB_OUTPUTS)) {
    mkdirSync(join(root, 'dist', action), { recursive: true });
    writeFileSync(join(root, 'dist', action, 'index.js'), '// a stub bundle: the fake node runs it\n');
    const lines = Object.entries(outputs).map(([k, v]) => `${k}=${v}\n`);
    writeFileSync(join(root, 'dist', action, 'outputs'), lines.join(''));
  }
  mkdirSync(bin);
  writeFileSync(join(bin, 'node'), FAKE_NODE, { mode: 0o755 });
});

/** The INPUT_* variables of an `env -0` listing. */
function inputsOf(listing: string): Record<string, string> {
  const entries = listing
    .split('\0')
    .filter((entry) => entry.startsWith('INPUT_'))
    .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]);
  return Object.fromEntries(entries);
}
afterAll(() => tmp.cleanup());

let runs = 0;
/** Runs the pipeline against the stubs; returns the result and the inputs each stub was given (absent: it did not run). */
async function run(
  inputs: Record<string, string>,
  context: { event: string; payload: unknown; ref: string },
): Promise<{ result: CompositeResult; given: Record<string, Record<string, string> | undefined> }> {
  runs++;
  const workspace = join(tmp.path, `work-${runs}`);
  mkdirSync(workspace);
  mkdirSync(calls, { recursive: true });
  for (const action of Object.keys(STUB_OUTPUTS)) rmSync(join(calls, `${action}.env`), { force: true });
  const result = await runComposite(pipeline, {
    workspace,
    inputs: { run: 'node train.mjs', gates: 'gates.yml', model: 'penguins', ...inputs },
    event: { name: context.event, payload: context.payload as never },
    ref: context.ref,
    token: 'ghs_stub',
    env: { PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, CALLS: calls },
  });
  const given = Object.fromEntries(
    Object.keys(STUB_OUTPUTS).map((action) => {
      const file = join(calls, `${action}.env`);
      return [action, existsSync(file) ? inputsOf(readFileSync(file, 'utf8')) : undefined];
    }),
  );
  return { result, given };
}

const outcomes = (result: CompositeResult) => Object.fromEntries(result.steps.map((s) => [s.id, s.outcome]));
const notices = (result: CompositeResult) =>
  result.annotations.filter((a) => a.level === 'notice').map((a) => a.message);

/** A push to main, main being the default branch. */
function push() {
  const payload = loadEvent('push') as { repository: { default_branch: string } };
  payload.repository.default_branch = 'main';
  return { event: 'push', payload, ref: 'refs/heads/main' };
}

describe('the pipeline composite action, against stub bundles', () => {
  it('a pull_request_review on the merge ref never registers, even with register-when not-pull-request', async () => {
    const payload = loadEvent('pull_request.opened', { pullNumber: 7 }) as Record<string, unknown>;
    delete payload.action;
    const { result, given } = await run(
      { 'register-when': 'not-pull-request' },
      { event: 'pull_request_review', payload: { ...payload, action: 'submitted' }, ref: 'refs/pull/7/merge' },
    );
    expect(result.conclusion).toBe('success');
    expect(outcomes(result)).toMatchObject({ train: 'success', gate: 'success', register: 'skipped' });
    expect(given.register).toBeUndefined();
    expect(notices(result)).toContain(
      'The model will not be registered: a pull request (pull_request_review on refs/pull/7/merge) gates but never registers.',
    );
  });

  it('an issue_comment on a pull request (run on the default branch) never registers', async () => {
    const { payload } = push();
    const comment = {
      action: 'created',
      issue: { number: 7, pull_request: { url: 'https://api.github.com/repos/octo-org/octo-repo/pulls/7' } },
      comment: { id: 1, body: '/retrain' },
      repository: payload.repository,
    };
    const { result, given } = await run(
      { 'register-when': 'not-pull-request' },
      { event: 'issue_comment', payload: comment, ref: 'refs/heads/main' },
    );
    expect(outcomes(result)).toMatchObject({ gate: 'success', register: 'skipped' });
    expect(given.register).toBeUndefined();
    expect(notices(result)).toContain(
      'The model will not be registered: a pull request (issue_comment on refs/heads/main) gates but never registers.',
    );
  });

  it('an issue_comment on an issue (not a pull request) registers with register-when not-pull-request', async () => {
    const { payload } = push();
    const comment = { action: 'created', issue: { number: 8 }, comment: { id: 2 }, repository: payload.repository };
    const { result, given } = await run(
      { 'register-when': 'not-pull-request' },
      { event: 'issue_comment', payload: comment, ref: 'refs/heads/main' },
    );
    expect(outcomes(result)).toMatchObject({ register: 'success' });
    expect(given.register?.['INPUT_MODEL']).toBe('penguins');
  });

  it("register's own if: refuses every pull-request signal even when the plan step says register", () => {
    // The plan step is one guard; register's if: must hold on its own (a plan bug cannot register a PR).
    const action = parse(readFileSync(pipeline, 'utf8')) as { runs: { steps: Array<{ id?: string; if?: string }> } };
    const condition = action.runs.steps.find((step) => step.id === 'register')!.if;
    const steps = { plan: { outputs: { register: 'true' } }, gate: { outputs: { passed: 'true' } } };
    const registers = (github: Record<string, ExpressionValue>) =>
      evaluateCondition(condition, { contexts: { steps, github } });
    expect(registers({ event_name: 'push', ref: 'refs/heads/main', event: {} })).toBe(true);
    expect(
      registers({
        event_name: 'pull_request_review',
        ref: 'refs/pull/7/merge',
        event: { pull_request: { number: 7 } },
      }),
    ).toBe(false);
    expect(
      registers({
        event_name: 'pull_request_review_comment',
        ref: 'refs/heads/main',
        event: { pull_request: { number: 7 } },
      }),
    ).toBe(false);
    expect(
      registers({
        event_name: 'issue_comment',
        ref: 'refs/heads/main',
        event: { issue: { pull_request: { url: 'x' } } },
      }),
    ).toBe(false);
    expect(registers({ event_name: 'workflow_dispatch', ref: 'refs/pull/7/head', event: {} })).toBe(false);
  });

  it('without deploy-run register sets the alias and nothing deploys', async () => {
    const { result, given } = await run({}, push());
    expect(outcomes(result)).toMatchObject({ register: 'success', deploy: 'skipped' });
    expect(given.register?.['INPUT_ALIAS']).toBe('staging');
    expect(given.deploy).toBeUndefined();
  });

  it('with deploy-run register sets no alias; deploy moves it (promote-to) only once the deploy passed', async () => {
    const { result, given } = await run({ 'deploy-run': './ship.sh', alias: 'candidate' }, push());
    expect(outcomes(result)).toMatchObject({ register: 'success', deploy: 'success' });
    expect(given.register?.['INPUT_ALIAS']).toBe('');
    expect(given.deploy).toMatchObject({ INPUT_VERSION: '3', 'INPUT_PROMOTE-TO': 'candidate', INPUT_RUN: './ship.sh' });
  });
});

describe('the pipeline composite action, deploy-run decided by the plan step', () => {
  it('a whitespace-only deploy-run deploys nothing and register keeps the alias', async () => {
    const { result, given } = await run({ 'deploy-run': ' \n\t ', alias: 'candidate' }, push());
    expect(result.conclusion).toBe('success');
    expect(outcomes(result)).toMatchObject({ plan: 'success', register: 'success', deploy: 'skipped' });
    expect(given.deploy).toBeUndefined();
    expect(given.register?.['INPUT_ALIAS']).toBe('candidate');
    expect(notices(result)).toContain('deploy-run is blank (only whitespace): nothing is deployed.');
  });
});
