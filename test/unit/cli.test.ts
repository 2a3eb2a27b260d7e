import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError, InputError } from '../../src/core/errors.js';
import type { ActionContext, ActionDefinition } from '../../src/adapters/runner/definition.js';
import {
  boolean,
  directory,
  integer,
  list,
  number,
  oneOf,
  path,
  paths,
  secret,
  text,
} from '../../src/adapters/runner/inputs.js';
import {
  actionLoaders,
  type ActionLoaders,
  type CliCommand,
  type CommandArgs,
  type CommandContext,
  type CommandTable,
  type ExtraCommand,
} from '../../src/cli/commands.js';
import { actionFlagTable, cliDefault, parseActionFlags, runCli } from '../../src/cli/main.js';
import { renderActionHelp, renderTopHelp, wrap } from '../../src/cli/help.js';
import type { ActionName } from '../../src/generated/action-meta.js';
import { actionMeta } from '../../src/generated/action-meta.js';
import packageJson from '../../package.json' with { type: 'json' };

/**
 * Tests replace an action's entry logic with a fake (to drive exit codes 0/1/2 precisely) and can
 * register an extra command; everything else is the real command table. runCli is given this
 * table, so nothing shared (the real tables, the module cache) is changed for later test files.
 */
const registry = {
  fakes: {} as Record<string, unknown>,
  extra: [] as ExtraCommand[],
};

const commands: CommandTable = {
  actionLoaders: Object.fromEntries(
    Object.entries(actionLoaders).map(([name, load]) => [
      name,
      async () => (registry.fakes[name] as Awaited<ReturnType<typeof load>> | undefined) ?? load(),
    ]),
  ) as unknown as ActionLoaders,
  extraCommands: registry.extra,
};

const root = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'mlops-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = scratch): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    argv,
    env,
    cwd,
    {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
    },
    commands,
  );
  return { code, stdout, stderr };
}

/** Collapses whitespace so that wrapped help text can be compared with one-line descriptions. */
const flat = (text: string) => text.replace(/\s+/g, ' ').trim();

const validateInputs = {
  'working-directory': directory(),
  'github-token': secret(),
  data: paths(),
  suite: path(),
  format: oneOf(['auto', 'csv']),
  report: path(),
  'fail-on': oneOf(['error', 'never']),
  'max-annotations': integer({ min: 0 }),
};
type ValidateContext = ActionContext<'validate-data', typeof validateInputs>;
let lastContext: ValidateContext | undefined;

/** A stand-in for validate-data: the first `data` file name decides the outcome, to drive each exit path. */
const fakeValidate: ActionDefinition<'validate-data', typeof validateInputs> = {
  name: 'validate-data',
  inputs: validateInputs,
  async run(context) {
    lastContext = context;
    context.log.info(`token is ${context.inputs['github-token'] ?? 'unset'}`);
    const first = context.inputs.data[0] ?? '';
    if (first.endsWith('bug.csv')) throw new Error('cannot read properties of undefined');
    if (first.endsWith('bad.csv')) {
      throw new ConfigurationError('column "age" is not a number', { file: 'bad.csv', line: 3, column: 7 });
    }
    const failing = first.endsWith('fail.csv');
    return {
      passed: !failing,
      outputs: { passed: !failing, rows: 3, report: `/tmp/report.json`, evaluated: 2, failed: failing ? 1 : 0 },
      ...(failing ? { failure: '1 of 2 expectations failed.', failureLocation: { file: 'fail.csv', row: 2 } } : {}),
    };
  },
};

/** A fake drift-check to exercise boolean and list flags. */
let driftInputs: Record<string, unknown> | undefined;
let driftOutputs: Record<string, unknown> | undefined;
const fakeDrift = {
  name: 'drift-check' as const,
  inputs: {
    'working-directory': directory(),
    'github-token': secret(),
    reference: path(),
    current: path(),
    config: path(),
    columns: list(),
    'drift-share': number({ min: 0, max: 1 }),
    report: path(),
    name: text(),
    'open-issue': boolean(),
    'issue-labels': list(),
    'close-resolved': boolean(),
    'fail-on-drift': boolean(),
    'dispatch-event': text(),
    'registry-branch': text(),
    'registry-remote': text(),
  },
  async run(context: { inputs: Record<string, unknown> }) {
    driftInputs = context.inputs;
    return { passed: true, outputs: driftOutputs ?? { drift: false, 'drifted-columns': 'a\nb' } };
  },
};

