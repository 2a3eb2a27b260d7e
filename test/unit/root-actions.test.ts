/**
 * The root-level <name>/action.yml copies that make `uses: OWNER/mlops/<name>@v1` work
 * (scripts/gen-root-actions.mjs): committed copies equal to a fresh generation, none missing and
 * none extra, paths that resolve into dist/, a bundle that runs through one, and the generator's
 * own rules (what it rewrites, what it refuses, what it removes).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as prettier from 'prettier';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import {
  GENERATED_MARKER,
  actionNames,
  generateRootActions,
  orphanRootActions,
  rewriteForRoot,
  writeRootActions,
} from '../../scripts/gen-root-actions.mjs';
import { runComposite, type StepResult } from '../support/composite-runner.js';
import { makeTempDir } from '../support/git.js';
import { distDir, parseAnnotations, parseOutputFile, repoRoot } from '../support/runner.js';

interface ActionDoc {
  name: string;
  description: string;
  inputs?: Record<string, { default?: unknown }>;
  outputs?: Record<string, unknown>;
  runs: { using: string; main?: string; pre?: string; post?: string; steps?: { run?: string }[] };
}

const temps: { cleanup: () => void }[] = [];
afterAll(() => temps.forEach((t) => t.cleanup()));
function tempDir(prefix: string): string {
  const dir = makeTempDir(prefix);
  temps.push(dir);
  return dir.path;
}

const NODE_ACTION = `name: mlops demo
description: A demo action.
inputs:
  data:
    description: Data.
    required: true
runs:
  using: node24
  pre: ../../dist/demo/pre.js
  main: '../../dist/demo/index.js'
  post: ../../dist/demo/post.js
`;

const COMPOSITE_ACTION = `name: mlops chain
description: Runs two bundles.
runs:
  using: composite
  steps:
    - id: first
      shell: bash
      env:
        INPUT_DATA: \${{ inputs.data }}
      run: node "$GITHUB_ACTION_PATH/../../dist/validate-data/index.js"
    - id: second
      shell: bash
      run: |
        node "\${GITHUB_ACTION_PATH}/../../dist/train/index.js"
`;

describe('the committed root-level actions', () => {
  const generated = generateRootActions(repoRoot);

  it('exist for every actions/<name>, each exactly what the generator writes now', () => {
    // Anything listed: an actions/*/action.yml changed (or was added) without `npm run build`.
    const problems = Object.entries(generated).flatMap(([path, text]) => {
      const file = join(repoRoot, path);
      if (!existsSync(file)) return [`${path} is missing`];
      return readFileSync(file, 'utf8') === text ? [] : [`${path} is stale`];
    });
    expect(problems, 'run npm run build and commit the root-level action.yml files').toEqual([]);
  });

  it('have no root-level action folder without an actions/ source', () => {
    expect(orphanRootActions(repoRoot), 'remove these folders, or add their actions/<name>/action.yml').toEqual([]);
  });

  it('declare what their sources declare: name, description, branding, inputs, outputs, runs.using', () => {
    for (const name of actionNames(repoRoot)) {
      const source = parse(readFileSync(join(repoRoot, 'actions', name, 'action.yml'), 'utf8')) as ActionDoc;
      const copy = parse(generated[`${name}/action.yml`]!) as ActionDoc;
      const { runs: sourceRuns, ...sourceRest } = source;
      const { runs: copyRuns, ...copyRest } = copy;
      expect(copyRest).toEqual(sourceRest);
      expect(copyRuns.using).toBe(sourceRuns.using);
    }
  });

  it('point into the committed dist/ from one folder up', () => {
    const names = actionNames(repoRoot);
    expect(names.length).toBeGreaterThanOrEqual(6);
    for (const name of names) {
      const copy = parse(readFileSync(join(repoRoot, name, 'action.yml'), 'utf8')) as ActionDoc;
      const targets =
        copy.runs.using === 'composite'
          ? (copy.runs.steps ?? []).flatMap((step) =>
              [...(step.run ?? '').matchAll(/\$\{?GITHUB_ACTION_PATH\}?\/(\S+?\.js)/g)].map((m) => m[1]!),
            )
          : [copy.runs.pre, copy.runs.main, copy.runs.post].filter((p): p is string => p !== undefined);
      expect(targets.length, `${name}/action.yml runs nothing`).toBeGreaterThan(0);
      for (const target of targets) {
        expect(target, `${name}/action.yml`).toMatch(/^\.\.\/dist\/[^/]+\/index\.js$/);
        expect(existsSync(resolve(repoRoot, name, target)), `${name}/${target} does not exist`).toBe(true);
      }
    }
  });

  it('are formatted as prettier formats them (npm run lint checks them)', async () => {
    for (const [path, text] of Object.entries(generated)) {
      const filepath = join(repoRoot, path);
      const options = { ...(await prettier.resolveConfig(filepath)), filepath };
      expect(await prettier.check(text, options), `${path} is not prettier-formatted`).toBe(true);
    }
  });

  it('run: the runner executes validate-data through validate-data/action.yml and its ../dist path', () => {
    // The layout a runner checks out: <repo>/validate-data/action.yml beside <repo>/dist/.
    const checkout = tempDir('mlops-root-action-');
    cpSync(distDir(), join(checkout, 'dist'), { recursive: true });
    mkdirSync(join(checkout, 'validate-data'));
    cpSync(join(repoRoot, 'validate-data', 'action.yml'), join(checkout, 'validate-data', 'action.yml'));
    const workspace = join(checkout, 'workspace');
    mkdirSync(workspace);
    writeFileSync(join(workspace, 'data.csv'), 'id,species\n1,Adelie\n2,Gentoo\n');
    writeFileSync(
      join(workspace, 'suite.json'),
      JSON.stringify({
        name: 'root-action',
        expectations: [{ type: 'expect_column_values_to_not_be_null', kwargs: { column: 'species' } }],
      }),
    );
    const outputFile = join(checkout, 'github_output');
    writeFileSync(outputFile, '');
    writeFileSync(join(checkout, 'summary'), '');

    const actionDir = join(checkout, 'validate-data');
    const doc = parse(readFileSync(join(actionDir, 'action.yml'), 'utf8')) as ActionDoc;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION_PATH: actionDir,
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: join(checkout, 'summary'),
      RUNNER_TEMP: join(checkout, 'runner_temp'),
    };
    for (const [name, spec] of Object.entries(doc.inputs ?? {})) {
      if (spec.default !== undefined)
        env[`INPUT_${name.toUpperCase()}`] = String(spec.default).replace(/^\$\{\{.*\}\}$/, '');
    }
    Object.assign(env, { INPUT_DATA: 'data.csv', INPUT_SUITE: 'suite.json' });
    const run = spawnSync(process.execPath, [resolve(actionDir, doc.runs.main!)], {
      cwd: workspace,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const errors = parseAnnotations(run.stdout).annotations.filter((a) => a.level === 'error');
    expect(errors).toEqual([]);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'));
    expect(outputs.passed).toBe('true');
    expect(outputs.rows).toBe('2');
  });

  it('run: the composite pipeline/action.yml reaches the bundles through $GITHUB_ACTION_PATH/../dist', async () => {
    // The layout a runner checks out: <repo>/pipeline/action.yml beside <repo>/dist/.
    const copy = join(dirname(distDir()), 'pipeline', 'action.yml');
    mkdirSync(dirname(copy), { recursive: true });
    cpSync(join(repoRoot, 'pipeline', 'action.yml'), copy);
    const workspace = tempDir('mlops-root-pipeline-');
    writeFileSync(join(workspace, 'data.csv'), 'id,species\n1,Adelie\n2,Gentoo\n');
    writeFileSync(
      join(workspace, 'suite.json'),
      JSON.stringify({
        name: 'root-action',
        expectations: [{ type: 'expect_column_values_to_not_be_null', kwargs: { column: 'species' } }],
      }),
    );
    // validate-data passes, train runs a command that fails: two bundles run, the rest is skipped.
    const result = await runComposite(copy, {
      workspace,
      inputs: { data: 'data.csv', suite: 'suite.json', run: 'exit 3', gates: 'metrics: {}' },
    });
    const steps: Record<string, StepResult> = Object.fromEntries(result.steps.map((step) => [step.id ?? '', step]));
    expect(steps.validate?.outcome, steps.validate?.stdout + steps.validate!.stderr).toBe('success');
    expect(result.outputs['validate-rows']).toBe('2');
    expect(steps.train?.outcome).toBe('failure');
    expect(steps.train?.stderr).not.toMatch(/Cannot find module/);
    expect(
      steps.train?.annotations
        .filter((a) => a.level === 'error')
        .map((a) => a.message)
        .join('\n'),
    ).toMatch(/exit(ed)? .*3/i);
  });
});

