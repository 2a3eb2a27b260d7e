import { actionMeta, type ActionName } from '../generated/action-meta.js';
import { isGitHubTokenDefault } from '../adapters/runner/inputs.js';
import type { CliCommand, CommandSpec } from './commands.js';
import { GLOBAL_FLAGS, type FlagTable } from './flags.js';

const WIDTH = 100;

/** Wraps `text` to `width` columns, indenting continuation lines by `indent` spaces. */
export function wrap(text: string, width: number, indent: number): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    if (current && current.length + 1 + word.length > width - indent) {
      lines.push(current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  if (current) lines.push(current);
  return lines.join('\n' + ' '.repeat(indent));
}

function table(rows: Array<[string, string]>): string {
  const left = Math.min(32, Math.max(...rows.map(([name]) => name.length)) + 2);
  return rows
    .map(([name, text]) => {
      const head = `  ${name}`;
      const pad = head.length + 2 > left + 2 ? `\n${' '.repeat(left + 2)}` : ' '.repeat(left + 2 - head.length);
      return head + pad + wrap(text, WIDTH, left + 2);
    })
    .join('\n');
}

/** Extra (non-action) commands, listed in the top-level help. */
export interface CommandSummary {
  name: string;
  summary: string;
}

/** `mlops --help`: every action from its action.yml, then the other commands. */
export function renderTopHelp(version: string, extra: readonly CommandSummary[]): string {
  const actions = (Object.keys(actionMeta) as ActionName[]).map((name): [string, string] => [
    name,
    actionMeta[name].description,
  ]);
  return [
    `mlops ${version}: the ML pipeline actions, run locally.`,
    '',
    'Usage: mlops <command> [--<input> <value> ...]',
    '       mlops <command> --help',
    '',
    'Actions (the same inputs as in a workflow, as flags):',
    table(actions),
    ...(extra.length ? ['', 'Other commands:', table(extra.map((c): [string, string] => [c.name, c.summary]))] : []),
    '',
    'Global options:',
    table([...globalRows()]),
    '',
    'Exit status: 0 pass, 1 a verdict failed, 2 the command could not do its job.',
    '',
  ].join('\n');
}

/** `mlops <action> --help`, generated from the action's action.yml so the two never disagree. */
export function renderActionHelp(action: ActionName, kinds: Record<string, string>): string {
  const meta = actionMeta[action];
  const inputs = Object.entries(meta.inputs) as Array<
    [string, { description: string; required: boolean; default?: string }]
  >;
  const flag = (name: string) =>
    kinds[name] === 'boolean' ? `--${name} [true|false]` : `--${name} <${kinds[name] ?? 'value'}>`;
  const describe = (spec: { description: string; default?: string }) => {
    if (spec.default === undefined) return spec.description;
    // The CLI's stand-in for the workflow's token (see cliDefault in main.ts).
    if (isGitHubTokenDefault(spec.default)) {
      return `${spec.description} (default: $GITHUB_TOKEN, else $GH_TOKEN)`;
    }
    return spec.default.startsWith('${{') ? spec.description : `${spec.description} (default: ${spec.default})`;
  };
  const required = inputs.filter(([, spec]) => spec.required);
  const optional = inputs.filter(([, spec]) => !spec.required);
  const usage = required.map(([name]) => `--${name} <${kinds[name] ?? 'value'}>`).join(' ');
  return [
    `mlops ${action}: ${meta.description}`,
    '',
    usageLine(`mlops ${action}`, usage, optional.length > 0),
    ...(required.length
      ? ['', 'Required:', table(required.map(([n, s]): [string, string] => [flag(n), describe(s)]))]
      : []),
    ...(optional.length
      ? ['', 'Options:', table(optional.map(([n, s]): [string, string] => [flag(n), describe(s)]))]
      : []),
    '',
    'Outputs:',
    table(
      Object.entries(meta.outputs).map(([n, s]): [string, string] => [n, (s as { description: string }).description]),
    ),
    '',
    `In a workflow: uses: OWNER/mlops/${action}@v1 with the same names under with:, OWNER being the GitHub user or organisation that hosts your copy of mlops.`,
    '',
  ].join('\n');
}

/** `Usage: mlops x <a> [options]`, with single spaces whatever part is empty. */
export function usageLine(command: string, usage: string, options: boolean): string {
  return ['Usage:', command, usage, options ? '[options]' : ''].filter(Boolean).join(' ');
}

/** How a flag is shown in a help table: `--data <file>`, `-h, --help`, `--force`. */
function flagLabel(name: string, spec: FlagTable[string]): string {
  const long = spec.type === 'boolean' ? `--${name}` : `--${name} <${spec.value ?? 'value'}>`;
  return spec.short ? `-${spec.short}, ${long}` : long;
}

function flagRows(table: FlagTable): Array<[string, string]> {
  return Object.entries(table).map(([name, spec]): [string, string] => [flagLabel(name, spec), spec.description]);
}

/** The global flags, less those `own` declares: after the command its own flag wins (download's --version). */
function globalRows(own: FlagTable = {}): Array<[string, string]> {
  return flagRows(Object.fromEntries(Object.entries(GLOBAL_FLAGS).filter(([name]) => !(name in own))));
}

/** The help of a single command (profile), generated from its flag table. */
function renderMainHelp(command: CliCommand, spec: CommandSpec): string {
  return [
    `mlops ${command.name}: ${command.summary}`,
    '',
    usageLine(`mlops ${command.name}`, spec.usage, Object.keys(spec.flags).length > 0),
    ...(command.description ? ['', command.description.trimEnd()] : []),
    '',
    'Options:',
    table(flagRows(spec.flags)),
    '',
    'Global options:',
    table(globalRows(spec.flags)),
    ...(command.epilogue ? ['', command.epilogue.trimEnd()] : []),
    '',
  ].join('\n');
}

/**
 * `mlops <command> --help` for a non-action command: one command's usage and flags, or the list
 * of subcommands with the flags they share and those only some take. All generated from the
 * commands' flag tables.
 */
export function renderCommandHelp(command: CliCommand): string {
  if (command.main) return renderMainHelp(command, command.main);
  const subcommands = Object.entries(command.subcommands ?? {});
  const shared = Object.entries(subcommands[0]?.[1].flags ?? {}).filter(([name, spec]) =>
    subcommands.every(([, sub]) => sub.flags[name] === spec),
  );
  const own = subcommands.flatMap(([sub, spec]) =>
    Object.entries(spec.flags)
      .filter(([name]) => !shared.some(([s]) => s === name))
      .map(([name, flag]): [string, string] => [flagLabel(name, flag), `(${sub}) ${flag.description}`]),
  );
  return [
    `mlops ${command.name}: ${command.summary}`,
    '',
    'Usage:',
    table(
      subcommands.map(([sub, spec]): [string, string] => [
        [`mlops ${command.name} ${sub}`, spec.usage].filter(Boolean).join(' '),
        spec.summary,
      ]),
    ),
    ...(command.description ? ['', command.description.trimEnd()] : []),
    ...(shared.length ? ['', 'Options of every subcommand:', table(flagRows(Object.fromEntries(shared)))] : []),
    ...(own.length ? ['', 'Options of some subcommands:', table(own)] : []),
    '',
    'Global options:',
    table(globalRows()),
    ...(command.epilogue ? ['', command.epilogue.trimEnd()] : []),
    '',
  ].join('\n');
}

/** `mlops <command> <subcommand> --help`: that subcommand's usage and every flag it takes. */
export function renderSubcommandHelp(command: CliCommand, name: string, spec: CommandSpec): string {
  return [
    `mlops ${command.name} ${name}: ${spec.summary}`,
    '',
    usageLine(`mlops ${command.name} ${name}`, spec.usage, Object.keys(spec.flags).length > 0),
    ...(Object.keys(spec.flags).length ? ['', 'Options:', table(flagRows(spec.flags))] : []),
    '',
    'Global options:',
    table(globalRows(spec.flags)),
    '',
    `See mlops ${command.name} --help for the other subcommands.`,
    '',
  ].join('\n');
}