beforeEach(() => {
  registry.fakes['validate-data'] = fakeValidate;
  registry.fakes['drift-check'] = fakeDrift;
  lastContext = undefined;
  driftInputs = undefined;
  driftOutputs = undefined;
});
afterEach(() => {
  registry.fakes = {};
  registry.extra.length = 0;
});

/** Kinds as the CLI derives them from a definition's parsers. */
function kindsOf(definition: { inputs: Record<string, { kind: string }> }): Record<string, string> {
  return Object.fromEntries(Object.entries(definition.inputs).map(([name, parser]) => [name, parser.kind]));
}

describe('parseActionFlags', () => {
  const kinds = kindsOf(fakeDrift);
  const parseDrift = (args: string[]) => Object.fromEntries(parseActionFlags('drift-check', args, kinds).inputs);

  it('accepts --name=value and --name value', () => {
    expect(parseDrift(['--reference=ref.csv', '--current', 'cur.csv'])).toEqual({
      reference: 'ref.csv',
      current: 'cur.csv',
    });
  });

  it('keeps everything after the first = as the value, = and spaces included', () => {
    expect(parseDrift(['--name=a=b c'])).toEqual({ name: 'a=b c' });
  });

  it('reads a bare boolean flag as true and --no-<flag> as false', () => {
    expect(parseDrift(['--open-issue', '--no-close-resolved', '--fail-on-drift'])).toEqual({
      'open-issue': 'true',
      'close-resolved': 'false',
      'fail-on-drift': 'true',
    });
  });

  it('takes an explicit true/false after a boolean flag, and names the allowed values for anything else', () => {
    expect(parseDrift(['--open-issue', 'false', '--fail-on-drift', 'TRUE', '--close-resolved=False'])).toEqual({
      'open-issue': 'false',
      'fail-on-drift': 'true',
      'close-resolved': 'false',
    });
    expect(() => parseDrift(['--open-issue', 'maybe'])).toThrow(
      new InputError('--open-issue must be true or false, got "maybe".'),
    );
    expect(() => parseDrift(['--open-issue=yes'])).toThrow(
      new InputError('--open-issue must be true or false, got "yes".'),
    );
  });

  it('collects a repeated list flag one value per line', () => {
    expect(parseDrift(['--columns', 'age', '--columns=income', '--issue-labels', 'drift,ml'])).toEqual({
      columns: 'age\nincome',
      'issue-labels': 'drift,ml',
    });
  });

  it('rejects a repeated flag that is not a list', () => {
    expect(() => parseDrift(['--config', 'a.yml', '--config', 'b.yml'])).toThrow(
      new InputError('Option --config is given more than once.'),
    );
  });

  it('takes a repeated multi-line text input one occurrence a line (train --param-overrides)', async () => {
    const { train } = await import('../../src/actions/train/main.js');
    const { inputs } = parseActionFlags(
      'train',
      ['--run', 'python train.py', '--param-overrides', 'a=1', '--param-overrides=b.c=2'],
      kindsOf(train),
    );
    expect(inputs.get('param-overrides')).toBe('a=1\nb.c=2');
  });

  it('makes every input whose action.yml says it takes lines repeatable on the command line', async () => {
    const definitions = {
      'validate-data': (await import('../../src/actions/validate-data/main.js')).validateData,
      train: (await import('../../src/actions/train/main.js')).train,
      'evaluate-gate': (await import('../../src/actions/evaluate-gate/main.js')).evaluateGate,
      register: (await import('../../src/actions/register/main.js')).register,
      deploy: (await import('../../src/actions/deploy/main.js')).deploy,
      'drift-check': (await import('../../src/actions/drift-check/main.js')).driftCheck,
    } as const;
    const lineInputs: string[] = [];
    for (const [action, definition] of Object.entries(definitions) as Array<[ActionName, { inputs: object }]>) {
      const table = actionFlagTable(action, kindsOf(definition as { inputs: Record<string, { kind: string }> }));
      const inputs = actionMeta[action].inputs as Record<string, { description: string }>;
      for (const [name, { description }] of Object.entries(inputs)) {
        // "one `key=value` per line", "newline-separated", "a newline- or comma-separated list".
        if (!/per line|newline/i.test(description)) continue;
        lineInputs.push(`${action} ${name}`);
        expect(table[name]?.multiple, `${action} --${name}`).toBe(true);
      }
    }
    // The check saw the inputs it is about.
    expect(lineInputs).toEqual(expect.arrayContaining(['train param-overrides', 'drift-check reference']));
  });

  it('rejects an unknown flag and suggests the nearest one', () => {
    expect(() => parseDrift(['--refernce', 'a.csv'])).toThrow(
      new InputError('Unknown option --refernce for mlops drift-check. Did you mean --reference?'),
    );
    expect(() => parseDrift(['--open-isue'])).toThrow('Did you mean --open-issue?');
  });

  it('suggests the one flag that a prefix abbreviates', () => {
    expect(() => parseDrift(['--drift', '0.3'])).toThrow(
      new InputError('Unknown option --drift for mlops drift-check. Did you mean --drift-share?'),
    );
  });

  it('suggests nothing when no flag is close', () => {
    expect(() => parseDrift(['--zzzzzzzz', 'x'])).toThrow(
      new InputError('Unknown option --zzzzzzzz for mlops drift-check.'),
    );
  });

  it('rejects --no- on a flag that is not boolean', () => {
    expect(() => parseDrift(['--no-reference'])).toThrow('Unknown option --no-reference for mlops drift-check.');
  });

  it('reports a missing value at the end or before the next flag', () => {
    expect(() => parseDrift(['--reference'])).toThrow(new InputError('Option --reference needs a value.'));
    expect(() => parseDrift(['--reference', '--current', 'c.csv'])).toThrow(
      new InputError('Option --reference needs a value.'),
    );
    expect(parseDrift(['--reference=--odd.csv'])).toEqual({ reference: '--odd.csv' });
  });

  it('accepts a value that starts with a single dash', () => {
    expect(parseDrift(['--name', '-1'])).toEqual({ name: '-1' });
  });

  it('rejects a positional argument', () => {
    expect(() => parseDrift(['ref.csv'])).toThrow(
      new InputError('Unexpected argument "ref.csv" for mlops drift-check: inputs are given as --<name> <value>.'),
    );
  });
});

