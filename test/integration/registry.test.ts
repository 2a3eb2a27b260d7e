/**
 * The registry end to end with real git: a bare remote, clones as runners have them, the built
 * register bundle run as the runner runs it, and the built CLI reading back from fresh clones.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneRepo, createBareRemote, createRepo, gitIn, makeTempDir, writeFiles } from '../support/git.js';
import { runBundle, runCliBundle } from '../support/runner.js';
import { installPushBarrier, writeAttempts } from '../support/push-barrier.js';
import { KILL_TEST_TIMEOUT_MS, STRESS_TEST_TIMEOUT_MS } from '../support/timeouts.js';

const tmp = makeTempDir('mlops-registry-it-');
afterAll(() => tmp.cleanup());

/** The git identity a bare runner lacks: none, so registry commits must bring their own. */
const noIdentity = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', HOME: tmp.path };

/** Runs the register bundle in `clone` as workflow run `runId`. */
function register(clone: string, inputs: Record<string, string>, runId: string, env: Record<string, string> = {}) {
  return runBundle('register', {
    workspace: clone,
    inputs: { model: 'iris', path: 'model.bin', ...inputs },
    env: { GITHUB_RUN_ID: runId, ...noIdentity, ...env },
  });
}

function cli(cwd: string, ...args: string[]) {
  return runCliBundle(args, { cwd, env: noIdentity });
}

