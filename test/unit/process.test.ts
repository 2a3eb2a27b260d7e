import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import {
  isExecutableOnPath,
  resolveShell,
  runShellCommand,
  splitShellTemplate,
  type ShellCommandOptions,
} from '../../src/adapters/process.js';

const scratch = mkdtempSync(join(tmpdir(), 'mlops-process-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const baseEnv: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

/** Runs a script with the output captured instead of written through. */
async function run(script: string, options: Partial<ShellCommandOptions> = {}) {
  const chunks: { stream: 'stdout' | 'stderr'; text: string; at: number }[] = [];
  const started = Date.now();
  const result = await runShellCommand({
    script,
    cwd: scratch,
    env: baseEnv,
    onOutput: (text, stream) => chunks.push({ stream, text, at: Date.now() - started }),
    ...options,
  });
  const stdout = chunks
    .filter((c) => c.stream === 'stdout')
    .map((c) => c.text)
    .join('');
  const stderr = chunks
    .filter((c) => c.stream === 'stderr')
    .map((c) => c.text)
    .join('');
  return { result, chunks, stdout, stderr };
}

/** True while a process with this pid exists (kill -0). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of processes whose command line contains `marker`. */
function processesWith(marker: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(marker) && !line.includes('ps -eo'))
    .map((line) => line.trim());
}

describe('runShellCommand exit codes', () => {
  it('returns the exit code of the script', async () => {
    const { result } = await run('echo hi\nexit 7');
    expect(result).toMatchObject({ exitCode: 7, signal: null, timedOut: false });
  });

  it('stops at the first failing command under the default bash -e, as a run: step does', async () => {
    const { result, stdout } = await run('echo before\nfalse\necho after');
    expect(result.exitCode).toBe(1);
    expect(stdout).toBe('before\n');
  });

  it('fails a pipeline with a failing first command under shell: bash (pipefail)', async () => {
    const explicit = await run('false | cat\necho after', { shell: 'bash' });
    expect(explicit.result.exitCode).toBe(1);
    // The unspecified default is `bash -e {0}` without pipefail: the pipeline's status is cat's.
    const unspecified = await run('false | cat\necho after');
    expect(unspecified.result.exitCode).toBe(0);
    expect(unspecified.stdout).toBe('after\n');
  });

  it('runs sh, a custom template and a template without {0}', async () => {
    expect((await run('echo "$0"', { shell: 'sh' })).stdout).toMatch(/mlops-run-.*\/script\n$/);
    expect((await run('print "perl ", 1+1, "\\n";', { shell: 'perl {0}' })).stdout).toBe('perl 2\n');
    expect((await run('console.log(process.argv.length)', { shell: 'node' })).stdout).toBe('2\n');
    const failing = await run('process.exit(4)', { shell: 'node {0}' });
    expect(failing.result.exitCode).toBe(4);
  });

  it.skipIf(!isExecutableOnPath('python', baseEnv))('runs shell: python with a .py script file', async () => {
    const { stdout, result } = await run('import sys\nprint(sys.argv[0][-3:])\nsys.exit(3)', { shell: 'python' });
    expect(stdout).toBe('.py\n');
    expect(result.exitCode).toBe(3);
  });

  it('rejects a shell whose program is not on the PATH, naming it', async () => {
    await expect(run('true', { shell: 'no-such-shell-xyz {0}' })).rejects.toThrow(
      new InputError(`shell "no-such-shell-xyz {0}": no-such-shell-xyz is not on the PATH (${baseEnv.PATH}).`),
    );
  });

  it('removes the temp script, also when the command fails', async () => {
    const tempDir = join(scratch, "temp with spaces and a ' quote");
    mkdirSync(tempDir);
    const { result, stdout } = await run('echo "$0"\nexit 2', { tempDir });
    expect(result.exitCode).toBe(2);
    expect(stdout.startsWith(tempDir)).toBe(true);
    expect(readdirSync(tempDir)).toEqual([]);
  });
});

describe('runShellCommand output', () => {
  it('streams output live, in order, stdout and stderr apart', async () => {
    const { chunks, result } = await run('echo one\nsleep 0.4\necho two >&2\nsleep 0.4\necho three');
    expect(chunks.map((c) => [c.stream, c.text])).toEqual([
      ['stdout', 'one\n'],
      ['stderr', 'two\n'],
      ['stdout', 'three\n'],
    ]);
    // Live: the first line arrived long before the command ended.
    expect(chunks[0]!.at).toBeLessThan(result.durationMs - 500);
    expect(result.tail).toEqual(['one', 'two', 'three']);
  });

  it('keeps the last tailLines lines, with a progress line as a terminal shows it', async () => {
    const { result } = await run('for i in $(seq 1 30); do echo "line $i"; done\nprintf "10%%\\r50%%\\r100%%\\n"', {
      tailLines: 5,
    });
    expect(result.tail).toEqual(['line 27', 'line 28', 'line 29', 'line 30', '100%']);
  });

  it('calls onHeartbeat during silence, with the silence growing', async () => {
    const beats: number[] = [];
    await run('echo start\nsleep 1.3\necho end', { heartbeatMs: 300, onHeartbeat: (ms) => beats.push(ms) });
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats[0]).toBeGreaterThanOrEqual(300);
    for (let i = 1; i < beats.length; i++) expect(beats[i]!).toBeGreaterThan(beats[i - 1]!);
  });

  it('sends no heartbeat while the command keeps talking', async () => {
    const beats: number[] = [];
    await run('for i in 1 2 3 4 5 6; do echo $i; sleep 0.1; done', {
      heartbeatMs: 400,
      onHeartbeat: (ms) => beats.push(ms),
    });
    expect(beats).toEqual([]);
  });
});

