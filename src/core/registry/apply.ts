import type { KeyShard, ModelIndex, RegistryEvent, RegistryIndex, StoredVersion, VersionChunk } from './documents.js';
import { REGISTRY_FORMAT, ownEntry } from './documents.js';
import {
  INDEX_PATH,
  chunkFirstVersion,
  eventChunkPath,
  keyShardPath,
  modelIndexPath,
  versionChunkPath,
} from './layout.js';
import { formatEvent, type RegistryDocuments } from './store.js';

/** An event that cannot follow the current state: a bug in a writer, or a hand-edited log. */
export class EventRejectedError extends Error {
  constructor(
    readonly event: RegistryEvent,
    reason: string,
  ) {
    super(`event ${event.seq} (${event.type}, id ${event.id}) of model "${event.model}": ${reason}`);
    this.name = 'EventRejectedError';
  }
}

/** A new, empty model index. */
export function emptyModelIndex(model: string, time: string): ModelIndex {
  return {
    kind: 'mlops-model-index',
    format: REGISTRY_FORMAT,
    model,
    createdAt: time,
    updatedAt: time,
    seq: 0,
    lastEventId: '',
    latestVersion: 0,
    deprecatedCount: 0,
    aliases: {},
  };
}

/** The stored record of `version`, or undefined. */
export async function storedVersion(
  docs: RegistryDocuments,
  model: string,
  version: number,
): Promise<StoredVersion | undefined> {
  const chunk = await docs.versionChunk(model, version);
  return chunk?.versions[version - chunk.first];
}

/**
 * Applies one event: appends it to the model's log and updates every derived document (the model
 * index, the version records, the idempotency keys, the top-level index). The same function
 * serves writers and `fsck`'s rebuild, so the derived files can never disagree with the log by
 * construction. Throws EventRejectedError when the event cannot follow the current state.
 */
