/**
 * The built bundles, run as the runner runs them (a copy of dist/ with no node_modules, inputs in
 * INPUT_* variables): the failure paths that hold whatever an action does once its inputs are read,
 * and the shape of the bundles themselves (no heavy module loaded at start-up).
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../support/git.js';
import { distDir, repoRoot, runBundle, runCliBundle, type BundleResult } from '../support/runner.js';

const actions = ['validate-data', 'train', 'evaluate-gate', 'register', 'deploy', 'drift-check'] as const;

function requiredInputs(action: string): string[] {
  const doc = parse(readFileSync(join(repoRoot, 'actions', action, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { required?: boolean }>;
  };
  return Object.entries(doc.inputs)
    .filter(([, spec]) => spec.required === true)
    .map(([name]) => name);
}

/** A stack frame as Node prints it (`    at fn (file:1:2)`). */
const STACK = /^\s+at .+[(:]\d+/m;

function expectOneCleanError(result: BundleResult, message: string): void {
  const errors = result.annotations.filter((a) => a.level === 'error');
  expect(result.code, result.stdout + result.stderr).toBe(1);
  expect(errors.map((e) => e.message)).toEqual([message]);
  expect(result.stdout).not.toMatch(STACK);
  expect(result.stderr).not.toMatch(STACK);
  expect(result.stderr).toBe('');
  expect(result.stdout).not.toMatch(/internal error/i);
}

/**
 * What each action cannot run without (docs/architecture.md). action.yml may mark one optional when another
 * input can stand in for it (evaluate-gate's `comment: comment-from-artifact` needs no metrics),
 * but given nothing else the action must still say that it is missing.
 */
const mustGive: Record<(typeof actions)[number], string[]> = {
  'validate-data': ['data', 'suite'],
  train: ['run'],
  'evaluate-gate': ['metrics', 'gates'],
  register: ['model', 'path'],
  deploy: ['model'],
  'drift-check': ['reference', 'current'],
};

describe.each(actions)('dist/%s/index.js', (action) => {
  const required = mustGive[action];

  it('requires at least what action.yml marks required', () => {
    expect(required).toEqual(expect.arrayContaining(requiredInputs(action)));
  });

  it.each(required)('fails with one ::error when required input "%s" is missing', async (missing) => {
    const inputs = Object.fromEntries(required.filter((name) => name !== missing).map((name) => [name, 'x']));
    const result = await runBundle(action, { inputs });
    expectOneCleanError(result, `Input required and not supplied: ${missing}`);
    expect(result.outputs).toEqual({});
  });

  it('masks the token before anything else can fail', async () => {
    const token = `ghs_${action.replace(/-/g, '')}Secret123`;
    const result = await runBundle(action, { token, inputs: { [required[0]!]: undefined } });
    expect(result.masked).toContain(token);
    const maskLine = result.stdout.split('\n').findIndex((line) => line.startsWith('::add-mask::'));
    const errorLine = result.stdout.split('\n').findIndex((line) => line.startsWith('::error'));
    expect(maskLine).toBeGreaterThanOrEqual(0);
    expect(maskLine).toBeLessThan(errorLine);
    expect(result.stdout.replace(`::add-mask::${token}`, '')).not.toContain(token);
  });

  it('fails with one ::error when working-directory does not exist', async () => {
    const inputs = Object.fromEntries(required.map((name) => [name, 'x']));
    const result = await runBundle(action, { inputs: { ...inputs, 'working-directory': 'no/such/dir' } });
    const errors = result.annotations.filter((a) => a.level === 'error');
    expect(result.code).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^Input "working-directory": directory "no\/such\/dir" does not exist/);
    expect(result.stdout).not.toMatch(STACK);
  });
});

describe('bad input values', () => {
  it('validate-data: max-annotations=ten names the input', async () => {
    const result = await runBundle('validate-data', {
      inputs: { data: 'data.csv', suite: 'suite.yml', 'max-annotations': 'ten' },
    });
    expectOneCleanError(result, 'Input "max-annotations" must be a whole number, got "ten".');
  });

  it('validate-data: fail-on=warn lists the choices', async () => {
    const result = await runBundle('validate-data', {
      inputs: { data: 'data.csv', suite: 's.yml', 'fail-on': 'warn' },
    });
    expectOneCleanError(result, 'Input "fail-on" must be one of "error", "never", got "warn".');
  });

  it('drift-check: drift-share=1.5 is out of bounds', async () => {
    const result = await runBundle('drift-check', {
      inputs: { reference: 'r.csv', current: 'c.csv', 'drift-share': '1.5' },
    });
    expectOneCleanError(result, 'Input "drift-share" must be at most 1, got 1.5.');
  });

  it('deploy: rollback-on-failure=yes is not a YAML 1.2 boolean', async () => {
    const result = await runBundle('deploy', { inputs: { model: 'm', 'rollback-on-failure': 'yes' } });
    expectOneCleanError(result, 'Input "rollback-on-failure" must be true or false, got "yes".');
  });
});

