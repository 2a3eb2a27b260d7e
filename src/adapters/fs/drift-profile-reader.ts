/**
 * Reading data files into a drift profile (core/drift's DriftProfileBuilder) in one streaming
 * pass, on this thread or on a worker thread. drift-check reads the current data on a worker while
 * the main thread reads (or parses) the reference: on two cores the two sides take the time of
 * the slower one instead of the sum. The worker is this very module, loaded again from
 * `import.meta.url` (in a bundle, the file it was bundled into), so no extra file ships.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { DriftProfileBuilder, type DriftProfile, type DriftProfileOptions } from '../../core/drift/index.js';
import { jsonValues } from '../../core/drift/profile.js';
import { ConfigurationError, EnvironmentError, InputError, UserError, type SourceLocation } from '../../core/errors.js';
import type { Logger, LogRecord } from '../../core/logger.js';
import { openDataset } from './dataset.js';
import { displayPath } from './user-files.js';

/** What to read: data files read as one dataset, into a profile with these options. */
export interface ProfileReadTask {
  files: string[];
  options: DriftProfileOptions;
  cwd: string;
  /** File names are shown relative to this folder. */
  workspace: string;
  /** The input the files come from (`Input "current"`), prefixed to errors met opening them. */
  label: string;
}

/** A finished read: the profile, the files as shown, the rows read and how long it took. */
export interface ProfileRead {
  profile: DriftProfile;
  shown: string[];
  rows: number;
  seconds: number;
}

/** How a read reports its progress: the files once opened, then the rows read so far after each batch. */
export interface ProfileReadProgress {
  opened(shown: string[]): void;
  rows(rows: number): void;
}

/**
 * Reads `task.files` into a profile. An error opening the files (a missing file, a bad header) is
 * prefixed with the task's label, as the files belong to one input of several.
 */
export async function readDataProfile(
  task: ProfileReadTask,
  log: Logger,
  progress: ProfileReadProgress,
): Promise<ProfileRead> {
  const started = Date.now();
  let dataset;
  try {
    dataset = await openDataset(task.files, { cwd: task.cwd, log });
  } catch (error) {
    // (Opening reads no rows: what is lost from the location is a file name, kept in the text.)
    if (error instanceof InputError || error instanceof ConfigurationError) {
      throw new InputError(`${task.label}: ${error.located}`, undefined, { cause: error });
    }
    throw error;
  }
  const shown = dataset.sources.map((source) => displayPath(source.path, task.workspace));
  progress.opened(shown);
  const builder = new DriftProfileBuilder(dataset.columns, task.options);
  let rows = 0;
  for await (const batch of dataset.batches()) {
    builder.addBatch(batch);
    rows += batch.rows.length;
    progress.rows(rows);
  }
  return { profile: builder.finish({ files: shown }), shown, rows, seconds: (Date.now() - started) / 1000 };
}

/** Messages from the worker. */
type WorkerMessage =
  | { type: 'opened'; shown: string[] }
  | { type: 'rows'; rows: number }
  | { type: 'log'; record: LogRecord }
  | { type: 'done'; read: ProfileRead }
  | { type: 'failed'; error: SerializedError };

interface SerializedError {
  kind: 'InputError' | 'ConfigurationError' | 'EnvironmentError' | 'Error';
  message: string;
  location?: SourceLocation | undefined;
  stack?: string | undefined;
}

const WORKER_KIND = 'mlops-drift-profile-reader';

function serializeError(error: unknown): SerializedError {
  if (error instanceof UserError) {
    const kind =
      error instanceof InputError
        ? 'InputError'
        : error instanceof ConfigurationError
          ? 'ConfigurationError'
          : error instanceof EnvironmentError
            ? 'EnvironmentError'
            : 'Error';
    return { kind, message: error.message, location: error.location, stack: error.stack };
  }
  return {
    kind: 'Error',
    message: error instanceof Error ? error.message : String(error),
    stack: (error as Error | undefined)?.stack,
  };
}

/** The worker's error as the same class on this side, so it is reported as a read on this thread would be. */
function reviveError(error: SerializedError): Error {
  const revived =
    error.kind === 'InputError'
      ? new InputError(error.message, error.location)
      : error.kind === 'ConfigurationError'
        ? new ConfigurationError(error.message, error.location)
        : error.kind === 'EnvironmentError'
          ? new EnvironmentError(error.message, error.location)
          : new Error(error.message);
  if (error.stack) revived.stack = error.stack;
  return revived;
}

