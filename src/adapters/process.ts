import { spawn, spawnSync, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Readable } from 'node:stream';
import { InputError } from '../core/errors.js';

/** What runShellCommand runs, and how it reports on the way. */
export interface ShellCommandOptions {
  /** The script, as a workflow `run:` step holds it: written to a temp file, never interpolated. */
  script: string;
  /**
   * As a workflow step's `shell:`: bash, sh, pwsh, powershell, python, cmd, or a custom template
   * `command [options] {0}` ({0} is the script file's path; appended when missing). Unset: bash on
   * Linux and macOS (sh when bash is not on PATH), pwsh on Windows, as the runner does.
   */
  shell?: string;
  /** Working directory of the command. */
  cwd: string;
  /** The command's whole environment (nothing is inherited beyond it). PATH is looked up in it. */
  env: Record<string, string>;
  /** Kill the whole process tree after this long: SIGTERM, then SIGKILL after a grace period. */
  timeoutMs?: number;
  /** How long the command may be silent before onHeartbeat is called (again). Default 30 s. */
  heartbeatMs?: number;
  /** Each chunk of output, as it arrives. Default: written through to this process's stdout/stderr. */
  onOutput?(chunk: string, stream: 'stdout' | 'stderr'): void;
  /** Called every heartbeatMs of silence with how long the command has been silent. */
  onHeartbeat?(silentForMs: number): void;
  /** How many of the last output lines to keep for the result (stdout and stderr together). Default 20. */
  tailLines?: number;
  /** Where the temp script is written (RUNNER_TEMP under the runner). Default: the OS temp folder. */
  tempDir?: string;
  /** Time between SIGTERM and SIGKILL when the tree is killed. Default 5 s. */
  killGraceMs?: number;
}

/** How a shell command ended. */
export interface ShellCommandResult {
  /** The exit code, or null when a signal ended the command. */
  exitCode: number | null;
  /** The signal that ended the command (`SIGTERM`, `SIGKILL`), else null. */
  signal: string | null;
  /** True when timeoutMs ran out and the tree was killed. */
  timedOut: boolean;
  /** True when this process was interrupted (SIGINT, SIGTERM: a cancelled job) and killed the tree. */
  cancelled: boolean;
  durationMs: number;
  /** The last tailLines lines of output, without line ends (a `\r` progress line keeps its last state). */
  tail: string[];
}

/** The program and arguments that run a script file, and the file's extension. */
export interface ShellInvocation {
  /** The shell as written (or the default's name), for logs and the run record. */
  name: string;
  command: string;
  /** Arguments; `{0}` stands for the script file and is replaced when the command is run. */
  args: string[];
  /** Extension the script file needs (`.ps1` for PowerShell, `.cmd` for cmd), else empty. */
  extension: string;
  /** Wraps the script as the runner does (PowerShell: stop on errors, exit with LASTEXITCODE). */
  wrap(script: string): string;
}

const DEFAULT_HEARTBEAT_MS = 30_000;
const DEFAULT_TAIL_LINES = 20;
const DEFAULT_KILL_GRACE_MS = 5_000;
/** After the command exits, how long to wait for output still buffered in its pipes. */
const OUTPUT_DRAIN_MS = 2_000;
/** After a kill, how long past the SIGKILL to wait for the process group to disappear. */
const TREE_GONE_WAIT_MS = 5_000;
/** A tail line longer than this is cut: a minified blob must not swamp an annotation. */
const MAX_TAIL_LINE_CHARS = 1_000;

const identity = (script: string): string => script;

/**
 * PowerShell scripts get the runner's prologue and epilogue: stop on the first failing cmdlet, and
 * exit with the last native command's code (otherwise a failing `python train.py` exits 0).
 */
function wrapPowerShell(script: string): string {
  return `$ErrorActionPreference = 'stop'\n${script}\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }\n`;
}

/**
 * The invocation of a workflow `shell:` value, as GitHub's runner builds it. Pure apart from
 * `isOnPath`, which says whether a program exists (the default falls back to sh without bash).
 */
