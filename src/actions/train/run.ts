import { randomBytes, randomInt } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { openArtifactStore, type UploadedArtifact } from '../../adapters/artifacts.js';
import { openCacheStore, restoreCacheSafely, saveCacheSafely, type CacheStore } from '../../adapters/cache.js';
import { workflowRunUrl } from '../../adapters/environment.js';
import { expandDataFiles } from '../../adapters/fs/dataset.js';
import { checkOutputPaths, displayPath, readUserFile, writeFileAtomic } from '../../adapters/fs/user-files.js';
import { collectLineage, hashPaths, type CollectedLineage, type HashedPaths } from '../../adapters/lineage.js';
import { importMlflowRuns, mlflowRecordFields, type MlflowRun } from '../../adapters/mlflow-store.js';
import { CommandStartError, checkShell, runShellCommand, type ShellCommandResult } from '../../adapters/process.js';
import { trackRun } from '../../adapters/registry/runs.js';
import type { ActionOutcome } from '../../adapters/runner/definition.js';
import { ConfigurationError, InputError, UserError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { parseMetricsDocument } from '../../core/metrics/parse.js';
import type { WorkflowRunInfo } from '../../core/registry/documents.js';
import { checkRunId } from '../../core/registry/names.js';
import type { HashedPath, RunRecord } from '../../core/registry/runs.js';
import { schemaProblem } from '../../core/registry/schemas.js';
import { runStepEnvironment } from '../../core/command-environment.js';
import { commandEnvironment } from '../../core/train/environment.js';
import { MAX_SEED } from '../../core/train/seed.js';
import { lastValues, parseMetricHistory, type MetricHistory } from '../../core/train/history.js';
import {
  applyOverrides,
  paramsSha256,
  parseParamOverrides,
  parseParams,
  type ParamOverride,
  type ParamTree,
  type SkippedParamVariable,
} from '../../core/train/params.js';
import { buildRunRecord, makeRunId, type TrainStatus } from '../../core/train/record.js';
import { trainSummary } from '../../core/train/summary.js';
import type { TrainContext } from './main.js';

/** How many lines of a failed command's output the annotation and the record keep. */
const TAIL_LINES = 20;
/** Silence before a heartbeat line, and between heartbeats. */
const HEARTBEAT_MS = 30_000;
/** The history file looked for beside a JSON or YAML metrics file. */
const HISTORY_FILE = 'metrics.jsonl';

/** The params and where they came from. */
interface ResolvedParams {
  params: ParamTree;
  overrides: ParamOverride[];
  /** The file shown in messages and the record (`params.yml`), or the input's label for inline YAML. */
  source: string | undefined;
}

/**
 * Resolves `params` (a file, else inline YAML) and applies `param-overrides`. A value that is one
 * line without `:` is taken for a file name, so a mistyped path says "does not exist" instead of
 * being read as the YAML text `params.yml`.
 */
async function resolveParams({ inputs, label }: TrainContext, cwd: string): Promise<ResolvedParams> {
  let params: ParamTree = {};
  let source: string | undefined;
  const given = inputs.params?.trim();
  if (given) {
    const file = resolve(cwd, given);
    const info = await stat(file).catch(() => undefined);
    if (info?.isFile()) {
      source = displayPath(file, cwd);
      params = parseParams(await readUserFile(file, label('params'), source), source);
    } else if (/\n/.test(given) || /:(\s|$)/.test(given) || given.startsWith('{')) {
      source = label('params');
      params = parseParams(given, source);
    } else if (info?.isDirectory()) {
      throw new InputError(`${label('params')}: ${displayPath(file, cwd)} is a directory, not a params file.`);
    } else {
      throw new InputError(`${label('params')}: ${displayPath(file, cwd)} does not exist (nor is it inline YAML).`);
    }
  }
  const overrides = parseParamOverrides(inputs['param-overrides'] ?? '', label('param-overrides'));
  return { params: applyOverrides(params, overrides, label('param-overrides')), overrides, source };
}

/** The seed: the input, else the params' `seed`, else a random one (recorded, so it can be repeated). */
function chooseSeed(input: number | undefined, params: ParamTree, log: Logger): number {
  if (input !== undefined) return input;
  const fromParams = params.seed;
  if (typeof fromParams === 'number' && Number.isInteger(fromParams) && fromParams >= 0 && fromParams <= MAX_SEED) {
    return fromParams;
  }
  const seed = randomInt(0, 2 ** 31);
  log.info(`Seed ${seed}, drawn at random (set the seed input, or a seed param, to repeat it).`);
  return seed;
}

/** The `data` entries as paths: an existing file or directory as is, a glob as the files it matches. */
async function dataPaths(entries: readonly string[], cwd: string, label: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of entries) {
    if (await stat(entry).catch(() => undefined)) {
      out.push(recordedPath(entry, cwd));
      continue;
    }
    if (/[*?[\]{}]/.test(entry)) {
      out.push(...(await expandDataFiles([entry], cwd)).map((file) => recordedPath(file, cwd)));
      continue;
    }
    throw new InputError(`${label}: ${displayPath(entry, cwd)} does not exist.`);
  }
  return out;
}