describe('runShellCommand environment', () => {
  it('passes exactly the given environment', async () => {
    const { stdout } = await run('echo "$MLOPS_X|${HOME-unset}"', { env: { ...baseEnv, MLOPS_X: 'hello world' } });
    expect(stdout).toBe('hello world|unset\n');
  });

  it('never interpolates values: $(...) and quotes in the environment stay text', async () => {
    const marker = join(scratch, 'pwned');
    const value = `$(touch ${marker}) \`touch ${marker}\` "'; touch ${marker}`;
    const { stdout } = await run('echo "$PARAM"', { env: { ...baseEnv, PARAM: value } });
    expect(stdout).toBe(`${value}\n`);
    expect(existsSync(marker)).toBe(false);
  });

  it('runs in the given working directory', async () => {
    const dir = join(scratch, 'cwd');
    mkdirSync(dir);
    expect((await run('pwd', { cwd: dir })).stdout).toBe(`${dir}\n`);
  });
});

describe('runShellCommand timeout', () => {
  it('kills the whole tree, background grandchildren included, and leaves no process', async () => {
    // Unique sleep lengths mark this test's processes in `ps` (GNU sleep takes fractions).
    const marker = `${300 + (process.pid % 1000)}.${Date.now() % 100000}`;
    const pidFile = join(scratch, `timeout-${marker}.pids`);
    // A grandchild in the background, one that ignores SIGTERM (needs the SIGKILL), and the
    // foreground sleep.
    const script = [
      `sleep ${marker}1 &`,
      `echo $! >> '${pidFile}'`,
      `(trap '' TERM; sleep ${marker}2; true) &`,
      `echo $! >> '${pidFile}'`,
      'echo started',
      `sleep ${marker}3`,
    ].join('\n');
    const { result, stdout } = await run(script, { timeoutMs: 1_000, killGraceMs: 500, shell: 'bash' });
    expect(stdout).toBe('started\n');
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(result.signal).toBe('SIGTERM');
    const pids = readFileSync(pidFile, 'utf8').trim().split('\n').map(Number);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(processesWith(marker)).toEqual([]);
  });

  it('kills the tree when this process is interrupted (a cancelled job) and says so', async () => {
    const marker = `${310 + (process.pid % 1000)}.${Date.now() % 100000}`;
    const pidFile = join(scratch, `cancel-${marker}.pid`);
    const listeners = process.listenerCount('SIGINT');
    const running = run(`sleep ${marker}1 &\necho $! > '${pidFile}'\necho started\nsleep ${marker}2`, {
      killGraceMs: 500,
      onOutput: (text) => {
        // The runner cancels a job with SIGINT; emitting the event reaches the same listener.
        if (text.includes('started')) process.emit('SIGINT');
      },
    });
    const { result } = await running;
    expect(result).toMatchObject({ cancelled: true, timedOut: false, exitCode: null });
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
    expect(processesWith(marker)).toEqual([]);
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });

  it('reports a command that ends before its timeout as not timed out', async () => {
    const { result } = await run('sleep 0.1', { timeoutMs: 30_000 });
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
  });
});

describe('resolveShell', () => {
  const everything = (): boolean => true;
  const nothing = (): boolean => false;

  it('follows the runner: bash -e by default, sh without bash, pwsh on Windows', () => {
    expect(resolveShell(undefined, 'linux', everything)).toMatchObject({ command: 'bash', args: ['-e', '{0}'] });
    expect(resolveShell(undefined, 'darwin', nothing)).toMatchObject({ command: 'sh', args: ['-e', '{0}'] });
    expect(resolveShell(undefined, 'win32', everything)).toMatchObject({
      command: 'pwsh',
      args: ['-command', ". '{0}'"],
      extension: '.ps1',
    });
    expect(resolveShell('bash', 'linux', everything).args).toEqual(['--noprofile', '--norc', '-eo', 'pipefail', '{0}']);
    expect(resolveShell('cmd', 'win32', everything, 'C:\\Windows\\system32\\cmd.exe')).toMatchObject({
      command: 'C:\\Windows\\system32\\cmd.exe',
      extension: '.cmd',
    });
  });

  it('wraps PowerShell so that errors stop it and a native exit code is its exit code', () => {
    const wrapped = resolveShell('pwsh', 'linux', everything).wrap('python train.py');
    expect(wrapped.split('\n')[0]).toBe("$ErrorActionPreference = 'stop'");
    expect(wrapped).toContain(
      'python train.py\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }',
    );
  });

  it('refuses cmd off Windows and an unclosed quote in a template', () => {
    expect(() => resolveShell('cmd', 'linux', everything)).toThrow(new InputError('shell "cmd" runs on Windows only.'));
    expect(() => splitShellTemplate('perl -e "x {0}')).toThrow(
      new InputError('shell "perl -e "x {0}" has an unclosed " quote.'),
    );
    expect(splitShellTemplate(`pwsh -command ". '{0}'"`)).toEqual(['pwsh', '-command', ". '{0}'"]);
  });
});
