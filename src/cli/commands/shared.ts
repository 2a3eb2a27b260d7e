/** What the registry and runs subcommands share: where the registry is, positionals, JSON output. */
import { checkGitHubUrl } from '../../adapters/github/client.js';
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
  'github-token': {
    type: 'string',
    value: 'token',
    description:
      'Token for the registry remote (when git has no credentials of its own for it) and the GitHub API (default: $GITHUB_TOKEN, else $GH_TOKEN).',
  },
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

/**
 * The token the shell has, as the gh CLI reads it: GITHUB_TOKEN, else GH_TOKEN. What every CLI
 * command uses when `--github-token` is not given (an action's `${{ github.token }}` default too).
 */
export function shellToken(env: NodeJS.ProcessEnv): string | undefined {
  return env.GITHUB_TOKEN || env.GH_TOKEN || undefined;
}

/** The token of a registry or runs subcommand: `--github-token`, else the shell's (shellToken). */
export function tokenFrom(args: CommandArgs, context: CommandContext): string | undefined {
  return args.options.get('github-token') ?? shellToken(context.env);
}

/**
 * Where GitHub is: `--api-url` / GITHUB_API_URL (default https://api.github.com) and
 * `--server-url` / GITHUB_SERVER_URL (default: the web server of that API), each checked.
 */
export function githubUrlsFrom(args: CommandArgs, context: CommandContext): { apiUrl: string; serverUrl: string } {
  const setting = (option: string, variable: string, fallback: string) => {
    const given = args.options.get(option);
    if (given !== undefined) return checkGitHubUrl(given, `--${option}`);
    const value = context.env[variable];
    return value ? checkGitHubUrl(value, variable) : fallback;
  };
  const apiUrl = setting('api-url', 'GITHUB_API_URL', 'https://api.github.com');
  const serverUrl = setting(
    'server-url',
    'GITHUB_SERVER_URL',
    apiUrl === 'https://api.github.com' ? 'https://github.com' : apiUrl.replace(/\/api\/v3$/, ''),
  );
  return { apiUrl, serverUrl };
}

/**
 * The registry location plus what its remote may need: the token (tokenFrom), the GitHub server
 * it may be sent to (git gets it only for that host, and only without credentials of its own),
 * and the mask that hides the header derived from it.
 */
export function remoteFrom(args: CommandArgs, context: CommandContext) {
  const token = tokenFrom(args, context);
  return {
    ...locationFrom(args, context),
    // The server is only looked up (and checked) for a token: without one it is never used.
    ...(token ? { token, serverUrl: githubUrlsFrom(args, context).serverUrl } : {}),
    // A token from the shell gives way to git's own credentials; one the user named does not.
    tokenIsExplicit: args.options.get('github-token') !== undefined,
    mask: context.mask,
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
