import { actionMeta, type ActionName } from '../generated/action-meta.js';
import { isGitHubTokenDefault } from '../adapters/runner/inputs.js';

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
export function renderTopHelp(version: string, extra: CommandSummary[]): string {
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
    table([
      ['--debug', 'Show debug lines and stack traces.'],
      ['--json', 'Print outputs as one JSON object instead of name=value lines.'],
      ['-h, --help', 'Show help.'],
      ['--version', 'Print the version.'],
    ]),
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
    `Usage: mlops ${action} ${usage}${optional.length ? ' [options]' : ''}`,
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
    `In a workflow: uses: org/mlops/actions/${action}@v1 with the same names under with:.`,
    '',
  ].join('\n');
}
