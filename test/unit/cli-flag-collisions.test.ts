/**
 * Global flags (--help, --json, --debug, --version) and a command's own input or flag of the same
 * name: after the command, the command's own wins (`mlops deploy --version v2` deploys v2); before
 * it, and for commands without such a flag, the global applies. The collisions are found from the
 * real tables (every action's inputs, every CLI subcommand's flags), one test each, so a new input
 * named like a global is covered the day it is added.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ActionDefinition } from '../../src/adapters/runner/definition.js';
import { actionLoaders, extraCommands, type CommandSpec } from '../../src/cli/commands.js';
import { GLOBAL_FLAGS, parseFlags } from '../../src/cli/flags.js';
import { renderActionHelp, renderSubcommandHelp } from '../../src/cli/help.js';
import { parseActionFlags, runCli } from '../../src/cli/main.js';
import { actionMeta, type ActionName } from '../../src/generated/action-meta.js';
import packageJson from '../../package.json' with { type: 'json' };

const scratch = mkdtempSync(join(tmpdir(), 'mlops-cli-collisions-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const globals = Object.keys(GLOBAL_FLAGS);

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {}, scratch, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}

const actionCollisions = (Object.keys(actionMeta) as ActionName[]).flatMap((action) =>
  Object.keys(actionMeta[action].inputs)
    .filter((input) => globals.includes(input))
    .map((input) => ({ action, input })),
);

const commands = await Promise.all(extraCommands.map((command) => command.load()));
const subcommandCollisions = commands.flatMap((command) =>
  Object.entries(command.subcommands ?? (command.main ? { '': command.main } : {})).flatMap(([sub, spec]) =>
    Object.keys(spec.flags)
      .filter((flag) => globals.includes(flag))
      .map((flag) => ({ command, sub, spec: spec as CommandSpec, flag })),
  ),
);

/** A value the flag accepts. */
const valueFor = (name: string) => (name === 'version' ? 'v2' : 'x');

describe('the command tables', () => {
  // They are module state every run shares: a test (or a plugin) that edited them would change
  // what every later runCli in the process finds. runCli takes another table instead.
  it('are read-only, so nothing can add, replace or remove a command for later runs', () => {
    const extra = { name: 'tool', summary: 'A tool.', load: extraCommands[0]!.load };
    expect(() => (extraCommands as unknown as unknown[]).push(extra)).toThrow(TypeError);
    expect(() => (extraCommands as unknown as unknown[]).splice(0)).toThrow(TypeError);
    expect(() => Object.assign(extraCommands[0]!, { summary: 'changed' })).toThrow(TypeError);
    expect(() => Object.assign(actionLoaders, { deploy: actionLoaders.train })).toThrow(TypeError);
    expect(extraCommands.map((c) => c.name)).toEqual(['registry', 'runs', 'profile']);
  });
});

describe('global flags and command inputs of the same name', () => {
  it('finds the known collisions (deploy --version, registry download --version)', () => {
    expect(actionCollisions).toContainEqual({ action: 'deploy', input: 'version' });
    expect(subcommandCollisions.map((c) => `${c.command.name} ${c.sub} --${c.flag}`)).toContain(
      'registry download --version',
    );
  });

  it.each(actionCollisions)('mlops $action --$input gives the value to the input', async ({ action, input }) => {
    const definition = (await actionLoaders[action]()) as unknown as ActionDefinition<ActionName>;
    const kinds = Object.fromEntries(Object.entries(definition.inputs).map(([name, parser]) => [name, parser.kind]));
    const parsed = parseActionFlags(action, [`--${input}`, valueFor(input)], kinds);
    expect(parsed.inputs.get(input)).toBe(valueFor(input));
    expect(parsed.globals[input as keyof typeof parsed.globals]).toBe(false);
    // The help lists it once, as the input.
    const help = renderActionHelp(action, kinds);
    expect(help.match(new RegExp(`^ {2}--${input}\\b`, 'gm'))).toHaveLength(1);
  });

  it.each(subcommandCollisions)(
    'mlops $command.name $sub --$flag gives the value to the subcommand',
    ({ command, sub, spec, flag }) => {
      const parsed = parseFlags([`--${flag}`, valueFor(flag)], spec.flags, {
        command: `mlops ${command.name} ${sub}`,
        positionals: spec.positionals,
      });
      expect(parsed.values[flag]).toBe(valueFor(flag));
      expect(parsed.globals[flag as keyof typeof parsed.globals]).toBe(false);
      // Its help shows the subcommand's flag, and not the global it hides.
      const help = renderSubcommandHelp(command, sub, spec);
      expect(help).toContain(`--${flag} <`);
      expect(help.match(new RegExp(`^ {2}(-\\w, )?--${flag}\\b`, 'gm'))).toHaveLength(1);
    },
  );

  it('runs registry download with --version as its version (not the tool version), and --version alone prints it', async () => {
    const download = await cli(['registry', 'download', '--model', 'm', '--version', 'v2']);
    expect(download.code).toBe(2);
    expect(download.stdout).toBe('');
    expect(download.stderr).toContain('is not inside a git repository');
    expect(await cli(['--version', 'registry', 'download', '--model', 'm'])).toEqual({
      code: 0,
      stdout: `${packageJson.version}\n`,
      stderr: '',
    });
    // A subcommand without a --version of its own keeps the global one.
    expect((await cli(['registry', 'list', '--version'])).stdout).toBe(`${packageJson.version}\n`);
  });
});
