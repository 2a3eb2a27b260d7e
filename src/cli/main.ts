import { actionMeta, type ActionName } from '../generated/action-meta.js';
import { InputError, isUserError } from '../core/errors.js';
import { readEnvironment } from '../adapters/environment.js';
import { inputLabel, missingInputMessage, type ActionDefinition } from '../adapters/runner/definition.js';
import { isGitHubTokenDefault, readInputs, type InputSpecs } from '../adapters/runner/inputs.js';
import { builtinCommands, commandArgs, type CliCommand, type CommandContext, type CommandTable } from './commands.js';
import { didYouMean, parseFlags, parseLeadingGlobals, type FlagTable, type GlobalFlags } from './flags.js';
import { renderActionHelp, renderCommandHelp, renderSubcommandHelp, renderTopHelp } from './help.js';
import { cliIO, processStreams, redactingStreams, type CliStreams } from './io.js';
import { shellToken } from './commands/shared.js';
import { actionJson, renderActionSummary } from './summaries.js';
import packageJson from '../../package.json' with { type: 'json' };

/** Input kinds whose flag may be repeated: the values are collected one per line. */
const LIST_KINDS = ['list', 'paths', 'lines'];

/**
 * An action's flag table, generated from its action.yml inputs and its parsers' kinds: boolean
 * inputs are boolean flags, list inputs repeatable ones.
 */
export function actionFlagTable(action: ActionName, kinds: Record<string, string>): FlagTable {
  const inputs = actionMeta[action].inputs as Record<string, { description: string }>;
  return Object.fromEntries(
    Object.entries(inputs).map(([name, spec]) => [
      name,
      {
        type: kinds[name] === 'boolean' ? 'boolean' : 'string',
        multiple: LIST_KINDS.includes(kinds[name] ?? ''),
        value: kinds[name] ?? 'value',
        description: spec.description,
      },
    ]),
  );
}

/**
 * Parses an action command's flags into raw input texts, as a workflow would give them:
 * booleans as `true`/`false`, a repeated list flag one value per line.
 */
export function parseActionFlags(
  action: ActionName,
  args: string[],
  kinds: Record<string, string>,
): { inputs: Map<string, string>; globals: GlobalFlags } {
  const parsed = parseFlags(args, actionFlagTable(action, kinds), { command: `mlops ${action}`, positionals: false });
  const inputs = new Map<string, string>();
  for (const [name, value] of Object.entries(parsed.values)) {
    const text = Array.isArray(value) ? value.join('\n') : String(value);
    // In a workflow a blank input means "not given" (its action.yml default applies). Typed on a
    // command line, `--baseline=` or `--baseline "$UNSET"` is a mistake that must not quietly
    // become the default (auto, for a baseline).
    if (text.trim() === '')
      throw new InputError(`--${name} is empty; give it a value, or leave it out for its default.`);
    inputs.set(name, text);
  }
  return { inputs, globals: parsed.globals };
}

/**
 * An input's default on the command line: action.yml's literal default; for `${{ github.token }}`
 * the token the shell has (GITHUB_TOKEN, then GH_TOKEN, as the gh CLI reads them); other
 * `${{ ... }}` defaults only exist inside a workflow.
 */
export function cliDefault(actionDefault: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (actionDefault === undefined) return undefined;
  if (isGitHubTokenDefault(actionDefault)) return shellToken(env);
  return actionDefault.startsWith('${{') ? undefined : actionDefault;
}

function kindsOf(specs: InputSpecs<ActionName>): Record<string, string> {
  return Object.fromEntries(Object.entries(specs).map(([name, parser]) => [name, parser.kind]));
}

/** What every command shares: the streams (redacting), the environment and the global flags. */
interface Invocation {
  streams: CliStreams;
  env: NodeJS.ProcessEnv;
  cwd: string;
  globals: GlobalFlags;
  mask(secret: string): void;
  /** The commands this run can find. */
  commands: CommandTable;
}

/** Global flags before the command and after it are one set. */
function mergeGlobals(before: GlobalFlags, after: GlobalFlags): GlobalFlags {
  return {
    help: before.help || after.help,
    json: before.json || after.json,
    debug: before.debug || after.debug,
    version: before.version || after.version,
  };
}