export function resolveShell(
  shell: string | undefined,
  platform: NodeJS.Platform,
  isOnPath: (program: string) => boolean,
  comSpec = 'cmd.exe',
): ShellInvocation {
  const windows = platform === 'win32';
  const name = shell?.trim() || (windows ? 'pwsh' : isOnPath('bash') ? 'bash-default' : 'sh');
  switch (name) {
    case 'bash-default':
      // Unspecified on Linux/macOS: `bash -e {0}` (not the explicit bash's pipefail form).
      return { name: 'bash', command: 'bash', args: ['-e', '{0}'], extension: '', wrap: identity };
    case 'bash':
      return {
        name,
        command: 'bash',
        args: ['--noprofile', '--norc', '-eo', 'pipefail', '{0}'],
        extension: '',
        wrap: identity,
      };
    case 'sh':
      return { name, command: 'sh', args: ['-e', '{0}'], extension: '', wrap: identity };
    case 'pwsh':
    case 'powershell':
      return { name, command: name, args: ['-command', ". '{0}'"], extension: '.ps1', wrap: wrapPowerShell };
    case 'python':
      return { name, command: 'python', args: ['{0}'], extension: '.py', wrap: identity };
    case 'cmd':
      if (!windows) throw new InputError('shell "cmd" runs on Windows only.');
      return {
        name,
        command: comSpec,
        args: ['/D', '/E:ON', '/V:OFF', '/S', '/C', 'CALL "{0}"'],
        extension: '.cmd',
        wrap: identity,
      };
    default: {
      const [command, ...args] = splitShellTemplate(name);
      if (command === undefined) throw new InputError(`shell "${name}" names no program.`);
      if (!args.some((arg) => arg.includes('{0}'))) args.push('{0}');
      return { name, command, args, ...scriptKindOf(command) };
    }
  }
}

/**
 * The script file a custom template's program needs, as the runner gives it by the program's
 * name: PowerShell a `.ps1` with its prologue (`pwsh -File {0}` refuses any other extension),
 * Python a `.py`, cmd a `.cmd`; anything else the script as is, without an extension.
 */
function scriptKindOf(command: string): Pick<ShellInvocation, 'extension' | 'wrap'> {
  const program = (command.split(/[\\/]/).pop() ?? '').toLowerCase().replace(/\.exe$/, '');
  if (program === 'pwsh' || program === 'powershell') return { extension: '.ps1', wrap: wrapPowerShell };
  if (/^python(\d+(\.\d+)*)?$/.test(program)) return { extension: '.py', wrap: identity };
  if (program === 'cmd') return { extension: '.cmd', wrap: identity };
  return { extension: '', wrap: identity };
}

/**
 * Splits a custom shell template into words: whitespace separates, double and single quotes group
 * (`pwsh -command ". '{0}'"` is three words). The template is the user's own, never an input value.
 */
export function splitShellTemplate(template: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (const char of template) {
    if (quote) {
      if (char === quote) quote = undefined;
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote) throw new InputError(`shell "${template}" has an unclosed ${quote} quote.`);
  if (inWord) words.push(word);
  return words;
}

/** True when `program` is an executable file on the PATH of `env` (or is such a path itself). */
export function isExecutableOnPath(program: string, env: Record<string, string>, platform = process.platform): boolean {
  const extensions = platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';')] : [''];
  const candidates = isAbsolute(program)
    ? [program]
    : (env.PATH ?? env.Path ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, program));
  for (const candidate of candidates) {
    for (const extension of extensions) {
      try {
        const file = candidate + extension;
        if (!statSync(file).isFile()) continue;
        accessSync(file, fsConstants.X_OK);
        return true;
      } catch {
        // not here: try the next directory
      }
    }
  }
  return false;
}

/**
 * What of an unfinished line can still be shown: the part after its last `\r` (a terminal shows
 * nothing before it), at most MAX_TAIL_LINE_CHARS + 1 characters (enough to know it gets cut).
 * Trailing `\r`s are kept, one of them, for a CRLF whose `\n` comes in the next chunk. Without
 * this a tqdm bar that never prints a newline makes every chunk re-split all of its updates.
 */
function visiblePart(open: string): string {
  const body = open.replace(/\r+$/, '');
  const ending = body.length < open.length ? '\r' : '';
  const shown = body.slice(body.lastIndexOf('\r') + 1);
  return (shown.length > MAX_TAIL_LINE_CHARS + 1 ? shown.slice(0, MAX_TAIL_LINE_CHARS + 1) : shown) + ending;
}

/** Keeps the last `limit` complete lines of two interleaved streams, plus each stream's open line. */
export class OutputTail {
  private readonly lines: string[] = [];
  private readonly open = { stdout: '', stderr: '' };

  constructor(private readonly limit: number) {}

  push(chunk: string, stream: 'stdout' | 'stderr'): void {
    const parts = (this.open[stream] + chunk).split('\n');
    this.open[stream] = visiblePart(parts.pop() ?? '');
    for (const line of parts) this.add(line);
  }

  finish(): string[] {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.open[stream] !== '') this.add(this.open[stream]);
      this.open[stream] = '';
    }
    return [...this.lines];
  }

  private add(raw: string): void {
    // A progress bar rewrites its line with \r: keep what a terminal would show last.
    const shown = raw.replace(/\r+$/, '').split('\r').pop() ?? '';
    const line = shown.length > MAX_TAIL_LINE_CHARS ? `${shown.slice(0, MAX_TAIL_LINE_CHARS)}…` : shown;
    this.lines.push(line);
    if (this.lines.length > this.limit) this.lines.shift();
  }
}

