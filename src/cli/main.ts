import { actionMeta, type ActionName } from '../generated/action-meta.js';
import { InputError, isUserError } from '../core/errors.js';
import { nearest } from '../core/suggest.js';
import { readEnvironment } from '../adapters/environment.js';
import { formatOutput, inputLabel, missingInputMessage, type ActionDefinition } from '../adapters/runner/definition.js';
import { isGitHubTokenDefault, readInputs, type InputSpecs } from '../adapters/runner/inputs.js';
import { actionLoaders, extraCommands, type CommandContext } from './commands.js';
import { renderActionHelp, renderTopHelp } from './help.js';
import { cliIO, processStreams, type CliStreams } from './io.js';
import packageJson from '../../package.json' with { type: 'json' };

/** Global flags, valid before or after the command. */
interface GlobalFlags {
  help: boolean;
  debug: boolean;
  json: boolean;
  version: boolean;
}

function takeGlobalFlags(args: string[]): { flags: GlobalFlags; rest: string[] } {
  const flags: GlobalFlags = { help: false, debug: false, json: false, version: false };
  const rest: string[] = [];
  for (const arg of args) {
    if (arg === '--help' || arg === '-h') flags.help = true;
    else if (arg === '--debug') flags.debug = true;
    else if (arg === '--json') flags.json = true;
    else if (arg === '--version') flags.version = true;
    else rest.push(arg);
  }
  return { flags, rest };
}

/** The one candidate the word abbreviates (`validate` → validate-data), else the nearest by edit distance. */
function suggest(word: string, candidates: string[]): string {
  const extending = candidates.filter((candidate) => candidate.startsWith(word));
  if (extending.length === 1) return ` Did you mean ${extending[0]}?`;
  const best = nearest(word, candidates, Math.max(2, Math.floor(word.length / 3)));
  return best ? ` Did you mean ${best}?` : '';
}

/**
 * Parses `--name value`, `--name=value`, bare `--flag` / `--no-flag` for boolean inputs.
 * A repeated flag for a list input collects its values, one per line.
 */
export function parseActionFlags(
  action: ActionName,
  args: string[],
  kinds: Record<string, string>,
): Map<string, string> {
  const known = Object.keys(actionMeta[action].inputs);
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      throw new InputError(`Unexpected argument "${arg}" for mlops ${action}: inputs are given as --<name> <value>.`);
    }
    const eq = arg.indexOf('=');
    let name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (!known.includes(name) && name.startsWith('no-') && kinds[name.slice(3)] === 'boolean' && value === undefined) {
      name = name.slice(3);
      value = 'false';
    }
    if (!known.includes(name)) {
      throw new InputError(
        `Unknown option --${name} for mlops ${action}.${suggest(
          `--${name}`,
          known.map((k) => `--${k}`),
        )}`,
      );
    }
    if (value === undefined) {
      const next = args[i + 1];
      if (kinds[name] === 'boolean' && (next === undefined || next.startsWith('--') || !/^(true|false)$/i.test(next))) {
        value = 'true';
      } else if (next === undefined || next.startsWith('--')) {
        // `--data --suite s.yml` is a forgotten value, not a file named "--suite"; such a value
        // can still be given as --data=--suite.
        throw new InputError(`Option --${name} needs a value.`);
      } else {
        value = next;
        i++;
      }
    }
    const previous = values.get(name);
    const multiple = kinds[name] === 'list' || kinds[name] === 'paths';
    if (previous !== undefined && !multiple) throw new InputError(`Option --${name} is given more than once.`);
    values.set(name, previous !== undefined ? `${previous}\n${value}` : value);
  }
  return values;
}

/**
 * An input's default on the command line: action.yml's literal default; for `${{ github.token }}`
 * the token the shell has (GITHUB_TOKEN, then GH_TOKEN, as the gh CLI reads them); other
 * `${{ ... }}` defaults only exist inside a workflow.
 */
export function cliDefault(actionDefault: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (actionDefault === undefined) return undefined;
  if (isGitHubTokenDefault(actionDefault)) return env.GITHUB_TOKEN || env.GH_TOKEN || undefined;
  return actionDefault.startsWith('${{') ? undefined : actionDefault;
}

