import { checkJsonTextNesting } from '../document-limits.js';
import { ConfigurationError, InputError } from '../errors.js';
import type { WorkflowRunInfo } from './documents.js';
import { schemaProblem } from './schemas.js';

/**
 * A train run record: what the train action writes to `mlops-reports/run.json` and, with
 * `track: true`, stores on the registry branch as `runs/<id>.json`. The schema is
 * schemas/registry/run-record.schema.json; unknown extra fields are kept.
 */
export interface RunRecord {
  kind?: 'mlops-run';
  format?: number;
  /** Unique run id: letters, digits, `.`, `_`, `-`. */
  id: string;
  name?: string;
  status?: 'succeeded' | 'failed' | 'timed-out' | 'cancelled';
  /** Why a run whose command exited 0 still failed (its metrics file is missing, say). */
  error?: string;
  startedAt: string;
  finishedAt?: string;
  durationSeconds?: number;
  /** The training command. */
  command?: string | string[];
  /** The shell the command ran in (`bash`, `pwsh`, a custom `{0}` template...). */
  shell?: string;
  /** The command's exit code; null when a signal or the timeout ended it. */
  exitCode?: number | null;
  /** The signal that ended the command (SIGKILL on timeout), when one did. */
  signal?: string | null;
  /** The last lines of output of a run that did not succeed. */
  outputTail?: string[];
  /** Hyper-parameters (any JSON), overrides already applied. */
  params: Record<string, unknown>;
  /** The `param-overrides` lines as typed scalars (dotted names address nested params). */
  paramOverrides?: Record<string, string | number | boolean | null>;
  /** Where the params came from: the params file's path, or `inline`. */
  paramsSource?: string;
  /** Metrics: numbers, possibly nested. */
  metrics: Record<string, unknown>;
  /** Per-step values of metrics (MLflow history, metrics.jsonl), by step then timestamp. */
  metricHistory?: Record<string, MetricHistoryPoint[]>;
  seed?: number;
  /** Each `data` path hashed (lineage.ts `hashPaths` entries). */
  data?: HashedPath[];
  /** The model file or directory, hashed. */
  model?: HashedPath;
  /** The combined hash of all `data` paths (equal to the one entry's hash when there is one). */
  dataSha256?: string;
  modelSha256?: string;
  /** Deprecated: records from before `lineage` existed. New records use lineage.git. */
  git?: GitLineage;
  lineage?: RunLineage;
  /** The MLflow run this record was imported from (train's file-store import). */
  mlflow?: { runId: string; experimentId?: string; tags?: Record<string, string> };
  /** URL of the workflow run. */
  runUrl?: string;
  /** Who started the workflow run (GITHUB_ACTOR). */
  actor?: string;
  workflowRun?: WorkflowRunInfo;
  [extra: string]: unknown;
}

/** One logged value of a metric. */
export interface MetricHistoryPoint {
  step: number;
  value: number;
  /** Milliseconds since the epoch, when known (MLflow records it). */
  timestamp?: number;
}

/** A file or directory with its content hash (schema definition `hashedPath`). */
export interface HashedPath {
  /** The path as given, with `/` separators. */
  path: string;
  kind: 'file' | 'directory';
  sha256: string;
  /** Regular files counted (1 for a file). */
  files?: number;
  /** Total bytes of those files. */
  bytes?: number;
}

/** The commit a run trained from. */
export interface GitLineage {
  commit?: string;
  ref?: string;
  /** Tracked files differ from the commit (staged or not); untracked files do not count. */
  dirty?: boolean;
}

/** Where a run came from: code, dependency lockfiles, machine, interpreters. */
export interface RunLineage {
  git?: GitLineage;
  lockfiles?: Array<{ path: string; sha256: string }>;
  runner?: { os?: string; arch?: string };
  /** Node.js version, `v20.19.0`. */
  node?: string;
  /** Python version, `3.11.2`, when python3 or python is on PATH. */
  python?: string;
}

/** `runs/<id>.json` on the registry branch. */
export interface TrackedRun {
  kind: 'mlops-tracked-run';
  format: number;
  recordedAt: string;
  actor?: string;
  run: RunRecord;
}

/**
 * Parses and validates a run record file; errors name the file and the key. Params nested deeper
 * than MAX_NESTING_DEPTH (64) are refused before parsing: the record is stored, hashed and
 * flattened by code that recurses once per level.
 */
export function parseRunRecord(text: string, file: string): RunRecord {
  let value: unknown;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  checkJsonTextNesting(body, file);
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new ConfigurationError(`invalid JSON in the run record: ${(error as Error).message}`, { file });
  }
  const problem = schemaProblem('run-record', value);
  if (problem) throw new ConfigurationError(`not a valid run record: ${problem}.`, { file });
  return value as RunRecord;
}

/** Flattens nested metrics (`{a: {b: 1}}` -> `a.b`), keeping only finite numbers. */
export function flattenNumbers(value: unknown, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [key, child] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof child === 'number' && Number.isFinite(child)) out[name] = child;
    else if (typeof child === 'object' && child !== null && !Array.isArray(child)) {
      Object.assign(out, flattenNumbers(child, name));
    }
  }
  return out;
}

/** Flattens parameters to display strings (`{opt: {lr: 0.1}}` -> `opt.lr: "0.1"`). */
export function flattenParamValues(value: unknown, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [key, child] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof child === 'object' && child !== null && !Array.isArray(child) && Object.keys(child).length > 0) {
      Object.assign(out, flattenParamValues(child, name));
    } else {
      out[name] = typeof child === 'string' ? child : JSON.stringify(child);
    }
  }
  return out;
}

