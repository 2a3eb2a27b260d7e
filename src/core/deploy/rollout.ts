/**
 * The rollout as pure logic: stages in order, the deploy command then the smoke test in each, a
 * wait between stages, the first failure stops it. The commands themselves are injected (the
 * action runs them through the process adapter), so the decisions are tested without processes.
 */
import { formatDuration } from '../registry/format.js';

/** How one command ended, as the process adapter reports it. */
export interface CommandResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** True when the job was cancelled while it ran (the process adapter killed it). */
  cancelled?: boolean;
}

/** The two commands of a stage, named as their inputs are. */
export type CommandName = 'run' | 'smoke-test';

/** One stage's outcome: what each command did (absent: not given, or not reached). */
export interface StageResult {
  /** 0-based. */
  index: number;
  trafficPercent: number;
  run?: CommandResult;
  smokeTest?: CommandResult;
  passed: boolean;
}

/** What a rollout did: every stage reached, and the failure that stopped it, if any. */
export interface RolloutResult {
  passed: boolean;
  stages: StageResult[];
  failure?: { stage: number; command: CommandName; reason: string };
}

/** The commands a rollout runs; `undefined` for an input that was not given. */
export interface RolloutCommands {
  run: ((trafficPercent: number, index: number) => Promise<CommandResult>) | undefined;
  smokeTest: ((trafficPercent: number, index: number) => Promise<CommandResult>) | undefined;
  /** Waits between stages (stage-wait-seconds). */
  wait(seconds: number): Promise<void>;
  /** Called after each stage, passed or not (the deployment status per stage). */
  onStage?(stage: StageResult, stages: readonly number[]): Promise<void>;
}

/** True when a command did its job: exit code 0, not killed, not timed out. */
export function commandSucceeded(result: CommandResult): boolean {
  return result.exitCode === 0 && !result.timedOut && result.signal === null;
}

/** Why a command failed, in a few words: `exited with code 3`, `timed out after 2m 0s`. */
export function commandFailureReason(result: CommandResult): string {
  if (result.timedOut) return `timed out after ${formatDuration(result.durationMs / 1000)}`;
  if (result.signal !== null) return `was killed by ${result.signal}`;
  return `exited with code ${result.exitCode ?? 'unknown'}`;
}

/**
 * Runs the stages in order: in each, `run` with the stage's traffic, then `smoke-test`; waits
 * `waitSeconds` between stages (not after the last); stops at the first command that fails.
 */
export async function executeRollout(
  stages: readonly number[],
  waitSeconds: number,
  commands: RolloutCommands,
): Promise<RolloutResult> {
  const results: StageResult[] = [];
  for (const [index, trafficPercent] of stages.entries()) {
    if (index > 0 && waitSeconds > 0) await commands.wait(waitSeconds);
    const stage: StageResult = { index, trafficPercent, passed: false };
    results.push(stage);
    let failure: RolloutResult['failure'];
    if (commands.run) {
      stage.run = await commands.run(trafficPercent, index);
      if (!commandSucceeded(stage.run))
        failure = { stage: index, command: 'run', reason: commandFailureReason(stage.run) };
    }
    if (!failure && commands.smokeTest) {
      stage.smokeTest = await commands.smokeTest(trafficPercent, index);
      if (!commandSucceeded(stage.smokeTest)) {
        failure = { stage: index, command: 'smoke-test', reason: commandFailureReason(stage.smokeTest) };
      }
    }
    stage.passed = failure === undefined;
    await commands.onStage?.(stage, stages);
    if (failure) return { passed: false, stages: results, failure };
  }
  return { passed: true, stages: results };
}

/** `smoke-test exited with code 1 at stage 2/3 (50% traffic)`: the failure in one phrase. */
export function describeFailure(failure: NonNullable<RolloutResult['failure']>, stages: readonly number[]): string {
  const where =
    stages.length > 1 ? ` at stage ${failure.stage + 1}/${stages.length} (${stages[failure.stage]}% traffic)` : '';
  return `${failure.command} ${failure.reason}${where}`;
}
