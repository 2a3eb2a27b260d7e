/**
 * The documents stored on the registry branch. Each has a JSON Schema in schemas/registry/ and is
 * validated when read. The event logs are the truth; every other document is derived from them
 * and can be rebuilt by `mlops registry fsck --fix`.
 *
 *     registry.json                         format marker
 *     README.md                             what the branch is, for people browsing it
 *     index.json                            every model: latest version, aliases        (derived)
 *     models/<model>/index.json             one model: aliases, counters                 (derived)
 *     models/<model>/events/<000001>.jsonl  the append-only event log, 100 events a file (truth)
 *     models/<model>/versions/<000001>.json version records, 100 versions a file         (derived)
 *     models/<model>/keys/<xx>.json         idempotency keys by sha256 prefix            (derived)
 *     models/<model>/profiles/v<N>.json     drift reference profile of a version         (truth)
 *     runs/<id>.json                        tracked train runs
 */

/** Version of the branch layout; a reader refuses a newer one. */
export const REGISTRY_FORMAT = 1;

/** `registry.json`. */
export interface RegistryMarker {
  kind: 'mlops-registry';
  format: number;
  createdAt: string;
}

/** Where a train run happened, as far as GitHub Actions tells. */
export interface WorkflowRunInfo {
  id: string;
  attempt?: string;
  url?: string;
  workflow?: string;
  job?: string;
  repository?: string;
}

/** Where a model version came from. */
export interface VersionLineage {
  /** Git commit of the code that produced the model. */
  commit?: string;
  ref?: string;
  workflowRun?: WorkflowRunInfo;
  /** The train run record's id (a tracked run is on the branch at runs/<id>.json). */
  trainRunId?: string;
  trainRunName?: string;
  /** sha256 of the training data. */
  dataSha256?: string;
}

/** A GitHub release holding the artifact. */
export interface ReleaseInfo {
  id: number;
  tag: string;
  /** The release page. */
  url: string;
  assetId: number;
  assetName: string;
  /** The REST URL of the asset (download with `Accept: application/octet-stream`; works for private repos). */
  assetApiUrl: string;
  /** The public download URL. */
  downloadUrl: string;
}

/**
 * A drift reference profile stored with a version (register's `profile` input): the file's text
 * is on the registry branch at `path` (models/<model>/profiles/v<N>.json), at most
 * MAX_PROFILE_BYTES, and every read checks its sha256.
 */
export interface ProfileInfo {
  /** Path on the registry branch. */
  path: string;
  /** sha256 (hex) of the stored text's UTF-8 bytes. */
  sha256: string;
  /** Size in bytes. */
  size: number;
  /** The file name the profile was registered from (for messages). */
  name?: string;
}

/** The stored artifact. */
export interface ArtifactInfo {
  /** File name of the artifact (a directory is packaged as `<name>.tar.gz`). */
  name: string;
  /** `file` as given, or a `directory` packaged as a deterministic tar.gz. */
  kind: 'file' | 'directory';
  size: number;
  /** A release asset download URL, or a path relative to the repository root (`.mlops/artifacts/...`). */
  location: string;
  release?: ReleaseInfo;
}

interface EventBase {
  /** Unique id (a UUID), so that two writers never build the same commit. */
  id: string;
  /** 1, 2, 3... per model, allocated under the push's compare-and-swap. */
  seq: number;
  model: string;
  /** ISO 8601. */
  time: string;
  actor?: string;
  /** The version the event is about. */
  version: number;
  /** sha256 of that version's artifact. */
  sha256: string;
}

export interface RegisteredEvent extends EventBase {
  type: 'registered';
  artifact: ArtifactInfo;
  metrics: Record<string, number>;
  params?: Record<string, unknown>;
  description?: string;
  lineage: VersionLineage;
  /** `<workflow run id>/<attempt>/<model>`: a retried register returns the version it already made. */
  idempotencyKey?: string;
  /** The drift reference profile stored with the version. */
  profile?: ProfileInfo;
}

/** Why an alias moved, when a deploy moved it (a person's `set-alias` records none). */
export type AliasMoveReason = 'deploy' | 'rollback';

