import type { ActionName, InputName, OutputName } from '../../generated/action-meta.js';
import type { SourceLocation } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { RunEnvironment } from '../environment.js';
import type { InputSpecs, ParsedInputs } from './inputs.js';

/** The runner's side channels, implemented for GitHub Actions and for the CLI. */
export interface RunnerIO {
  readonly logger: Logger;
  /** Appends markdown to the step summary (a no-op where there is none). */
  appendSummary(markdown: string): Promise<void>;
  /** Hides a value in every later log line. */
  mask(secret: string): void;
}

export type OutputValue = string | number | boolean | undefined;

/** What an entry point returns: its verdict and its outputs. */
export interface ActionOutcome<A extends ActionName> {
  /** False when a verdict failed (exit 1); user mistakes are thrown as UserError instead. */
  passed: boolean;
  outputs: { [K in OutputName<A>]?: OutputValue };
  /** One line that says which verdict failed, shown as the step's error. */
  failure?: string;
  /** Where the failure is, so the annotation lands on the file. */
  failureLocation?: SourceLocation;
  /** The annotation's title (train: "Training command failed"); the message holds the details. */
  failureTitle?: string;
  /**
   * Lines the CLI's human summary adds to what the outputs say: in local mode, where the file
   * that stands for an issue was written (the log says it too, on stderr).
   */
  notes?: string[];
}

/** `action` under the runner, `cli` from the mlops command. */
export type RunMode = 'action' | 'cli';

/** Everything an entry point may use. It never reads the process's variables or calls getInput itself. */
export interface ActionContext<A extends ActionName, S extends InputSpecs<A>> {
  readonly inputs: ParsedInputs<A, S>;
  readonly io: RunnerIO;
  readonly log: Logger;
  readonly env: RunEnvironment;
  readonly mode: RunMode;
  /**
   * How to name one of this action's inputs in an error: `Input "metrics"` under the runner,
   * `--metrics` on the command line. Built once by the runner or the CLI; entry points never
   * spell a label themselves, so one message reads right in both.
   */
  label(name: InputName<A>): string;
  /** What to say when an input the entry point needs is missing (see missingInputMessage). */
  missing(name: InputName<A>): string;
}

/** An action's entry logic, shared by its bundle and the CLI. */
export interface ActionDefinition<A extends ActionName, S extends InputSpecs<A> = InputSpecs<A>> {
  readonly name: A;
  readonly inputs: S;
  run(context: ActionContext<A, S>): Promise<ActionOutcome<A>>;
}

/** Declares an action with its input parsers; the types tie every name to action.yml. */
export function defineAction<A extends ActionName, S extends InputSpecs<A>>(
  definition: ActionDefinition<A, S>,
): ActionDefinition<A, S> {
  return definition;
}

/**
 * How an input is named in an error: `Input "data"` under the runner, `--data` on the command line.
 * The runner and the CLI build the context's `label` from it; entry points use `context.label`.
 */
export function inputLabel(mode: RunMode, name: string): string {
  return mode === 'action' ? `Input "${name}"` : `--${name}`;
}

/**
 * What to say when a required input is missing: the runner's own wording in an action, a pointer
 * to the command's help on the command line. Entry points with a conditional requirement use it
 * too, so the message does not depend on which check caught it.
 */
export function missingInputMessage(mode: RunMode, action: ActionName, name: string): string {
  return mode === 'action'
    ? `Input required and not supplied: ${name}`
    : `Missing required option --${name} (see mlops ${action} --help).`;
}

/** Renders an output value as the runner stores it. */
export function formatOutput(value: Exclude<OutputValue, undefined>): string {
  return typeof value === 'string' ? value : String(value);
}

/**
 * An entry's `run` whose implementation is imported on first call. Bundles are split at this
 * import, so a step that fails on its inputs (or `--help`) never parses the heavy modules
 * (parsers, schemas, Octokit) that only the real work needs: that keeps start-up near bare node.
 */
export function lazyRun<A extends ActionName, S extends InputSpecs<A>>(
  load: () => Promise<(context: ActionContext<A, S>) => Promise<ActionOutcome<A>>>,
): (context: ActionContext<A, S>) => Promise<ActionOutcome<A>> {
  return async (context) => (await load())(context);
}