export async function applyEvent(docs: RegistryDocuments, event: RegistryEvent): Promise<void> {
  const { model } = event;
  const index = (await docs.modelIndex(model)) ?? emptyModelIndex(model, event.time);
  const reject = (reason: string): never => {
    throw new EventRejectedError(event, reason);
  };
  if (event.seq !== index.seq + 1) reject(`expected sequence number ${index.seq + 1}`);

  const record = event.type === 'registered' ? undefined : await storedVersion(docs, model, event.version);
  if (event.type !== 'registered') {
    if (!record) reject(`version ${event.version} does not exist (latest is ${index.latestVersion})`);
    if (record!.sha256 !== event.sha256) reject(`sha256 ${event.sha256} is not version ${event.version}'s`);
  }

  switch (event.type) {
    case 'registered': {
      if (event.version !== index.latestVersion + 1) reject(`expected version ${index.latestVersion + 1}`);
      const path = versionChunkPath(model, event.version);
      const chunk: VersionChunk = (await docs.versionChunk(model, event.version)) ?? {
        kind: 'mlops-model-versions',
        format: REGISTRY_FORMAT,
        model,
        first: chunkFirstVersion(event.version),
        versions: [],
      };
      const stored: StoredVersion = {
        version: event.version,
        createdAt: event.time,
        sha256: event.sha256,
        artifact: event.artifact,
        metrics: event.metrics,
        ...(event.params !== undefined ? { params: event.params } : {}),
        ...(event.description !== undefined ? { description: event.description } : {}),
        lineage: event.lineage,
        ...(event.actor !== undefined ? { actor: event.actor } : {}),
        eventId: event.id,
        seq: event.seq,
        ...(event.idempotencyKey !== undefined ? { idempotencyKey: event.idempotencyKey } : {}),
        ...(event.profile !== undefined ? { profile: event.profile } : {}),
      };
      docs.put(path, 'versions', { ...chunk, versions: [...chunk.versions, stored] });
      index.latestVersion = event.version;
      if (event.idempotencyKey !== undefined) {
        const shardPath = keyShardPath(model, event.idempotencyKey);
        const shard: KeyShard = (await docs.keyShard(model, event.idempotencyKey)) ?? {
          kind: 'mlops-idempotency-keys',
          format: REGISTRY_FORMAT,
          model,
          keys: {},
        };
        const existing = shard.keys[event.idempotencyKey];
        if (existing) reject(`idempotency key "${event.idempotencyKey}" already made version ${existing.version}`);
        docs.put(shardPath, 'keys', {
          ...shard,
          keys: { ...shard.keys, [event.idempotencyKey]: { version: event.version, eventId: event.id } },
        });
      }
      break;
    }
    case 'alias-set': {
      if (record!.deprecated) reject(`version ${event.version} is deprecated`);
      const current = ownEntry(index.aliases, event.alias)?.version;
      if (event.previous !== current) {
        reject(
          `says alias "${event.alias}" was at ${event.previous ?? 'nothing'} but it was at ${current ?? 'nothing'}`,
        );
      }
      index.aliases = {
        ...index.aliases,
        [event.alias]: { version: event.version, sha256: event.sha256, since: event.time, seq: event.seq },
      };
      break;
    }
    case 'alias-removed': {
      const current = ownEntry(index.aliases, event.alias);
      if (current?.version !== event.version) reject(`alias "${event.alias}" is not at version ${event.version}`);
      const { [event.alias]: _removed, ...rest } = index.aliases;
      index.aliases = rest;
      break;
    }
    case 'deprecated': {
      if (record!.deprecated) reject(`version ${event.version} is already deprecated`);
      const chunk = (await docs.versionChunk(model, event.version))!;
      const versions = chunk.versions.slice();
      versions[event.version - chunk.first] = {
        ...record!,
        deprecated: {
          time: event.time,
          seq: event.seq,
          ...(event.reason !== undefined ? { reason: event.reason } : {}),
        },
      };
      docs.put(versionChunkPath(model, event.version), 'versions', { ...chunk, versions });
      index.deprecatedCount += 1;
      break;
    }
    case 'deployed':
    case 'rolled-back': {
      if (event.type === 'rolled-back' && !(await storedVersion(docs, model, event.from))) {
        reject(`rolled back from version ${event.from}, which does not exist`);
      }
      index.deployed = {
        version: event.version,
        ...(event.environment !== undefined ? { environment: event.environment } : {}),
        time: event.time,
        seq: event.seq,
      };
      break;
    }
  }

  index.seq = event.seq;
  index.lastEventId = event.id;
  index.updatedAt = event.time;
  docs.put(modelIndexPath(model), 'model-index', { ...index });

  const logPath = eventChunkPath(model, event.seq);
  const log = await docs.eventChunkText(model, event.seq);
  // A log whose last line lost its newline (an editor that trims it) must not glue two events together.
  docs.putText(logPath, (log === '' || log.endsWith('\n') ? log : log + '\n') + formatEvent(event));

  const top: RegistryIndex = (await docs.index()) ?? {
    kind: 'mlops-registry-index',
    format: REGISTRY_FORMAT,
    updatedAt: event.time,
    models: {},
  };
  const aliases = Object.fromEntries(
    Object.entries(index.aliases)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, state]) => [name, state.version]),
  );
  const models = {
    ...top.models,
    [model]: {
      latestVersion: index.latestVersion,
      seq: index.seq,
      aliases,
      createdAt: ownEntry(top.models, model)?.createdAt ?? index.createdAt,
      updatedAt: event.time,
    },
  };
  docs.put(INDEX_PATH, 'index', {
    ...top,
    // The newest event of any model; a replay (fsck) visits models in another order.
    updatedAt: top.updatedAt > event.time ? top.updatedAt : event.time,
    models: Object.fromEntries(
      Object.keys(models)
        .sort()
        .map((name) => [name, models[name]!]),
    ),
  });
}
