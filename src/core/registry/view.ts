import { storedVersion } from './apply.js';
import { requireRegistryBranch, verifyModelList } from './consistency.js';
import type { ModelVersionRecord, RegistryReader, VersionSelector } from './contract.js';
import type { ModelIndex, ModelSummary, RegistryEvent, StoredVersion } from './documents.js';
import { ownEntry } from './documents.js';
import { MARKER_PATH, VERSIONS_PER_CHUNK, eventsDir, modelIndexPath, versionChunkPath } from './layout.js';
import { checkModelName } from './names.js';
import type { TrackedRun } from './runs.js';
import { RUNS_DIR } from './layout.js';
import type { RegistryDocuments } from './store.js';

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
