import { InputError } from '../errors.js';
import { applyEvent, emptyModelIndex, storedVersion } from './apply.js';
import { requireRegistryBranch, verifiedModelIndex, verifyStoredVersion } from './consistency.js';
import type {
  AliasMoveReason,
  AliasRemovedEvent,
  AliasSetEvent,
  ArtifactInfo,
  DeployedEvent,
  DeprecatedEvent,
  ModelIndex,
  RegisteredEvent,
  RegistryEvent,
  RegistryMarker,
  RolledBackEvent,
  VersionLineage,
} from './documents.js';
import { REGISTRY_FORMAT, ownEntry } from './documents.js';
import {
  MARKER_PATH,
  MODELS_DIR,
  README_PATH,
  eventChunkPath,
  keyShardPath,
  modelIndexPath,
  runPath,
  versionChunkPath,
  INDEX_PATH,
  profilePath,
} from './layout.js';
import { checkAliasName, checkModelName } from './names.js';
import type { RunRecord, TrackedRun } from './runs.js';
import type { RegistryDocuments } from './store.js';

/** What every new event needs from outside the core: the clock, the actor and fresh ids. */
export interface EventContext {
  /** ISO 8601 time of the write. */
  time: string;
  actor?: string;
  /** A new unique id (a UUID) per event. */
  newId(): string;
}

/** The result of an operation inside one transaction. */
export interface OperationResult {
  /** Events appended (empty when the operation found nothing to do). */
  events: RegistryEvent[];
}

const README = `# mlops model registry

This branch is the model registry of this repository, written by the mlops \`register\` action and
the \`mlops registry\` command. Do not edit it by hand: every change is an event appended to
\`models/<model>/events/*.jsonl\`; the other files are derived from those logs
(\`mlops registry fsck --fix\` rebuilds them).

- \`index.json\`: every model, its latest version and aliases
- \`models/<model>/index.json\`: one model's aliases and counters
- \`models/<model>/versions/*.json\`: version records with lineage and metrics
- \`runs/<id>.json\`: tracked train runs

Read it with \`mlops registry list\`, \`mlops registry show <model>@production\`.
`;

/** Files a write to `model` will read: prefetching them makes a transaction one git round trip. */
export function pathsForModelWrite(model: string, index: ModelIndex | undefined, extra: number[] = []): string[] {
  const next = (index?.seq ?? 0) + 1;
  const nextVersion = (index?.latestVersion ?? 0) + 1;
  return [
    MARKER_PATH,
    INDEX_PATH,
    eventChunkPath(model, next),
    versionChunkPath(model, nextVersion),
    ...extra.filter((v) => v >= 1).map((v) => versionChunkPath(model, v)),
  ];
}

/**
 * Loads what a write to `model` reads in two round trips (the small fixed files, then the log and
 * versions files the model index points at) instead of one per file.
 */
export async function prefetchModel(
  docs: RegistryDocuments,
  model: string,
  key?: string,
  versions: number[] = [],
): Promise<void> {
  await docs.prefetch([
    MARKER_PATH,
    INDEX_PATH,
    modelIndexPath(model),
    ...(key !== undefined ? [keyShardPath(model, key)] : []),
  ]);
  await docs.prefetch(pathsForModelWrite(model, await docs.modelIndex(model), versions));
}

/**
 * Starts listing models/ (the write checks need it) so that it overlaps the prefetch round
 * trips; a failure is reported where the listing is awaited.
 */
function listModelFolders(docs: RegistryDocuments): Promise<string[]> {
  const listing = docs.tree.list(MODELS_DIR);
  listing.catch(() => undefined);
  return listing;
}

/** Creates registry.json and the README on the first write; refuses a branch that is not a registry. */
async function ensureMarker(docs: RegistryDocuments, time: string): Promise<void> {
  if (await requireRegistryBranch(docs)) return;
  const marker: RegistryMarker = { kind: 'mlops-registry', format: REGISTRY_FORMAT, createdAt: time };
  docs.put(MARKER_PATH, 'registry', marker);
  if ((await docs.text(README_PATH)) === undefined) docs.putText(README_PATH, README);
}

async function append(docs: RegistryDocuments, events: RegistryEvent[], time: string): Promise<OperationResult> {
  if (events.length === 0) return { events };
  await ensureMarker(docs, time);
  for (const event of events) await applyEvent(docs, event);
  return { events };
}

/** The model's index, or an InputError that says it is not registered. */
export async function requireModel(
  docs: RegistryDocuments,
  model: string,
  versions: number[] = [],
): Promise<ModelIndex> {
  checkModelName(model);
  const folders = listModelFolders(docs);
  await prefetchModel(docs, model, undefined, versions);
  await requireRegistryBranch(docs);
  const index = await verifiedModelIndex(docs, model, folders);
  if (!index) {
    const known = Object.keys((await docs.index())?.models ?? {});
    const hint = known.length
      ? ` Registered models: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', ...' : ''}.`
      : ' The registry has no models yet.';
    throw new InputError(`Model "${model}" is not registered.${hint}`);
  }
  return index;
}

