/**
 * actions/pipeline/action.yml against the action.yml of every action it runs: each sub-step runs
 * its bundle in the form the release build rewrites, passes only inputs its action has (as the
 * runner names their variables), gives every required one and the shared ones, reads only inputs
 * and step outputs that exist, and every output of every sub-action is re-exported under its
 * prefix. Adding an output to a sub-action's action.yml fails here until the pipeline exports it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { inputVariable } from '../../src/adapters/runner/inputs.js';
import { repoRoot } from '../support/runner.js';

interface ActionYaml {
  inputs?: Record<string, { required?: boolean; default?: unknown }>;
  outputs?: Record<string, { description?: string; value?: string }>;
  runs: {
    using: string;
    steps?: Array<{ id?: string; if?: string; run?: string; shell?: string; env?: Record<string, unknown> }>;
  };
}

const read = (name: string) => parse(readFileSync(join(repoRoot, 'actions', name, 'action.yml'), 'utf8')) as ActionYaml;

const pipeline = read('pipeline');
/** Step id → the action it runs and the prefix of its outputs. */
const SUB_STEPS = {
  validate: { action: 'validate-data', prefix: 'validate-' },
  train: { action: 'train', prefix: 'train-' },
  gate: { action: 'evaluate-gate', prefix: 'gate-' },
  register: { action: 'register', prefix: 'register-' },
  deploy: { action: 'deploy', prefix: 'deploy-' },
} as const;
type SubStep = keyof typeof SUB_STEPS;
const subActions = Object.fromEntries(Object.entries(SUB_STEPS).map(([id, s]) => [id, read(s.action)])) as Record<
  SubStep,
  ActionYaml
>;
/** Inputs that mean the same in every action: the pipeline's value must reach each sub-step that has them. */
const SHARED_INPUTS = ['working-directory', 'github-token', 'registry-branch', 'registry-remote'];

const steps = pipeline.runs.steps ?? [];
const stepOf = (id: string) => steps.find((step) => step.id === id);

describe('actions/pipeline/action.yml', () => {
  it('is a composite action running the five sub-steps, each its bundle in the one rewritable form', () => {
    expect(pipeline.runs.using).toBe('composite');
    for (const [id, { action }] of Object.entries(SUB_STEPS)) {
      const step = stepOf(id);
      expect(step, `a step with id ${id}`).toBeDefined();
      expect(step!.shell).toBe('bash');
      // The release build rewrites `$GITHUB_ACTION_PATH/../../dist/` for the root-level copy.
      expect(step!.run).toBe(`node "$GITHUB_ACTION_PATH/../../dist/${action}/index.js"`);
    }
  });

  it('passes each sub-step only inputs its action has, every required one, and the shared ones', () => {
    const problems: string[] = [];
    for (const [id, { action }] of Object.entries(SUB_STEPS) as Array<[SubStep, (typeof SUB_STEPS)[SubStep]]>) {
      const subInputs = subActions[id].inputs ?? {};
      const byVariable = new Map(Object.keys(subInputs).map((name) => [inputVariable(name), name]));
      const given = Object.keys(stepOf(id)?.env ?? {});
      for (const variable of given) {
        if (!variable.startsWith('INPUT_')) continue;
        if (!byVariable.has(variable)) problems.push(`${id}: ${variable} is no input of ${action}`);
      }
      for (const [name, spec] of Object.entries(subInputs)) {
        const needed = spec.required === true || SHARED_INPUTS.includes(name);
        if (needed && !given.includes(inputVariable(name)))
          problems.push(`${id}: ${action}'s input ${name} is not given (${inputVariable(name)})`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('reads only its own inputs and outputs of earlier steps that their actions declare', () => {
    const problems: string[] = [];
    const declared = pipeline.inputs ?? {};
    const used = new Set<string>();
    for (const [index, step] of steps.entries()) {
      const earlier = steps.slice(0, index).map((s) => s.id);
      const texts = [step.if ?? '', ...Object.values(step.env ?? {}).map(String)];
      for (const expression of texts) {
        for (const [, name] of expression.matchAll(/\binputs\.([\w-]+)/g)) {
          used.add(name!);
          if (!(name! in declared)) problems.push(`${step.id}: inputs.${name} is not an input of the pipeline`);
        }
        for (const [, stepId, output] of expression.matchAll(/\bsteps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
          if (!earlier.includes(stepId)) problems.push(`${step.id}: steps.${stepId} is not an earlier step`);
          const sub = subActions[stepId as SubStep] as ActionYaml | undefined;
          if (sub && !(output! in (sub.outputs ?? {})))
            problems.push(
              `${step.id}: steps.${stepId}.outputs.${output} is no output of ${SUB_STEPS[stepId as SubStep].action}`,
            );
        }
      }
    }
    for (const name of Object.keys(declared)) {
      if (!used.has(name)) problems.push(`input ${name} is read by no step`);
    }
    expect(problems).toEqual([]);
  });

  it('re-exports every output of every sub-action under its prefix, and nothing else', () => {
    const expected: Record<string, string> = {};
    const missingYaml: string[] = [];
    for (const [id, { prefix }] of Object.entries(SUB_STEPS) as Array<[SubStep, (typeof SUB_STEPS)[SubStep]]>) {
      for (const [name, spec] of Object.entries(subActions[id].outputs ?? {})) {
        const value = `\${{ steps.${id}.outputs.${name} }}`;
        expected[`${prefix}${name}`] = value;
        if (!(`${prefix}${name}` in (pipeline.outputs ?? {}))) {
          missingYaml.push(`  ${prefix}${name}:\n    description: ${spec.description ?? ''}\n    value: ${value}`);
        }
      }
    }
    const actual = Object.fromEntries(Object.entries(pipeline.outputs ?? {}).map(([name, spec]) => [name, spec.value]));
    // On a failure, the message holds the YAML to add to actions/pipeline/action.yml's outputs.
    expect(missingYaml.join('\n'), 'outputs missing from actions/pipeline/action.yml').toBe('');
    expect(actual).toEqual(expected);
    for (const [name, spec] of Object.entries(pipeline.outputs ?? {})) {
      expect(spec.description?.trim(), `description of ${name}`).toBeTruthy();
    }
  });

  it('never registers on a pull request, and registers only after a passing gate', () => {
    const condition = (stepOf('register')?.if ?? '').replace(/\s+/g, ' ');
    expect(condition).toContain("github.event_name != 'pull_request'");
    expect(condition).toContain("github.event_name != 'pull_request_target'");
    expect(condition).toContain("steps.gate.outputs.passed == 'true'");
    // No status function: the runner's implicit success() also skips it after any failed step.
    expect(condition).not.toMatch(/always\(\)|failure\(\)|cancelled\(\)/);
    expect(stepOf('gate')?.env?.['INPUT_FAIL-ON-REGRESSION']).toBe('true');
  });
});