describe('rewriteForRoot', () => {
  it('starts with the generated header naming its source, and moves runs.pre/main/post one folder up', () => {
    const text = rewriteForRoot('demo', NODE_ACTION);
    expect(text.split('\n')[0]).toBe(
      '# Generated by scripts/gen-root-actions.mjs from actions/demo/action.yml; edit that file, then npm run build.',
    );
    // writeRootActions removes only files that start with the marker: this one would qualify.
    expect(text.startsWith(GENERATED_MARKER)).toBe(true);
    const doc = parse(text) as ActionDoc;
    expect(doc.runs).toEqual({
      using: 'node24',
      pre: '../dist/demo/pre.js',
      main: '../dist/demo/index.js',
      post: '../dist/demo/post.js',
    });
    // The quoted main keeps its quotes: only the path changes.
    expect(text).toContain("main: '../dist/demo/index.js'");
    expect(rewriteForRoot('demo', NODE_ACTION)).toBe(text);
  });

  it("rewrites a composite step's $GITHUB_ACTION_PATH/../../dist/ and nothing else", () => {
    const doc = parse(rewriteForRoot('chain', COMPOSITE_ACTION)) as ActionDoc;
    expect(doc.runs.steps!.map((step) => step.run)).toEqual([
      'node "$GITHUB_ACTION_PATH/../dist/validate-data/index.js"',
      'node "${GITHUB_ACTION_PATH}/../dist/train/index.js"\n',
    ]);
  });

  it('refuses a ../.. it does not know, naming the file, line and column', () => {
    const unknown = COMPOSITE_ACTION.replace(
      'run: node "$GITHUB_ACTION_PATH/../../dist/validate-data/index.js"',
      'run: node ../../scripts/x.mjs',
    );
    expect(() => rewriteForRoot('chain', unknown)).toThrow(
      /^actions\/chain\/action\.yml:10:17: "\.\.\/\.\." in `run: node \.\.\/\.\.\/scripts\/x\.mjs` points outside the action folder/,
    );
    const sideways = NODE_ACTION.replace('description: A demo action.', 'description: See ../../docs/demo.md.');
    expect(() => rewriteForRoot('demo', sideways)).toThrow(/^actions\/demo\/action\.yml:2:18: "\.\.\/\.\."/);
  });

  it('refuses an entry point outside ../../dist/', () => {
    expect(() => rewriteForRoot('demo', NODE_ACTION.replace('../../dist/demo/index.js', 'index.js'))).toThrow(
      'actions/demo/action.yml:10:9: runs.main is "index.js"; gen-root-actions only knows how to rewrite entry points under ../../dist/',
    );
  });
});

