import { EnvironmentError, InputError } from '../errors.js';
import { storedVersion } from './apply.js';
import { ownEntry } from './documents.js';
import type { ModelIndex, RegistryEvent, RegistryIndex, RegistryMarker, StoredVersion } from './documents.js';
import {
  EVENTS_PER_CHUNK,
  chunkOf,
  INDEX_PATH,
  MARKER_PATH,
  MODELS_DIR,
  eventChunkPath,
  eventsDir,
  modelIndexPath,
  versionChunkPath,
} from './layout.js';
import { RegistryCorruptError, type RegistryDocuments } from './store.js';

/**
 * Checks that writers run before they append: the derived files a write takes facts from (the
 * next sequence number, the next version, a version's sha256, where an alias points, the list of
 * models) must agree with the event log, which is the truth. A write built on a derived file that
 * disagrees would append events the log contradicts (a second `seq 1`, v1 registered twice) or
 * drop models from the top-level index, so it is refused and `fsck --fix` is named instead.
 *
 * Every check reads a bounded number of small files (the tail of the log and the log lines the
 * derived records cite), so writes stay as fast at 10,000 versions as at one.
 */

/** A derived file disagrees with the event log: nothing may be written until `fsck --fix` rebuilds it. */
export class RegistryInconsistentError extends EnvironmentError {
  constructor(description: string, path: string, problem: string, options: { reading?: boolean } = {}) {
    super(
      `does not match the event log on ${description}: ${problem}. ` +
        (options.reading ? 'Run' : 'Nothing was written; run') +
        ' `mlops registry fsck` to see every problem and `mlops registry fsck --fix` ' +
        'to rebuild the derived files from the event logs.',
      { file: path },
    );
  }
}

const LOG_FILE = /^\d{6}\.jsonl$/;

/** Parsed log files per documents object, with the text they were parsed from. */
const parsedLogs = new WeakMap<RegistryDocuments, Map<string, { text: string | undefined; events: RegistryEvent[] }>>();

/**
 * The events of one log file, parsed once while its text stays the same: the checks read the
 * newest file several times, and a transaction that appends between two checks sees its append.
 */
async function logEvents(docs: RegistryDocuments, path: string): Promise<RegistryEvent[]> {
  let cache = parsedLogs.get(docs);
  if (!cache) parsedLogs.set(docs, (cache = new Map()));
  const text = await docs.text(path);
  const cached = cache.get(path);
  if (cached && cached.text === text) return cached.events;
  const events = await docs.events(path);
  cache.set(path, { text, events });
  return events;
}

/**
 * The registry marker, refusing a branch that has files but is not a registry (`main` given as
 * the registry branch): mlops must never commit registry files onto a branch of the user's code.
 * Undefined for an empty or missing branch (the first write creates the registry).
 */
export async function requireRegistryBranch(
  docs: RegistryDocuments,
  options: { reading?: boolean } = {},
): Promise<RegistryMarker | undefined> {
  const marker = await docs.marker();
  if (marker) return marker;
  const names = await docs.tree.list('');
  if (names.length === 0) return undefined;
  throw new InputError(
    `registry-branch: ${docs.description} has files (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}) ` +
      `but no ${MARKER_PATH}, so it is not an mlops registry` +
      (options.reading ? '. ' : '; refusing to write registry files onto it. ') +
      ((await looksLikeRegistry(docs, names))
        ? `If it is a registry that lost its ${MARKER_PATH}, run \`mlops registry fsck --fix\`; otherwise use a branch of its own (the default is mlops-registry).`
        : 'Use a branch of its own for the registry (the default is mlops-registry).'),
  );
}

/**
 * True when a branch (its top-level `names`) holds what only an mlops registry writes: the
 * marker, a top-level index of kind mlops-registry-index, or a model's event log. A `models/`
 * folder alone is not enough: many projects keep their model code there.
 */
