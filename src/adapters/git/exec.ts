import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { EnvironmentError, InputError } from '../../core/errors.js';
import { processVariables } from '../environment.js';

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface GitOptions {
  cwd: string;
  /** Written to git's standard input. */
  input?: string | Buffer;
  /** Extra environment (GIT_INDEX_FILE, GIT_AUTHOR_*...). */
  env?: Record<string, string>;
  /** Return a non-zero exit instead of throwing. */
  allowFailure?: boolean;
  /** Return stdout as raw bytes (latin1-safe) rather than UTF-8 text. */
  binary?: boolean;
}

/**
 * Why git could not be started: spawn says ENOENT both for a missing git and for a missing
 * working directory, and ENOTDIR for a working directory that is a file. Blames the directory
 * when it is the problem, so `--working-directory /nonexistent` is not "git is not installed".
 */
export function spawnFailure(cwd: string): Error {
  const stats = statSync(cwd, { throwIfNoEntry: false });
  if (!stats) return new InputError(`working directory ${cwd} does not exist.`);
  if (!stats.isDirectory()) return new InputError(`working directory ${cwd} is not a directory.`);
  return new EnvironmentError('git is not installed or not on PATH.');
}

/**
 * Runs git with an argument vector, never through a shell, so no value is ever interpreted as
 * shell syntax. Prompts are disabled: a missing credential fails instead of hanging the job.
 */
export function git(args: string[], options: GitOptions): Promise<GitResult> {
  return new Promise((resolvePromise, reject) => {
    let child: ReturnType<typeof execFile>;
    try {
      child = execFile(
        'git',
        args,
        {
          cwd: options.cwd,
          // git inherits the process's variables (PATH, HOME, GIT_* configuration, the CLI
          // user's credential helpers), with prompts off and messages in English.
          env: { ...processVariables(), GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '', LC_ALL: 'C', ...options.env },
          maxBuffer: 512 * 1024 * 1024,
          encoding: options.binary ? 'latin1' : 'utf8',
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          const spawnCode = error && (error as NodeJS.ErrnoException).code;
          if (spawnCode === 'ENOENT' || spawnCode === 'ENOTDIR') {
            reject(spawnFailure(options.cwd));
            return;
          }
          if (code !== 0 && !options.allowFailure) {
            reject(
              new EnvironmentError(
                `git ${args[0]} failed (exit ${code}): ${String(stderr).trim() || String(stdout).trim()}`,
              ),
            );
            return;
          }
          resolvePromise({ stdout: String(stdout), stderr: String(stderr), code });
        },
      );
    } catch (error) {
      // A working directory that is a file fails the spawn itself (ENOTDIR), synchronously.
      const spawnCode = (error as NodeJS.ErrnoException).code;
      reject(spawnCode === 'ENOENT' || spawnCode === 'ENOTDIR' ? spawnFailure(options.cwd) : error);
      return;
    }
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}
