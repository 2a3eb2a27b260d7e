/**
 * `npm run demo` (scripts/demo.mjs) run as a user runs it, on the built CLI: the whole story in
 * local mode, the facts each chapter claims, and what it leaves behind (nothing, or with --keep
 * the folder it names). Each run gets its own TMPDIR, so "nothing left" is checked on a folder no
 * other process writes to. One whole demo (with --keep, so that its folder can be read) serves
 * every test of the story; "nothing left without --keep" is proven by a demo that stops at
 * chapter 2, whose removal is the same `finally` as a finished demo's. That whole demo also runs
 * as a git hook would run it, with GIT_DIR naming another repository and a global git config
 * whose pre-push hook fails: the story must go as told and touch neither (these two facts were
 * demo-safety.test.ts's own whole demo, 20 s of CPU).
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, gitIn } from '../support/git.js';
import { distDir, repoRoot } from '../support/runner.js';
import { useRealPython } from '../support/python.js';

interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The TMPDIR the demo ran with: its temporary folder, and nothing else, goes there. */
  tmp: string;
}

/**
 * One whole demo (the CLI 14 times) at once with one that stops at chapter 2: the file took 239 s
 * wall at load average 20 on 2 cores; the limit leaves room for a busier machine still.
 */
const DEMO_TEST_TIMEOUT_MS = 420_000;

const scratch = mkdtempSync(join(tmpdir(), 'mlops-demo-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
// Each train run asks python3 for its version (lineage): the interpreter answers, not pyenv's shim.
afterAll(useRealPython());

/** Runs `node <checkout>/scripts/demo.mjs <args>` with a TMPDIR of its own and the test build as MLOPS_DIST. */
function runDemo(
  args: string[],
  {
    checkout = repoRoot,
    dist = distDir(),
    timeoutMs = DEMO_TEST_TIMEOUT_MS - 10_000,
    env = {} as Record<string, string>,
  } = {},
): Promise<DemoRun> {
  const tmp = mkdtempSync(join(scratch, 'tmp-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(checkout, 'scripts', 'demo.mjs'), ...args], {
      cwd: checkout,
      env: { ...process.env, MLOPS_DIST: dist, TMPDIR: tmp, TMP: tmp, TEMP: tmp, GITHUB_ACTIONS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the demo timed out after ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, tmp });
    });
  });
}

/** The text of chapter `number`: from its heading to the next one (or the end). */
function chapterText(stdout: string, number: number): string {
  const start = stdout.indexOf(`\n${number}. `);
  expect(start, `chapter ${number} is missing:\n${stdout}`).toBeGreaterThan(-1);
  const next = stdout.indexOf(`\n${number + 1}. `, start + 1);
  const end = stdout.indexOf('\n✓', start);
  return stdout.slice(start, next > -1 ? next : end > -1 ? end : undefined);
}