/** The compare table of `mlops runs compare`: one row per param and metric, one column per run. */
export interface RunComparison {
  runs: string[];
  params: Array<{ name: string; values: Array<string | undefined>; differs: boolean }>;
  metrics: Array<{ name: string; values: Array<number | undefined>; delta?: number; differs: boolean }>;
}

/**
 * Lines up the params and metrics of several runs. With two runs, `delta` is second minus first
 * for each metric both have.
 */
export function compareRuns(runs: RunRecord[]): RunComparison {
  const params = runs.map((run) => flattenParamValues(run.params));
  const metrics = runs.map((run) => flattenNumbers(run.metrics));
  const names = (maps: Array<Record<string, unknown>>) => [...new Set(maps.flatMap((m) => Object.keys(m)))].sort();
  return {
    runs: runs.map((run) => run.id),
    params: names(params).map((name) => {
      const values = params.map((p) => p[name]);
      return { name, values, differs: new Set(values).size > 1 };
    }),
    metrics: names(metrics).map((name) => {
      const values = metrics.map((m) => m[name]);
      const row: RunComparison['metrics'][number] = { name, values, differs: new Set(values).size > 1 };
      if (values.length === 2 && values[0] !== undefined && values[1] !== undefined) row.delta = values[1] - values[0];
      return row;
    }),
  };
}

/** One run's values of one metric, for a chart. */
export interface MetricSeries {
  /** The line's name: a run id, `baseline`, `candidate`. */
  label: string;
  points: MetricHistoryPoint[];
}

/**
 * The metrics that have a step history in at least one of the runs, sorted by name, each with a
 * series per run that has it (runs without that metric's history are left out of its chart).
 */
export function metricHistories(runs: readonly RunRecord[]): Array<{ metric: string; series: MetricSeries[] }> {
  const names = [...new Set(runs.flatMap((run) => Object.keys(run.metricHistory ?? {})))].sort();
  return names
    .map((metric) => ({
      metric,
      series: runs
        .filter((run) => (run.metricHistory?.[metric]?.length ?? 0) > 0)
        .map((run) => ({ label: run.id, points: run.metricHistory![metric]! })),
    }))
    .filter((entry) => entry.series.length > 0);
}

/** A `--filter key=value` of `mlops runs best`: `name`, `status`, `id` or `params.<name>`; `*` matches any text. */
export interface RunFilter {
  key: string;
  value: string;
}

/** Parses `key=value`; the key must be `name`, `status`, `id` or `params.<name>`. */
export function parseRunFilter(text: string): RunFilter {
  const at = text.indexOf('=');
  const key = at > 0 ? text.slice(0, at).trim() : '';
  if (!key || !(['name', 'status', 'id'].includes(key) || /^params\.[^.].*/.test(key)))
    throw new InputError(
      `--filter "${text}" must be key=value with key name, status, id or params.<name> (e.g. --filter name=sweep-*).`,
    );
  return { key, value: text.slice(at + 1).trim() };
}

function filterMatches(run: RunRecord, filter: RunFilter): boolean {
  const actual =
    filter.key === 'name'
      ? run.name
      : filter.key === 'status'
        ? run.status
        : filter.key === 'id'
          ? run.id
          : flattenParamValues(run.params)[filter.key.slice('params.'.length)];
  if (actual === undefined) return false;
  const pattern = new RegExp(`^${filter.value.split('*').map(escapeRegExp).join('.*')}$`, 's');
  return pattern.test(actual);
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** What `mlops runs best` looks for. */
export interface BestRunQuery {
  metric: string;
  direction: 'higher' | 'lower';
  filters: readonly RunFilter[];
}

/** The winner, and how many runs were weighed and why the others were not. */
export interface BestRunResult {
  run: RunRecord;
  value: number;
  /** Runs that had the metric and passed the filters. */
  considered: number;
}

/**
 * The run with the best value of `metric` (`higher` or `lower` is better). Ties go to the run
 * that started first (then the smaller id), so re-running the selection gives the same answer.
 * Runs lacking the metric are skipped, and so are runs whose status is set and is not
 * `succeeded` (a failed run's metrics may be partial) unless a `status` filter asks for them.
 * When no run is left, an InputError says why.
 */
export function bestRun(runs: readonly RunRecord[], query: BestRunQuery): BestRunResult {
  const statusFiltered = query.filters.some((f) => f.key === 'status');
  const matching = runs.filter((run) => query.filters.every((f) => filterMatches(run, f)));
  const finished = statusFiltered
    ? matching
    : matching.filter((run) => run.status === undefined || run.status === 'succeeded');
  const scored = finished
    .map((run) => ({ run, value: flattenNumbers(run.metrics)[query.metric] }))
    .filter((entry): entry is { run: RunRecord; value: number } => entry.value !== undefined);
  if (scored.length === 0) {
    const reasons = [`${runs.length} tracked`];
    if (query.filters.length) reasons.push(`${matching.length} matching the filters`);
    if (finished.length < matching.length) reasons.push(`${matching.length - finished.length} not succeeded`);
    if (finished.length > 0) reasons.push(`${finished.length} without "${query.metric}"`);
    throw new InputError(`No run has metric "${query.metric}" to pick the best by (${reasons.join(', ')}).`);
  }
  const better = (a: number, b: number) => (query.direction === 'higher' ? a > b : a < b);
  let best = scored[0]!;
  for (const entry of scored.slice(1)) {
    if (better(entry.value, best.value)) best = entry;
    else if (entry.value === best.value && startsBefore(entry.run, best.run)) best = entry;
  }
  return { run: best.run, value: best.value, considered: scored.length };
}

function startsBefore(a: RunRecord, b: RunRecord): boolean {
  const [ta, tb] = [Date.parse(a.startedAt), Date.parse(b.startedAt)];
  if (ta !== tb) return ta < tb;
  return a.id < b.id;
}