export async function looksLikeRegistry(docs: RegistryDocuments, names: string[]): Promise<boolean> {
  if (names.includes(MARKER_PATH)) return true;
  if (names.includes(INDEX_PATH)) {
    try {
      const index: unknown = JSON.parse((await docs.text(INDEX_PATH)) ?? '');
      // `null` and other non-objects are valid JSON, and not an index.
      if (
        typeof index === 'object' &&
        index !== null &&
        (index as { kind?: unknown }).kind === 'mlops-registry-index'
      ) {
        return true;
      }
    } catch {
      // Not JSON: not ours.
    }
  }
  if (!names.includes(MODELS_DIR)) return false;
  // A few models suffice: a registry that lost its marker still has every model's log.
  for (const model of (await docs.tree.list(MODELS_DIR)).slice(0, 5)) {
    if ((await docs.tree.list(eventsDir(model))).some((name) => LOG_FILE.test(name))) return true;
  }
  return false;
}

/** The last event of a model's log and where it is, or undefined when the model has no log. */
interface LogTail {
  last: RegistryEvent;
  path: string;
  /** The newest `registered` event: its version is the model's version count. */
  lastRegistered: { event: RegistryEvent; path: string; line: number } | undefined;
}

/** The newest log file: the one the model index names when it exists (no listing), else the listing's last. */
async function newestLogFile(
  docs: RegistryDocuments,
  model: string,
  index: ModelIndex | undefined,
): Promise<string | undefined> {
  if (index && index.seq > 0) {
    const named = eventChunkPath(model, index.seq);
    if ((await docs.text(named)) !== undefined) {
      // A log that goes on into the next file (the index is behind) shows there.
      const next = eventChunkPath(model, index.seq + 1);
      return next !== named && (await docs.text(next)) !== undefined ? next : named;
    }
  }
  // The listing is of the commit the transaction read: the index above covers this
  // transaction's own appends.
  const files = (await docs.tree.list(eventsDir(model))).filter((name) => LOG_FILE.test(name));
  return files.length === 0 ? undefined : `${eventsDir(model)}/${files[files.length - 1]}`;
}

async function readLogTail(
  docs: RegistryDocuments,
  model: string,
  index: ModelIndex | undefined,
): Promise<LogTail | undefined> {
  const path = await newestLogFile(docs, model, index);
  if (path === undefined) return undefined;
  const events = await logEvents(docs, path);
  const last = events[events.length - 1];
  if (!last) throw new RegistryInconsistentError(docs.description, path, 'the newest event-log file is empty');
  if (eventChunkPath(model, last.seq) !== path) {
    throw new RegistryInconsistentError(
      docs.description,
      path,
      `its last event has sequence number ${last.seq}, which belongs in ${eventChunkPath(model, last.seq)}`,
    );
  }
  // The newest registration is almost always in the newest file; older files are read only after
  // a hundred events without one (alias moves, deployments).
  let lastRegistered: LogTail['lastRegistered'];
  for (let chunk = chunkOf(last.seq, EVENTS_PER_CHUNK); chunk >= 1 && !lastRegistered; chunk--) {
    const chunkPath = eventChunkPath(model, (chunk - 1) * EVENTS_PER_CHUNK + 1);
    const chunkEvents = chunkPath === path ? events : await logEvents(docs, chunkPath);
    for (let line = chunkEvents.length; line >= 1; line--) {
      const event = chunkEvents[line - 1]!;
      if (event.type === 'registered') {
        lastRegistered = { event, path: chunkPath, line };
        break;
      }
    }
  }
  return { last, path, lastRegistered };
}

/** The log line holding event `seq` of `model`, or undefined when the log has no such line. */
export async function eventAt(docs: RegistryDocuments, model: string, seq: number): Promise<RegistryEvent | undefined> {
  if (!Number.isInteger(seq) || seq < 1) return undefined;
  const event = (await logEvents(docs, eventChunkPath(model, seq)))[(seq - 1) % EVENTS_PER_CHUNK];
  return event?.seq === seq ? event : undefined;
}

/**
 * Checks a stored version record against the `registered` event it cites: a record whose
 * sha256 (or id, or version) is not the log's must not reach a new event.
 */
