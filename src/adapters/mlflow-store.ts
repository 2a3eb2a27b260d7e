import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ConfigurationError, InputError } from '../core/errors.js';
import type { MetricHistoryPoint, RunRecord } from '../core/registry/runs.js';

/*
 * Reads an MLflow tracking file store (the `mlruns/` folder that `MLFLOW_TRACKING_URI=file:...`
 * makes MLflow write), following MLflow's own reader, mlflow/store/tracking/file_store.py
 * (FileStore: TRASH_FOLDER_NAME ".trash", META_DATA_FILE_NAME "meta.yaml", the metrics/, params/,
 * tags/, artifacts/ folders, RESERVED_EXPERIMENT_FOLDERS, _get_metric_from_line,
 * _get_metric_from_file). MLflow itself is not installable here (no PyPI), so nothing runs it:
 * the test fixtures are trees written in that layout by hand. docs/mlflow.md has the layout.
 */

/** A model logged by a run (a folder holding an `MLmodel` file). */
export interface MlflowModel {
  /**
   * Where it was logged: the artifact path under the run's artifacts (MLflow 2.x,
   * `mlflow.sklearn.log_model(m, "model")` -> `model`), or the logged model's name (3.x).
   */
  artifactPath: string;
  /** Absolute folder holding MLmodel and the model files. */
  dir: string;
  /** The `flavors` keys of MLmodel: `python_function`, `sklearn`... */
  flavors: string[];
  /** MLflow 3.x logged-model id (`m-...`), when the model lives under `<experiment>/models/`. */
  modelId?: string;
}

/** One MLflow run, as the file store holds it. */
export interface MlflowRun {
  runId: string;
  experimentId: string;
  /** run_name in meta.yaml, else the `mlflow.runName` tag. */
  name?: string;
  /** RUNNING, SCHEDULED, FINISHED, FAILED or KILLED. */
  status?: string;
  /** Milliseconds since the epoch. */
  startTime?: number;
  endTime?: number;
  /** Param values are strings in MLflow. Keys may contain `/` (nested folders on disk). */
  params: Record<string, string>;
  /** MLflow's "latest" value: the greatest (step, timestamp, value). */
  metrics: Record<string, number>;
  /** Every logged value, ordered by step, then timestamp, then file order. */
  history: Record<string, Array<{ step: number; value: number; timestamp: number }>>;
  tags: Record<string, string>;
  /** The run's artifact folder (may not exist when nothing was logged). */
  artifactDir: string;
  models: MlflowModel[];
}

/** MLflow's RunStatus enum as meta.yaml stores it (mlflow/entities/run_status.py). */
const RUN_STATUS: Record<number, string> = { 1: 'RUNNING', 2: 'SCHEDULED', 3: 'FINISHED', 4: 'FAILED', 5: 'KILLED' };
/** Experiment folders that are not runs: FileStore.RESERVED_EXPERIMENT_FOLDERS plus 3.x's `models`. */
const RESERVED_EXPERIMENT_FOLDERS = new Set(['tags', 'datasets', 'traces', 'models']);
/** Root folders that are not experiments: the trash and the model registry's `models`. */
const RESERVED_ROOT_FOLDERS = new Set(['.trash', 'models']);

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function subdirectories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** meta.yaml as an object, or undefined when absent (MLflow skips such folders as malformed). */
async function readMeta(dir: string): Promise<Record<string, unknown> | undefined> {
  const file = join(dir, 'meta.yaml');
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    // PyYAML writes YAML 1.1: read it as such, so an unquoted `1e5` stays a string as PyYAML meant.
    value = parseYaml(text, { version: '1.1' });
  } catch (error) {
    throw new ConfigurationError(`invalid YAML in MLflow's meta.yaml: ${(error as Error).message}`, { file });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigurationError('MLflow meta.yaml is not a mapping.', { file });
  return value as Record<string, unknown>;
}

/** The files under `dir`, as `/`-joined keys (MLflow keys may hold `/`: nested folders). */
async function keyFiles(dir: string, prefix = ''): Promise<Array<{ key: string; file: string }>> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: Array<{ key: string; file: string }> = [];
  for (const entry of entries) {
    const key = prefix ? `${prefix}/${entry.name}` : entry.name;
    const file = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await keyFiles(file, key)));
    else if (entry.isFile()) out.push({ key, file });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Reads `key -> file content` (params and tags: the whole file, as MLflow's read_file). */
async function readKeyValues(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const { key, file } of await keyFiles(dir)) out[key] = await readFile(file, 'utf8');
  return out;
}

const INTEGER = /^[+-]?\d+$/;
/** Python's float(): decimals, exponents, inf/infinity/nan in any case. */
const PY_FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|inf(?:inity)?|nan)$/i;

