/**
 * What a deploy did, as a status, outputs and the step summary: pure functions of the plan and
 * the rollout results.
 */
import { formatDuration } from '../registry/format.js';
import { commandFailureReason, commandSucceeded, type CommandResult, type RolloutResult } from './rollout.js';

/** The `status` output. */
export type DeployStatus = 'deployed' | 'rolled-back' | 'failed';

/** Everything the summary and the outputs are made from. */
export interface DeployReport {
  model: string;
  environment: string;
  /** The version this deploy set out to ship. */
  version: number;
  sha256: string;
  /** The version serving before (the alias' version, or what a failure rolled back to). */
  previousVersion: number | undefined;
  promoteTo: string | undefined;
  /** `version: previous`: this deploy is itself a rollback. */
  intendedRollback: boolean;
  rollout: RolloutResult;
  /** The automatic rollback after a failure, when one was attempted. */
  rollback?: { version: number; result: RolloutResult } | undefined;
  /** What stopped a deploy whose commands passed (a registry write refused, the alias moved meanwhile). */
  error?: string | undefined;
  /** True when the rollback moved promote-to back to the version serving again. */
  aliasMovedBack?: boolean | undefined;
  /** Why nothing was rolled back after a failure (no previous version, rollback-on-failure false). */
  noRollbackReason?: string | undefined;
  deploymentId: number | undefined;
  environmentUrl: string | undefined;
  /** True when the rollout ran in local mode (no GitHub deployment). */
  local: boolean;
}

/**
 * The status of a deploy: `deployed` when every stage passed, `rolled-back` when a failure was
 * undone by a rollback that itself passed, else `failed`.
 */
export function deployStatus(report: Pick<DeployReport, 'rollout' | 'rollback' | 'error'>): DeployStatus {
  if (report.rollout.passed && report.error === undefined) return 'deployed';
  return report.rollback?.result.passed ? 'rolled-back' : 'failed';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function commandCell(result: CommandResult | undefined, given: boolean): string {
  if (!given) return '–';
  if (!result) return 'not run';
  const time = formatDuration(result.durationMs / 1000);
  return commandSucceeded(result) ? `✅ passed (${time})` : `❌ ${commandFailureReason(result)}`;
}

function stageRows(
  result: RolloutResult,
  stages: readonly number[],
  commands: { run: boolean; smoke: boolean },
): string[] {
  return stages.map((percent, index) => {
    const stage = result.stages[index];
    return `| ${index + 1} | ${percent}% | ${commandCell(stage?.run, commands.run)} | ${commandCell(stage?.smokeTest, commands.smoke)} |`;
  });
}

/**
 * The step summary: what was deployed where, each stage and its commands, the rollback if any,
 * and where the alias stands afterwards.
 */
export function deploySummary(
  report: DeployReport,
  stages: readonly number[],
  commands: { run: boolean; smoke: boolean },
): string {
  const status = deployStatus(report);
  const icon = status === 'deployed' ? '✅' : status === 'rolled-back' ? '↩️' : '❌';
  const what =
    status === 'deployed'
      ? report.intendedRollback
        ? 'Rolled back to'
        : 'Deployed'
      : report.intendedRollback
        ? 'Rollback failed:'
        : 'Deploy failed:';
  const lines = [
    `### ${icon} ${what} ${report.model} v${report.version} to ${cell(report.environment)}`,
    '',
    '| | |',
    '|---|---|',
    `| status | ${status} |`,
    `| sha256 | \`${report.sha256}\` |`,
  ];
  if (report.previousVersion !== undefined) lines.push(`| previous version | v${report.previousVersion} |`);
  if (report.promoteTo) {
    const where =
      status === 'deployed'
        ? `\`${cell(report.promoteTo)}\` → v${report.version}`
        : report.aliasMovedBack
          ? `\`${cell(report.promoteTo)}\` moved back to v${report.rollback!.version}`
          : `\`${cell(report.promoteTo)}\` not moved${report.previousVersion !== undefined ? ` (stays on v${report.previousVersion})` : ''}`;
    lines.push(`| alias | ${where} |`);
  }
  if (report.deploymentId !== undefined) lines.push(`| GitHub deployment | ${report.deploymentId} |`);
  else if (report.local) lines.push('| GitHub deployment | none (local mode) |');
  if (report.environmentUrl) lines.push(`| environment URL | ${cell(report.environmentUrl)} |`);
  lines.push(
    '',
    '| stage | traffic | run | smoke-test |',
    '|---:|---:|---|---|',
    ...stageRows(report.rollout, stages, commands),
  );
  if (report.error !== undefined) lines.push('', `Stopped after the commands: ${cell(report.error)}.`);
  if (report.rollback) {
    const passed = report.rollback.result.passed;
    lines.push(
      '',
      `**Rollback** to v${report.rollback.version}: ${passed ? 'passed, it is serving again' : 'FAILED, the environment needs a person'}.`,
      '',
      '| stage | traffic | run | smoke-test |',
      '|---:|---:|---|---|',
      ...stageRows(report.rollback.result, [100], commands),
    );
  } else if (report.noRollbackReason) {
    lines.push('', `No rollback: ${report.noRollbackReason}.`);
  }
  return lines.join('\n') + '\n';
}
