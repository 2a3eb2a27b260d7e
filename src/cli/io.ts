import { appendFile } from 'node:fs/promises';
import { formatLocation } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { RunnerIO } from '../adapters/runner/definition.js';

/** Where the CLI writes; tests pass their own streams. */
export interface CliStreams {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const processStreams: CliStreams = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** The CLI's logger: plain lines on stderr, compiler-style locations, debug only on request. */
export function cliLogger(streams: CliStreams, debug: boolean): Logger & { secrets: string[] } {
  const secrets: string[] = [];
  const redact = (text: string) => secrets.reduce((out, s) => out.split(s).join('***'), text);
  const line = (text: string) => streams.stderr(redact(text) + '\n');
  return {
    secrets,
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

/** RunnerIO for the CLI: the step summary is written only when GITHUB_STEP_SUMMARY names a file. */
export function cliIO(streams: CliStreams, debug: boolean, summaryFile: string | undefined): RunnerIO {
  const logger = cliLogger(streams, debug);
  return {
    logger,
    async appendSummary(markdown) {
      if (summaryFile) await appendFile(summaryFile, markdown.endsWith('\n') ? markdown : markdown + '\n');
    },
    mask: (secret) => {
      if (secret) logger.secrets.push(secret);
    },
  };
}