/**
 * Kills a child and everything it started. POSIX: the child leads its own process group (it was
 * spawned detached), so one signal to the group reaches the grandchildren too, including those
 * sent to the background. Windows: taskkill /T walks the tree.
 */
function killTree(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL'): void {
  if (child.pid === undefined) return;
  if (process.platform === 'win32') {
    spawnSync('taskkill', ['/PID', String(child.pid), '/T', ...(signal === 'SIGKILL' ? ['/F'] : [])], {
      stdio: 'ignore',
      windowsHide: true,
    });
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

/**
 * Every descendant of `root` (POSIX), read from `ps -A -o pid=,ppid=`: a process that left the
 * group (`setsid`, a daemonising server) is out of the group signal's reach but still a child of
 * the tree until its parent dies, so it is collected before the first signal. Empty when ps fails.
 */
export function descendantPids(root: number): number[] {
  const listing = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (listing.status !== 0 || typeof listing.stdout !== 'string') return [];
  const children = new Map<number, number[]>();
  for (const line of listing.stdout.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (pid === undefined || ppid === undefined || !Number.isInteger(pid) || !Number.isInteger(ppid)) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      if (found.includes(child) || child === root) continue;
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Sends `signal` to each pid that still exists; errors (gone already) are ignored. */
function signalEach(pids: Iterable<number>, signal: 'SIGTERM' | 'SIGKILL'): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone already.
    }
  }
}

/** True while any of the pids exists. */
function anyAlive(pids: Iterable<number>): boolean {
  for (const pid of pids) {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      // This one is gone.
    }
  }
  return false;
}

/** True while any process of the child's group is alive (POSIX); false on Windows. */
function groupAlive(pid: number | undefined): boolean {
  if (pid === undefined || process.platform === 'win32') return false;
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves `shell` as runShellCommand will and checks its program can start with this PATH, so a
 * step can refuse a typo before it downloads, creates or runs anything.
 */
export function checkShell(shell: string | undefined, env: Record<string, string>): ShellInvocation {
  const invocation = resolveShell(
    shell,
    process.platform,
    (program) => isExecutableOnPath(program, env),
    env.ComSpec ?? env.COMSPEC,
  );
  if (!isExecutableOnPath(invocation.command, env)) {
    throw new InputError(
      `shell "${invocation.name}": ${invocation.command} is not on the PATH (${env.PATH ?? env.Path ?? 'unset'}).`,
    );
  }
  return invocation;
}

/**
 * Runs a script as a workflow `run:` step does: written to a temp file (removed afterwards) and
 * run by the shell's template, so no input is ever interpolated into a command line. Output is
 * streamed live; a silent command gets heartbeats; a timeout kills the whole process tree
 * (SIGTERM, then SIGKILL after the grace period) and nothing of it is left running. This process
 * being interrupted (SIGINT, SIGTERM: a cancelled job) passes the signal on to the tree.
 *
 * Rejects only when the command cannot be started (an unknown shell, a missing program); a
 * failing command resolves with its exit code.
 */
export async function runShellCommand(options: ShellCommandOptions): Promise<ShellCommandResult> {
  const shell = checkShell(options.shell, options.env);
  const tempRoot = await mkdtemp(join(options.tempDir ?? tmpdir(), 'mlops-run-'));
  const scriptPath = join(tempRoot, `script${shell.extension}`);
  try {
    await writeFile(scriptPath, shell.wrap(options.script), { mode: 0o700 });
    return await runScriptFile(scriptPath, shell, options);
  } finally {
    await rm(tempRoot, { recursive: true, force: true });
  }
}

/**
 * The environment as a prototype-less copy of its own keys: spawn walks inherited keys too, so a
 * polluted Object.prototype would otherwise reach the command's environment.
 */
export function ownEnvironment(env: Readonly<Record<string, string>>): Record<string, string> {
  const own = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(env)) own[name] = value;
  return own;
}

/** The command could not be started at all (no exit code, no output): what spawn said, and why. */
export class CommandStartError extends InputError {
  constructor(
    readonly shellName: string,
    readonly program: string,
    readonly reason: string,
  ) {
    super(`shell "${shellName}": could not start ${program}: ${reason}`);
  }
}

/** spawn's message, with what E2BIG means (nobody knows it by its name). */
function startFailureReason(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'E2BIG') {
    return `${error.message} (its environment and arguments are larger than the system allows)`;
  }
  return error.message;
}

