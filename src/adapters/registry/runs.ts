import { readUserFile } from '../fs/user-files.js';
import { recordRun } from '../../core/registry/operations.js';
import { parseRunRecord, type RunRecord } from '../../core/registry/runs.js';
import { RegistryRepository, type RegistryRepositoryOptions } from './repository.js';
import { eventContext, registryTransaction } from './transaction.js';

/** The outcome of tracking a run. */
export interface TrackRunResult {
  id: string;
  /** False when the same run was already recorded (nothing changed). */
  recorded: boolean;
  /** `runs/<id>.json` on the registry branch. */
  path: string;
  /** The registry commit that holds the run. */
  commit: string | undefined;
}

/**
 * Stores a train run record on the registry branch as `runs/<id>.json` (experiment tracking:
 * the train action calls this with `track: true`; `mlops runs record` does the same by hand).
 * The write is one commit under the branch's compare-and-swap, like a registration.
 */
export async function trackRun(
  run: RunRecord,
  options: RegistryRepositoryOptions & { actor?: string; repo?: RegistryRepository },
): Promise<TrackRunResult> {
  const repo = options.repo ?? (await RegistryRepository.open(options));
  const actor = options.actor ?? repo.actor();
  const { result, commit } = await registryTransaction(repo, (docs) => recordRun(docs, run, eventContext(actor)), {
    message: () => `track run ${run.id}${run.name ? ` (${run.name})` : ''}\n`,
  });
  options.log.info(
    result.recorded
      ? `Tracked run ${run.id} on ${repo.label} (${result.path}).`
      : `Run ${run.id} is already tracked on ${repo.label}.`,
  );
  return { id: run.id, recorded: result.recorded, path: result.path, commit };
}

/** Reads and validates a run record file. */
export async function readRunRecordFile(file: string, label = '--run-record'): Promise<RunRecord> {
  return parseRunRecord(await readUserFile(file, label), file);
}