/** A read running on a worker thread: what it logged and how far it got are kept until `finish` shows them. */
export interface BackgroundProfileRead {
  /** False when the read runs on this thread after all (from the TypeScript sources). */
  readonly onWorker: boolean;
  /**
   * Waits for the read, showing the worker's log records and progress through `log` from now on
   * (earlier ones first, in order); the error of a failed read is thrown here.
   */
  finish(log: Logger, progress: ProfileReadProgress): Promise<ProfileRead>;
  /** Stops the worker (after an error elsewhere); harmless once finished. */
  cancel(): Promise<void>;
}

/**
 * Starts reading `task` on a worker thread. From the TypeScript sources (unit tests), where a
 * worker cannot load this module, the read runs on this thread when `finish` is called.
 */
export function readDataProfileInBackground(task: ProfileReadTask): BackgroundProfileRead {
  if (!/\.m?js$/.test(new URL(import.meta.url).pathname)) {
    return { onWorker: false, finish: (log, progress) => readDataProfile(task, log, progress), cancel: async () => {} };
  }
  const worker = new Worker(new URL(import.meta.url), { workerData: { kind: WORKER_KIND, task } });
  const pending: WorkerMessage[] = [];
  let deliver: ((message: WorkerMessage) => void) | undefined;
  let settled: { read: ProfileRead } | { error: Error } | undefined;
  let wake: (() => void) | undefined;
  const settle = (outcome: { read: ProfileRead } | { error: Error }): void => {
    settled ??= outcome;
    wake?.();
  };
  worker.on('message', (message: WorkerMessage) => {
    if (message.type === 'done') settle({ read: withJsonValues(message.read) });
    else if (message.type === 'failed') settle({ error: reviveError(message.error) });
    else if (deliver) deliver(message);
    else pending.push(message);
  });
  worker.on('error', (error) => settle({ error }));
  worker.on('exit', (code) =>
    settle({ error: new Error(`The drift profile reader stopped (exit code ${code}) before it finished.`) }),
  );
  return {
    onWorker: true,
    async finish(log, progress) {
      deliver = (message) => {
        if (message.type === 'opened') progress.opened(message.shown);
        else if (message.type === 'rows') progress.rows(message.rows);
        else if (message.type === 'log') replay(log, message.record);
      };
      for (const message of pending.splice(0)) deliver(message);
      if (!settled) await new Promise<void>((resolve) => (wake = resolve));
      void worker.terminate();
      if ('error' in settled!) throw settled.error;
      return settled!.read;
    },
    async cancel() {
      await worker.terminate();
    },
  };
}

function replay(log: Logger, record: LogRecord): void {
  if (record.level === 'debug' || record.level === 'info') log[record.level](record.message);
  else log[record.level](record.message, record.location);
}

/** Values arrive as plain Float64Arrays: give them back the toJSON a profile's values carry. */
function withJsonValues(read: ProfileRead): ProfileRead {
  for (const column of read.profile.columns) if (column.values) jsonValues(column.values);
  return read;
}

/** The worker's side: reads its task, posting progress, log records and the profile (values transferred, not copied). */
async function serveWorker(task: ProfileReadTask): Promise<void> {
  const port = parentPort!;
  const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
  const forward = (level: LogRecord['level']) => (message: string, location?: SourceLocation) =>
    post({ type: 'log', record: { level, message, location } });
  const workerLog: Logger = {
    debug: forward('debug'),
    info: forward('info'),
    warning: forward('warning'),
    error: forward('error'),
    notice: forward('notice'),
    group: (_title, fn) => fn(),
  };
  try {
    const read = await readDataProfile(task, workerLog, {
      opened: (shown) => post({ type: 'opened', shown }),
      rows: (rows) => post({ type: 'rows', rows }),
    });
    const buffers = new Set<ArrayBuffer>();
    for (const column of read.profile.columns) if (column.values) buffers.add(column.values.buffer as ArrayBuffer);
    post({ type: 'done', read }, [...buffers]);
  } catch (error) {
    post({ type: 'failed', error: serializeError(error) });
  }
}

if (!isMainThread && (workerData as { kind?: unknown } | null)?.kind === WORKER_KIND) {
  void serveWorker((workerData as { task: ProfileReadTask }).task);
}
