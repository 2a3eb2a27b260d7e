import type { WorkflowRunInfo } from '../registry/documents.js';
import type { HashedPath, RunLineage, RunRecord } from '../registry/runs.js';
import type { MetricHistory } from './history.js';
import type { ParamOverride, ParamTree } from './params.js';

/** How a run ended. */
export type TrainStatus = 'succeeded' | 'failed' | 'timed-out' | 'cancelled';

/** Everything the train action knows about a run when it writes the record. */
export interface TrainRunFacts {
  id: string;
  name?: string;
  status: TrainStatus;
  /** Why a run that exited 0 still failed (its metrics file is missing, say). */
  error?: string;
  command: string;
  shell: string;
  exitCode: number | null;
  signal?: string | null;
  startedAt: Date;
  finishedAt: Date;
  params: ParamTree;
  overrides: readonly ParamOverride[];
  /** Where the params came from: a file path, `inline`, or none. */
  paramsSource?: string;
  seed: number;
  metrics: Record<string, number>;
  metricHistory?: MetricHistory;
  model?: HashedPath;
  /** The data paths and the sha256 over all of them. */
  data?: { sha256: string; entries: HashedPath[] };
  /** Git, lockfiles, runner, Node and Python versions (collectLineage). */
  lineage?: RunLineage;
  mlflow?: { runId: string; experimentId: string; tags: Record<string, string> };
  actor?: string;
  runUrl?: string;
  workflowRun?: WorkflowRunInfo;
  /** The tail of the output of a run that failed. */
  outputTail?: string[];
}

/** The format number of records train writes. */
export const RUN_RECORD_FORMAT = 1;

/**
 * The run record of a train run (schemas/registry/run-record.schema.json): what `run-record`
 * holds, what `track: true` stores and what evaluate-gate and register read. Fields that the run
 * did not produce are left out rather than written empty.
 */
export function buildRunRecord(facts: TrainRunFacts): RunRecord {
  const durationSeconds = Math.max(0, (facts.finishedAt.getTime() - facts.startedAt.getTime()) / 1000);
  const record: RunRecord = {
    kind: 'mlops-run',
    format: RUN_RECORD_FORMAT,
    id: facts.id,
    ...(facts.name !== undefined ? { name: facts.name } : {}),
    status: facts.status,
    ...(facts.error !== undefined ? { error: facts.error } : {}),
    startedAt: facts.startedAt.toISOString(),
    finishedAt: facts.finishedAt.toISOString(),
    durationSeconds: Math.round(durationSeconds * 1000) / 1000,
    command: facts.command,
    shell: facts.shell,
    ...(facts.exitCode !== null ? { exitCode: facts.exitCode } : {}),
    ...(facts.signal ? { signal: facts.signal } : {}),
    params: facts.params,
    ...(facts.overrides.length
      ? { paramOverrides: Object.fromEntries(facts.overrides.map((o) => [o.key, o.value])) }
      : {}),
    ...(facts.paramsSource !== undefined ? { paramsSource: facts.paramsSource } : {}),
    seed: facts.seed,
    metrics: facts.metrics,
    ...(facts.metricHistory && Object.keys(facts.metricHistory).length ? { metricHistory: facts.metricHistory } : {}),
    ...(facts.model ? { model: facts.model, modelSha256: facts.model.sha256 } : {}),
    ...(facts.data ? { data: facts.data.entries, dataSha256: facts.data.sha256 } : {}),
    // lineage.git is the record's own; the top-level copy is what evaluate-gate's report, register
    // and `mlops runs show` read today (records from before lineage existed have only it).
    ...(facts.lineage?.git ? { git: facts.lineage.git } : {}),
    ...(facts.lineage ? { lineage: facts.lineage } : {}),
    ...(facts.mlflow ? { mlflow: facts.mlflow } : {}),
    ...(facts.actor !== undefined ? { actor: facts.actor } : {}),
    ...(facts.runUrl !== undefined ? { runUrl: facts.runUrl } : {}),
    ...(facts.workflowRun ? { workflowRun: facts.workflowRun } : {}),
    ...(facts.outputTail?.length ? { outputTail: facts.outputTail } : {}),
  };
  return record;
}

/**
 * A run id: the name (or `run`) made safe, the start time to the second, and a random suffix so
 * that matrix jobs started in the same second never collide. Valid for checkRunId.
 */
export function makeRunId(name: string | undefined, startedAt: Date, randomHex: string): string {
  const base =
    (name ?? 'run')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/\.{2,}/g, '.')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 64)
      .replace(/[.-]+$/, '') || 'run';
  const stamp = startedAt
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
  return `${base}-${stamp}-${randomHex.slice(0, 8)}`;
}
