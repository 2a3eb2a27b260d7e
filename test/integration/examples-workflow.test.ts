/**
 * .github/workflows/examples.yml's pipeline job, its `uses: ./actions/pipeline` step exactly as the
 * workflow writes it, run by the composite runner on a copy of examples/penguins: with an empty
 * token and the registry on a bare remote of the runner (ci-registry), a push registers and
 * deploys, and a pull request gates but registers nothing, with no GitHub API involved.
 */
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runComposite, stageCompositeAction } from '../support/composite-runner.js';
import { loadEvent } from '../support/events.js';
import { createBareRemote, createRepo, gitIn, makeTempDir } from '../support/git.js';
import { repoRoot } from '../support/runner.js';

const TIMEOUT = 180_000;
const tmp = makeTempDir('mlops-examples-workflow-');
// PATH without pyenv's shims: train records `python3 --version` in its lineage, and through a
// pyenv shim that probe costs about 0.7 s of CPU per run; python3 stays on PATH (the system's),
// so the lineage is still real. The job trains with node, so nothing here is about Python.
const PATH = (process.env.PATH ?? '')
  .split(':')
  .filter((dir) => !dir.includes('/.pyenv/'))
  .join(':');
const noIdentity = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', HOME: tmp.path, PATH };
let pipeline: string;

interface Workflow {
  jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, string> }> }>;
}
const workflow = parse(readFileSync(join(repoRoot, '.github/workflows/examples.yml'), 'utf8')) as Workflow;
const pipelineStep = workflow.jobs.pipeline!.steps.find((step) => step.uses === './actions/pipeline')!;

beforeAll(() => {
  pipeline = stageCompositeAction('pipeline');
});
afterAll(() => tmp.cleanup());

/** A repository holding examples/penguins, with the workflow's ci-registry remote (a bare repository). */
function checkout(name: string): { work: string; registry: string } {
  const work = createRepo(tmp.path, name);
  cpSync(join(repoRoot, 'examples', 'penguins'), join(work, 'examples', 'penguins'), { recursive: true });
  gitIn(work, 'add', '-A');
  gitIn(work, 'commit', '--quiet', '-m', 'penguins');
  const registry = createBareRemote(tmp.path, `${name}-registry.git`);
  gitIn(work, 'remote', 'add', 'ci-registry', registry);
  return { work, registry };
}

function event(name: 'push' | 'pull_request.opened') {
  const payload = loadEvent(name, { owner: 'octo-org', repo: 'octo-repo', pullNumber: 3 });
  (payload.repository as { default_branch: string }).default_branch = 'main';
  return { name: name === 'push' ? 'push' : 'pull_request', payload: payload as never };
}

describe('examples.yml: the pipeline job', { timeout: TIMEOUT }, () => {
  it('writes no token and no GitHub registry into the step', () => {
    expect(pipelineStep.with).toMatchObject({ 'github-token': '', 'registry-remote': 'ci-registry', release: 'false' });
  });

  it('on a push: validates, trains, gates, registers on the runner’s remote and deploys', async () => {
    const { work, registry } = checkout('push');
    const result = await runComposite(pipeline, {
      workspace: work,
      inputs: pipelineStep.with,
      event: event('push'),
      sha: gitIn(work, 'rev-parse', 'HEAD'),
      env: noIdentity,
    });
    const log = result.steps.map((s) => `--- ${s.id}\n${s.stdout}${s.stderr}`).join('\n');
    expect(result.conclusion, log).toBe('success');
    expect(result.outputs).toMatchObject({
      'gate-passed': 'true',
      'register-version': '1',
      'deploy-status': 'deployed',
    });
    expect(gitIn(registry, 'branch', '--list', 'mlops-registry')).toContain('mlops-registry');
    expect(existsSync(join(work, '.mlops', 'artifacts', 'penguins', 'v1', 'model.tar.gz'))).toBe(true);
  });

  it('on a pull request: gates, registers nothing', async () => {
    const { work, registry } = checkout('pr');
    const result = await runComposite(pipeline, {
      workspace: work,
      inputs: pipelineStep.with,
      event: event('pull_request.opened'),
      ref: 'refs/pull/3/merge',
      sha: gitIn(work, 'rev-parse', 'HEAD'),
      env: noIdentity,
    });
    const log = result.steps.map((s) => `--- ${s.id}\n${s.stdout}${s.stderr}`).join('\n');
    expect(result.conclusion, log).toBe('success');
    expect(result.outputs['gate-passed']).toBe('true');
    expect(result.outputs['register-version'] ?? '').toBe('');
    expect(gitIn(registry, 'branch', '--list')).toBe('');
  });
});