async function runActionCommand(action: ActionName, args: string[], call: Invocation): Promise<number> {
  const { streams, env, cwd } = call;
  const definition = (await call.commands.actionLoaders[action]()) as unknown as ActionDefinition<ActionName>;
  const kinds = kindsOf(definition.inputs);
  const { inputs: given, globals: after } = parseActionFlags(action, args, kinds);
  const flags = (call.globals = mergeGlobals(call.globals, after));
  if (flags.version) {
    streams.stdout(versionText(flags.json));
    return 0;
  }
  if (flags.help) {
    streams.stdout(renderActionHelp(action, kinds));
    return 0;
  }
  const environment = readEnvironment(env, cwd, { debug: flags.debug });
  const io = cliIO(streams, environment.debug, environment.stepSummaryFile, call.mask);
  const meta = actionMeta[action].inputs as Record<string, { default?: string }>;
  const label = (name: string) => inputLabel('cli', name);
  const missing = (name: string) => missingInputMessage('cli', action, name);
  const inputs = readInputs(
    action,
    definition.inputs,
    {
      get: (name) => given.get(name) ?? cliDefault(meta[name]?.default, env),
      label,
      missing,
    },
    // On the command line, relative paths mean relative to where the command runs, even inside
    // a workflow step where GITHUB_WORKSPACE is set.
    { workspace: cwd, mask: io.mask },
  );
  const outcome = await definition.run({ inputs, io, log: io.logger, env: environment, mode: 'cli', label, missing });
  if (flags.json) streams.stdout(JSON.stringify(actionJson(action, outcome), null, 2) + '\n');
  else streams.stdout(await renderActionSummary(action, outcome));
  if (!outcome.passed) {
    io.logger.error(outcome.failure ?? `${action} failed.`, outcome.failureLocation);
    return 1;
  }
  return 0;
}

async function runExtraCommand(command: CliCommand, args: string[], call: Invocation): Promise<number> {
  const { streams } = call;
  let spec = command.main;
  let name = `mlops ${command.name}`;
  let rest = args;
  let subcommand: string | undefined;
  if (command.subcommands) {
    const [first, ...others] = args;
    if (first === undefined || first.startsWith('-') || first === 'help') {
      // No subcommand: only global flags may be given (`mlops registry --help`).
      let before: GlobalFlags;
      try {
        before = parseFlags(args.slice(first === 'help' ? 1 : 0), {}, { command: name, positionals: false }).globals;
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        throw new InputError(`${error.message} The subcommand comes first: ${name} <subcommand> [options].`);
      }
      const globals = mergeGlobals(call.globals, before);
      call.globals = globals;
      if (globals.version) {
        streams.stdout(versionText(globals.json));
        return 0;
      }
      if (globals.help || first === 'help') {
        streams.stdout(renderCommandHelp(command));
        return 0;
      }
      streams.stderr(renderCommandHelp(command));
      throw new InputError(`Missing subcommand for ${name}: one of ${Object.keys(command.subcommands).join(', ')}.`);
    }
    spec = command.subcommands[first];
    if (!spec) {
      throw new InputError(
        `Unknown ${command.name} command "${first}".${didYouMean(first, Object.keys(command.subcommands))} See mlops ${command.name} --help.`,
      );
    }
    subcommand = first;
    name = `${name} ${first}`;
    rest = others;
  }
  if (!spec) throw new Error(`mlops ${command.name} declares neither main nor subcommands.`);
  const parsed = parseFlags(rest, spec.flags, { command: name, positionals: spec.positionals });
  // A token given as a flag is hidden from here on, whatever the subcommand does with it.
  const token = parsed.values['github-token'];
  if (typeof token === 'string') call.mask(token);
  const globals = (call.globals = mergeGlobals(call.globals, parsed.globals));
  if (globals.version) {
    streams.stdout(versionText(globals.json));
    return 0;
  }
  if (globals.help) {
    streams.stdout(subcommand ? renderSubcommandHelp(command, subcommand, spec) : renderCommandHelp(command));
    return 0;
  }
  const context: CommandContext = {
    streams,
    env: call.env,
    cwd: call.cwd,
    debug: globals.debug || call.env.RUNNER_DEBUG === '1',
    json: globals.json,
    mask: call.mask,
  };
  return spec.run(commandArgs(parsed), context);
}

