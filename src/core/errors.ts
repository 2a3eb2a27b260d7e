/**
 * Where in a user's file a problem is. `line` and `column` are 1-based; `row` is the 1-based data
 * row (header excluded) and `key` a dotted key path, for formats where a line number says little.
 */
export interface SourceLocation {
  file?: string;
  line?: number;
  column?: number;
  row?: number;
  key?: string;
}

/**
 * A mistake in something the user gave us (an input, a config file, a data file), as opposed to a
 * bug in mlops. The CLI prints its message as one line and exits 2; an action turns it into one
 * `::error` annotation. No stack trace is shown unless debugging is on.
 */
export class UserError extends Error {
  readonly location: SourceLocation | undefined;

  constructor(message: string, location?: SourceLocation, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.location = location;
  }

  /** The message prefixed with its location, compiler-style: `file:line:column: message`. */
  get located(): string {
    return formatLocation(this.location) + this.message;
  }
}

/** An action input or CLI flag is missing or malformed. */
export class InputError extends UserError {}

/** A file the user wrote (suite, gates, config, metrics, data) is malformed or unreadable. */
export class ConfigurationError extends UserError {}

/** The step cannot do its job because something outside is unavailable (registry, API, git). */
export class EnvironmentError extends UserError {}

/** The entry point exists but its capability has not been built yet. */
export class NotImplementedError extends UserError {
  constructor(action: string) {
    super(`${action} is not implemented yet.`);
  }
}

/** `file:line:column: ` (or `file: row N, column "x": `) for a location; empty when there is none. */
export function formatLocation(location: SourceLocation | undefined): string {
  if (!location) return '';
  const parts: string[] = [];
  if (location.file !== undefined) {
    let head = location.file;
    if (location.line !== undefined) {
      head += `:${location.line}`;
      if (location.column !== undefined) head += `:${location.column}`;
    }
    parts.push(head);
  }
  if (location.row !== undefined) parts.push(`row ${location.row}`);
  if (location.key !== undefined) parts.push(`key "${location.key}"`);
  return parts.length ? parts.join(', ') + ': ' : '';
}

/** True for errors that are the user's to fix. */
export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
