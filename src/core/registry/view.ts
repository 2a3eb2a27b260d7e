import { InputError } from '../errors.js';
import { storedVersion } from './apply.js';
import { eventAt, requireRegistryBranch, verifyModelList } from './consistency.js';
import type { ModelVersionRecord, RegistryReader, VersionSelector } from './contract.js';
import type {
  AliasRemovedEvent,
  AliasSetEvent,
  ModelIndex,
  ModelSummary,
  RegistryEvent,
  StoredVersion,
} from './documents.js';
import { ownEntry } from './documents.js';
import { MARKER_PATH, VERSIONS_PER_CHUNK, eventsDir, modelIndexPath, versionChunkPath } from './layout.js';
import { checkModelName } from './names.js';
import type { TrackedRun } from './runs.js';
import { RUNS_DIR } from './layout.js';
import { RegistryCorruptError, type RegistryDocuments } from './store.js';

/** The contract's record of a stored version. */
export function toVersionRecord(model: string, stored: StoredVersion, index: ModelIndex): ModelVersionRecord {
  const aliases = Object.entries(index.aliases)
    .filter(([, state]) => state.version === stored.version)
    .map(([alias]) => alias)
    .sort();
  const { lineage } = stored;
  const record: ModelVersionRecord = {
    model,
    version: stored.version,
    createdAt: stored.createdAt,
    sha256: stored.sha256,
    size: stored.artifact.size,
    location: stored.artifact.location,
    metrics: stored.metrics,
    aliases,
    deprecated: stored.deprecated !== undefined,
    artifact: stored.artifact,
    lineage,
    eventId: stored.eventId,
  };
  if (stored.params !== undefined) record.params = stored.params;
  if (lineage.commit !== undefined) record.commit = lineage.commit;
  if (lineage.dataSha256 !== undefined) record.dataSha256 = lineage.dataSha256;
  if (lineage.workflowRun?.url !== undefined) record.runUrl = lineage.workflowRun.url;
  if (lineage.trainRunId !== undefined) record.runId = lineage.trainRunId;
  if (stored.actor !== undefined) record.actor = stored.actor;
  if (stored.description !== undefined) record.description = stored.description;
  if (stored.deprecated !== undefined) record.deprecation = stored.deprecated;
  if (stored.artifact.release !== undefined) record.release = stored.artifact.release;
  if (stored.profile !== undefined) record.profile = stored.profile;
  return record;
}

/** Every model in the registry, by name (one read). */
export async function listModels(docs: RegistryDocuments): Promise<Record<string, ModelSummary>> {
  await requireRegistryBranch(docs, { reading: true });
  // A lost index.json must not read as "no models registered".
  await verifyModelList(docs);
  return (await docs.index())?.models ?? {};
}

/**
 * The version a selector names. `latest` (unless set as a real alias, which names cannot be) is
 * the newest version that is not deprecated. Reads the model index and one versions file.
 */
export async function resolveVersion(
  docs: RegistryDocuments,
  model: string,
  selector: VersionSelector,
): Promise<ModelVersionRecord | undefined> {
  checkModelName(model);
  await docs.prefetch([MARKER_PATH, modelIndexPath(model)]);
  await docs.marker();
  const index = await docs.modelIndex(model);
  if (!index) return undefined;
  if ('version' in selector) {
    if (selector.version < 1 || selector.version > index.latestVersion) return undefined;
    const stored = await storedVersion(docs, model, selector.version);
    return stored && toVersionRecord(model, stored, index);
  }
  const alias = ownEntry(index.aliases, selector.alias);
  if (alias) {
    const stored = await storedVersion(docs, model, alias.version);
    return stored && toVersionRecord(model, stored, index);
  }
  if (selector.alias === 'latest') {
    for (let version = index.latestVersion; version >= 1; version--) {
      const stored = await storedVersion(docs, model, version);
      if (stored && !stored.deprecated) return toVersionRecord(model, stored, index);
    }
  }
  return undefined;
}