describe('cliDefault', () => {
  it('keeps literal defaults, drops workflow expressions and maps github.token to the shell’s token', () => {
    expect(cliDefault('auto', {})).toBe('auto');
    expect(cliDefault(undefined, { GITHUB_TOKEN: 'x' })).toBeUndefined();
    expect(cliDefault('${{ github.token }}', {})).toBeUndefined();
    expect(cliDefault('${{ github.token }}', { GITHUB_TOKEN: 'a', GH_TOKEN: 'b' })).toBe('a');
    expect(cliDefault('${{github.token}}', { GH_TOKEN: 'b' })).toBe('b');
    expect(cliDefault('${{ github.sha }}', { GITHUB_SHA: 'abc' })).toBeUndefined();
  });
});

describe('runCli exit status', () => {
  it('exits 0 on a pass and prints a short human summary on stdout', async () => {
    const result = await cli(['validate-data', '--data', 'ok.csv', '--suite', 's.yml']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'PASSED  validate-data: all 2 expectations passed (3 rows).\nReport: /tmp/report.json\n',
    );
    expect(lastContext?.mode).toBe('cli');
  });

  it('prints outputs as one JSON object of typed values with --json, before or after the command', async () => {
    for (const argv of [
      ['--json', 'validate-data', '--data', 'ok.csv', '--suite', 's.yml'],
      ['validate-data', '--data', 'ok.csv', '--suite', 's.yml', '--json'],
    ]) {
      const result = await cli(argv);
      expect(result.code).toBe(0);
      const printed = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(printed).toEqual({ passed: true, rows: 3, report: '/tmp/report.json', evaluated: 2, failed: 0 });
      // action.yml order (passed, report, rows, evaluated, failed), not the order the fake built them in.
      expect(Object.keys(printed)).toEqual(['passed', 'report', 'rows', 'evaluated', 'failed']);
    }
  });

  it('parses an output that holds JSON under --json and leaves out outputs the run did not produce', async () => {
    driftOutputs = { drift: true, share: 0.5, 'drifted-columns': '["a","b"]' };
    const result = await cli(['drift-check', '--reference', 'r.csv', '--current', 'c.csv', '--json']);
    expect(JSON.parse(result.stdout)).toEqual({ drift: true, share: 0.5, 'drifted-columns': ['a', 'b'] });
  });

  it('prints a multi-line output value of an action without a summary on one line', async () => {
    const result = await cli(['drift-check', '--reference', 'r.csv', '--current', 'c.csv']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('drift=false\ndrifted-columns=a, b\n');
  });

  it('prints one JSON object on stdout under --json when the command fails', async () => {
    const result = await cli(['validate-data', '--data', 'ok.csv', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      error: 'Missing required option --suite (see mlops validate-data --help).',
      exitCode: 2,
    });
  });

  it('exits 1 on a failed verdict, with the failure and its location on stderr', async () => {
    const result = await cli(['validate-data', '--data', 'fail.csv', '--suite', 's.yml']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAILED  validate-data: 1 of 2 expectations failed (3 rows).\n');
    expect(result.stderr).toContain('error: fail.csv, row 2: 1 of 2 expectations failed.\n');
  });

  it('exits 2 on a user error with one line naming file:line:column, and no stack', async () => {
    const result = await cli(['validate-data', '--data', 'bad.csv', '--suite', 's.yml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('token is unset\nmlops: error: bad.csv:3:7: column "age" is not a number\n');
    expect(result.stdout).toBe('');
  });

  it('shows the stack of a user error with --debug', async () => {
    const result = await cli(['validate-data', '--data', 'bad.csv', '--suite', 's.yml', '--debug']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('mlops: error: bad.csv:3:7: column "age" is not a number\n');
    expect(result.stderr).toMatch(/ConfigurationError: column "age" is not a number\n\s+at /);
  });

  it('shows the stack of a user error with RUNNER_DEBUG=1', async () => {
    const result = await cli(['validate-data', '--data', 'bad.csv', '--suite', 's.yml'], { RUNNER_DEBUG: '1' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ConfigurationError: column "age" is not a number\n\s+at /);
  });

  it('exits 2 on a bug and says it is one', async () => {
    const result = await cli(['validate-data', '--data', 'bug.csv', '--suite', 's.yml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'mlops: internal error (please report it): Error: cannot read properties of undefined',
    );
  });

  it('exits 2 with one line on a missing required flag', async () => {
    const result = await cli(['validate-data', '--data', 'ok.csv']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'mlops: error: Missing required option --suite (see mlops validate-data --help).\n',
    });
  });

  it('exits 2 with one line on a bad value, naming the flag', async () => {
    const result = await cli(['validate-data', '--data', 'ok.csv', '--suite', 's.yml', '--max-annotations', 'ten']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'mlops: error: --max-annotations must be a whole number, got "ten".\n',
    });
  });

  it('exits 2 with one line on an unknown flag, with a suggestion', async () => {
    const result = await cli(['validate-data', '--dat', 'ok.csv', '--suite', 's.yml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('mlops: error: Unknown option --dat for mlops validate-data. Did you mean --data?\n');
  });

  it('exits 2 with one line on an unknown command, with a suggestion', async () => {
    const result = await cli(['validate-dta']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'mlops: error: Unknown command "validate-dta". Did you mean validate-data? See mlops --help.\n',
    });
  });

  it('suggests the command that a prefix abbreviates', async () => {
    expect((await cli(['evaluate'])).stderr).toBe(
      'mlops: error: Unknown command "evaluate". Did you mean evaluate-gate? See mlops --help.\n',
    );
  });

  it('exits 2 and prints the usage on stderr when no command is given', async () => {
    const result = await cli([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: mlops <command>');
  });
});

describe('runCli inputs', () => {
  it('builds the run environment from the env it is given, test hooks and step summary included', async () => {
    const summary = join(scratch, 'injected-summary.md');
    const injected = {
      GITHUB_STEP_SUMMARY: summary,
      MLOPS_ARTIFACT_DIR: 'artifacts',
      MLOPS_RETRY_BASE_MS: '7',
      MLOPS_TEST_CRASH_AFTER_REGISTRY_WRITE: '1',
    };
    for (const name of Object.keys(injected)) expect(process.env[name]).toBeUndefined();
    expect((await cli(['validate-data', '--data', 'ok.csv', '--suite', 's.yml'], injected)).code).toBe(0);
    const env = lastContext!.env;
    expect(env.stepSummaryFile).toBe(summary);
    expect(env.artifactDir).toBe(join(scratch, 'artifacts'));
    expect(env.retryBaseMs).toBe(7);
    expect(env.testHooks).toEqual({ crashAfterUpload: false, crashAfterRegistryWrite: true });
    await lastContext!.io.appendSummary('## injected');
    expect(readFileSync(summary, 'utf8')).toBe('## injected\n');
  });

  it('applies action.yml defaults for flags not given, but not ${{ }} defaults', async () => {
    await cli(['validate-data', '--data', 'ok.csv', '--suite', 's.yml']);
    expect(lastContext?.inputs.format).toBe('auto');
    expect(lastContext?.inputs['max-annotations']).toBe(10);
    expect(lastContext?.inputs['fail-on']).toBe('error');
    expect(lastContext?.inputs.report).toBe(join(scratch, 'mlops-reports', 'validate-data.json'));
    expect(lastContext?.inputs['github-token']).toBeUndefined();
  });

  it('resolves relative paths against the current directory, not GITHUB_WORKSPACE', async () => {
    const cwd = join(scratch, 'cwd');
    mkdirSync(join(cwd, 'sub'), { recursive: true });
    await cli(['validate-data', '--data', 'ok.csv', '--suite', 's.yml'], { GITHUB_WORKSPACE: '/elsewhere' }, cwd);
    expect(lastContext?.inputs.data).toEqual([join(cwd, 'ok.csv')]);
    await cli(['validate-data', '--data', 'ok.csv', '--suite', 's.yml', '--working-directory', 'sub'], {}, cwd);
    expect(lastContext?.inputs.suite).toBe(join(cwd, 'sub', 's.yml'));
  });

  it('reports a working-directory that does not exist', async () => {
    const result = await cli(['validate-data', '--data', 'a', '--suite', 's', '--working-directory', 'nowhere']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `mlops: error: --working-directory: directory "nowhere" does not exist (resolved to ${join(scratch, 'nowhere')}).\n`,
    );
  });

  it('takes the token from GITHUB_TOKEN, else GH_TOKEN, when --github-token is not given, and masks it', async () => {
    const result = await cli(['validate-data', '--data', 'ok.csv', '--suite', 's.yml'], { GITHUB_TOKEN: 'ghs_env1' });
    expect(lastContext?.inputs['github-token']).toBe('ghs_env1');
    expect(result.stderr).toBe('token is ***\n');
    await cli(['validate-data', '--data', 'ok.csv', '--suite', 's.yml'], { GITHUB_TOKEN: '', GH_TOKEN: 'gho_env2' });
    expect(lastContext?.inputs['github-token']).toBe('gho_env2');
    await cli(['validate-data', '--data', 'ok.csv', '--suite', 's.yml', '--github-token', 'flag'], {
      GITHUB_TOKEN: 'ghs_env1',
    });
    expect(lastContext?.inputs['github-token']).toBe('flag');
  });

  it('masks a secret given as a flag in everything it logs', async () => {
    const result = await cli(['validate-data', '--data', 'ok.csv', '--suite', 's.yml', '--github-token', 'ghp_x1']);
    expect(result.stderr).toContain('token is ***\n');
    expect(result.stderr).not.toContain('ghp_x1');
  });

  it('passes repeated list flags and booleans through to the parsers', async () => {
    const result = await cli([
      'drift-check',
      '--reference=r.csv',
      '--current',
      'c.csv',
      '--columns',
      'age',
      '--columns',
      'income, city',
      '--open-issue',
      '--no-fail-on-drift',
    ]);
    expect(result.code).toBe(0);
    expect(driftInputs?.columns).toEqual(['age', 'income', 'city']);
    expect(driftInputs?.['open-issue']).toBe(true);
    expect(driftInputs?.['fail-on-drift']).toBe(false);
    expect(driftInputs?.['close-resolved']).toBe(true);
  });
});

describe('help', () => {
  const actionFiles = readdirSync(join(root, 'actions'))
    .filter((name) => name in actionMeta)
    .map((name) => ({
      name: name as ActionName,
      doc: parse(readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8')) as {
        description: string;
        inputs: Record<string, { description: string; required?: boolean; default?: string }>;
        outputs: Record<string, { description: string }>;
      },
    }));

  it('covers all six actions', () => {
    expect(actionFiles.map((a) => a.name).sort()).toEqual([
      'deploy',
      'drift-check',
      'evaluate-gate',
      'register',
      'train',
      'validate-data',
    ]);
  });

  it('mlops --help lists every action with its action.yml description, and exits 0', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const result = await cli(argv);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      for (const { name, doc } of actionFiles) {
        expect(result.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
        expect(flat(result.stdout)).toContain(flat(doc.description));
      }
      for (const flag of ['--debug', '--json', '--help', '--version']) expect(result.stdout).toContain(flag);
    }
  });

  it('mlops --help lists the extra commands', async () => {
    registry.extra.push({
      name: 'profile',
      summary: 'Profile a dataset.',
      load: async () => ({ name: 'profile', summary: 'Profile a dataset.' }),
    });
    const result = await cli(['--help']);
    expect(result.stdout).toContain('Other commands:');
    expect(result.stdout).toMatch(/^ {2}profile +Profile a dataset\.$/m);
  });

  for (const action of ['deploy', 'drift-check', 'evaluate-gate', 'register', 'train', 'validate-data'] as const) {
    it(`mlops ${action} --help shows every input and output of its action.yml`, async () => {
      registry.fakes = {}; // the real definitions, so the kinds are the real ones
      const doc = actionFiles.find((a) => a.name === action)!.doc;
      const result = await cli([action, '--help']);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      const help = result.stdout;
      expect(flat(help)).toContain(flat(doc.description));
      for (const [name, spec] of Object.entries(doc.inputs)) {
        expect(help, `--${name}`).toMatch(new RegExp(`^  --${name} [<[]`, 'm'));
        expect(flat(help), `description of --${name}`).toContain(flat(spec.description));
        const literalDefault = spec.default !== undefined && !String(spec.default).startsWith('${{');
        if (literalDefault) expect(flat(help)).toContain(`(default: ${String(spec.default)})`);
        if (spec.default === '${{ github.token }}') {
          expect(flat(help)).toContain(`${flat(spec.description)} (default: $GITHUB_TOKEN, else $GH_TOKEN)`);
        }
        if (spec.required) expect(help.split('\n').find((l) => l.startsWith('Usage:'))).toContain(`--${name} <`);
      }
      const outputsSection = help.slice(help.indexOf('\nOutputs:\n'));
      for (const [name, spec] of Object.entries(doc.outputs)) {
        expect(outputsSection, `output ${name}`).toMatch(new RegExp(`^  ${name} `, 'm'));
        expect(flat(outputsSection)).toContain(flat(spec.description));
      }
      // Nothing in the help that action.yml does not declare.
      const flags = [...help.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]!.slice(2));
      expect(flags.sort()).toEqual(Object.keys(doc.inputs).sort());
    });
  }

  it('mlops help <action> is mlops <action> --help', async () => {
    const viaHelp = await cli(['help', 'validate-data']);
    const viaFlag = await cli(['validate-data', '--help']);
    expect(viaHelp).toEqual(viaFlag);
    expect(viaFlag.code).toBe(0);
  });

  it('shows boolean flags with an optional value and others with their kind', () => {
    const help = renderActionHelp('drift-check', kindsOf(fakeDrift));
    expect(help).toContain('--open-issue [true|false]');
    expect(help).toContain('--reference <path>');
    expect(help).toContain('--columns <list>');
  });

  it('marks [options] only when there are optional inputs and ends with a newline', () => {
    const help = renderActionHelp('validate-data', kindsOf(fakeValidate));
    expect(help).toMatch(/^Usage: mlops validate-data --data <paths> --suite <path> \[options\]$/m);
    expect(help.endsWith('\n')).toBe(true);
  });

  it('renders the top help with the version', () => {
    expect(renderTopHelp('9.9.9', []).split('\n')[0]).toBe('mlops 9.9.9: the ML pipeline actions, run locally.');
  });

  it('wraps long text without splitting words', () => {
    const text = 'alpha beta gamma delta epsilon zeta eta theta';
    const wrapped = wrap(text, 20, 4);
    expect(wrapped.split('\n').every((line) => line.length <= 20)).toBe(true);
    expect(flat(wrapped)).toBe(text);
  });
});

describe('--version and extra commands', () => {
  it('prints the package version and exits 0', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
  });

  /** A fake command with subcommands, to drive the shared parsing and help. */
  function fakeTool(calls: Array<{ sub: string; args: CommandArgs; json: boolean }>): CliCommand {
    const run = (sub: string) => async (args: CommandArgs, context: CommandContext) => {
      calls.push({ sub, args, json: context.json });
      if (args.positionals.includes('fail')) throw new InputError('tool needs a file.');
      context.streams.stdout(`ran ${sub}\n`);
      return 0;
    };
    return {
      name: 'tool',
      summary: 'A tool.',
      subcommands: {
        list: {
          usage: '',
          summary: 'Lists.',
          flags: { limit: { type: 'string', value: 'n', description: 'At most n.' } },
          positionals: true,
          run: run('list'),
        },
        show: {
          usage: '<id>',
          summary: 'Shows one.',
          flags: { fix: { type: 'boolean', description: 'Fix it.' } },
          positionals: true,
          run: run('show'),
        },
      },
    };
  }

  it('runs a subcommand with the flags of its table, globals before or after', async () => {
    const calls: Array<{ sub: string; args: CommandArgs; json: boolean }> = [];
    registry.extra.push({ name: 'tool', summary: 'A tool.', load: async () => fakeTool(calls) });
    expect(await cli(['--json', 'tool', 'show', 'a1', '--fix'])).toEqual({ code: 0, stdout: 'ran show\n', stderr: '' });
    expect(calls[0]!.args.positionals).toEqual(['a1']);
    expect([...calls[0]!.args.flags]).toEqual(['fix']);
    expect(calls[0]!.json).toBe(true);
    await cli(['tool', 'list', '--limit=3', '--json']);
    expect(calls[1]!.args.options.get('limit')).toBe('3');
    expect(calls[1]!.json).toBe(true);
    expect(await cli(['tool', 'list', '--limt', '3'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'mlops: error: Unknown option --limt for mlops tool list. Did you mean --limit?\n',
    });
    expect((await cli(['tool', 'lst'])).stderr).toBe(
      'mlops: error: Unknown tool command "lst". Did you mean list? See mlops tool --help.\n',
    );
    expect(await cli(['tool', 'show', 'fail'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'mlops: error: tool needs a file.\n',
    });
  });

  it('generates the help of a command with subcommands and of each subcommand', async () => {
    registry.extra.push({ name: 'tool', summary: 'A tool.', load: async () => fakeTool([]) });
    const help = await cli(['tool', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}mlops tool show <id> +Shows one\.$/m);
    expect(help.stdout).toMatch(/^ {2}--fix +\(show\) Fix it\.$/m);
    expect((await cli(['help', 'tool'])).stdout).toBe(help.stdout);
    const sub = await cli(['tool', 'list', '--help']);
    expect(sub.stdout).toContain('Usage: mlops tool list [options]\n');
    expect(sub.stdout).toMatch(/^ {2}--limit <n> +At most n\.$/m);
    expect((await cli(['tool', '--limit', '3', 'list'])).stderr).toBe(
      'mlops: error: Unknown option --limit for mlops tool. The subcommand comes first: mlops tool <subcommand> [options].\n',
    );
    const bare = await cli(['tool']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('mlops: error: Missing subcommand for mlops tool: one of list, show.\n');
  });
});

describe('global flags and inputs of the same name', () => {
  it('gives --version after deploy to its version input, and prints the tool version before it', async () => {
    let version: unknown = 'unset';
    registry.fakes.deploy = {
      name: 'deploy',
      inputs: {
        ...Object.fromEntries(Object.keys(actionMeta.deploy.inputs).map((n) => [n, text()])),
        'working-directory': directory(),
      },
      async run(context: { inputs: Record<string, unknown> }) {
        version = context.inputs.version;
        return { passed: true, outputs: { version: 2 } };
      },
    };
    const result = await cli(['deploy', '--model', 'm', '--version', 'v2', '--json']);
    expect(result.code).toBe(0);
    expect(version).toBe('v2');
    expect(JSON.parse(result.stdout)).toEqual({ version: 2 });
    expect(await cli(['--version', 'deploy', '--model', 'm'])).toEqual({
      code: 0,
      stdout: `${packageJson.version}\n`,
      stderr: '',
    });
  });

  it('keeps --version global after a command that has no input of that name', async () => {
    expect((await cli(['validate-data', '--version'])).stdout).toBe(`${packageJson.version}\n`);
  });

  it('accepts only global flags before the command', async () => {
    expect((await cli(['--data', 'x', 'validate-data'])).stderr).toBe(
      'mlops: error: Option --data goes after the command: mlops <command> --data ... (only --help, --json, --debug, --version may come before it).\n',
    );
  });
});

describe('redaction', () => {
  it('hides a GITHUB_TOKEN or GH_TOKEN from the environment in stdout and in the last error line', async () => {
    for (const variable of ['GITHUB_TOKEN', 'GH_TOKEN']) {
      const result = await cli(
        ['validate-data', '--data', 'ghs_envtoken9.csv', '--suite', 's.yml', '--format', 'ghs_envtoken9'],
        {
          [variable]: 'ghs_envtoken9',
        },
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toBe('mlops: error: --format must be one of "auto", "csv", got "***".\n');
    }
    registry.fakes['drift-check'] = fakeDrift;
    driftOutputs = { drift: false, report: '/tmp/ghs_envtoken9/report.json' };
    const printed = await cli(['drift-check', '--reference', 'r', '--current', 'c', '--json'], {
      GH_TOKEN: 'ghs_envtoken9',
    });
    expect(printed.stdout).toContain('/tmp/***/report.json');
    expect(printed.stdout).not.toContain('ghs_envtoken9');
  });

  it('hides a --github-token in stdout too', async () => {
    driftOutputs = { drift: false, report: '/tmp/flagtoken77/report.json' };
    const printed = await cli(['drift-check', '--reference', 'r', '--current', 'c', '--github-token', 'flagtoken77']);
    expect(printed.stdout).toBe('drift=false\nreport=/tmp/***/report.json\n');
  });
});
