import { runStepEnvironment } from '../command-environment.js';
import { paramVariables, type ParamTree, type SkippedParamVariable } from './params.js';

/** What the training command is told about its run. */
export interface CommandVariables {
  /** Absolute path of the resolved params JSON. */
  paramsFile: string;
  params: ParamTree;
  /** Where the params came from, for the error when two params meet in one variable name. */
  paramsSource: string;
  seed: number;
  /** Absolute path the command writes its metrics to. */
  metricsFile: string;
  /** Absolute path of the `{step, name, value}` JSON Lines history. */
  metricsHistoryFile: string;
  /** Absolute directory the command writes its model to. */
  modelDir: string;
  runId: string;
  /** `file:<dir>` for scripts that log to MLflow; ignored when MLFLOW_TRACKING_URI is already set. */
  mlflowTrackingUri: string;
  /** Told of each param too large for (or a NUL in) its MLOPS_PARAM_<NAME> variable, left out. */
  onSkippedParam?: (skipped: SkippedParamVariable) => void;
}

/**
 * The training command's whole environment: this process's variables less the action-only ones,
 * plus MLOPS_PARAMS, MLOPS_PARAM_<NAME> per flat param, MLOPS_SEED and PYTHONHASHSEED,
 * MLOPS_METRICS, MLOPS_METRICS_HISTORY, MLOPS_MODEL_DIR, MLOPS_RUN_ID and, unless the user set
 * one, MLFLOW_TRACKING_URI. A user's own PYTHONHASHSEED is kept: they chose it.
 */
export function commandEnvironment(
  base: Readonly<Record<string, string | undefined>>,
  variables: CommandVariables,
): Record<string, string> {
  const env = runStepEnvironment(base);
  // Stale per-param variables from an outer train step would mix with this run's params.
  for (const name of Object.keys(env)) if (name.startsWith('MLOPS_PARAM_')) delete env[name];
  Object.assign(env, paramVariables(variables.params, variables.paramsSource, variables.onSkippedParam));
  env.MLOPS_PARAMS = variables.paramsFile;
  env.MLOPS_SEED = String(variables.seed);
  if (base.PYTHONHASHSEED === undefined || base.PYTHONHASHSEED === '') env.PYTHONHASHSEED = String(variables.seed);
  env.MLOPS_METRICS = variables.metricsFile;
  env.MLOPS_METRICS_HISTORY = variables.metricsHistoryFile;
  env.MLOPS_MODEL_DIR = variables.modelDir;
  env.MLOPS_RUN_ID = variables.runId;
  if (base.MLFLOW_TRACKING_URI === undefined || base.MLFLOW_TRACKING_URI === '') {
    env.MLFLOW_TRACKING_URI = variables.mlflowTrackingUri;
  }
  return env;
}