function pythonFloat(text: string): number | undefined {
  if (!PY_FLOAT.test(text)) return undefined;
  const lower = text.toLowerCase().replace(/^\+/, '');
  if (lower.endsWith('nan')) return NaN;
  if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

/**
 * Parses a metric file: one `timestamp value [step]` line per logged value (step 0 when absent),
 * as FileStore._get_metric_from_line. A malformed line is a ConfigurationError naming the file
 * and line; an empty file too ("No data found", as MLflow says).
 */
export function parseMetricLines(
  text: string,
  file: string,
): Array<{ step: number; value: number; timestamp: number }> {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const points = lines.map((line, index) => {
    const parts = line.trim().split(' ');
    const where = { file, line: index + 1 };
    if (parts.length !== 2 && parts.length !== 3)
      throw new ConfigurationError(
        `malformed MLflow metric line "${line.trim().slice(0, 80)}": ${parts.length} fields, expected "timestamp value step".`,
        where,
      );
    const [timestampText, valueText, stepText = '0'] = parts as [string, string, string?];
    if (!INTEGER.test(timestampText))
      throw new ConfigurationError(
        `malformed MLflow metric line: timestamp "${timestampText}" is not an integer.`,
        where,
      );
    const value = pythonFloat(valueText);
    if (value === undefined)
      throw new ConfigurationError(`malformed MLflow metric line: value "${valueText}" is not a number.`, where);
    if (!INTEGER.test(stepText))
      throw new ConfigurationError(`malformed MLflow metric line: step "${stepText}" is not an integer.`, where);
    return { step: Number(stepText), value, timestamp: Number(timestampText) };
  });
  if (points.length === 0) throw new ConfigurationError('MLflow metric file has no values.', { file });
  return points;
}

/** MLflow's latest value: max by (step, timestamp, value), as FileStore._get_metric_from_file. */
function latest(points: Array<{ step: number; value: number; timestamp: number }>): number {
  let best = points[0]!;
  for (const p of points.slice(1)) {
    if (
      p.step !== best.step
        ? p.step > best.step
        : p.timestamp !== best.timestamp
          ? p.timestamp > best.timestamp
          : p.value > best.value
    )
      best = p;
  }
  return best.value;
}

/** Every folder under `dir` that holds an `MLmodel` file, with its flavors. */
async function findModels(dir: string, prefix = ''): Promise<MlflowModel[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: MlflowModel[] = [];
  if (entries.some((e) => e.name === 'MLmodel' && e.isFile())) {
    out.push({ artifactPath: prefix || '.', dir, flavors: await readFlavors(join(dir, 'MLmodel')) });
  }
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    out.push(...(await findModels(join(dir, entry.name), prefix ? `${prefix}/${entry.name}` : entry.name)));
  }
  return out;
}

/** The `flavors` keys of an MLmodel file (YAML). */
async function readFlavors(file: string): Promise<string[]> {
  let value: unknown;
  try {
    value = parseYaml(await readFile(file, 'utf8'), { version: '1.1' });
  } catch (error) {
    throw new ConfigurationError(`invalid YAML in MLmodel: ${(error as Error).message}`, { file });
  }
  const flavors = (value as { flavors?: unknown } | null)?.flavors;
  return typeof flavors === 'object' && flavors !== null ? Object.keys(flavors).sort() : [];
}

function text(value: unknown): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

