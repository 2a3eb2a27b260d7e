import { appendFile } from 'node:fs/promises';
import { formatLocation } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { RunnerIO } from '../adapters/runner/definition.js';

/** Where the CLI writes; tests pass their own streams. */
export interface CliStreams {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/**
 * Writes to a process stream, ignoring EPIPE: `mlops runs record ... | head -1` closes the pipe
 * after one line, which is the reader's choice and not a failure of the command (the work is done).
 */
function pipeSafe(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') closed = true;
    else throw error;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}

let processStreamsCache: CliStreams | undefined;

/** The real stdout and stderr (EPIPE-safe), created on first use. */
export function processStreams(): CliStreams {
  processStreamsCache ??= { stdout: pipeSafe(process.stdout), stderr: pipeSafe(process.stderr) };
  return processStreamsCache;
}

/**
 * Streams that replace every secret in `secrets` with `***`, on stdout and stderr alike: a
 * token must not reach a terminal, a log or a pipe, whichever stream or message carries it.
 * `secrets` is live: a secret added later is hidden from then on.
 */
export function redactingStreams(streams: CliStreams, secrets: readonly string[]): CliStreams {
  const redact = (text: string) =>
    secrets.reduce((out, secret) => (secret ? out.split(secret).join('***') : out), text);
  return {
    stdout: (text) => streams.stdout(redact(text)),
    stderr: (text) => streams.stderr(redact(text)),
  };
}

/** The CLI's logger: plain lines on stderr, compiler-style locations, debug only on request. */
export function cliLogger(streams: CliStreams, debug: boolean): Logger {
  const line = (text: string) => streams.stderr(text + '\n');
  return {
    debug: (message) => {
      if (debug) line(`debug: ${message}`);
    },
    info: (message) => line(message),
    warning: (message, location) => line(`warning: ${formatLocation(location)}${message}`),
    error: (message, location) => line(`error: ${formatLocation(location)}${message}`),
    notice: (message, location) => line(`notice: ${formatLocation(location)}${message}`),
    async group(title, fn) {
      line(`▸ ${title}`);
      return fn();
    },
  };
}

/**
 * RunnerIO for the CLI: the step summary is written only when GITHUB_STEP_SUMMARY names a file;
 * `mask` hides a secret in everything the command prints (see redactingStreams).
 */
export function cliIO(
  streams: CliStreams,
  debug: boolean,
  summaryFile: string | undefined,
  mask: (secret: string) => void,
): RunnerIO {
  return {
    logger: cliLogger(streams, debug),
    async appendSummary(markdown) {
      if (summaryFile) await appendFile(summaryFile, markdown.endsWith('\n') ? markdown : markdown + '\n');
    },
    mask: (secret) => {
      if (secret) mask(secret);
    },
  };
}