export async function verifyStoredVersion(
  docs: RegistryDocuments,
  model: string,
  version: number,
  stored: StoredVersion | undefined = undefined,
): Promise<StoredVersion> {
  const record = stored ?? (await storedVersion(docs, model, version));
  const path = versionChunkPath(model, version);
  if (!record) {
    throw new RegistryInconsistentError(
      docs.description,
      path,
      `it has no record of v${version}, which ${modelIndexPath(model)} counts`,
    );
  }
  const event = await eventAt(docs, model, record.seq);
  if (!event || event.type !== 'registered' || event.version !== version || event.id !== record.eventId) {
    throw new RegistryInconsistentError(
      docs.description,
      path,
      `its record of v${version} cites event ${record.seq} (${record.eventId}), which is not v${version}'s registration in the log`,
    );
  }
  if (event.sha256 !== record.sha256) {
    throw new RegistryInconsistentError(
      docs.description,
      path,
      `v${version} has sha256 ${record.sha256}, but the log registered it with ${event.sha256} (${eventChunkPath(model, event.seq)} line ${((event.seq - 1) % EVENTS_PER_CHUNK) + 1})`,
    );
  }
  return record;
}

/**
 * Loads and checks the model index a write will build on: it must name the log's last event
 * (sequence number and id) and its newest version, its latest version record and every alias
 * must match the log lines they cite, and the top-level index must list every model under
 * models/ with this model's counters. Returns the index, or undefined for a model with no log.
 */
export async function verifiedModelIndex(
  docs: RegistryDocuments,
  model: string,
  /** The listing of models/, when the caller started it early to overlap it with other reads. */
  modelFolders: Promise<string[]> = docs.tree.list(MODELS_DIR),
): Promise<ModelIndex | undefined> {
  const description = docs.description;
  const indexPath = modelIndexPath(model);
  const index = await docs.modelIndex(model);
  const [tail, folders] = await Promise.all([readLogTail(docs, model, index), modelFolders]);
  if (!tail) {
    if (index) {
      throw new RegistryInconsistentError(
        description,
        indexPath,
        `it counts ${index.seq} events, but ${eventsDir(model)} holds no event log`,
      );
    }
    await verifyTopIndex(docs, model, undefined, folders);
    return undefined;
  }
  if (!index) {
    throw new RegistryInconsistentError(
      description,
      indexPath,
      `it is missing, but the event log has ${tail.last.seq} event${tail.last.seq === 1 ? '' : 's'} (the last in ${tail.path})`,
    );
  }
  if (index.seq !== tail.last.seq || index.lastEventId !== tail.last.id) {
    throw new RegistryInconsistentError(
      description,
      indexPath,
      `it says the last event is ${index.seq} (${index.lastEventId || 'none'}), but the log's last is ${tail.last.seq} (${tail.last.id}) in ${tail.path}`,
    );
  }
  const versions = tail.lastRegistered?.event.version ?? 0;
  if (index.latestVersion !== versions) {
    throw new RegistryInconsistentError(
      description,
      indexPath,
      `it says the latest version is v${index.latestVersion}, but the log's newest registration is v${versions}`,
    );
  }
  // Prefetch every log file the checks below read, in one round trip.
  await docs.prefetch([
    versionChunkPath(model, Math.max(1, versions)),
    ...Object.values(index.aliases).map((state) => eventChunkPath(model, Math.max(1, state.seq))),
  ]);
  if (versions > 0) {
    const latest = await verifyStoredVersion(docs, model, versions);
    if (latest.seq !== tail.lastRegistered!.event.seq) {
      throw new RegistryInconsistentError(
        description,
        versionChunkPath(model, versions),
        `its record of v${versions} cites event ${latest.seq}, but the log registered v${versions} as event ${tail.lastRegistered!.event.seq}`,
      );
    }
    const chunk = await docs.versionChunk(model, versions);
    if (chunk && chunk.first + chunk.versions.length - 1 > versions) {
      throw new RegistryInconsistentError(
        description,
        versionChunkPath(model, versions),
        `it holds versions up to v${chunk.first + chunk.versions.length - 1}, but the log registered only v${versions}`,
      );
    }
  }
  for (const [alias, state] of Object.entries(index.aliases)) {
    const event = await eventAt(docs, model, state.seq);
    if (
      !event ||
      event.type !== 'alias-set' ||
      event.alias !== alias ||
      event.version !== state.version ||
      event.sha256 !== state.sha256
    ) {
      throw new RegistryInconsistentError(
        description,
        indexPath,
        `alias "${alias}" points at v${state.version} by event ${state.seq}, which is not the log's event setting it`,
      );
    }
  }
  await verifyTopIndex(docs, model, index, folders);
  return index;
}

