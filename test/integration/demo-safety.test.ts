/**
 * `npm run demo` (scripts/demo.mjs) must not touch anything of the user's: not the git repository
 * it is run from (GIT_DIR set by a hook), not the user's global git config (a core.hooksPath with
 * a failing pre-push hook), and a SIGTERM stops it at once, leaving no folder behind. The first
 * two are checked on test/integration/demo.test.ts's whole demo, which runs with GIT_DIR and the
 * global hooks set (a second whole demo here cost 20 s of CPU); the signal test stops after
 * chapter 1. demo.test.ts covers the story itself.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { distDir, repoRoot } from '../support/runner.js';
import { useRealPython } from '../support/python.js';

/** One whole demo: about 20 s of CPU; 70 to 190 s were measured at load average 19 to 20 on 2 cores. */
const DEMO_TIMEOUT_MS = 480_000;

const scratch = mkdtempSync(join(tmpdir(), 'mlops-demo-safety-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
// Each train run asks python3 for its version (lineage): the interpreter answers, not pyenv's shim.
afterAll(useRealPython());

interface DemoChild {
  child: ReturnType<typeof spawn>;
  stdout: () => string;
  stderr: () => string;
  /** Exit code or signal, once the demo has closed. */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The TMPDIR the demo ran with: its temporary folder, and nothing else, goes there. */
  tmp: string;
}

/** Starts `node scripts/demo.mjs` with a TMPDIR of its own, the test build (or `env.MLOPS_DIST`) and `env` on top. */
function startDemo(env: Record<string, string>): DemoChild {
  const tmp = mkdtempSync(join(scratch, 'tmp-'));
  const child = spawn(process.execPath, [join(repoRoot, 'scripts', 'demo.mjs')], {
    cwd: repoRoot,
    env: { ...process.env, MLOPS_DIST: distDir(), TMPDIR: tmp, TMP: tmp, TEMP: tmp, GITHUB_ACTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), DEMO_TIMEOUT_MS - 10_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, closed, tmp };
}

describe('npm run demo on a signal', () => {
  it('stops within seconds on SIGTERM, exits 143 and leaves no folder', { timeout: 120_000 }, async () => {
    const demo = startDemo({});
    // Chapter 1's summary printed: the story is under way, a command of chapter 2 is running.
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (demo.stdout().includes('\n2. ')) {
          clearInterval(poll);
          resolve();
        }
      }, 50);
      demo.closed.then(() => {
        clearInterval(poll);
        reject(new Error(`the demo ended before chapter 2:\n${demo.stdout()}${demo.stderr()}`));
      }, reject);
    });
    const sent = Date.now();
    demo.child.kill('SIGTERM');
    const { code } = await demo.closed;
    const seconds = (Date.now() - sent) / 1000;
    expect(code, demo.stdout() + demo.stderr()).toBe(143);
    // Spawning no further command and waiting for one to die takes a second or two, even busy.
    expect(seconds).toBeLessThan(10);
    expect(demo.stdout()).not.toContain('\n3. ');
    expect(readdirSync(demo.tmp)).toEqual([]);
  });
});

/**
 * A dist/ whose CLI runs the real one with `args` (a JS expression over `argv`, the arguments as
 * given) and then runs `after` (JS statements): a command that misbehaves in one chosen way.
 */
function tamperedDist(name: string, args: string, after = ''): string {
  const dist = join(scratch, name);
  mkdirSync(join(dist, 'cli'), { recursive: true });
  writeFileSync(
    join(dist, 'cli', 'index.js'),
    [
      "const { spawnSync } = require('node:child_process');",
      "const { rmSync } = require('node:fs');",
      `const cli = ${JSON.stringify(join(distDir(), 'cli', 'index.js'))};`,
      'const argv = process.argv.slice(2);',
      `const result = spawnSync(process.execPath, [cli, ...(${args})], { stdio: 'inherit' });`,
      after,
      'process.exit(result.status ?? 1);',
      '',
    ].join('\n'),
  );
  return dist;
}

/** Runs the demo on `dist` and checks that it stopped in chapter `number` with `fact`, leaving nothing. */
async function expectStopIn(dist: string, number: number, fact: string): Promise<void> {
  const demo = startDemo({ MLOPS_DIST: dist });
  const { code } = await demo.closed;
  expect(code, demo.stdout() + demo.stderr()).toBe(1);
  expect(demo.stderr()).toContain(`✗ The demo did not go as told. ${number}. ${fact}`);
  expect(demo.stdout()).not.toContain(`\n${number + 1}. `);
  expect(readdirSync(demo.tmp)).toEqual([]);
}

describe('npm run demo checks what it prints', () => {
  it('stops in chapter 3 when the runs were not pushed to the remote', { timeout: 240_000 }, async () => {
    // train as asked but without --track: "pushed to the remote" would be untrue.
    const dist = tamperedDist('untracked-dist', "argv.filter((arg) => arg !== '--track')");
    await expectStopIn(
      dist,
      3,
      'Train twice, tracked: the registry branch mlops-registry was not pushed to the remote',
    );
  });

  it('stops in chapter 4 when the gate left no outbox comment', { timeout: 240_000 }, async () => {
    // evaluate-gate as it is, but its local-mode comment goes missing.
    const dist = tamperedDist(
      'no-comment-dist',
      'argv',
      "if (argv[0] === 'evaluate-gate') rmSync('.mlops/outbox/comment-evaluate-gate-default.md', { force: true });",
    );
    await expectStopIn(
      dist,
      4,
      'Gate the candidate against the baseline: the gate left no pull-request comment in .mlops/outbox/comment-evaluate-gate-default.md',
    );
  });
});
