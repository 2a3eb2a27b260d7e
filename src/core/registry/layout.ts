import { createHash } from 'node:crypto';

/**
 * Paths on the registry branch. Everything about one model lives under `models/<model>/`, and the
 * growing parts (the event log, the version records, the idempotency keys) are split into small
 * files, so that a write touches a handful of small blobs and a read of an alias reads one small
 * file, however long the history is.
 */

/** Events per event-log file. */
export const EVENTS_PER_CHUNK = 100;
/** Version records per versions file. */
export const VERSIONS_PER_CHUNK = 100;

export const MARKER_PATH = 'registry.json';
export const README_PATH = 'README.md';
export const INDEX_PATH = 'index.json';
export const MODELS_DIR = 'models';
export const RUNS_DIR = 'runs';

/** 1-based chunk number holding item `n` (1-based). */
export function chunkOf(n: number, perChunk: number): number {
  return Math.floor((n - 1) / perChunk) + 1;
}

function chunkName(chunk: number): string {
  return String(chunk).padStart(6, '0');
}

export function modelDir(model: string): string {
  return `${MODELS_DIR}/${model}`;
}

export function modelIndexPath(model: string): string {
  return `${modelDir(model)}/index.json`;
}

export function eventsDir(model: string): string {
  return `${modelDir(model)}/events`;
}

/** The event-log file that holds event `seq`. */
export function eventChunkPath(model: string, seq: number): string {
  return `${eventsDir(model)}/${chunkName(chunkOf(seq, EVENTS_PER_CHUNK))}.jsonl`;
}

export function versionsDir(model: string): string {
  return `${modelDir(model)}/versions`;
}

/** The versions file that holds `version`. */
export function versionChunkPath(model: string, version: number): string {
  return `${versionsDir(model)}/${chunkName(chunkOf(version, VERSIONS_PER_CHUNK))}.json`;
}

/** The first version a versions file holds. */
export function chunkFirstVersion(version: number): number {
  return (chunkOf(version, VERSIONS_PER_CHUNK) - 1) * VERSIONS_PER_CHUNK + 1;
}

export function keysDir(model: string): string {
  return `${modelDir(model)}/keys`;
}

/** The idempotency-key shard for `key`: the first two hex digits of its sha256. */
export function keyShardPath(model: string, key: string): string {
  return `${keysDir(model)}/${createHash('sha256').update(key).digest('hex').slice(0, 2)}.json`;
}

export function profilesDir(model: string): string {
  return `${modelDir(model)}/profiles`;
}

/** Where the drift reference profile of `version` is stored (register's `profile` input). */
export function profilePath(model: string, version: number): string {
  return `${profilesDir(model)}/v${version}.json`;
}

export function runPath(id: string): string {
  return `${RUNS_DIR}/${id}.json`;
}
