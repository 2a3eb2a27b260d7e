/** What the registry and runs subcommands share: where the registry is, positionals, JSON output. */
import { directory } from '../../adapters/runner/inputs.js';
import { actionMeta } from '../../generated/action-meta.js';
import { InputError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { CommandArgs, CommandContext } from '../commands.js';
import type { FlagTable } from '../flags.js';
import { cliLogger } from '../io.js';

/** Where the registry is unless a flag says otherwise: register's action.yml defaults, the one source. */
export const REGISTRY_DEFAULTS = {
  branch: actionMeta.register.inputs['registry-branch'].default,
  remote: actionMeta.register.inputs['registry-remote'].default,
} as const;

/** Flags every registry and runs subcommand takes (the actions' input names). */
export const LOCATION_FLAGS: FlagTable = {
  'registry-branch': {
    type: 'string',
    value: 'name',
    description: `Registry branch (default: ${REGISTRY_DEFAULTS.branch}).`,
  },
  'registry-remote': {
    type: 'string',
    value: 'name',
    description: `Remote that holds it (default: ${REGISTRY_DEFAULTS.remote}; with no such remote the local branch is used).`,
  },
  'working-directory': {
    type: 'string',
    value: 'dir',
    description: 'A directory inside the repository (default: the current one).',
  },
};

/**
 * `--working-directory` resolved against the current directory; it must be an existing directory,
 * so that a typo is named as such and not as a git or data-file problem.
 */
export function workingDirectoryFrom(args: CommandArgs, context: CommandContext): string {
  const given = args.options.get('working-directory');
  if (given === undefined) return context.cwd;
  // The same check, and the same words, as the actions' working-directory input.
  return directory().parse(given, { label: '--working-directory', workingDirectory: context.cwd, mask: () => {} });
}

/** The repository location from the common flags. */
export function locationFrom(args: CommandArgs, context: CommandContext) {
  return {
    cwd: workingDirectoryFrom(args, context),
    branch: args.options.get('registry-branch') ?? REGISTRY_DEFAULTS.branch,
    remote: args.options.get('registry-remote') ?? REGISTRY_DEFAULTS.remote,
  };
}

/** Requires exactly `names.length` positionals, naming the missing one. */
export function positionals(args: CommandArgs, names: string[], usage: string): string[] {
  if (args.positionals.length < names.length) {
    throw new InputError(`Missing ${names[args.positionals.length]}. Usage: ${usage}`);
  }
  if (args.positionals.length > names.length) {
    throw new InputError(`Unexpected argument "${args.positionals[names.length]}". Usage: ${usage}`);
  }
  return args.positionals;
}

/** The one JSON object a command prints on stdout under --json. */
export function printJson(context: CommandContext, value: unknown): void {
  context.streams.stdout(JSON.stringify(value, null, 2) + '\n');
}

/** A subcommand's logic with the CLI's logger. */
export function withLog(
  run: (args: CommandArgs, context: CommandContext, log: Logger) => Promise<number>,
): (args: CommandArgs, context: CommandContext) => Promise<number> {
  return (args, context) => run(args, context, cliLogger(context.streams, context.debug));
}