describe('writeRootActions', () => {
  function fixtureRepo(actions: Record<string, string>): string {
    const root = tempDir('mlops-gen-root-');
    for (const [name, text] of Object.entries(actions)) {
      mkdirSync(join(root, 'actions', name), { recursive: true });
      writeFileSync(join(root, 'actions', name, 'action.yml'), text);
    }
    return root;
  }

  it('writes what changed, then nothing; a changed source makes its copy stale until the next run', () => {
    const root = fixtureRepo({ demo: NODE_ACTION });
    expect(writeRootActions(root)).toEqual(['wrote demo/action.yml']);
    expect(writeRootActions(root)).toEqual([]);
    writeFileSync(join(root, 'actions/demo/action.yml'), NODE_ACTION.replace('A demo action.', 'Another.'));
    expect(generateRootActions(root)['demo/action.yml']).not.toBe(readFileSync(join(root, 'demo/action.yml'), 'utf8'));
    expect(writeRootActions(root)).toEqual(['wrote demo/action.yml']);
    expect(readFileSync(join(root, 'demo/action.yml'), 'utf8')).toContain('description: Another.');
  });

  it("removes a removed action's generated copy, and names a hand-written orphan without touching it", () => {
    const root = fixtureRepo({ demo: NODE_ACTION, chain: COMPOSITE_ACTION });
    writeRootActions(root);
    rmSync(join(root, 'actions/chain'), { recursive: true });
    mkdirSync(join(root, 'handmade'));
    writeFileSync(join(root, 'handmade/action.yml'), NODE_ACTION);
    expect(orphanRootActions(root)).toEqual(['chain', 'handmade']);
    expect(writeRootActions(root)).toEqual(['removed chain/action.yml (actions/chain is gone)']);
    expect(existsSync(join(root, 'chain'))).toBe(false);
    expect(orphanRootActions(root)).toEqual(['handmade']);
    expect(readFileSync(join(root, 'handmade/action.yml'), 'utf8')).toBe(NODE_ACTION);
  });

  it('refuses an action named like a folder of the repository', () => {
    const root = fixtureRepo({ scripts: NODE_ACTION.replace(/demo/g, 'scripts') });
    mkdirSync(join(root, 'scripts'));
    writeFileSync(join(root, 'scripts/build.mjs'), '');
    expect(() => writeRootActions(root)).toThrow(
      'actions/scripts: the root-level folder scripts/ already holds build.mjs; an action cannot share its name with a folder of the repository',
    );
    expect(readdirSync(join(root, 'scripts'))).toEqual(['build.mjs']);
  });
});