/**
 * The same mistake through both runners: the action names the input (`Input "metrics"`), the CLI
 * the flag (`--metrics`), and nothing else in the message differs (issue #9, item 1).
 */
describe('one label per input, from the runner', () => {
  const tmp = makeTempDir('mlops-labels-');
  afterAll(() => tmp.cleanup());
  writeFileSync(join(tmp.path, 'metrics.json'), '{"acc": 0.9}\n');
  writeFileSync(join(tmp.path, 'data.csv'), 'x\n1\n');
  writeFileSync(join(tmp.path, 'model.bin'), 'weights');
  mkdirSync(join(tmp.path, 'out'));
  const gate = { comment: 'false', baseline: 'none', metrics: 'metrics.json', gates: 'metrics: {acc: {min: 0.5}}\n' };
  const cases: Array<{ action: string; inputs: Record<string, string>; input: string; message: string }> = [
    {
      action: 'evaluate-gate',
      inputs: { ...gate, metrics: 'nope.json' },
      input: 'metrics',
      message: 'nope.json does not exist.',
    },
    {
      action: 'evaluate-gate',
      inputs: { ...gate, gates: 'nope.yml' },
      input: 'gates',
      message: 'nope.yml does not exist.',
    },
    {
      action: 'evaluate-gate',
      inputs: { ...gate, report: 'out' },
      input: 'report',
      message: 'out is a directory, not a file.',
    },
    {
      action: 'validate-data',
      inputs: { data: 'data.csv', suite: 'nope.yml' },
      input: 'suite',
      message: 'nope.yml does not exist.',
    },
    {
      action: 'register',
      inputs: { model: 'm', path: 'model.bin', metrics: 'nope.json' },
      input: 'metrics',
      message: 'nope.json does not exist.',
    },
  ];

  it.each(cases)('the action says Input "x", the CLI --x: $action $input', async (c) => {
    const action = await runBundle(c.action, { workspace: tmp.path, inputs: c.inputs });
    expectOneCleanError(action, `Input "${c.input}": ${c.message}`);
    const flags = Object.entries(c.inputs).flatMap(([name, value]) => [`--${name}`, value]);
    const cli = await runCliBundle([c.action, ...flags], { cwd: tmp.path });
    expect(cli).toEqual({ code: 2, stdout: '', stderr: `mlops: error: --${c.input}: ${c.message}\n` });
  });

  it('evaluate-gate: metrics, required unless comment-from-artifact, is missing in the runner’s words', async () => {
    const inputs = { comment: 'false', gates: gate.gates };
    const action = await runBundle('evaluate-gate', { workspace: tmp.path, inputs });
    expectOneCleanError(action, 'Input required and not supplied: metrics');
    const cli = await runCliBundle(['evaluate-gate', '--comment', 'false', '--gates', gate.gates], { cwd: tmp.path });
    expect(cli).toEqual({
      code: 2,
      stdout: '',
      stderr: 'mlops: error: Missing required option --metrics (see mlops evaluate-gate --help).\n',
    });
  });

  it('evaluate-gate: a bad baseline names the input or the flag', async () => {
    const inputs = { ...gate, baseline: 'registry:' };
    const action = await runBundle('evaluate-gate', { workspace: tmp.path, inputs });
    const cli = await runCliBundle(['evaluate-gate', ...Object.entries(inputs).flatMap(([n, v]) => [`--${n}`, v])], {
      cwd: tmp.path,
    });
    const actionError = action.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(actionError).toMatch(/^Input "baseline"/);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toBe(`mlops: error: ${actionError.replace('Input "baseline"', '--baseline')}\n`);
  });
});