/** The version's record, checked against its registration in the log (its sha256 goes into new events). */
async function requireVersion(docs: RegistryDocuments, index: ModelIndex, version: number) {
  if (!Number.isInteger(version) || version < 1 || version > index.latestVersion) {
    const range = index.latestVersion === 1 ? 'v1' : `v1..v${index.latestVersion}`;
    throw new InputError(`Model "${index.model}" has no version v${version} (it has ${range}).`);
  }
  return verifyStoredVersion(docs, index.model, version);
}

/** What `register` records about a new version. */
export interface RegisterRequest {
  model: string;
  sha256: string;
  /** The artifact's description; its location depends on the version, which is known only here. */
  artifact: (version: number) => ArtifactInfo;
  metrics: Record<string, number>;
  params?: Record<string, unknown>;
  description?: string;
  lineage: VersionLineage;
  /** `<workflow run id>/<attempt>/<model>`: a retried register returns the version it already made. */
  idempotencyKey?: string;
  /** An alias to point at the new version in the same commit. */
  alias?: string;
  /** A drift reference profile to store with the version (at most MAX_PROFILE_BYTES). */
  profile?: ProfileUpload;
}

/** The largest drift profile stored on the registry branch (every clone of the branch carries it). */
export const MAX_PROFILE_BYTES = 5 * 1024 * 1024;

/** A profile file to store with a new version: its text and the sha256 of its UTF-8 bytes. */
export interface ProfileUpload {
  text: string;
  sha256: string;
  /** Byte length of the text in UTF-8. */
  size: number;
  /** The file name, for messages. */
  name?: string;
}

export interface RegisterResult extends OperationResult {
  version: number;
  /** True when the idempotency key had already registered this version. */
  existing: boolean;
  sha256: string;
}

/**
 * Finds the version an idempotency key already registered, if any. One small file is read
 * whatever the history length.
 */
export async function versionForKey(
  docs: RegistryDocuments,
  model: string,
  key: string,
): Promise<{ version: number; sha256: string } | undefined> {
  const entry = (await docs.keyShard(model, key))?.keys[key];
  if (!entry) return undefined;
  const record = await storedVersion(docs, model, entry.version);
  if (!record) return undefined;
  // The sha256 decides whether a retry may reuse the version: it must be the log's.
  await verifyStoredVersion(docs, model, entry.version, record);
  return { version: entry.version, sha256: record.sha256 };
}

/**
 * A retried register (same idempotency key) must bring the artifact the key already registered:
 * returning the old version for different bytes would hand out a version that is not this model.
 */
export function checkSameArtifact(model: string, existing: { version: number; sha256: string }, sha256: string): void {
  if (existing.sha256 === sha256) return;
  throw new InputError(
    `This workflow run already registered ${model} v${existing.version} with a different artifact ` +
      `(sha256 ${existing.sha256.slice(0, 12)}…, now ${sha256.slice(0, 12)}…). ` +
      'Re-run the workflow (a new attempt) to register a new version.',
  );
}

/**
 * Registers a new version: the next integer for the model, allocated against the state the
 * transaction read (the adapter's compare-and-swap makes that state current). With an
 * idempotency key that already registered a version, returns that version and changes nothing.
 */