function runScriptFile(
  scriptPath: string,
  shell: ShellInvocation,
  options: ShellCommandOptions,
): Promise<ShellCommandResult> {
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const graceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const tail = new OutputTail(options.tailLines ?? DEFAULT_TAIL_LINES);
  const onOutput =
    options.onOutput ??
    ((chunk: string, stream: 'stdout' | 'stderr') => {
      (stream === 'stdout' ? process.stdout : process.stderr).write(chunk);
    });
  const args = shell.args.map((arg) => arg.replaceAll('{0}', scriptPath));
  const env = ownEnvironment(options.env);
  const started = Date.now();

  return new Promise<ShellCommandResult>((resolvePromise, reject) => {
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(shell.command, args, {
        cwd: options.cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group, so that a kill reaches every process the command started.
        detached: process.platform !== 'win32',
        windowsHide: true,
        windowsVerbatimArguments: shell.name === 'cmd',
      });
    } catch (error) {
      // spawn throws, instead of emitting 'error', for E2BIG (an environment over the system's
      // limit) and for invalid values (a NUL in a variable).
      reject(new CommandStartError(shell.name, shell.command, startFailureReason(error as Error)));
      return;
    }

    let lastOutputAt = started;
    let timedOut = false;
    let cancelled = false;
    let exited: { code: number | null; signal: string | null } | undefined;
    const timers: NodeJS.Timeout[] = [];
    let heartbeatTimer: NodeJS.Timeout | undefined;

    const scheduleHeartbeat = (delay: number): void => {
      heartbeatTimer = setTimeout(() => {
        const silent = Date.now() - lastOutputAt;
        if (silent >= heartbeatMs) {
          options.onHeartbeat?.(silent);
          scheduleHeartbeat(heartbeatMs);
        } else {
          scheduleHeartbeat(heartbeatMs - silent);
        }
      }, delay);
    };
    scheduleHeartbeat(heartbeatMs);

    // Descendants that left the process group, collected before the first signal: once their
    // parent dies they are the init process's children and no longer found from the tree.
    const strays = new Set<number>();
    const collectStrays = (): void => {
      if (child.pid === undefined || process.platform === 'win32') return;
      for (const pid of descendantPids(child.pid)) strays.add(pid);
    };
    const treeAlive = (): boolean => groupAlive(child.pid) || anyAlive(strays);
    const kill = (): void => {
      collectStrays();
      killTree(child, 'SIGTERM');
      signalEach(strays, 'SIGTERM');
      timers.push(
        setTimeout(() => {
          collectStrays();
          if (exited === undefined || treeAlive()) {
            killTree(child, 'SIGKILL');
            signalEach(strays, 'SIGKILL');
          }
        }, graceMs),
      );
    };
    // A cancelled job interrupts this process: the command's tree goes with it (it has its own
    // process group, so the terminal's or runner's signal would not reach it).
    const forward = (): void => {
      cancelled = true;
      kill();
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);

    if (options.timeoutMs !== undefined) {
      timers.push(
        setTimeout(() => {
          timedOut = true;
          kill();
        }, options.timeoutMs),
      );
    }

    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream].setEncoding('utf8');
      child[stream].on('data', (chunk: string) => {
        lastOutputAt = Date.now();
        tail.push(chunk, stream);
        onOutput(chunk, stream);
      });
    }

    let settled = false;
    const stopTimers = (): void => {
      if (heartbeatTimer) clearTimeout(heartbeatTimer);
      for (const timer of timers) clearTimeout(timer);
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
    };
    const settle = (): void => {
      if (settled) return;
      settled = true;
      stopTimers();
      // Background processes may still hold the pipes: stop reading them, the step is over.
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      resolvePromise({
        exitCode: exited?.code ?? null,
        signal: exited?.signal ?? null,
        timedOut,
        cancelled,
        durationMs: Date.now() - started,
        tail: tail.finish(),
      });
    };
    let waitingForTree = false;
    /** Settles once the command has exited and, after a kill, once nothing of its tree is left. */
    const finish = (): void => {
      if (settled || waitingForTree || exited === undefined) return;
      if (!(timedOut || cancelled) || !treeAlive()) {
        settle();
        return;
      }
      waitingForTree = true;
      // A process that even SIGKILL does not remove (an unreaped zombie in a container without
      // init) must not hang the step: give up waiting a while after the SIGKILL.
      const giveUpAt = Date.now() + graceMs + TREE_GONE_WAIT_MS;
      const poll = setInterval(() => {
        if (!treeAlive() || Date.now() > giveUpAt) settle();
      }, 50);
      timers.push(poll);
    };

    child.on('error', (error) => {
      if (settled) return;
      settled = true;
      stopTimers();
      reject(new CommandStartError(shell.name, shell.command, startFailureReason(error)));
    });
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      // Output still in the pipes arrives before 'close'; a background process holding them open
      // must not keep the step waiting, so 'close' gets a short while.
      timers.push(setTimeout(finish, OUTPUT_DRAIN_MS));
    });
    child.on('close', finish);
  });
}