/** Every version of a model, oldest first (all versions files in one round trip). */
export async function listVersions(docs: RegistryDocuments, model: string): Promise<ModelVersionRecord[]> {
  checkModelName(model);
  await docs.prefetch([MARKER_PATH, modelIndexPath(model)]);
  await docs.marker();
  const index = await docs.modelIndex(model);
  if (!index) return [];
  const firsts: number[] = [];
  for (let first = 1; first <= index.latestVersion; first += VERSIONS_PER_CHUNK) firsts.push(first);
  await docs.prefetch(firsts.map((first) => versionChunkPath(model, first)));
  const records: ModelVersionRecord[] = [];
  for (const first of firsts) {
    const chunk = await docs.versionChunk(model, first);
    for (const stored of chunk?.versions ?? []) records.push(toVersionRecord(model, stored, index));
  }
  return records;
}

/** A model's whole event log, oldest first, with the file each event came from. */
export async function modelHistory(
  docs: RegistryDocuments,
  model: string,
): Promise<Array<{ event: RegistryEvent; file: string; line: number }>> {
  checkModelName(model);
  const dir = eventsDir(model);
  const files = (await docs.tree.list(dir))
    .filter((name) => /^\d{6}\.jsonl$/.test(name))
    .map((name) => `${dir}/${name}`);
  await docs.prefetch(files);
  const out: Array<{ event: RegistryEvent; file: string; line: number }> = [];
  for (const file of files) {
    (await docs.events(file)).forEach((event, i) => out.push({ event, file, line: i + 1 }));
  }
  return out;
}

/** Where an alias points and the version it pointed at before its latest move (from that move's event). */
export interface AliasPosition {
  model: string;
  alias: string;
  /** The version the alias points at now. */
  version: number;
  /** The version it pointed at before its latest move (undefined: that move was its first). */
  previous?: number;
  /** The event of the latest move. */
  event: AliasSetEvent;
}

/**
 * Where `alias` points and what it pointed at before, in two small reads (the model index, then
 * the one log line its latest move is). Undefined when the model or the alias does not exist.
 * "Previous" is the version the alias pointed at before its latest move: after a rollback from v5
 * to v4 that is v5 again, so `previous` is always "undo the last move".
 */
export async function aliasPosition(
  docs: RegistryDocuments,
  model: string,
  alias: string,
): Promise<AliasPosition | undefined> {
  checkModelName(model);
  await docs.prefetch([MARKER_PATH, modelIndexPath(model)]);
  await docs.marker();
  const index = await docs.modelIndex(model);
  const state = ownEntry(index?.aliases, alias);
  if (!index || !state) return undefined;
  const event = await eventAt(docs, model, state.seq);
  if (event?.type !== 'alias-set' || event.alias !== alias || event.version !== state.version) {
    throw new RegistryCorruptError(
      docs.description,
      modelIndexPath(model),
      `alias "${alias}" cites event ${state.seq}, which is not its move to v${state.version} in the log`,
    );
  }
  return {
    model,
    alias,
    version: state.version,
    ...(event.previous !== undefined ? { previous: event.previous } : {}),
    event,
  };
}

/** Every move of `alias` (alias-set and alias-removed events), oldest first. */
export async function aliasMoves(
  docs: RegistryDocuments,
  model: string,
  alias: string,
): Promise<Array<AliasSetEvent | AliasRemovedEvent>> {
  return (await modelHistory(docs, model))
    .map((entry) => entry.event)
    .filter(
      (event): event is AliasSetEvent | AliasRemovedEvent =>
        (event.type === 'alias-set' || event.type === 'alias-removed') && event.alias === alias,
    );
}

/** Every tracked run, newest first. */
export async function listRuns(docs: RegistryDocuments): Promise<TrackedRun[]> {
  const names = (await docs.tree.list(RUNS_DIR)).filter((name) => name.endsWith('.json'));
  const ids = names.map((name) => name.slice(0, -'.json'.length));
  await docs.prefetch(names.map((name) => `${RUNS_DIR}/${name}`));
  const runs: TrackedRun[] = [];
  for (const id of ids) {
    const run = await docs.run(id);
    if (run) runs.push(run);
  }
  return runs.sort((a, b) => (a.run.startedAt < b.run.startedAt ? 1 : a.run.startedAt > b.run.startedAt ? -1 : 0));
}