/** A path as the record shows it: relative to the working directory when inside it (hashPaths keeps it so). */
function recordedPath(path: string, cwd: string): string {
  const inside = relative(cwd, path);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}

/** A file's modification time and size before the command ran, to tell a fresh write from a leftover. */
async function fingerprint(file: string): Promise<string | undefined> {
  const info = await stat(file).catch(() => undefined);
  return info?.isFile() ? `${info.mtimeMs}:${info.size}` : undefined;
}

/** What the command left behind that the record takes in. */
interface CommandResults {
  metrics: Record<string, number>;
  history: MetricHistory;
  /** Why a command that exited 0 still failed the run. */
  error?: UserError;
}

/**
 * Reads the metrics the command wrote: the metrics file (JSON/YAML with evaluate-gate's reader,
 * or JSON Lines history) and a metrics.jsonl beside it, whose last values count as metrics too,
 * merged with what an MLflow run logged (the file wins on a metric both give). A missing or stale
 * metrics file is an error only when no history and no MLflow run gave metrics either.
 */
async function readCommandMetrics(
  metricsFile: string,
  before: { metrics?: string; history?: string },
  cwd: string,
  mlflow: ReturnType<typeof mlflowRecordFields> | undefined,
  required: boolean,
): Promise<CommandResults> {
  const shown = displayPath(metricsFile, cwd);
  const jsonl = /\.jsonl$/i.test(metricsFile);
  const historyFile = jsonl ? metricsFile : join(dirname(metricsFile), HISTORY_FILE);
  const results: CommandResults = { metrics: {}, history: {} };
  const fresh = async (file: string, previous: string | undefined) => {
    const now = await fingerprint(file);
    return now !== undefined && now !== previous;
  };
  try {
    if (await fresh(historyFile, jsonl ? before.metrics : before.history)) {
      results.history = parseMetricHistory(await readFile(historyFile, 'utf8'), displayPath(historyFile, cwd));
    }
    const written = await fresh(metricsFile, before.metrics);
    // A metric logged only as a history counts with its last value, as MLflow's latest does.
    results.metrics = lastValues(results.history);
    if (written && !jsonl) {
      Object.assign(results.metrics, parseMetricsDocument(await readFile(metricsFile, 'utf8'), shown).values);
    }
    if (mlflow) {
      results.metrics = { ...(mlflow.metrics as Record<string, number>), ...results.metrics };
      results.history = { ...mlflow.metricHistory, ...results.history };
    }
    if (!written && required && Object.keys(results.metrics).length === 0) {
      const left = before.metrics !== undefined && (await fingerprint(metricsFile)) === before.metrics;
      throw new ConfigurationError(
        left
          ? `the command did not write its metrics: ${shown} is unchanged since before it ran (a leftover; write to $MLOPS_METRICS).`
          : `the command wrote no metrics file (expected at ${metricsFile}, given to it as MLOPS_METRICS).`,
        { file: shown },
      );
    }
  } catch (error) {
    if (!(error instanceof UserError) || !required) {
      if (required) throw error;
      return results;
    }
    results.error = error;
  }
  return results;
}

