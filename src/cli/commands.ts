import type { ActionName } from '../generated/action-meta.js';
import type { ActionDefinition } from '../adapters/runner/definition.js';
import type { FlagTable, ParsedFlags } from './flags.js';
import type { CliStreams } from './io.js';

/** How each action's entry logic is loaded. */
export type ActionLoaders = { readonly [A in ActionName]: () => Promise<ActionDefinition<A>> };

/**
 * Action entry logic, loaded only when its command runs so that `mlops --help` and each command
 * parse just what they use. Frozen, like extraCommands: every runCli in the process shares it.
 */
export const actionLoaders: ActionLoaders = Object.freeze({
  'validate-data': async () => (await import('../actions/validate-data/main.js')).validateData,
  train: async () => (await import('../actions/train/main.js')).train,
  'evaluate-gate': async () => (await import('../actions/evaluate-gate/main.js')).evaluateGate,
  register: async () => (await import('../actions/register/main.js')).register,
  deploy: async () => (await import('../actions/deploy/main.js')).deploy,
  'drift-check': async () => (await import('../actions/drift-check/main.js')).driftCheck,
});

/** What a non-action command (profile, registry, runs) gets. */
export interface CommandContext {
  /** Redacting streams: every masked secret is `***` in whatever is written. */
  streams: CliStreams;
  env: NodeJS.ProcessEnv;
  cwd: string;
  debug: boolean;
  json: boolean;
  /** Hides a secret (a token given as a flag) in everything printed from now on. */
  mask(secret: string): void;
}

/** A command's arguments, parsed against its flag table. */
export interface CommandArgs {
  positionals: string[];
  /** String flags given once. */
  options: Map<string, string>;
  /** String flags that may repeat (`multiple`), in the order given. */
  lists: Map<string, string[]>;
  /** Boolean flags set to true. */
  flags: Set<string>;
}

/** Sorts parseFlags' values into the maps a command reads. */
export function commandArgs(parsed: ParsedFlags): CommandArgs {
  const args: CommandArgs = { positionals: parsed.positionals, options: new Map(), lists: new Map(), flags: new Set() };
  for (const [name, value] of Object.entries(parsed.values)) {
    if (Array.isArray(value)) args.lists.set(name, value);
    else if (typeof value === 'boolean') {
      if (value) args.flags.add(name);
    } else args.options.set(name, value);
  }
  return args;
}

/** One runnable command or subcommand: its flags (the one place they are declared) and its logic. */
export interface CommandSpec {
  /** What follows the command's name in its usage line: `<model> <alias> <vN>`. */
  usage: string;
  summary: string;
  flags: FlagTable;
  /** Whether it takes positional arguments (each run checks how many). */
  positionals: boolean;
  run(args: CommandArgs, context: CommandContext): Promise<number>;
}

/** A command that is not an action: one CommandSpec (profile) or subcommands (registry, runs). */
export interface CliCommand {
  name: string;
  summary: string;
  /** Paragraphs of help after the usage. */
  description?: string;
  /** Help lines at the end: exit status, where to read more. */
  epilogue?: string;
  main?: CommandSpec;
  subcommands?: Record<string, CommandSpec>;
}

/** A non-action command as the top-level help lists it, and how to load it. */
export interface ExtraCommand {
  readonly name: string;
  readonly summary: string;
  load(): Promise<CliCommand>;
}

/**
 * The non-action commands, each loaded on demand. Frozen (the list and each entry), so that
 * nothing can change what a later run in the same process finds; runCli takes another
 * CommandTable instead.
 */
export const extraCommands: readonly ExtraCommand[] = Object.freeze([
  Object.freeze({
    name: 'registry',
    summary: 'The model registry on a git branch: list, show, history, set-alias, deprecate, fsck.',
    load: async () => (await import('./commands/registry.js')).registryCommand,
  }),
  Object.freeze({
    name: 'runs',
    summary: 'Experiment tracking: record, list, show and compare train runs on the registry branch.',
    load: async () => (await import('./commands/runs.js')).runsCommand,
  }),
  Object.freeze({
    name: 'profile',
    summary: 'Profile a dataset and write a starter expectation suite for validate-data.',
    load: async () => (await import('./commands/profile.js')).profileCommand,
  }),
]);

/** The commands runCli knows: the actions and the other commands. */
export interface CommandTable {
  readonly actionLoaders: ActionLoaders;
  readonly extraCommands: readonly ExtraCommand[];
}

/** The commands `mlops` has. */
export const builtinCommands: CommandTable = Object.freeze({ actionLoaders, extraCommands });