function kindsOf(specs: InputSpecs<ActionName>): Record<string, string> {
  return Object.fromEntries(Object.entries(specs).map(([name, parser]) => [name, parser.kind]));
}

async function runActionCommand(
  action: ActionName,
  args: string[],
  flags: GlobalFlags,
  streams: CliStreams,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<number> {
  const definition = (await actionLoaders[action]()) as unknown as ActionDefinition<ActionName>;
  const kinds = kindsOf(definition.inputs);
  if (flags.help) {
    streams.stdout(renderActionHelp(action, kinds));
    return 0;
  }
  const environment = readEnvironment(env, cwd, { debug: flags.debug });
  const io = cliIO(streams, environment.debug, env.GITHUB_STEP_SUMMARY || undefined);
  const meta = actionMeta[action].inputs as Record<string, { default?: string }>;
  const given = parseActionFlags(action, args, kinds);
  const inputs = readInputs(
    action,
    definition.inputs,
    {
      get: (name) => given.get(name) ?? cliDefault(meta[name]?.default, env),
      label: (name) => inputLabel('cli', name),
      missing: (name) => missingInputMessage('cli', action, name),
    },
    // On the command line, relative paths mean relative to where the command runs, even inside
    // a workflow step where GITHUB_WORKSPACE is set.
    { workspace: cwd, mask: io.mask },
  );
  const outcome = await definition.run({ inputs, io, log: io.logger, env: environment, mode: 'cli' });
  // In action.yml order, whatever order the entry point built them in.
  const produced = outcome.outputs as Record<string, string | number | boolean | undefined>;
  const outputs = Object.fromEntries(
    Object.keys(actionMeta[action].outputs)
      .filter((name) => produced[name] !== undefined)
      .map((name) => [name, formatOutput(produced[name]!)]),
  );
  if (flags.json) {
    streams.stdout(JSON.stringify(outputs, null, 2) + '\n');
  } else {
    for (const [name, value] of Object.entries(outputs)) {
      streams.stdout(`${name}=${value.includes('\n') ? JSON.stringify(value) : value}\n`);
    }
  }
  if (!outcome.passed) {
    io.logger.error(outcome.failure ?? `${action} failed.`, outcome.failureLocation);
    return 1;
  }
  return 0;
}

/**
 * The `mlops` command. Returns the exit status: 0 pass, 1 a verdict failed, 2 the command could
 * not do its job (one line on stderr saying what and where).
 */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
  streams: CliStreams = processStreams,
): Promise<number> {
  const { flags, rest } = takeGlobalFlags(argv);
  const [command, ...args] = rest;
  try {
    if (flags.version) {
      streams.stdout(`${packageJson.version}\n`);
      return 0;
    }
    if (command === 'help' && args[0] !== undefined) {
      return await runCli([args[0], '--help'], env, cwd, streams);
    }
    if (command === undefined || command === 'help') {
      const help = renderTopHelp(packageJson.version, extraCommands);
      // A bare `mlops` is a usage error: the help goes to stderr and the status is 2.
      if (command === undefined && !flags.help) {
        streams.stderr(help);
        return 2;
      }
      streams.stdout(help);
      return 0;
    }
    if (command in actionMeta) {
      return await runActionCommand(command as ActionName, args, flags, streams, env, cwd);
    }
    const extra = extraCommands.find((c) => c.name === command);
    if (extra) {
      const context: CommandContext = { streams, env, cwd, debug: flags.debug, json: flags.json };
      return await (await extra.load()).run(flags.help ? ['--help', ...args] : args, context);
    }
    const names = [...Object.keys(actionMeta), ...extraCommands.map((c) => c.name)];
    throw new InputError(`Unknown command "${command}".${suggest(command, names)} See mlops --help.`);
  } catch (error) {
    if (isUserError(error)) {
      streams.stderr(`mlops: error: ${error.located}\n`);
      if ((flags.debug || env.RUNNER_DEBUG === '1') && error.stack) streams.stderr(error.stack + '\n');
      return 2;
    }
    const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
    streams.stderr(`mlops: internal error (please report it): ${stack}\n`);
    return 2;
  }
}
