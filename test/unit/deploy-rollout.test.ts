import { describe, expect, it } from 'vitest';
import {
  commandFailureReason,
  describeFailure,
  executeRollout,
  type CommandResult,
} from '../../src/core/deploy/rollout.js';
import { deployStatus, deploySummary, type DeployReport } from '../../src/core/deploy/summary.js';

const ok: CommandResult = { exitCode: 0, signal: null, timedOut: false, durationMs: 1200 };
const failed = (exitCode: number): CommandResult => ({ exitCode, signal: null, timedOut: false, durationMs: 10 });

/** Records every call, in order, and fails the smoke test at the given traffic. */
function recorder(failSmokeAt?: number) {
  const calls: string[] = [];
  return {
    calls,
    commands: {
      run: async (percent: number) => {
        calls.push(`run ${percent}`);
        return ok;
      },
      smokeTest: async (percent: number) => {
        calls.push(`smoke ${percent}`);
        return percent === failSmokeAt ? failed(1) : ok;
      },
      wait: async (seconds: number) => {
        calls.push(`wait ${seconds}`);
      },
      onStage: async (stage: { index: number; passed: boolean }) => {
        calls.push(`stage ${stage.index + 1} ${stage.passed ? 'passed' : 'failed'}`);
      },
    },
  };
}

describe('executeRollout', () => {
  it('runs each stage, then its smoke test, waiting between stages only', async () => {
    const { calls, commands } = recorder();
    const result = await executeRollout([10, 50, 100], 30, commands);
    expect(result.passed).toBe(true);
    expect(calls).toEqual([
      'run 10',
      'smoke 10',
      'stage 1 passed',
      'wait 30',
      'run 50',
      'smoke 50',
      'stage 2 passed',
      'wait 30',
      'run 100',
      'smoke 100',
      'stage 3 passed',
    ]);
  });

  it('stops at the first failing smoke test and says where', async () => {
    const { calls, commands } = recorder(50);
    const result = await executeRollout([10, 50, 100], 0, commands);
    expect(result.passed).toBe(false);
    expect(result.failure).toEqual({ stage: 1, command: 'smoke-test', reason: 'exited with code 1' });
    expect(calls).toEqual(['run 10', 'smoke 10', 'stage 1 passed', 'run 50', 'smoke 50', 'stage 2 failed']);
    expect(describeFailure(result.failure!, [10, 50, 100])).toBe(
      'smoke-test exited with code 1 at stage 2/3 (50% traffic)',
    );
  });

  it('a failing run skips the smoke test of its stage', async () => {
    const calls: string[] = [];
    const result = await executeRollout([100], 0, {
      run: async () => (calls.push('run'), failed(7)),
      smokeTest: async () => (calls.push('smoke'), ok),
      wait: async () => {},
    });
    expect(calls).toEqual(['run']);
    expect(result.failure).toEqual({ stage: 0, command: 'run', reason: 'exited with code 7' });
    expect(describeFailure(result.failure!, [100])).toBe('run exited with code 7');
  });

  it('with no commands every stage passes (a deploy that only promotes)', async () => {
    const result = await executeRollout([10, 100], 0, { run: undefined, smokeTest: undefined, wait: async () => {} });
    expect(result.passed).toBe(true);
    expect(result.stages).toHaveLength(2);
  });
});

describe('commandFailureReason', () => {
  it('tells a timeout, a signal and an exit code apart', () => {
    expect(commandFailureReason({ exitCode: null, signal: 'SIGKILL', timedOut: true, durationMs: 120_000 })).toBe(
      'timed out after 2m 00s',
    );
    expect(commandFailureReason({ exitCode: null, signal: 'SIGTERM', timedOut: false, durationMs: 5 })).toBe(
      'was killed by SIGTERM',
    );
    expect(commandFailureReason(failed(3))).toBe('exited with code 3');
  });
});

describe('deploy status and summary', () => {
  const base: DeployReport = {
    model: 'churn',
    environment: 'production',
    version: 3,
    sha256: 'c'.repeat(64),
    previousVersion: 2,
    promoteTo: 'production',
    intendedRollback: false,
    rollout: { passed: true, stages: [] },
    deploymentId: 42,
    environmentUrl: undefined,
    local: false,
  };

  it('is deployed, rolled-back (only when the rollback passed) or failed', () => {
    expect(deployStatus(base)).toBe('deployed');
    const failedRollout = { passed: false, stages: [] };
    expect(
      deployStatus({ rollout: failedRollout, rollback: { version: 2, result: { passed: true, stages: [] } } }),
    ).toBe('rolled-back');
    expect(deployStatus({ rollout: failedRollout, rollback: { version: 2, result: failedRollout } })).toBe('failed');
    expect(deployStatus({ rollout: failedRollout })).toBe('failed');
  });

  it('shows the stages, the rollback and that the alias stayed', async () => {
    const rollout = await executeRollout([10, 50, 100], 0, recorder(50).commands);
    const rollback = await executeRollout([100], 0, recorder().commands);
    const text = deploySummary({ ...base, rollout, rollback: { version: 2, result: rollback } }, [10, 50, 100], {
      run: true,
      smoke: true,
    });
    expect(text).toContain('Deploy failed: churn v3 to production');
    expect(text).toContain('| status | rolled-back |');
    expect(text).toContain('`production` not moved (stays on v2)');
    expect(text).toContain('| 2 | 50% | ✅ passed (1.2s) | ❌ exited with code 1 |');
    expect(text).toContain('| 3 | 100% | not run | not run |');
    expect(text).toContain('**Rollback** to v2: passed');
    const intended = { ...base, intendedRollback: true };
    expect(deploySummary(intended, [100], { run: true, smoke: true })).toContain('### ✅ Rolled back to churn v3');
    expect(
      deploySummary({ ...intended, rollout: { passed: false, stages: [] } }, [100], { run: true, smoke: true }),
    ).toContain('### ❌ Rollback failed: churn v3');
  });
});