/** True when the directory exists and holds at least one entry. */
async function nonEmptyDirectory(dir: string): Promise<boolean> {
  return (await readdir(dir).catch(() => [])).length > 0;
}

/** The last MLflow run of a file store the command logged to, if any. */
async function importMlflow(trackingDir: string, cwd: string, log: Logger): Promise<MlflowRun | undefined> {
  if (!(await nonEmptyDirectory(trackingDir))) return undefined;
  let runs: MlflowRun[];
  try {
    runs = await importMlflowRuns(trackingDir, cwd);
  } catch (error) {
    const why = error instanceof UserError ? error.located : (error as Error).message;
    log.warning(`Could not read the MLflow runs the command logged (${trackingDir}): ${why}`);
    return undefined;
  }
  const run = runs[runs.length - 1];
  if (run) {
    log.info(
      `Imported MLflow run ${run.runId}${run.name ? ` (${run.name})` : ''}: ${Object.keys(run.params).length} params, ${Object.keys(run.metrics).length} metrics${runs.length > 1 ? ` (the last of ${runs.length} runs)` : ''}.`,
    );
  }
  return run;
}

/** The files of a workflow artifact holding the run record and the model, staged in one folder. */
async function stageArtifact(stageDir: string, recordFile: string, model: string | undefined): Promise<string[]> {
  await mkdir(stageDir, { recursive: true });
  await cp(recordFile, join(stageDir, 'run.json'));
  if (model)
    await cp(model, join(stageDir, basename(model) === 'run.json' ? 'model' : basename(model)), { recursive: true });
  const files: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files.push(path);
    }
  };
  await walk(stageDir);
  return files.sort();
}

/** The first 16 hex digits of a sha256: enough for a cache key, short enough to read. */
function short(sha256: string): string {
  return sha256.slice(0, 16);
}

/** Checks the shell can start before anything runs; the error names the input. */
function checkTrainShell(
  shell: string | undefined,
  variables: Readonly<Record<string, string | undefined>>,
  label: string,
): string {
  try {
    return checkShell(shell, runStepEnvironment(variables)).name;
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`${label}: ${error.message}`);
    throw error;
  }
}

/** The annotation of a failed command: what happened, then the last lines of its output. */
function failureMessage(result: ShellCommandResult, timeoutMinutes: number | undefined): string {
  const seconds = (result.durationMs / 1000).toFixed(1);
  const what = result.cancelled
    ? `The training command was cancelled after ${seconds} s; it and every process it started were stopped.`
    : result.timedOut
      ? `The training command timed out after ${timeoutMinutes} minute${timeoutMinutes === 1 ? '' : 's'} (${seconds} s); it and every process it started were stopped.`
      : result.exitCode !== null
        ? `The training command exited with code ${result.exitCode} after ${seconds} s.`
        : `The training command was ended by ${result.signal ?? 'a signal'} after ${seconds} s.`;
  const lines = result.tail.length === 1 ? 'line' : `${result.tail.length} lines`;
  const tail = result.tail.length ? `\nLast ${lines} of output:\n${result.tail.join('\n')}` : '';
  return what + tail;
}

/**
 * Runs the training command as a workflow `run:` step would, with its params, seed and paths in
 * the environment, and writes the run record: params and overrides, metrics and histories, data
 * and model hashes, lineage. A failing or timed-out command still gets its record (status failed
 * or timed-out) before the step fails.
 */
export async function runTrain(context: TrainContext): Promise<ActionOutcome<'train'>> {
  const made: string[] = [];
  try {
    return await trainRun(context, made);
  } finally {
    // Under a runner the run folder (params, MLflow's tracking, the default model folder) stays
    // for the job's later steps and goes with RUNNER_TEMP; outside one nobody else removes it.
    if (!context.env.runnerTemp) for (const folder of made) await rm(folder, { recursive: true, force: true });
  }
}

