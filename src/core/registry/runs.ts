import { checkJsonTextNesting } from '../document-limits.js';
import { ConfigurationError } from '../errors.js';
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
  startedAt: string;
  finishedAt?: string;
  durationSeconds?: number;
  /** The training command. */
  command?: string | string[];
  exitCode?: number;
  /** Hyper-parameters (any JSON). */
  params: Record<string, unknown>;
  /** Metrics: numbers, possibly nested. */
  metrics: Record<string, unknown>;
  seed?: number;
  dataSha256?: string;
  modelSha256?: string;
  git?: { commit?: string; ref?: string; dirty?: boolean };
  /** URL of the workflow run. */
  runUrl?: string;
  workflowRun?: WorkflowRunInfo;
  [extra: string]: unknown;
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