async function cliJson<T>(cwd: string, ...args: string[]): Promise<T> {
  const result = await cli(cwd, ...args, '--json');
  if (result.code !== 0) throw new Error(`mlops ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

interface Event {
  seq: number;
  type: string;
  version: number;
  id: string;
  sha256: string;
}

/**
 * Writers racing for one registry branch. A barrier on the remote (test/support/push-barrier.ts)
 * holds every writer's first push until all have pushed, so all of them are built on the same
 * tip: one lands and every other writer is rejected at least once and must fetch, re-read and
 * retry, which the writers' own logs must show. Eight writers whose collision is certain prove
 * what sixteen left to the scheduler did (how many of those collided depended on how their
 * start-up spread out), at about a quarter of the attempts: the retries grow with the square of
 * the writers (measured here: 8 writers, 36 attempts = 1 + 2 + ... + 8).
 */
const WRITERS = 8;

describe('registry: concurrent writers', { timeout: STRESS_TEST_TIMEOUT_MS }, () => {
  let remote: string;
  beforeAll(() => {
    remote = createBareRemote(join(tmp.path), 'concurrent.git');
    createRepo(tmp.path, 'concurrent-seed', remote);
    installPushBarrier(remote, WRITERS);
  });

  it(`gives ${WRITERS} simultaneous registers from ${WRITERS} clones versions 1..${WRITERS}, no gap, no duplicate, ${WRITERS} events`, async () => {
    const clones = Array.from({ length: WRITERS }, (_, i) => {
      const clone = cloneRepo(remote, tmp.path, `writer-${i}`);
      writeFiles(clone, { 'model.bin': `weights of writer ${i}\n` });
      return clone;
    });
    const results = await Promise.all(clones.map((clone, i) => register(clone, {}, String(5000 + i))));
    for (const result of results) expect(result.code, result.stdout + result.stderr).toBe(0);
    const versions = results.map((r) => Number(r.outputs.version)).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: WRITERS }, (_, i) => i + 1));

    // The race really happened: one writer landed its first push, every other one was rejected
    // (and retried) at least once, and each writer's last attempt is the one that landed.
    const attempts = results.map((r) => writeAttempts(r.annotations));
    for (const [i, writer] of attempts.entries()) {
      expect(
        writer.map((a) => a.attempt),
        `writer ${i}`,
      ).toEqual(writer.map((_, n) => n + 1));
      expect(
        writer.map((a) => a.accepted),
        `writer ${i}`,
      ).toEqual(writer.map((_, n) => n === writer.length - 1));
    }
    expect(attempts.filter((writer) => writer.length === 1)).toHaveLength(1);
    expect(attempts.flat().filter((a) => !a.accepted).length).toBeGreaterThanOrEqual(WRITERS - 1);
    const retried = results.filter((r) => /Registry updated on attempt \d+ \(the branch had moved\)/.test(r.stdout));
    expect(retried).toHaveLength(WRITERS - 1);

    const reader = cloneRepo(remote, tmp.path, 'concurrent-reader');
    const history = await cliJson<{ events: Event[] }>(reader, 'registry', 'history', 'iris');
    expect(history.events.map((e) => e.seq)).toEqual(versions);
    expect(history.events.every((e) => e.type === 'registered')).toBe(true);
    expect(new Set(history.events.map((e) => e.id)).size).toBe(WRITERS);
    // Each writer's version holds that writer's artifact.
    const byVersion = new Map(history.events.map((e) => [e.version, e.sha256]));
    for (const result of results) expect(byVersion.get(Number(result.outputs.version))).toBe(result.outputs.sha256);
    const fsck = await cli(reader, 'registry', 'fsck');
    expect(fsck.stdout).toContain(`${WRITERS} events, ${WRITERS} versions`);
    expect(fsck.code).toBe(0);
    // Registry commits never touch the writers' working trees or checked-out branches.
    for (const clone of clones.slice(0, 3)) {
      expect(gitIn(clone, 'status', '--porcelain', '--untracked-files=no')).toBe('');
      expect(gitIn(clone, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    }
  });
});

describe('registry: one writer', { timeout: KILL_TEST_TIMEOUT_MS }, () => {
  let remote: string;
  let work: string;
  beforeAll(() => {
    remote = createBareRemote(tmp.path, 'single.git');
    work = createRepo(tmp.path, 'single', remote, { 'README.md': '# x\n', 'model.bin': 'v1 weights\n' });
  });

  it('returns the same version for a retried register of the same workflow run and attempt', async () => {
    const first = await register(work, { alias: 'staging' }, '7001');
    expect(first.code, first.stdout).toBe(0);
    expect(first.outputs).toMatchObject({ version: '1', tag: 'iris/v1' });
    const again = await register(work, { alias: 'staging' }, '7001');
    expect(again.code, again.stdout).toBe(0);
    expect(again.outputs.version).toBe('1');
    expect(again.stdout).toContain('already registered iris v1');
    const history = await cliJson<{ events: Event[] }>(work, 'registry', 'history', 'iris');
    expect(history.events.map((e) => e.type)).toEqual(['registered', 'alias-set']);
  });

  it('leaves nothing visible when the process is killed between upload and registry write', async () => {
    writeFiles(work, { 'model.bin': 'v2 weights\n' });
    const before = gitIn(work, 'ls-remote', remote, 'refs/heads/mlops-registry');
    const crashed = await register(work, {}, '7002', { MLOPS_TEST_CRASH_AFTER_UPLOAD: '1' });
    expect(crashed.code).toBeNull(); // killed by SIGKILL
    expect(gitIn(work, 'ls-remote', remote, 'refs/heads/mlops-registry')).toBe(before);
    const show = await cliJson<{ versions: Array<{ version: number }> }>(work, 'registry', 'show', 'iris');
    expect(show.versions.map((v) => v.version)).toEqual([1]);
    // The staged upload is all that is left, outside any version folder.
    expect(readdirSync(join(work, '.mlops/artifacts/iris')).sort()).toEqual(['.staging', 'v1']);
    // The next registration takes the next version: no gap.
    const next = await register(work, {}, '7003');
    expect(next.outputs.version).toBe('2');
    expect(existsSync(join(work, '.mlops/artifacts/iris/v2/model.bin'))).toBe(true);
  });

  it('reads back what the action wrote from a fresh clone', async () => {
    const fresh = cloneRepo(remote, tmp.path, 'fresh-reader');
    const list = await cliJson<{
      models: Array<{ name: string; latestVersion: number; aliases: Record<string, number> }>;
    }>(fresh, 'registry', 'list');
    expect(list.models).toEqual([expect.objectContaining({ name: 'iris', latestVersion: 2, aliases: { staging: 1 } })]);
    const staging = await cliJson<Record<string, unknown>>(fresh, 'registry', 'show', 'iris@staging');
    expect(staging).toMatchObject({
      model: 'iris',
      version: 1,
      aliases: ['staging'],
      location: '.mlops/artifacts/iris/v1/model.bin',
      actor: 'octocat',
      lineage: {
        workflowRun: {
          id: '7001',
          attempt: '1',
          url: 'https://github.com/octo-org/octo-repo/actions/runs/7001/attempts/1',
        },
      },
    });
    const text = await cli(fresh, 'registry', 'show', 'iris@v2');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/version\s+v2\n/);
    const missing = await cli(fresh, 'registry', 'show', 'iris@production');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('mlops: error: Model "iris" has no alias "production" (its aliases: staging).\n');
  });

  it('moves aliases and deprecates versions from the CLI, with full history', async () => {
    const set = await cli(work, 'registry', 'set-alias', 'iris', 'production', 'v2');
    expect(set.stdout).toBe('iris@production -> v2\n');
    const moved = await cli(work, 'registry', 'set-alias', 'iris', 'production', 'v1');
    expect(moved.stdout).toBe('iris@production -> v1 (was v2)\n');
    const refused = await cli(work, 'registry', 'deprecate', 'iris', 'v1');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'iris v1 is what "production", "staging" point at; move or remove the alias first',
    );
    const deprecated = await cli(work, 'registry', 'deprecate', 'iris', 'v2', '--reason', 'overfits');
    expect(deprecated.stdout).toBe('iris v2 deprecated\n');
    const aliasHistory = await cliJson<{ events: Array<Event & { alias: string; previous?: number }> }>(
      work,
      'registry',
      'history',
      'iris',
      '--alias',
      'production',
    );
    expect(aliasHistory.events.map((e) => [e.version, e.previous])).toEqual([
      [2, undefined],
      [1, 2],
    ]);
    const latest = await cliJson<{ version: number }>(work, 'registry', 'show', 'iris@latest');
    expect(latest.version).toBe(1);
  });

  it('detects a hand-edited index with fsck and rebuilds it with --fix', async () => {
    const editor = cloneRepo(remote, tmp.path, 'hand-editor');
    gitIn(editor, 'checkout', '--quiet', 'mlops-registry');
    const indexFile = join(editor, 'models/iris/index.json');
    const index = JSON.parse(gitIn(editor, 'show', 'HEAD:models/iris/index.json')) as {
      aliases: Record<string, { version: number }>;
    };
    index.aliases.production!.version = 2;
    writeFileSync(indexFile, JSON.stringify(index, null, 2) + '\n');
    gitIn(editor, 'commit', '--quiet', '-am', 'promote v2 by hand');
    gitIn(editor, 'push', '--quiet', 'origin', 'mlops-registry');

    const checked = await cli(work, 'registry', 'fsck');
    expect(checked.code).toBe(1);
    expect(checked.stdout).toContain(
      'models/iris/index.json: does not match the event log (aliases.production.version: stored 2, the log says 1) [fixable with --fix]',
    );
    const fixed = await cli(work, 'registry', 'fsck', '--fix');
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain('[fixed]');
    expect(fixed.stdout).toContain('The registry is consistent now.');
    const again = await cli(work, 'registry', 'fsck');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No problems found.');
    const production = await cliJson<{ version: number }>(work, 'registry', 'show', 'iris@production');
    expect(production.version).toBe(1);
  });

  it('rejects model names with path separators, "..", whitespace or characters git refuses', async () => {
    const cases: Array<[string, string]> = [
      ['a/b', 'it contains a path separator ("/" or "\\")'],
      ['..', 'it contains ".."'],
      ['my model', 'it contains whitespace'],
      ['iris:v1', 'it contains ":", which git refuses in tag names'],
      ['iris~1', 'it contains "~", which git refuses in tag names'],
    ];
    for (const [name, reason] of cases) {
      const result = await register(work, { model: name }, '7100');
      expect(result.code).toBe(1);
      expect(result.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
        `Input "model": model name ${JSON.stringify(name)} is invalid: ${reason}.`,
      ]);
    }
    const viaCli = await cli(work, 'registry', 'show', '../iris');
    expect(viaCli.code).toBe(2);
    expect(viaCli.stderr).toBe(
      'mlops: error: show: model name "../iris" is invalid: it contains a path separator ("/" or "\\").\n',
    );
  });
});

describe('registry: local mode (no remote)', () => {
  it('commits to the local branch only, leaving the working tree and checked-out branch alone', async () => {
    const work = createRepo(tmp.path, 'local-only', undefined, { 'README.md': '# x\n', 'model.bin': 'weights\n' });
    writeFiles(work, { 'notes.txt': 'uncommitted work\n' });
    gitIn(work, 'add', 'notes.txt');
    const result = await runCliBundle(['register', '--model', 'iris', '--path', 'model.bin'], {
      cwd: work,
      env: noIdentity,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Registered iris v1.');
    expect(gitIn(work, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(gitIn(work, 'status', '--porcelain')).toBe('A  notes.txt\n?? .mlops/'.trim());
    expect(gitIn(work, 'show', 'mlops-registry:models/iris/index.json')).toContain('"latestVersion": 1');
    expect(gitIn(work, 'log', '-1', '--format=%an <%ae>', 'mlops-registry')).toBe(
      'Test Committer <committer@example.com>',
    );
    const show = await cliJson<{ location: string }>(work, 'registry', 'show', 'iris@v1');
    expect(show.location).toBe('.mlops/artifacts/iris/v1/model.bin');
  });
});

describe('runs: experiment tracking', () => {
  it('records runs on the registry branch and lists, shows and compares them', async () => {
    const remote = createBareRemote(tmp.path, 'runs.git');
    const work = createRepo(tmp.path, 'runs', remote);
    const record = (id: string, lr: number, accuracy: number) => ({
      id,
      name: 'baseline',
      status: 'succeeded',
      startedAt: `2024-05-01T10:0${id.slice(-1)}:00Z`,
      finishedAt: `2024-05-01T10:0${id.slice(-1)}:30Z`,
      durationSeconds: 30,
      command: 'python train.py',
      params: { optimizer: { lr }, epochs: 10 },
      metrics: { accuracy, loss: { val: 1 - accuracy } },
      seed: 42,
      git: { commit: 'a'.repeat(40) },
    });
    writeFiles(work, {
      'run1.json': JSON.stringify(record('run-1', 0.1, 0.9)),
      'run2.json': JSON.stringify(record('run-2', 0.01, 0.93)),
    });
    for (const file of ['run1.json', 'run2.json', 'run1.json']) {
      const result = await cli(work, 'runs', 'record', '--run-record', file);
      expect(result.code, result.stderr).toBe(0);
    }
    const fresh = cloneRepo(remote, tmp.path, 'runs-reader');
    const list = await cli(fresh, 'runs', 'list');
    expect(list.stdout.split('\n')[0]).toMatch(/^RUN\s+NAME\s+STATUS\s+STARTED\s+DURATION\s+METRICS$/);
    expect(list.stdout).toMatch(
      /run-2\s+baseline\s+succeeded\s+2024-05-01 10:02Z\s+30s\s+accuracy=0.93, loss.val=0.07/,
    );
    const shown = await cliJson<{ id: string; params: unknown }>(fresh, 'runs', 'show', 'run-1');
    expect(shown).toMatchObject({ id: 'run-1', params: { optimizer: { lr: 0.1 } } });
    const compared = await cli(fresh, 'runs', 'compare', 'run-1', 'run-2');
    expect(compared.code).toBe(0);
    expect(compared.stdout).toMatch(/\s+run-1\s+run-2\s+delta/);
    expect(compared.stdout).toMatch(/ {2}optimizer\.lr \*\s+0\.1\s+0\.01/);
    expect(compared.stdout).toMatch(/ {2}accuracy\s+0\.9\s+0\.93\s+\+0\.03/);
    const missing = await cli(fresh, 'runs', 'show', 'run-9');
    expect(missing.stderr).toBe('mlops: error: No run "run-9" is tracked on branch mlops-registry of origin.\n');
    const badRecord = await cli(work, 'runs', 'record', '--run-record', 'README.md');
    expect(badRecord.code).toBe(2);
    expect(badRecord.stderr).toContain('invalid JSON in the run record');
  });
});