/** runTrain's work; every temporary folder it makes is pushed to `made` at once. */
async function trainRun(context: TrainContext, made: string[]): Promise<ActionOutcome<'train'>> {
  const { inputs, io, log, env, label, mode } = context;
  const cwd = inputs['working-directory'];
  const recordFile = inputs['run-record'];
  const metricsFile = inputs.metrics;
  // Before anything runs: a record path that is a directory, or that is the metrics file, a params
  // file or a data file, is a bad input, found at once.
  await checkOutputPaths(
    [
      { path: recordFile, label: label('run-record') },
      { path: metricsFile, label: label('metrics') },
    ],
    cwd,
    [
      ...(inputs.params ? [{ path: resolve(cwd, inputs.params.trim()), label: label('params') }] : []),
      ...(inputs.data ?? []).map((file) => ({ path: file, label: label('data') })),
    ],
  );
  const { params, overrides, source: paramsSource } = await resolveParams(context, cwd);
  const seed = chooseSeed(inputs.seed, params, log);
  const data = inputs.data?.length ? await dataPaths(inputs.data, cwd, label('data')) : [];
  const dataHash: HashedPaths | undefined = data.length
    ? await log.group(`Hashing the data (${data.length} path${data.length === 1 ? '' : 's'})`, () =>
        hashPaths(data, cwd),
      )
    : undefined;
  if (dataHash) log.info(`Data sha256 ${dataHash.sha256}.`);
  const lineage: CollectedLineage = await collectLineage({ cwd, env });

  // The shell as the record names it (`bash`, `sh`, `pwsh`, a template); a bad one fails here.
  const shellName = checkTrainShell(inputs.shell, env.variables, label('shell'));
  const startedAt = new Date();
  const runId = checkRunId(makeRunId(inputs.name, startedAt, randomBytes(4).toString('hex')), 'run id');
  await mkdir(env.tempDir, { recursive: true });
  const runDir = await mkdtemp(join(env.tempDir, 'mlops-train-'));
  made.push(runDir);
  const paramsFile = join(runDir, 'params.json');
  await writeFile(paramsFile, JSON.stringify(params, null, 2) + '\n');
  const trackingDir = join(runDir, 'mlruns');
  const modelDir = inputs.model ?? join(runDir, 'model');
  if (inputs.model === undefined) await mkdir(modelDir);

  // Artifacts and the cache need the runner's services; a local run skips both, saying so once.
  const artifactStore = inputs['artifact-name'] ? openArtifactStore(env) : undefined;
  let cache: { store: CacheStore; key: string; paths: string[] } | undefined;
  const cachePaths = inputs['cache-paths'] ?? [];
  if (cachePaths.length) {
    const opened = openCacheStore(env, cwd);
    if (opened.store) {
      const lockfiles = lineage.lockfiles.map((l) => `${l.path}:${l.sha256}`).join('\n');
      // The command, the shell and the platform make other outputs from the same data and params.
      const command = short(paramsSha256({ run: inputs.run, shell: inputs.shell ?? null }));
      const key =
        inputs['cache-key'] ??
        `mlops-train-${dataHash ? short(dataHash.sha256) : 'nodata'}-${short(paramsSha256(params))}-${short(paramsSha256({ lockfiles }))}-${process.platform}-${process.arch}-${command}`;
      cache = { store: opened.store, key, paths: cachePaths };
      await restoreCacheSafely(opened.store, cachePaths, key, log);
    } else if (!artifactStore || artifactStore.store) {
      log.notice(`cache-paths skipped: ${opened.reason}.`);
    }
  }
  if (artifactStore && !artifactStore.store) {
    log.notice(
      `${cachePaths.length ? 'artifact-name and cache-paths' : 'artifact-name'} skipped: ${artifactStore.reason}.`,
    );
  }

  const historyFile = /\.jsonl$/i.test(metricsFile) ? metricsFile : join(dirname(metricsFile), HISTORY_FILE);
  const before = { metrics: await fingerprint(metricsFile), history: await fingerprint(historyFile) };
  // The command writes to MLOPS_METRICS without having to make its folder first.
  await mkdir(dirname(metricsFile), { recursive: true });
  const skippedParams: SkippedParamVariable[] = [];
  const commandEnv = commandEnvironment(env.variables, {
    paramsFile,
    params,
    paramsSource: paramsSource ?? label('params'),
    seed,
    metricsFile,
    metricsHistoryFile: historyFile,
    modelDir,
    runId,
    mlflowTrackingUri: `file:${trackingDir}`,
    onSkippedParam: (skipped) => skippedParams.push(skipped),
  });
  if (skippedParams.length) {
    log.warning(
      `${skippedParams.map((p) => `${p.name} (param "${p.key}") ${p.reason}`).join('; ')}: left out of the command's environment, which cannot hold ${skippedParams.length === 1 ? 'it' : 'them'}; read ${skippedParams.length === 1 ? 'it' : 'them'} from the params file $MLOPS_PARAMS.`,
    );
  }
  const importsMlflow = commandEnv.MLFLOW_TRACKING_URI === `file:${trackingDir}`;

  // In the CLI, stdout is for the summary (or --json): the command's output goes to stderr.
  const write = (chunk: string, stream: 'stdout' | 'stderr') =>
    (mode === 'cli' || stream === 'stderr' ? process.stderr : process.stdout).write(chunk);
  log.info(`Run ${runId}: running the training command (seed ${seed}, params ${paramsFile}).`);
  let startError: UserError | undefined;
  const result: ShellCommandResult = await runShellCommand({
    script: inputs.run,
    ...(inputs.shell !== undefined ? { shell: inputs.shell } : {}),
    cwd,
    env: commandEnv,
    ...(inputs['timeout-minutes'] !== undefined ? { timeoutMs: Math.round(inputs['timeout-minutes'] * 60_000) } : {}),
    heartbeatMs: HEARTBEAT_MS,
    tailLines: TAIL_LINES,
    tempDir: env.tempDir,
    onOutput: write,
    onHeartbeat: (silentMs) =>
      log.info(
        `… still training: no output for ${Math.round(silentMs / 1000)} s (${Math.round((Date.now() - startedAt.getTime()) / 1000)} s in all).`,
      ),
  }).catch((error: unknown) => {
    // A command that cannot start still gets its failed record, saying why.
    if (!(error instanceof CommandStartError)) throw error;
    startError = new InputError(`could not start the training command (${error.shellName}): ${error.reason}`);
    return { exitCode: null, signal: null, timedOut: false, cancelled: false, durationMs: 0, tail: [] };
  });
  const finishedAt = new Date();
  // A command that traps SIGTERM may exit 0 after the kill: a timed-out or cancelled run never succeeds.
  const succeeded = result.exitCode === 0 && !result.timedOut && !result.cancelled && !startError;
  let status: TrainStatus = result.timedOut
    ? 'timed-out'
    : result.cancelled
      ? 'cancelled'
      : succeeded
        ? 'succeeded'
        : 'failed';

  const mlflowRun = importsMlflow ? await importMlflow(trackingDir, cwd, log) : undefined;
  const mlflow = mlflowRun ? mlflowRecordFields(mlflowRun) : undefined;
  const read = await readCommandMetrics(metricsFile, before, cwd, mlflow, succeeded);
  let error = startError ?? read.error;

  // The model: the `model` input, else what the command wrote to MLOPS_MODEL_DIR, else MLflow's.
  let modelPath: string | undefined;
  if (inputs.model !== undefined) {
    if (await stat(inputs.model).catch(() => undefined)) modelPath = inputs.model;
    else if (succeeded && !error) {
      error = new ConfigurationError(
        `the command did not write the model (expected at ${inputs.model}, given to it as MLOPS_MODEL_DIR).`,
        { file: displayPath(inputs.model, cwd) },
      );
    }
  } else if (await nonEmptyDirectory(modelDir)) modelPath = modelDir;
  else if (mlflowRun?.models[0]) modelPath = mlflowRun.models[0].dir;
  let model: HashedPath | undefined;
  if (modelPath) {
    const hashed = await hashPaths([recordedPath(modelPath, cwd)], cwd);
    model = hashed.entries[0];
  }
  if (error) status = 'failed';

  const workflowRun: WorkflowRunInfo | undefined =
    env.inActions && env.runId
      ? {
          id: env.runId,
          ...(env.runAttempt ? { attempt: env.runAttempt } : {}),
          ...(workflowRunUrl(env) ? { url: workflowRunUrl(env) } : {}),
          ...(env.workflow ? { workflow: env.workflow } : {}),
          ...(env.job ? { job: env.job } : {}),
          ...(env.repository ? { repository: `${env.repository.owner}/${env.repository.repo}` } : {}),
        }
      : undefined;
  const { actor, runUrl, ...runLineage } = lineage;
  const record: RunRecord = buildRunRecord({
    id: runId,
    ...(inputs.name !== undefined ? { name: inputs.name } : {}),
    status,
    ...(error ? { error: error.located } : {}),
    command: inputs.run,
    shell: shellName,
    exitCode: result.exitCode,
    signal: result.signal,
    startedAt,
    finishedAt,
    params: Object.keys(params).length || !mlflow ? params : (mlflow.params as ParamTree),
    overrides,
    ...(paramsSource !== undefined ? { paramsSource } : {}),
    seed,
    metrics: read.metrics,
    metricHistory: read.history,
    ...(model ? { model } : {}),
    ...(dataHash ? { data: { sha256: dataHash.sha256, entries: dataHash.entries } } : {}),
    lineage: runLineage,
    ...(mlflowRun
      ? { mlflow: { runId: mlflowRun.runId, experimentId: mlflowRun.experimentId, tags: mlflowRun.tags } }
      : {}),
    ...(actor !== undefined ? { actor } : {}),
    ...(runUrl !== undefined ? { runUrl } : {}),
    ...(workflowRun ? { workflowRun } : {}),
    ...(status !== 'succeeded' ? { outputTail: result.tail } : {}),
  });
  const problem = schemaProblem('run-record', record);
  if (problem) throw new Error(`the run record train built breaks its schema: ${problem}`);
  await writeFileAtomic(recordFile, JSON.stringify(record, null, 2) + '\n');
  log.info(`Run record: ${recordFile}`);

  let uploaded: UploadedArtifact | undefined;
  if (inputs['artifact-name'] && artifactStore?.store) {
    try {
      const stageDir = join(runDir, 'artifact');
      const files = await stageArtifact(stageDir, recordFile, modelPath);
      uploaded = await artifactStore.store.upload(inputs['artifact-name'], files, stageDir);
      log.info(`Uploaded ${uploaded.location}.`);
    } catch (uploadError) {
      log.warning(`Could not upload artifact "${inputs['artifact-name']}": ${(uploadError as Error).message}`);
    }
  }
  if (cache && status === 'succeeded') await saveCacheSafely(cache.store, cache.paths, cache.key, log);

  if (inputs.track) {
    const token = inputs['github-token'];
    await trackRun(record, {
      cwd,
      branch: inputs['registry-branch'],
      remote: inputs['registry-remote'],
      log,
      inActions: env.inActions,
      serverUrl: env.serverUrl,
      mask: io.mask,
      ...(token ? { token } : {}),
      ...(actor !== undefined ? { actor } : {}),
    });
  }
  await io.appendSummary(trainSummary(record, recordFile));

  const outputs = {
    'run-id': runId,
    // Only a succeeded run's metrics are an output: a failed or timed-out run's may be partial,
    // and a later step reading the output would take them for a result (the record keeps them).
    metrics: status === 'succeeded' ? JSON.stringify(read.metrics) : undefined,
    'model-sha256': model?.sha256,
    'data-sha256': dataHash?.sha256,
    'run-record': recordFile,
    'artifact-id': uploaded?.id !== undefined ? String(uploaded.id) : undefined,
    'duration-seconds': record.durationSeconds,
  };
  if (error) throw error;
  if (!succeeded) {
    return {
      passed: false,
      outputs,
      failure: failureMessage(result, inputs['timeout-minutes']),
      failureTitle: result.cancelled
        ? 'Training cancelled'
        : result.timedOut
          ? 'Training timed out'
          : 'Training command failed',
    };
  }
  log.info(`Run ${runId} succeeded in ${record.durationSeconds} s: ${Object.keys(read.metrics).length} metrics.`);
  return { passed: true, outputs };
}
