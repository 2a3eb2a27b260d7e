import type { SourceLocation } from './errors.js';

/**
 * How core code reports progress and findings without knowing whether it runs in an action
 * (workflow commands) or the CLI (stderr). Annotations carry a location so that the runner can
 * show them on the file and line in the pull-request diff.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string, location?: SourceLocation): void;
  error(message: string, location?: SourceLocation): void;
  notice(message: string, location?: SourceLocation): void;
  /** Runs `fn` inside a collapsible log group. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

/** A logger that drops everything, for library use and tests that do not look at logs. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warning() {},
  error() {},
  notice() {},
  group: (_title, fn) => fn(),
};

export interface LogRecord {
  level: 'debug' | 'info' | 'warning' | 'error' | 'notice';
  message: string;
  location?: SourceLocation | undefined;
}

/** A logger that keeps every record, for unit tests that assert on warnings. */
export function memoryLogger(): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const push = (level: LogRecord['level']) => (message: string, location?: SourceLocation) => {
    records.push({ level, message, location });
  };
  return {
    records,
    debug: push('debug'),
    info: push('info'),
    warning: push('warning'),
    error: push('error'),
    notice: push('notice'),
    group: (_title, fn) => fn(),
  };
}