export async function registerVersion(
  docs: RegistryDocuments,
  request: RegisterRequest,
  context: EventContext,
): Promise<RegisterResult> {
  const { model } = request;
  checkModelName(model);
  if (request.alias !== undefined) checkAliasName(request.alias);
  const folders = listModelFolders(docs);
  await prefetchModel(docs, model, request.idempotencyKey);
  await requireRegistryBranch(docs);
  // The next version and sequence number come from the model index: it must be the log's.
  const verified = await verifiedModelIndex(docs, model, folders);
  if (request.idempotencyKey !== undefined) {
    const existing = await versionForKey(docs, model, request.idempotencyKey);
    if (existing) {
      checkSameArtifact(model, existing, request.sha256);
      return { version: existing.version, existing: true, sha256: existing.sha256, events: [] };
    }
  }
  const index = verified ?? emptyModelIndex(model, context.time);
  if (index.seq === 0) {
    // File systems that ignore case would put "Model" and "model" in one folder.
    const clash = Object.keys((await docs.index())?.models ?? {}).find(
      (name) => name !== model && name.toLowerCase() === model.toLowerCase(),
    );
    if (clash)
      throw new InputError(
        `Model "${model}" differs from the registered model "${clash}" only in case; use "${clash}".`,
      );
  }
  const version = index.latestVersion + 1;
  const registered: RegisteredEvent = {
    id: context.newId(),
    seq: index.seq + 1,
    type: 'registered',
    model,
    time: context.time,
    ...(context.actor !== undefined ? { actor: context.actor } : {}),
    version,
    sha256: request.sha256,
    artifact: request.artifact(version),
    metrics: request.metrics,
    ...(request.params !== undefined ? { params: request.params } : {}),
    ...(request.description !== undefined ? { description: request.description } : {}),
    lineage: request.lineage,
    ...(request.idempotencyKey !== undefined ? { idempotencyKey: request.idempotencyKey } : {}),
    ...(request.profile !== undefined
      ? {
          profile: {
            path: profilePath(model, version),
            sha256: request.profile.sha256,
            size: request.profile.size,
            ...(request.profile.name !== undefined ? { name: request.profile.name } : {}),
          },
        }
      : {}),
  };
  if (request.profile !== undefined) {
    if (request.profile.size > MAX_PROFILE_BYTES) {
      throw new InputError(
        `profile: ${request.profile.name ?? 'the profile'} has ${request.profile.size} bytes; the registry stores profiles of at most ${MAX_PROFILE_BYTES} bytes.`,
      );
    }
    // The text is the truth the version's sha256 names; fsck never rebuilds it.
    docs.putText(profilePath(model, version), request.profile.text);
  }
  const events: RegistryEvent[] = [registered];
  if (request.alias !== undefined) {
    const previous = ownEntry(index.aliases, request.alias)?.version;
    const aliasSet: AliasSetEvent = {
      id: context.newId(),
      seq: registered.seq + 1,
      type: 'alias-set',
      model,
      time: context.time,
      ...(context.actor !== undefined ? { actor: context.actor } : {}),
      version,
      sha256: request.sha256,
      alias: request.alias,
      ...(previous !== undefined ? { previous } : {}),
    };
    events.push(aliasSet);
  }
  await append(docs, events, context.time);
  return { version, existing: false, sha256: request.sha256, events };
}

/** What a deploy records about an alias move (a person's set-alias records none). */
export interface AliasMoveDetails {
  reason?: AliasMoveReason;
  environment?: string;
  runUrl?: string;
}

/** Points `alias` at `version`. Setting it to where it already points changes nothing. */
export async function setAlias(
  docs: RegistryDocuments,
  model: string,
  alias: string,
  version: number,
  context: EventContext,
  details: AliasMoveDetails = {},
): Promise<OperationResult & { previous?: number }> {
  checkAliasName(alias);
  const index = await requireModel(docs, model, [version]);
  const record = await requireVersion(docs, index, version);
  const previous = ownEntry(index.aliases, alias)?.version;
  if (previous === version) return { events: [], previous };
  if (record.deprecated) {
    throw new InputError(`${model} v${version} is deprecated; an alias cannot point at a deprecated version.`);
  }
  const event: AliasSetEvent = {
    id: context.newId(),
    seq: index.seq + 1,
    type: 'alias-set',
    model,
    time: context.time,
    ...(context.actor !== undefined ? { actor: context.actor } : {}),
    version,
    sha256: record.sha256,
    alias,
    ...(previous !== undefined ? { previous } : {}),
    ...(details.reason !== undefined ? { reason: details.reason } : {}),
    ...(details.environment !== undefined ? { environment: details.environment } : {}),
    ...(details.runUrl !== undefined ? { runUrl: details.runUrl } : {}),
  };
  return { ...(await append(docs, [event], context.time)), ...(previous !== undefined ? { previous } : {}) };
}

/** Removes `alias`. Removing an alias that is not set is an error (it is probably a typo). */
export async function removeAlias(
  docs: RegistryDocuments,
  model: string,
  alias: string,
  context: EventContext,
): Promise<OperationResult & { previous: number }> {
  const index = await requireModel(docs, model);
  const current = ownEntry(index.aliases, alias);
  if (!current) {
    const set = Object.keys(index.aliases);
    throw new InputError(
      `Model "${model}" has no alias "${alias}"${set.length ? ` (its aliases: ${set.join(', ')})` : ' (it has no aliases)'}.`,
    );
  }
  const event: AliasRemovedEvent = {
    id: context.newId(),
    seq: index.seq + 1,
    type: 'alias-removed',
    model,
    time: context.time,
    ...(context.actor !== undefined ? { actor: context.actor } : {}),
    version: current.version,
    sha256: current.sha256,
    alias,
  };
  return { ...(await append(docs, [event], context.time)), previous: current.version };
}

/**
 * Marks a version deprecated: it stays resolvable by number, `latest` skips it, and no alias may
 * point at it. Deprecating a version an alias points at is refused: move the alias first.
 */
