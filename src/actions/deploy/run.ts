/**
 * deploy: resolve -> download and verify (registry adapter) -> GitHub deployment -> run and
 * smoke-test per traffic stage (process adapter) -> promote, record, outputs; on a failure, the
 * version that served before is deployed again the same way and the alias stays where it was.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { workflowRunUrl } from '../../adapters/environment.js';
import { checkShell } from '../../adapters/process.js';
import { createGitHubClient } from '../../adapters/github/client.js';
import {
  bestEffortStatuses,
  noDeployment,
  startDeployment,
  type DeploymentTracker,
} from '../../adapters/github/deployments.js';
import type { ActionOutcome } from '../../adapters/runner/definition.js';
import { EnvironmentError, InputError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import {
  planDeployRequest,
  rollbackTarget,
  stageLabel,
  type RollbackAlias,
  type DeployRequest,
} from '../../core/deploy/plan.js';
import { describeFailure, executeRollout, type RolloutResult } from '../../core/deploy/rollout.js';
import { deployStatus, deploySummary, type DeployReport } from '../../core/deploy/summary.js';
import type { DeployContext } from './main.js';
import { commandRunner, deployCommandEnvironment, type CommandRunner } from './commands.js';
import { openDeployRegistry, type DeployRegistry, type VerifiedModel } from './registry.js';

/** Checks environment-url: an http(s) URL, as GitHub requires for a deployment status. */
function checkEnvironmentUrl(raw: string | undefined, label: string): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(`${label}: ${JSON.stringify(raw)} is not a URL (such as https://churn.example.com).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(`${label}: ${JSON.stringify(raw)} must be an http(s) URL.`);
  }
  return raw;
}

/** The job was cancelled (SIGINT, SIGTERM): no new command starts and the deployment ends in error. */
export class DeployCancelledError extends EnvironmentError {}

/** Watches for the job's cancellation for the whole deploy (downloads, waits, commands). */
export interface Cancellation {
  readonly signal: AbortSignal;
  /** Throws DeployCancelledError saying `what` was cancelled `where`, once a signal came. */
  check(what: string, where: string): void;
  /** The error for a cancellation seen at `where`. */
  error(what: string, where: string): DeployCancelledError;
  /** Removes the signal handlers. */
  stop(): void;
}

/**
 * Installs SIGINT and SIGTERM handlers that record the cancellation instead of letting Node die
 * at once: the deploy then starts no new command and ends its deployment in error, never leaving
 * it in progress (the runner sends SIGKILL only seconds later).
 */
export function watchCancellation(): Cancellation {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => controller.abort(name);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const error = (what: string, where: string) =>
    new DeployCancelledError(`${what} cancelled (${String(controller.signal.reason)})${where ? ` ${where}` : ''}`);
  return {
    signal: controller.signal,
    error,
    check(what, where) {
      if (controller.signal.aborted) throw error(what, where);
    },
    stop() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Runs every stage of the rollout for one verified model, with a deployment status per stage. */
async function rollOut(
  model: VerifiedModel,
  stages: readonly number[],
  waitSeconds: number,
  runner: CommandRunner,
  deployment: DeploymentTracker,
  log: Logger,
  what: string,
  cancellation: Cancellation,
  deployName: string,
): Promise<RolloutResult> {
  let reached = '';
  const command = async (name: 'run' | 'smoke-test', percent: number, index: number) => {
    const where = stageLabel(index, stages);
    cancellation.check(deployName, where ? `at ${where}` : '');
    const result = await runner.run(name, model, percent, index, stages);
    // A command killed because the job was cancelled did not fail: nothing is rolled back.
    if (result.cancelled || cancellation.signal.aborted) {
      throw cancellation.error(deployName, `during ${name}${where ? ` at ${where}` : ''}`);
    }
    return result;
  };
  return executeRollout(stages, waitSeconds, {
    run: runner.has('run') ? (percent, index) => command('run', percent, index) : undefined,
    smokeTest: runner.has('smoke-test') ? (percent, index) => command('smoke-test', percent, index) : undefined,
    wait: async (seconds) => {
      log.info(`Waiting ${seconds}s before the next stage (stage-wait-seconds).`);
      try {
        await sleep(seconds * 1000, undefined, { signal: cancellation.signal });
      } catch {
        throw cancellation.error(deployName, reached ? `after ${reached}` : '');
      }
    },
    onStage: async (stage) => {
      const label = stageLabel(stage.index, stages);
      reached = label;
      if (!label) return;
      // Every stage is a status on the deployment, so its history shows how far the rollout got.
      await deployment.status(
        'in_progress',
        `${what} v${model.version}: ${label} ${stage.passed ? 'passed' : 'failed'}`,
      );
    },
  });
}

export async function runDeploy(context: DeployContext): Promise<ActionOutcome<'deploy'>> {
  const cancellation = watchCancellation();
  const registry: DeployRegistry = openDeployRegistry(context);
  try {
    return await runWatchedDeploy(context, cancellation, registry);
  } finally {
    cancellation.stop();
    // Under a runner the verified files stay in RUNNER_TEMP for the job's later steps (model-path);
    // outside one, nobody else would remove them from the OS temp folder.
    if (!context.env.runnerTemp) await registry.removeDownloads();
  }
}

/** The deploy, with the job's cancellation watched from the first download to the last status. */
async function runWatchedDeploy(
  context: DeployContext,
  cancellation: Cancellation,
  registry: DeployRegistry,
): Promise<ActionOutcome<'deploy'>> {
  const { inputs, log, env, label } = context;
  const request: DeployRequest = planDeployRequest(
    {
      model: inputs.model,
      version: inputs.version,
      alias: inputs.alias,
      promoteTo: inputs['promote-to'],
      environment: inputs.environment,
      traffic: inputs.traffic,
      stageWaitSeconds: inputs['stage-wait-seconds'],
      rollbackOnFailure: inputs['rollback-on-failure'],
    },
    {
      model: label('model'),
      version: label('version'),
      alias: label('alias'),
      'promote-to': label('promote-to'),
      environment: label('environment'),
      traffic: label('traffic'),
    },
  );
  const environmentUrl = checkEnvironmentUrl(inputs['environment-url'], label('environment-url'));
  // A shell that cannot start is bad input: said now, before a download or a deployment.
  if (inputs.run !== undefined || inputs['smoke-test'] !== undefined) {
    checkShell(inputs.shell, deployCommandEnvironment(env.variables, {}));
  }
  const token = inputs['github-token'];
  const runUrl = workflowRunUrl(env);

  // 1. The exact registered bytes, verified, before any command runs or any deployment exists.
  const model = await registry.downloadRequested(request);
  log.info(
    `${request.model} v${model.version}: ${model.path} (sha256 ${model.sha256} verified) for ${request.environment}.`,
  );

  // 2. What a failure would go back to, decided and verified before anything changes: a rollback
  // whose bytes cannot be verified would leave the failed version serving.
  const rollbackAlias = request.rollbackAlias ? await registry.aliasState(request.rollbackAlias) : undefined;
  const previousVersion = rollbackAlias ? rollbackTarget(model.version, rollbackAlias) : undefined;
  let previousModel: VerifiedModel | undefined;
  if (request.rollbackOnFailure && previousVersion !== undefined) {
    try {
      previousModel = await registry.downloadVersion(previousVersion);
    } catch (error) {
      if (error instanceof Error) {
        error.message =
          `Refusing to deploy ${request.model} v${model.version}: its rollback target v${previousVersion} cannot be ` +
          `verified, so a failure could not be undone (${error.message}). Fix v${previousVersion}, or set ` +
          'rollback-on-failure: false to deploy without a rollback.';
      }
      throw error;
    }
    log.info(`Rollback target ${request.model} v${previousVersion}: ${previousModel.path} (sha256 verified).`);
  }

  const deployName = `deploy ${request.model} v${model.version} to ${request.environment}`;
  cancellation.check(deployName, 'before the deployment was created');

  // 3. The GitHub deployment (not in local mode: there is no GitHub to tell).
  let deployment: DeploymentTracker = noDeployment;
  const local = !env.inActions || !token || !env.repository;
  if (local) {
    log.notice(
      `Local mode: no GitHub deployment is created for ${request.environment}; the registry records the deploy.`,
    );
  } else {
    const client = await createGitHubClient({ token, apiUrl: env.apiUrl, log, retryBaseMs: env.retryBaseMs });
    deployment = await startDeployment(
      client,
      env.repository,
      {
        ref: env.sha ?? env.ref ?? 'HEAD',
        environment: request.environment,
        payload: { model: request.model, version: model.version, sha256: model.sha256 },
        description: `${request.intendedRollback ? 'Roll back' : 'Deploy'} ${request.model} v${model.version}`,
        transient: inputs['transient-environment'],
      },
      { logUrl: runUrl, environmentUrl },
    );
    log.info(`GitHub deployment ${deployment.id} to ${request.environment}.`);
    // From here on a status GitHub cannot record is a warning: the rollout and its rollback go on.
    deployment = bestEffortStatuses(deployment, (message) => log.warning(message));
  }
  const what = request.intendedRollback ? 'Rolling back to' : 'Deploying';
  await deployment.status(
    'in_progress',
    request.intendedRollback
      ? `Rolling ${request.environment} back to ${request.model} v${model.version}`
      : `Deploying ${request.model} v${model.version} to ${request.environment}`,
  );

  try {
    return await rollOutAndRecord({
      request,
      model,
      previousVersion,
      previousModel,
      rollbackAlias,
      deployment,
      environmentUrl,
      local,
      runUrl,
      what,
      registry,
      context,
      cancellation,
      deployName,
    });
  } catch (error) {
    // Whatever stopped the deploy halfway (a rollback download refused, a registry write that
    // failed), the deployment must not stay in progress forever.
    await deployment
      .status('error', `${request.model} v${model.version}: ${error instanceof Error ? error.message : String(error)}`)
      .catch(() => {});
    throw error;
  }
}

/** Stages 4 and 5: the rollout, then the registry writes and outputs of a success or a rollback. */
async function rollOutAndRecord({
  request,
  model,
  previousVersion,
  previousModel,
  rollbackAlias,
  deployment,
  environmentUrl,
  local,
  runUrl,
  what,
  registry,
  context,
  cancellation,
  deployName,
}: {
  request: DeployRequest;
  model: VerifiedModel;
  previousVersion: number | undefined;
  /** The rollback target's verified bytes (undefined: no rollback target, or rollback-on-failure false). */
  previousModel: VerifiedModel | undefined;
  /** Where the rollback alias stood when this deploy read it. */
  rollbackAlias: RollbackAlias | undefined;
  deployment: DeploymentTracker;
  environmentUrl: string | undefined;
  local: boolean;
  runUrl: string | undefined;
  what: string;
  registry: DeployRegistry;
  context: DeployContext;
  cancellation: Cancellation;
  /** `deploy churn v3 to production`, for messages. */
  deployName: string;
}): Promise<ActionOutcome<'deploy'>> {
  const { inputs, io, log, env, mode } = context;
  // 4. The stages, then success or a rollback.
  const runner = commandRunner({ inputs, env, log, mode, request });
  const report: DeployReport = {
    model: request.model,
    environment: request.environment,
    version: model.version,
    sha256: model.sha256,
    previousVersion,
    promoteTo: request.promoteTo,
    intendedRollback: request.intendedRollback,
    rollout: { passed: false, stages: [] },
    deploymentId: deployment.id,
    environmentUrl,
    local,
  };
  const outputs = {
    version: model.version,
    'previous-version': previousVersion,
    'deployment-id': deployment.id,
    'model-path': model.path,
  };
  const expectedCurrent = request.promoteTo ? rollbackAlias?.current : undefined;
  // Once the first command has started, anything that stops the deploy (a command failing, a
  // registry write refused, another deploy moving the alias) goes down the rollback path.
  let failure: string | undefined;
  try {
    report.rollout = await rollOut(
      model,
      request.stages,
      request.stageWaitSeconds,
      runner,
      deployment,
      log,
      what,
      cancellation,
      deployName,
    );
    if (report.rollout.passed) {
      await registry.recordSuccess({
        request,
        version: model.version,
        previousVersion,
        deploymentId: deployment.id,
        runUrl,
        expectedCurrent,
      });
    } else {
      failure = describeFailure(report.rollout.failure!, request.stages);
    }
  } catch (error) {
    // A cancelled job starts nothing more, a rollback included: the deployment ends in error.
    if (error instanceof DeployCancelledError) throw error;
    failure = error instanceof Error ? error.message : String(error);
    report.error = failure;
  }
  if (failure === undefined) {
    await deployment.status('success', `${request.model} v${model.version} deployed to ${request.environment}`);
    await io.appendSummary(
      deploySummary(report, request.stages, { run: runner.has('run'), smoke: runner.has('smoke-test') }),
    );
    return { passed: true, outputs: { ...outputs, status: 'deployed', 'rolled-back': false } };
  }

  // The step's one error line comes at the end, with the rollback's outcome; this is progress.
  log.info(`${request.model} v${model.version} to ${request.environment}: ${failure}.`);
  // What serves before this deploy, read again now: another deploy may have moved the alias.
  const now = request.rollbackAlias ? await registry.aliasState(request.rollbackAlias, { fresh: true }) : undefined;
  const target = now ? rollbackTarget(model.version, now) : undefined;
  let aliasMoved = false;
  if (!request.rollbackOnFailure) {
    report.noRollbackReason = 'rollback-on-failure is false';
  } else if (target === undefined) {
    report.noRollbackReason = `${request.rollbackAlias ? `alias "${request.rollbackAlias}" has` : 'there is'} no previous version to go back to`;
  } else {
    log.info(`Rolling back ${request.environment} to ${request.model} v${target}.`);
    const previous = previousModel?.version === target ? previousModel : await registry.downloadVersion(target);
    await deployment.status('in_progress', `${failure}; rolling back to v${previous.version}`);
    const result = await rollOut(
      previous,
      [100],
      0,
      runner,
      noDeployment,
      log,
      'Rolling back to',
      cancellation,
      deployName,
    );
    report.rollback = { version: previous.version, result };
    report.previousVersion = previous.version;
    outputs['previous-version'] = previous.version;
    if (result.passed) {
      ({ aliasMoved } = await registry.recordRollback({
        request,
        from: model.version,
        version: previous.version,
        deploymentId: deployment.id,
        runUrl,
        reason: failure,
        expectedCurrent: request.promoteTo ? now?.current : undefined,
      }));
      report.aliasMovedBack = aliasMoved;
    }
  }
  const status = deployStatus(report);
  const rolledBack = status === 'rolled-back';
  await deployment.status(
    'failure',
    rolledBack
      ? `${failure}; rolled back to v${report.rollback!.version}`
      : report.rollback
        ? `${failure}; the rollback to v${report.rollback.version} failed too`
        : `${failure}; nothing rolled back`,
  );
  await io.appendSummary(
    deploySummary(report, request.stages, { run: runner.has('run'), smoke: runner.has('smoke-test') }),
  );
  const rollbackFailure =
    report.rollback && !report.rollback.result.passed
      ? `; the rollback to v${report.rollback.version} failed: ${describeFailure(report.rollback.result.failure!, [100])}`
      : '';
  return {
    passed: false,
    failure:
      `deploy ${request.model} v${model.version} to ${request.environment} failed: ${failure}` +
      (rolledBack
        ? `; rolled back to v${report.rollback!.version}`
        : rollbackFailure || `; ${report.noRollbackReason}`) +
      (request.promoteTo
        ? aliasMoved
          ? `. Alias "${request.promoteTo}" moved back to v${report.rollback!.version}.`
          : `. Alias "${request.promoteTo}" was not moved.`
        : '.'),
    outputs: { ...outputs, status, 'rolled-back': rolledBack },
  };
}