function millis(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A `file:` URI or a path, as a local path. */
function localPath(uriOrPath: string, base: string): string {
  if (uriOrPath.startsWith('file:'))
    return fileURLToPath(uriOrPath.startsWith('file://') ? uriOrPath : `file://${uriOrPath.slice(5)}`);
  return isAbsolute(uriOrPath) ? uriOrPath : resolve(base, uriOrPath);
}

/**
 * MLflow 3.x logged models of an experiment: `<experiment>/models/<model_id>/meta.yaml` (with
 * `source_run_id` and `name`) and the files under `artifacts/` (MLmodel there). Keyed by run id.
 */
async function loggedModels(experimentDir: string): Promise<Map<string, MlflowModel[]>> {
  const byRun = new Map<string, MlflowModel[]>();
  const modelsDir = join(experimentDir, 'models');
  for (const id of await subdirectories(modelsDir)) {
    const modelDir = join(modelsDir, id);
    const meta = await readMeta(modelDir);
    if (!meta || meta.lifecycle_stage === 'deleted') continue;
    const artifacts = join(modelDir, 'artifacts');
    const found = await findModels(artifacts);
    const runId = text(meta.source_run_id);
    if (!runId) continue;
    for (const model of found) {
      const name = text(meta.name) ?? id;
      const entry: MlflowModel = {
        ...model,
        artifactPath: model.artifactPath === '.' ? name : `${name}/${model.artifactPath}`,
        modelId: text(meta.model_id) ?? id,
      };
      byRun.set(runId, [...(byRun.get(runId) ?? []), entry]);
    }
  }
  return byRun;
}

/**
 * Imports every active run of an MLflow file store (`trackingDir`: the mlruns folder, or its
 * `file:` URI): params, metrics (latest and full history), tags, the artifact folder and the
 * logged models (MLflow 2.x: folders with MLmodel under the run's artifacts; 3.x: logged models
 * under `<experiment>/models/`). Deleted experiments and runs (`.trash`, lifecycle_stage
 * deleted) are skipped; folders without meta.yaml too, as MLflow does. Runs come ordered by
 * start time, then id. A missing folder is an InputError; a malformed file a ConfigurationError
 * naming it (and the line, for metrics). A relative `trackingDir` resolves against `cwd`.
 */
export async function importMlflowRuns(trackingDir: string, cwd: string = process.cwd()): Promise<MlflowRun[]> {
  const root = localPath(trackingDir, cwd);
  if (!(await isDirectory(root))) throw new InputError(`MLflow tracking folder ${root} does not exist.`);
  const runs: MlflowRun[] = [];
  for (const experimentFolder of await subdirectories(root)) {
    if (RESERVED_ROOT_FOLDERS.has(experimentFolder)) continue;
    const experimentDir = join(root, experimentFolder);
    const experiment = await readMeta(experimentDir);
    if (!experiment || experiment.lifecycle_stage === 'deleted') continue;
    const experimentId = text(experiment.experiment_id) ?? experimentFolder;
    const models3 = await loggedModels(experimentDir);
    for (const runFolder of await subdirectories(experimentDir)) {
      if (RESERVED_EXPERIMENT_FOLDERS.has(runFolder)) continue;
      const runDir = join(experimentDir, runFolder);
      const meta = await readMeta(runDir);
      if (!meta || meta.lifecycle_stage === 'deleted') continue;
      const runId = text(meta.run_id) ?? text(meta.run_uuid) ?? runFolder;
      const history: MlflowRun['history'] = {};
      const metrics: Record<string, number> = {};
      for (const { key, file } of await keyFiles(join(runDir, 'metrics'))) {
        const points = parseMetricLines(await readFile(file, 'utf8'), file);
        metrics[key] = latest(points);
        // Stable sort: equal (step, timestamp) keep the order they were logged in.
        history[key] = [...points].sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
      }
      const tags = await readKeyValues(join(runDir, 'tags'));
      let artifactDir = join(runDir, 'artifacts');
      const artifactUri = text(meta.artifact_uri);
      if (!(await isDirectory(artifactDir)) && artifactUri?.startsWith('file:')) {
        const elsewhere = localPath(artifactUri, root);
        if (await isDirectory(elsewhere)) artifactDir = elsewhere;
      }
      const run: MlflowRun = {
        runId,
        experimentId,
        params: await readKeyValues(join(runDir, 'params')),
        metrics,
        history,
        tags,
        artifactDir,
        models: [...(await findModels(artifactDir)), ...(models3.get(runId) ?? [])],
      };
      const name = text(meta.run_name) ?? tags['mlflow.runName'];
      if (name !== undefined) run.name = name;
      const status = typeof meta.status === 'number' ? RUN_STATUS[meta.status] : text(meta.status);
      if (status !== undefined) run.status = status;
      const startTime = millis(meta.start_time);
      if (startTime !== undefined) run.startTime = startTime;
      const endTime = millis(meta.end_time);
      if (endTime !== undefined) run.endTime = endTime;
      runs.push(run);
    }
  }
  return runs.sort(
    (a, b) => (a.startTime ?? 0) - (b.startTime ?? 0) || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0),
  );
}

/**
 * The run record fields an MLflow run gives: params (strings, as MLflow keeps them), the latest
 * metrics and their histories (non-finite values left out: JSON has no NaN), and `mlflow`
 * {runId, experimentId, tags}. MLflow's own `mlflow.*` tags are kept: they say the source and user.
 */
export function mlflowRecordFields(
  run: MlflowRun,
): Pick<RunRecord, 'params' | 'metrics' | 'metricHistory' | 'mlflow'> & {
  metricHistory: Record<string, MetricHistoryPoint[]>;
} {
  const metrics: Record<string, number> = {};
  for (const [key, value] of Object.entries(run.metrics)) if (Number.isFinite(value)) metrics[key] = value;
  const metricHistory: Record<string, MetricHistoryPoint[]> = {};
  for (const [key, points] of Object.entries(run.history)) {
    const finite = points.filter((p) => Number.isFinite(p.value));
    if (finite.length)
      metricHistory[key] = finite.map((p) => ({ step: p.step, value: p.value, timestamp: p.timestamp }));
  }
  return {
    params: { ...run.params },
    metrics,
    metricHistory,
    mlflow: { runId: run.runId, experimentId: run.experimentId, tags: { ...run.tags } },
  };
}
