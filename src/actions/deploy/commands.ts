/**
 * The user's `run` and `smoke-test`, run through the process adapter as workflow `run:` steps
 * are: a script file for `shell`, never interpolated, live output, the timeout killing the
 * whole process tree.
 */
import { runStepEnvironment } from '../../core/command-environment.js';
import { runShellCommand } from '../../adapters/process.js';
import type { RunEnvironment } from '../../adapters/environment.js';
import type { RunMode } from '../../adapters/runner/definition.js';
import { deployVariables, stageLabel, type DeployRequest } from '../../core/deploy/plan.js';
import type { CommandName, CommandResult } from '../../core/deploy/rollout.js';
import type { Logger } from '../../core/logger.js';
import { formatDuration } from '../../core/registry/format.js';
import type { DeployContext } from './main.js';
import type { VerifiedModel } from './registry.js';

/** Runs the deploy's commands for one model and stage. */
export interface CommandRunner {
  /** Whether the input was given. */
  has(name: CommandName): boolean;
  run(
    name: CommandName,
    model: VerifiedModel,
    trafficPercent: number,
    stage: number,
    stages: readonly number[],
  ): Promise<CommandResult>;
}

/**
 * The environment a deploy or smoke-test command gets: what a workflow `run:` step would see (no
 * INPUT_* variables, the token among them, no runtime credentials), plus the model's.
 */
export function deployCommandEnvironment(
  base: Readonly<Record<string, string | undefined>>,
  variables: Record<string, string>,
): Record<string, string> {
  return { ...runStepEnvironment(base), ...variables };
}

/** The runner of the deploy's commands, from its inputs. */
export function commandRunner(options: {
  inputs: DeployContext['inputs'];
  env: RunEnvironment;
  log: Logger;
  mode: RunMode;
  request: DeployRequest;
}): CommandRunner {
  const { inputs, env, log, mode, request } = options;
  const scripts: Record<CommandName, string | undefined> = { run: inputs.run, 'smoke-test': inputs['smoke-test'] };
  const timeoutMinutes = inputs['timeout-minutes'];
  return {
    has: (name) => scripts[name] !== undefined,
    async run(name, model, trafficPercent, stage, stages) {
      const script = scripts[name]!;
      const where = stageLabel(stage, stages);
      const title = `${name}: ${request.model} v${model.version} to ${request.environment}${where ? `, ${where}` : ''}`;
      return log.group(title, async () => {
        const result = await runShellCommand({
          script,
          ...(inputs.shell !== undefined ? { shell: inputs.shell } : {}),
          cwd: inputs['working-directory'],
          env: deployCommandEnvironment(
            env.variables,
            deployVariables({ ...model, environment: request.environment, model: request.model }, trafficPercent),
          ),
          ...(timeoutMinutes !== undefined ? { timeoutMs: Math.round(timeoutMinutes * 60_000) } : {}),
          tempDir: env.tempDir,
          // On the command line stdout carries mlops' own summary (or --json): the commands' output goes to stderr.
          ...(mode === 'cli' ? { onOutput: (chunk: string) => void process.stderr.write(chunk) } : {}),
          onHeartbeat: (silentForMs) =>
            log.info(`${name} is still running (no output for ${formatDuration(silentForMs / 1000)}).`),
        });
        log.info(
          `${name} ${result.exitCode === 0 && !result.timedOut ? 'passed' : 'failed'} in ${formatDuration(result.durationMs / 1000)}.`,
        );
        return result;
      });
    },
  };
}