/** The contract's reader over one snapshot of the registry. */
export function registryReaderFor(docs: () => RegistryDocuments): RegistryReader {
  return {
    resolve: (model, selector) => resolveVersion(docs(), model, selector),
    versions: (model) => listVersions(docs(), model),
  };
}

/** Which version to fetch or deploy: a number, an alias, or the alias' previous version. */
export interface VersionChoice {
  /** A version number, or `previous`: the version `alias` pointed at before its latest move. */
  version?: number | 'previous';
  alias?: string;
}

/** The version a choice resolved to, and how. */
export interface ChosenVersion {
  record: ModelVersionRecord;
  /** The alias it was reached through (also for `previous`). */
  alias?: string;
  /** True when it is the alias' previous version. */
  previous: boolean;
  /** `v3`, `@production`, `@production (previous)`: for messages. */
  label: string;
}

/**
 * Resolves a version choice (`v3`, an alias, `previous` of an alias) against one snapshot, with
 * one InputError naming what does not exist. `previous` needs the alias: it is the version the
 * alias pointed at before its latest move.
 */
export async function chooseVersion(
  docs: RegistryDocuments,
  model: string,
  choice: VersionChoice,
): Promise<ChosenVersion> {
  checkModelName(model);
  const { version, alias } = choice;
  if (version === undefined && alias === undefined) {
    throw new InputError(`Give the version (v<N> or previous) or the alias of ${model} to use.`);
  }
  if (typeof version === 'number' && alias !== undefined) {
    throw new InputError(`Give either version v${version} or alias "${alias}" of ${model}, not both.`);
  }
  if (version === 'previous' && alias === undefined) {
    throw new InputError(
      `version: previous means the version an alias pointed at before its latest move; give the alias too (for instance production).`,
    );
  }
  await docs.prefetch([MARKER_PATH, modelIndexPath(model)]);
  await docs.marker();
  const index = await docs.modelIndex(model);
  if (!index) {
    const known = Object.keys((await docs.index())?.models ?? {});
    throw new InputError(
      `Model "${model}" is not registered${known.length ? ` (registered: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', ...' : ''})` : ' (the registry has no models yet)'}.`,
    );
  }
  const aliasList = () => {
    const names = Object.keys(index.aliases).sort();
    return names.length ? `its aliases: ${names.join(', ')}` : 'it has no aliases';
  };
  let number: number;
  let label: string;
  if (typeof version === 'number') {
    number = version;
    label = `v${version}`;
  } else if (version === 'previous') {
    const position = await aliasPosition(docs, model, alias!);
    if (!position) throw new InputError(`Model "${model}" has no alias "${alias}" (${aliasList()}).`);
    if (position.previous === undefined) {
      throw new InputError(
        `${model}@${alias} has no previous version: its latest move (event ${position.event.seq}, ${position.event.time}) was its first, to v${position.version}.`,
      );
    }
    number = position.previous;
    label = `@${alias} (previous: v${number})`;
  } else {
    const state = ownEntry(index.aliases, alias!);
    if (!state) {
      if (alias === 'latest') {
        const record = await resolveVersion(docs, model, { alias: 'latest' });
        if (record) return { record, alias: 'latest', previous: false, label: '@latest' };
      }
      throw new InputError(`Model "${model}" has no alias "${alias}" (${aliasList()}).`);
    }
    number = state.version;
    label = `@${alias}`;
  }
  const record = await resolveVersion(docs, model, { version: number });
  if (!record) {
    const range = index.latestVersion === 1 ? 'v1' : `v1..v${index.latestVersion}`;
    throw new InputError(`Model "${model}" has no version v${number} (it has ${range}).`);
  }
  return { record, ...(alias !== undefined ? { alias } : {}), previous: version === 'previous', label };
}