describe('npm run demo', { timeout: DEMO_TEST_TIMEOUT_MS }, () => {
  let kept: DemoRun;
  let repaired: DemoRun;
  let callerRepo: string;
  let refsBefore: string;
  let configBefore: string;
  let hookMarker: string;

  beforeAll(async () => {
    // A checkout whose "broken" file was repaired: chapter 2 expects a refusal that does not come,
    // so the demo must stop there and say so (early, so this run costs a few seconds).
    const checkout = join(scratch, 'repaired-checkout');
    mkdirSync(join(checkout, 'scripts'), { recursive: true });
    cpSync(join(repoRoot, 'scripts', 'demo.mjs'), join(checkout, 'scripts', 'demo.mjs'));
    cpSync(join(repoRoot, 'examples', 'penguins'), join(checkout, 'examples', 'penguins'), { recursive: true });
    const data = join(checkout, 'examples', 'penguins', 'data');
    cpSync(join(data, 'penguins.csv'), join(data, 'penguins-broken.csv'));
    // The repository a git hook would run the demo from: GIT_DIR names it.
    callerRepo = createRepo(scratch, 'caller');
    refsBefore = gitIn(callerRepo, 'for-each-ref');
    configBefore = gitIn(callerRepo, 'config', '--local', '-l');
    // The user's global config runs a pre-push hook that fails, and says it ran.
    const hooks = join(scratch, 'user-hooks');
    hookMarker = join(scratch, 'pre-push-ran');
    mkdirSync(hooks);
    writeFileSync(join(hooks, 'pre-push'), `#!/bin/sh\necho ran > '${hookMarker}'\nexit 1\n`);
    chmodSync(join(hooks, 'pre-push'), 0o755);
    const userConfig = join(scratch, 'user-gitconfig');
    writeFileSync(userConfig, `[core]\n\thooksPath = ${hooks}\n`);
    const hostile = {
      GIT_DIR: join(callerRepo, '.git'),
      GIT_WORK_TREE: callerRepo,
      GIT_INDEX_FILE: join(callerRepo, '.git', 'index'),
      GIT_CONFIG_GLOBAL: userConfig,
    };
    [kept, repaired] = await Promise.all([runDemo(['--keep'], { env: hostile }), runDemo([], { checkout })]);
  }, DEMO_TEST_TIMEOUT_MS);

  it('tells every chapter in order and exits 0', () => {
    expect(kept.stderr).toBe('');
    expect(kept.code, kept.stdout).toBe(0);
    const headings = [...kept.stdout.matchAll(/^(\d)\. (.+)$/gm)].map((match) => Number(match[1]));
    expect(headings).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(kept.stdout).toMatch(/✓ The story went as told, in \d+\.\d s\./);
    // Every command is printed as a user would type it, before its summary.
    for (const command of ['profile', 'validate-data', 'train', 'evaluate-gate', 'register', 'deploy', 'drift-check']) {
      expect(kept.stdout).toMatch(new RegExp(`^\\$ mlops ${command} --`, 'm'));
    }
    expect(kept.stdout).toMatch(/^\$ mlops runs compare baseline-\S+ fewer-epochs-\S+ --json$/m);
  });

  it('with GIT_DIR set, writes nothing to that repository', () => {
    expect(kept.code, kept.stdout + kept.stderr).toBe(0);
    expect(gitIn(callerRepo, 'for-each-ref')).toBe(refsBefore);
    expect(gitIn(callerRepo, 'config', '--local', '-l')).toBe(configBefore);
  });

  it("never runs the user's global git hooks", () => {
    expect(kept.code, kept.stdout + kept.stderr).toBe(0);
    expect(existsSync(hookMarker)).toBe(false);
  });

  it('states the facts each chapter claims', () => {
    expect(chapterText(kept.stdout, 1)).toMatch(/344 penguins × 7 columns became \d+ expectations/);
    const validate = chapterText(kept.stdout, 2);
    expect(validate).toMatch(/All 10 expectations .* hold on 344 rows/);
    expect(validate).toContain('Exit 2, as expected: data/penguins-broken.csv:222: row has 8 fields, the header has 7');
    expect(chapterText(kept.stdout, 3)).toMatch(/Baseline baseline-\S+: 300 epochs, accuracy 0\.\d+/);
    expect(chapterText(kept.stdout, 3)).toMatch(
      /Candidate fewer-epochs-\S+ \(--param-overrides epochs=20\): 20 epochs, accuracy 0\.\d+/,
    );
    const gate = chapterText(kept.stdout, 4);
    expect(gate).toMatch(/Exit 1: the gate stops the candidate \(2 of 5 gates failed/);
    expect(gate).toMatch(/log_loss 0\.\d+ → 0\.\d+: regressed by/);
    expect(gate).toMatch(/recall\.Chinstrap 0\.\d+ → 0\.\d+: 0\.\d+ is below the minimum 0\.8/);
    expect(gate).toContain('mlops-reports/evaluate-gate.md');
    expect(chapterText(kept.stdout, 5)).toContain('penguins v1 (the baseline, with its reference profile) and v2');
    expect(chapterText(kept.stdout, 6)).toContain('staging → v1, production → v1');
    const rollback = chapterText(kept.stdout, 7);
    expect(rollback).toMatch(/failed its smoke test: 1 of 4 answers wrong: request 4 \(a female Chinstrap/);
    expect(rollback).toContain('deploy rolled back to v1 by itself');
    expect(rollback).toContain('The alias production still names v1');
    const drift = chapterText(kept.stdout, 8);
    expect(drift).toMatch(/Drift in \d of 7 columns \(share 0\.\d+\): .*island.*body_mass_g/);
    expect(drift).toContain('"Data drift detected", in .mlops/outbox/issue-drift-check-default.md');
    expect(chapterText(kept.stdout, 9)).toMatch(/One param differs, epochs 300 → 20/);
  });

  it('with --keep keeps the folder it names: reports, outbox issue, served model, registry', () => {
    expect(kept.code, kept.stdout + kept.stderr).toBe(0);
    const folder = /^Kept (\S+) /m.exec(kept.stdout)?.[1];
    expect(folder, kept.stdout).toBeDefined();
    expect(readdirSync(kept.tmp)).toEqual([folder!.split(/[\\/]/).pop()]);
    const project = join(folder!, 'project');
    const issue = readFileSync(join(project, '.mlops/outbox/issue-drift-check-default.md'), 'utf8');
    expect(issue.split('\n')[0]).toBe('# Data drift detected');
    for (const report of ['validate-data.json', 'evaluate-gate.md', 'drift-check.json', 'run-baseline.json']) {
      expect(existsSync(join(project, 'mlops-reports', report)), report).toBe(true);
    }
    expect(existsSync(join(project, 'mlops-reports', 'validate-broken.json'))).toBe(false);
    const served = JSON.parse(readFileSync(join(project, 'serving/production/version.json'), 'utf8')) as {
      version: number;
    };
    expect(served.version).toBe(1);
    // The registry branch was pushed to the bare remote beside the project.
    expect(existsSync(join(folder!, 'remote.git', 'refs', 'heads', 'mlops-registry'))).toBe(true);
  });

  it('stops with the fact that was wrong when a step does not go as told', () => {
    expect(repaired.code).toBe(1);
    expect(repaired.stderr).toContain(
      '✗ The demo did not go as told. 2. Validate the data, then a broken file: the broken file was not refused as unreadable (mlops validate-data exited with 0, the story expects 2).',
    );
    expect(repaired.stdout).not.toContain('\n3. ');
  });

  it('leaves nothing behind without --keep', () => {
    // The demo that stopped at chapter 2 had made its folder, a git repository with a remote and
    // files from two commands: all of it went, as at the end of a finished demo (one `finally`).
    expect(repaired.stdout).toMatch(/^In \S+mlops-demo-\w+: project\/ is a git repository/m);
    expect(repaired.stderr).toContain('Run npm run demo -- --keep --verbose to look at what happened.');
    expect(readdirSync(repaired.tmp)).toEqual([]);
  });
});

describe('npm run demo, options', () => {
  it('documents --keep in --help', async () => {
    const { code, stdout } = await runDemo(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/--keep\s+Keep the temporary folder/);
  });

  it('refuses an unknown option with exit 2', async () => {
    const { code, stderr, tmp } = await runDemo(['--kep']);
    expect(code).toBe(2);
    expect(stderr).toBe('demo: unknown option --kep (see npm run demo -- --help).\n');
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('says which CLI is missing, and leaves nothing', async () => {
    const empty = mkdtempSync(join(scratch, 'no-dist-'));
    const { code, stderr, tmp } = await runDemo([], { dist: empty });
    expect(code).toBe(1);
    expect(stderr).toContain(
      `${join(empty, 'cli', 'index.js')} is missing: run npm run bundle first (or fix MLOPS_DIST).`,
    );
    expect(readdirSync(tmp)).toEqual([]);
  });
});