export async function deprecateVersion(
  docs: RegistryDocuments,
  model: string,
  version: number,
  reason: string | undefined,
  context: EventContext,
): Promise<OperationResult> {
  const index = await requireModel(docs, model, [version]);
  const record = await requireVersion(docs, index, version);
  if (record.deprecated) return { events: [] };
  const pointing = Object.entries(index.aliases)
    .filter(([, state]) => state.version === version)
    .map(([alias]) => alias)
    .sort();
  if (pointing.length) {
    throw new InputError(
      `${model} v${version} is what ${pointing.map((a) => `"${a}"`).join(', ')} point${pointing.length === 1 ? 's' : ''} at; ` +
        'move or remove the alias first (mlops registry set-alias / remove-alias).',
    );
  }
  const event: DeprecatedEvent = {
    id: context.newId(),
    seq: index.seq + 1,
    type: 'deprecated',
    model,
    time: context.time,
    ...(context.actor !== undefined ? { actor: context.actor } : {}),
    version,
    sha256: record.sha256,
    ...(reason !== undefined && reason !== '' ? { reason } : {}),
  };
  return append(docs, [event], context.time);
}

/** What a `deployed` event records besides the version. */
export interface DeploymentDetails {
  environment?: string;
  deploymentId?: string;
  status?: string;
  /** The version deployed before; default: the model's last deployed version. */
  previous?: number;
  runUrl?: string;
}

/** Records that `version` was deployed (the deploy action). */
export async function recordDeployment(
  docs: RegistryDocuments,
  model: string,
  version: number,
  details: DeploymentDetails,
  context: EventContext,
): Promise<OperationResult> {
  const index = await requireModel(docs, model, [version]);
  const record = await requireVersion(docs, index, version);
  const event: DeployedEvent = {
    id: context.newId(),
    seq: index.seq + 1,
    type: 'deployed',
    model,
    time: context.time,
    ...(context.actor !== undefined ? { actor: context.actor } : {}),
    version,
    sha256: record.sha256,
    ...(details.environment !== undefined ? { environment: details.environment } : {}),
    ...(details.deploymentId !== undefined ? { deploymentId: details.deploymentId } : {}),
    ...(details.status !== undefined ? { status: details.status } : {}),
    ...(details.previous !== undefined
      ? { previous: details.previous }
      : index.deployed
        ? { previous: index.deployed.version }
        : {}),
    ...(details.runUrl !== undefined ? { runUrl: details.runUrl } : {}),
  };
  return append(docs, [event], context.time);
}

/** Records a rollback from `from` to `version` (the deploy action). */
export async function recordRollback(
  docs: RegistryDocuments,
  model: string,
  from: number,
  version: number,
  details: { environment?: string; reason?: string; deploymentId?: string; runUrl?: string },
  context: EventContext,
): Promise<OperationResult> {
  const index = await requireModel(docs, model, [from, version]);
  await requireVersion(docs, index, from);
  const record = await requireVersion(docs, index, version);
  const event: RolledBackEvent = {
    id: context.newId(),
    seq: index.seq + 1,
    type: 'rolled-back',
    model,
    time: context.time,
    ...(context.actor !== undefined ? { actor: context.actor } : {}),
    version,
    sha256: record.sha256,
    from,
    ...(details.environment !== undefined ? { environment: details.environment } : {}),
    ...(details.reason !== undefined ? { reason: details.reason } : {}),
    ...(details.deploymentId !== undefined ? { deploymentId: details.deploymentId } : {}),
    ...(details.runUrl !== undefined ? { runUrl: details.runUrl } : {}),
  };
  return append(docs, [event], context.time);
}

/** Deep equality of JSON values, ignoring key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => sameJson(item, other[i]));
  }
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  return ak.length === bk.length && ak.every((k) => k in b && sameJson((a as never)[k], (b as never)[k]));
}

/**
 * Stores a train run as `runs/<id>.json`. Recording the same run again changes nothing;
 * recording a different run under an id that exists is refused.
 */
export async function recordRun(
  docs: RegistryDocuments,
  run: RunRecord,
  context: EventContext,
): Promise<{ recorded: boolean; path: string }> {
  const path = runPath(run.id);
  const existing = await docs.run(run.id);
  if (existing) {
    if (sameJson(existing.run, run)) return { recorded: false, path };
    throw new InputError(`A different run with id "${run.id}" is already recorded (${path} on the registry branch).`);
  }
  await ensureMarker(docs, context.time);
  const tracked: TrackedRun = {
    kind: 'mlops-tracked-run',
    format: REGISTRY_FORMAT,
    recordedAt: context.time,
    ...(context.actor !== undefined ? { actor: context.actor } : {}),
    run,
  };
  docs.put(path, 'run', tracked);
  return { recorded: true, path };
}