describe('dist/cli/index.js', () => {
  const cwd = repoRoot;

  it('--help exits 0 and lists the actions', async () => {
    const result = await runCliBundle(['--help'], { cwd });
    expect(result.code).toBe(0);
    for (const action of actions) expect(result.stdout).toContain(`  ${action} `);
    expect(result.stderr).toBe('');
  });

  it('<action> --help exits 0 and shows the action’s flags', async () => {
    const result = await runCliBundle(['validate-data', '--help'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--max-annotations <integer>');
  });

  it('--version prints the package version', async () => {
    const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    expect(await runCliBundle(['--version'], { cwd })).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('an unknown command exits 2 with one line', async () => {
    const result = await runCliBundle(['validate'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'mlops: error: Unknown command "validate". Did you mean validate-data? See mlops --help.\n',
    );
  });

  it('a missing required flag exits 2 with one line and no stack trace', async () => {
    const result = await runCliBundle(['drift-check', '--reference', 'r.csv'], { cwd });
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'mlops: error: Missing required option --current (see mlops drift-check --help).\n',
    });
  });

  it('a bad flag value exits 2 with one line', async () => {
    const result = await runCliBundle(['train', '--run', 'true', '--timeout-minutes', '0'], { cwd });
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'mlops: error: --timeout-minutes must be at least 0.001, got 0.\n',
    });
  });
});

describe('bundle shape', () => {
  const entries = [...actions.map((a) => `${a}/index.js`), 'cli/index.js'];
  /** No single file this big may load at start-up (undici alone is ~600 KB). */
  const FILE_LIMIT = 200 * 1024;
  /**
   * What an entry may load before its first line runs. Parsing is most of a bundle's start-up
   * cost: 30 KB starts within 1.6x of bare node, 425 KB (yaml + ajv) takes about twice as long.
   * Heavy libraries belong behind `await import()` inside run().
   */
  const STARTUP_BUDGET = 150 * 1024;

  /**
   * The bundles re-read by esbuild's own parser: every import and require() must resolve inside
   * dist/ or to a Node.js built-in (this throws otherwise), and the metafile gives the graph.
   */
  let graph: Promise<Metafile> | undefined;
  function metafile(): Promise<Metafile> {
    graph ??= build({
      entryPoints: entries.map((entry) => join(distDir(), entry)),
      absWorkingDir: distDir(),
      bundle: true,
      splitting: true,
      outdir: join(distDir(), '..', 'rebundled'),
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'node',
      logLevel: 'silent',
    }).then((result) => result.metafile);
    return graph;
  }

  /** Files an entry loads before its first line runs: static `import` edges only, not `import()`. */
  async function startupFiles(entry: string): Promise<Array<{ path: string; bytes: number }>> {
    const inputs = (await metafile()).inputs;
    const seen = new Set<string>([entry]);
    const queue = [entry];
    while (queue.length) {
      const current = queue.pop()!;
      for (const edge of inputs[current]?.imports ?? []) {
        if (edge.kind !== 'import-statement' || edge.external || seen.has(edge.path)) continue;
        seen.add(edge.path);
        queue.push(edge.path);
      }
    }
    return [...seen].map((path) => ({ path, bytes: statSync(join(distDir(), path)).size }));
  }

  it('resolves every import and require() inside dist/ or to a Node.js built-in', async () => {
    const inputs = (await metafile()).inputs;
    const external = Object.values(inputs)
      .flatMap((input) => input.imports)
      .filter((edge) => edge.external)
      .map((edge) => edge.path.replace(/^node:/, ''));
    expect(
      external.filter((name) => !builtinModules.includes(name.split('/')[0]!) && !builtinModules.includes(name)),
    ).toEqual([]);
  });

  it('is marked as ESM by dist/package.json, so that Node parses each file once wherever dist/ is', () => {
    expect(JSON.parse(readFileSync(join(distDir(), 'package.json'), 'utf8'))).toEqual({ type: 'module' });
  });

  it.each(entries)('%s loads no file over 200 KB at start-up', async (entry) => {
    const files = await startupFiles(entry);
    expect(files.length).toBeGreaterThan(1);
    const heavy = files.filter((f) => f.bytes > FILE_LIMIT).map((f) => `${f.path} (${Math.round(f.bytes / 1024)} KB)`);
    expect(heavy).toEqual([]);
  });

  it.each(entries)('%s loads at most 150 KB at start-up', async (entry) => {
    const files = await startupFiles(entry);
    const total = files.reduce((sum, f) => sum + f.bytes, 0);
    const listing = files
      .sort((a, b) => b.bytes - a.bytes)
      .map((f) => `${f.path} ${Math.round(f.bytes / 1024)} KB`)
      .join(', ');
    expect(total, `${entry} loads ${Math.round(total / 1024)} KB statically: ${listing}`).toBeLessThanOrEqual(
      STARTUP_BUDGET,
    );
  });

  it('loads node:crypto only when @actions/core first writes an output, not at start-up', async () => {
    const inputs = (await metafile()).inputs;
    // The chunk with @actions/core's file commands: it needs crypto for the output delimiter.
    const fileCommands = Object.keys(inputs).filter((path) =>
      readFileSync(join(distDir(), path), 'utf8').includes('ghadelimiter_'),
    );
    expect(fileCommands.length).toBeGreaterThan(0);
    for (const path of fileCommands) {
      const builtins = (inputs[path]?.imports ?? []).filter((edge) => edge.external).map((edge) => edge.path);
      expect(builtins.filter((name) => /^(node:)?crypto$/.test(name))).toEqual([]);
    }
  });
});