/** `mlops --version`: the version, or `{"version": ...}` under --json. */
function versionText(json: boolean): string {
  return json ? JSON.stringify({ version: packageJson.version }, null, 2) + '\n' : `${packageJson.version}\n`;
}

/** True when the arguments ask for JSON: `--json`, `--json=true` (not `--json=false`, not `--json false`). */
function jsonRequested(argv: readonly string[]): boolean {
  return argv.some(
    (arg, index) =>
      /^--json=(true|True|TRUE)$/.test(arg) ||
      (arg === '--json' && !/^(false|False|FALSE)$/.test(argv[index + 1] ?? '')),
  );
}

/** The error as one JSON object, so that `--json` output parses even when the command failed. */
function errorJson(message: string): string {
  return JSON.stringify({ ok: false, error: message, exitCode: 2 }, null, 2) + '\n';
}

/**
 * The `mlops` command. Returns the exit status: 0 pass, 1 a verdict failed, 2 the command could
 * not do its job (one line on stderr saying what and where). `env` is the only environment it
 * reads (src/cli/index.ts passes the process's), so a test can inject every variable; `commands`
 * is the only command table it consults, so a test can give it fakes without editing shared
 * module state.
 */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  cwd: string = process.cwd(),
  rawStreams: CliStreams = processStreams(),
  commands: CommandTable = builtinCommands,
): Promise<number> {
  // Every token the command may hold is hidden in everything it prints, on both streams: the
  // shell's tokens from the start, a --github-token as soon as it is read.
  const secrets = [env.GITHUB_TOKEN, env.GH_TOKEN].filter((token): token is string => !!token);
  const streams = redactingStreams(rawStreams, secrets);
  const commandIndex = argv.findIndex((arg) => !arg.startsWith('-'));
  const command = commandIndex === -1 ? undefined : argv[commandIndex];
  const args = commandIndex === -1 ? [] : argv.slice(commandIndex + 1);
  const call: Invocation = {
    streams,
    env,
    cwd,
    globals: { help: false, json: false, debug: false, version: false },
    commands,
    mask: (secret) => {
      if (secret && !secrets.includes(secret)) secrets.push(secret);
    },
  };
  try {
    call.globals = parseLeadingGlobals(commandIndex === -1 ? argv : argv.slice(0, commandIndex));
    if (call.globals.version) {
      streams.stdout(versionText(call.globals.json));
      return 0;
    }
    if (command === 'help' && args[0] !== undefined) {
      return await runCli([args[0], '--help'], env, cwd, rawStreams, commands);
    }
    if (command === undefined || command === 'help') {
      const help = renderTopHelp(packageJson.version, commands.extraCommands);
      // A bare `mlops` is a usage error: the help goes to stderr and the status is 2.
      if (command === undefined && !call.globals.help) {
        streams.stderr(help);
        throw new InputError('Missing command: mlops <command> [options] (see mlops --help).');
      }
      streams.stdout(help);
      return 0;
    }
    if (command in actionMeta) return await runActionCommand(command as ActionName, args, call);
    const extra = commands.extraCommands.find((c) => c.name === command);
    if (extra) return await runExtraCommand(await extra.load(), args, call);
    const names = [...Object.keys(actionMeta), ...commands.extraCommands.map((c) => c.name)];
    throw new InputError(`Unknown command "${command}".${didYouMean(command, names)} See mlops --help.`);
  } catch (error) {
    // The flags may not have parsed: --json (or --json=true) anywhere still asks for JSON.
    const json = call.globals.json || jsonRequested(argv);
    if (isUserError(error)) {
      streams.stderr(`mlops: error: ${error.located}\n`);
      if ((call.globals.debug || env.RUNNER_DEBUG === '1') && error.stack) streams.stderr(error.stack + '\n');
      if (json) streams.stdout(errorJson(error.located));
      return 2;
    }
    const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
    streams.stderr(`mlops: internal error (please report it): ${stack}\n`);
    if (json) streams.stdout(errorJson(`internal error: ${error instanceof Error ? error.message : String(error)}`));
    return 2;
  }
}