/** Model folders under models/ that the top-level index does not list (all when it is missing), and why. */
async function unlistedModels(
  docs: RegistryDocuments,
  except: string | undefined,
  listed?: string[],
): Promise<{ top: RegistryIndex | undefined; unlisted: string[]; problem: string }> {
  const [top, folders] = await Promise.all([docs.index(), listed ?? docs.tree.list(MODELS_DIR)]);
  const unlisted: string[] = [];
  for (const name of folders) {
    if (name === except || ownEntry(top?.models, name)) continue;
    // A model whose log cannot be read is fsck's to report; `fsck --fix` leaves such a model out
    // of index.json, so counting it here would refuse every write with no fix to run.
    if (await hasReadableLog(docs, name)) unlisted.push(name);
  }
  const names = `${unlisted.length === 1 ? 'model' : 'models'} ${unlisted.slice(0, 5).join(', ')}${unlisted.length > 5 ? ', ...' : ''}`;
  const problem = top
    ? `it does not list ${names}, which ${unlisted.length === 1 ? 'has' : 'have'} a folder under ${MODELS_DIR}/`
    : `it is missing, but ${MODELS_DIR}/ holds ${names}`;
  return { top, unlisted, problem };
}

/**
 * True when `model`'s folder holds an event log whose files all parse: a model that a write
 * rebuilding index.json would drop. Read only for folders index.json does not list (normally none).
 */
async function hasReadableLog(docs: RegistryDocuments, model: string): Promise<boolean> {
  const files = (await docs.tree.list(eventsDir(model))).filter((name) => LOG_FILE.test(name));
  if (files.length === 0) return false;
  await docs.prefetch(files.map((name) => `${eventsDir(model)}/${name}`));
  try {
    for (const name of files) await logEvents(docs, `${eventsDir(model)}/${name}`);
  } catch (error) {
    if (error instanceof RegistryCorruptError) return false;
    throw error;
  }
  return true;
}

/**
 * The top-level index must list every model that has a folder under models/ (a write rebuilding
 * a lost index from one model would drop the others), and this model with its index's counters.
 */
async function verifyTopIndex(
  docs: RegistryDocuments,
  model: string,
  index: ModelIndex | undefined,
  folders: string[],
): Promise<void> {
  // A new model has no folder yet; a folder without a log is fsck's business, not this write's.
  const { top, unlisted, problem } = await unlistedModels(docs, index ? undefined : model, folders);
  if (unlisted.length > 0) throw new RegistryInconsistentError(docs.description, INDEX_PATH, problem);
  const summary = ownEntry(top?.models, model);
  if (!index) {
    if (summary) {
      throw new RegistryInconsistentError(
        docs.description,
        INDEX_PATH,
        `it lists model "${model}", which has no event log`,
      );
    }
    return;
  }
  if (!summary || summary.seq !== index.seq || summary.latestVersion !== index.latestVersion) {
    throw new RegistryInconsistentError(
      docs.description,
      INDEX_PATH,
      summary
        ? `it says "${model}" has ${summary.seq} events and v${summary.latestVersion}, but its log has ${index.seq} events and v${index.latestVersion}`
        : `it does not list model "${model}", which has ${index.seq} events`,
    );
  }
}

/**
 * For `registry list`: the top-level index must list every model folder, so that a lost index
 * is reported (pointing to fsck) rather than read as "no models registered".
 */
export async function verifyModelList(docs: RegistryDocuments): Promise<void> {
  const { unlisted, problem } = await unlistedModels(docs, undefined);
  if (unlisted.length > 0) {
    throw new RegistryInconsistentError(docs.description, INDEX_PATH, problem, { reading: true });
  }
}