export interface AliasSetEvent extends EventBase {
  type: 'alias-set';
  alias: string;
  /** The version the alias pointed at before, if any. */
  previous?: number;
  reason?: AliasMoveReason;
  /** The deployment environment of the deploy that moved it. */
  environment?: string;
  /** The workflow run that moved it. */
  runUrl?: string;
}

export interface AliasRemovedEvent extends EventBase {
  type: 'alias-removed';
  alias: string;
}

export interface DeprecatedEvent extends EventBase {
  type: 'deprecated';
  reason?: string;
}

export interface DeployedEvent extends EventBase {
  type: 'deployed';
  environment?: string;
  deploymentId?: string;
  status?: string;
  /** The version deployed before (in this environment, as the deploy saw it). */
  previous?: number;
  /** The workflow run that deployed it. */
  runUrl?: string;
}

export interface RolledBackEvent extends EventBase {
  type: 'rolled-back';
  /** The version that was rolled back from; `version` is the one now serving. */
  from: number;
  environment?: string;
  reason?: string;
  deploymentId?: string;
  /** The workflow run that rolled back. */
  runUrl?: string;
}

export type RegistryEvent =
  RegisteredEvent | AliasSetEvent | AliasRemovedEvent | DeprecatedEvent | DeployedEvent | RolledBackEvent;

export type EventType = RegistryEvent['type'];

/** The event kinds, in the order the docs list them. */
export const EVENT_TYPES: readonly EventType[] = [
  'registered',
  'alias-set',
  'alias-removed',
  'deprecated',
  'deployed',
  'rolled-back',
];

/** Where an alias points now. */
export interface AliasState {
  version: number;
  sha256: string;
  /** When it was set to this version. */
  since: string;
  /** The event that set it. */
  seq: number;
}

/** `models/<model>/index.json`: answers "which version is production" in one small read. */
export interface ModelIndex {
  kind: 'mlops-model-index';
  format: number;
  model: string;
  createdAt: string;
  updatedAt: string;
  /** Events 1..seq exist. */
  seq: number;
  lastEventId: string;
  /** Versions 1..latestVersion exist. */
  latestVersion: number;
  deprecatedCount: number;
  aliases: Record<string, AliasState>;
  /** The last deployment event, if any. */
  deployed?: { version: number; environment?: string; time: string; seq: number };
}

/** One version as stored in its chunk: the registration plus its current deprecation state. */
export interface StoredVersion {
  version: number;
  createdAt: string;
  sha256: string;
  artifact: ArtifactInfo;
  metrics: Record<string, number>;
  params?: Record<string, unknown>;
  description?: string;
  lineage: VersionLineage;
  actor?: string;
  eventId: string;
  seq: number;
  idempotencyKey?: string;
  deprecated?: { time: string; reason?: string; seq: number };
  profile?: ProfileInfo;
}

/** `models/<model>/versions/<chunk>.json`: up to VERSIONS_PER_CHUNK consecutive versions. */
export interface VersionChunk {
  kind: 'mlops-model-versions';
  format: number;
  model: string;
  /** The first version this chunk holds. */
  first: number;
  versions: StoredVersion[];
}

/** `models/<model>/keys/<xx>.json`: idempotency keys whose sha256 starts with `xx`. */
export interface KeyShard {
  kind: 'mlops-idempotency-keys';
  format: number;
  model: string;
  keys: Record<string, { version: number; eventId: string }>;
}

/** One model's line in the top-level index. */
export interface ModelSummary {
  latestVersion: number;
  seq: number;
  aliases: Record<string, number>;
  createdAt: string;
  updatedAt: string;
}

/** `index.json`: every model, for `mlops registry list` in one read. */
export interface RegistryIndex {
  kind: 'mlops-registry-index';
  format: number;
  updatedAt: string;
  models: Record<string, ModelSummary>;
}

/**
 * The entry `key` of a stored map (models, aliases), or undefined when the map has no such entry
 * of its own: `map[key]` would answer `constructor` or `toString` with Object's built-ins, and
 * those are valid model and alias names.
 */
export function ownEntry<T>(map: Record<string, T> | undefined, key: string): T | undefined {
  return map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
}
