import { EnvironmentError } from '../errors.js';
import type { KeyShard, ModelIndex, RegistryEvent, RegistryIndex, RegistryMarker, VersionChunk } from './documents.js';
import { REGISTRY_FORMAT } from './documents.js';
import {
  INDEX_PATH,
  MARKER_PATH,
  chunkFirstVersion,
  eventChunkPath,
  keyShardPath,
  modelIndexPath,
  runPath,
  versionChunkPath,
} from './layout.js';
import { schemaProblem, type DocumentKind } from './schemas.js';
import type { TrackedRun } from './runs.js';

/**
 * A read-only view of the registry branch at one commit. The git adapter implements it with
 * `git cat-file`; tests and the benchmark with a Map.
 */
export interface RegistryTree {
  /** The file's text, or undefined when there is no such file. */
  read(path: string): Promise<string | undefined>;
  /** Names directly inside `dir` (files and folders), sorted; empty when there is no such folder. */
  list(dir: string): Promise<string[]>;
  /** Reads several files at once (one round trip for git); the default reads them one by one. */
  readMany?(paths: string[]): Promise<Array<string | undefined>>;
  /** Names the branch and commit in error messages: `branch mlops-registry at 1a2b3c4`. */
  readonly description: string;
}

/** A stored document that is not what its schema says: the registry needs `fsck --fix` or a look. */
export class RegistryCorruptError extends EnvironmentError {
  constructor(description: string, path: string, problem: string, line?: number) {
    super(
      `The registry document ${path}${line !== undefined ? ` line ${line}` : ''} on ${description} is corrupt: ${problem}. ` +
        'Run `mlops registry fsck` to check the registry (and `--fix` to rebuild derived files from the event log).',
      { file: path, ...(line !== undefined ? { line } : {}) },
    );
  }
}

/** Parses and validates one JSON document. */
export function parseDocument<T>(text: string, kind: DocumentKind, path: string, description: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RegistryCorruptError(description, path, `invalid JSON (${(error as Error).message})`);
  }
  const problem = schemaProblem(kind, value);
  if (problem) throw new RegistryCorruptError(description, path, problem);
  return value as T;
}

/** Parses and validates an event-log file (JSON Lines); blank lines are not allowed. */
export function parseEventChunk(text: string, path: string, description: string): RegistryEvent[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line, index) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new RegistryCorruptError(description, path, `invalid JSON (${(error as Error).message})`, index + 1);
    }
    const problem = schemaProblem('event', value);
    if (problem) throw new RegistryCorruptError(description, path, problem, index + 1);
    return value as RegistryEvent;
  });
}

/** Serialises a JSON document the way the registry stores it: two-space indent, final newline. */
export function formatDocument(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** Serialises one event as one line of its log. */
export function formatEvent(event: RegistryEvent): string {
  return JSON.stringify(event) + '\n';
}

/**
 * Typed, validated, cached reads of the registry documents, with an overlay of pending changes:
 * the read side of a transaction and of every query. Changed documents stay parsed in memory
 * until `collectWrites()` validates and serialises them, so replaying thousands of events (fsck,
 * the benchmark's seeding) costs one serialisation per file, not one per event.
 */
export class RegistryDocuments {
  private readonly cache = new Map<string, Promise<string | undefined>>();
  private readonly parsed = new Map<string, unknown>();
  private readonly changedDocuments = new Map<string, DocumentKind>();
  private readonly changedTexts = new Map<string, string>();
  private readonly removed = new Set<string>();

  constructor(readonly tree: RegistryTree) {}

  get description(): string {
    return this.tree.description;
  }

  /** True when this transaction changed something. */
  get changed(): boolean {
    return this.changedDocuments.size > 0 || this.changedTexts.size > 0 || this.removed.size > 0;
  }

  /** The text at `path`, seeing this transaction's own changes. */
  async text(path: string): Promise<string | undefined> {
    if (this.removed.has(path)) return undefined;
    const changed = this.changedTexts.get(path);
    if (changed !== undefined) return changed;
    if (this.changedDocuments.has(path)) return formatDocument(this.parsed.get(path));
    let pending = this.cache.get(path);
    if (!pending) {
      pending = this.tree.read(path);
      this.cache.set(path, pending);
    }
    return pending;
  }

  /** Loads several files in one round trip so that later reads hit the cache. */
  async prefetch(paths: string[]): Promise<void> {
    const missing = [...new Set(paths)].filter(
      (p) => !this.changedTexts.has(p) && !this.changedDocuments.has(p) && !this.cache.has(p),
    );
    if (missing.length === 0) return;
    if (!this.tree.readMany) {
      await Promise.all(missing.map((p) => this.text(p)));
      return;
    }
    const all = this.tree.readMany(missing);
    missing.forEach((path, i) =>
      this.cache.set(
        path,
        all.then((texts) => texts[i]),
      ),
    );
    await all;
  }

  private async document<T>(path: string, kind: DocumentKind): Promise<T | undefined> {
    if (this.parsed.has(path)) return this.parsed.get(path) as T;
    const text = await this.text(path);
    if (text === undefined) return undefined;
    const value = parseDocument<T>(text, kind, path, this.description);
    this.parsed.set(path, value);
    return value;
  }

  /** Records a changed document; it is validated and serialised by `collectWrites()`. */
  put(path: string, kind: DocumentKind, value: unknown): void {
    this.removed.delete(path);
    this.parsed.set(path, value);
    this.changedDocuments.set(path, kind);
  }

  /** Records a changed raw text (event logs). */
  putText(path: string, text: string): void {
    this.removed.delete(path);
    this.changedTexts.set(path, text);
    this.parsed.delete(path);
  }

  /** Deletes a file (fsck removes derived files the event logs do not account for). */
  remove(path: string): void {
    this.changedTexts.delete(path);
    this.changedDocuments.delete(path);
    this.parsed.delete(path);
    this.removed.add(path);
  }

  /**
   * Every changed file's new text (null: delete it). Documents are validated against their
   * schemas first: a bug must never reach the branch.
   */
  collectWrites(): Map<string, string | null> {
    const writes = new Map<string, string | null>(this.changedTexts);
    for (const path of this.removed) writes.set(path, null);
    for (const [path, kind] of this.changedDocuments) {
      const value = this.parsed.get(path);
      const problem = schemaProblem(kind, value);
      if (problem) throw new Error(`Internal error: refusing to write an invalid ${path}: ${problem}`);
      writes.set(path, formatDocument(value));
    }
    return writes;
  }

  /** The parsed documents changed so far, by path (fsck compares them with what is stored). */
  changedDocumentPaths(): Array<[string, DocumentKind]> {
    return [...this.changedDocuments];
  }

  /** A changed or cached parsed document. */
  parsedDocument(path: string): unknown {
    return this.parsed.get(path);
  }

  async marker(): Promise<RegistryMarker | undefined> {
    const marker = await this.document<RegistryMarker>(MARKER_PATH, 'registry');
    if (marker && marker.format > REGISTRY_FORMAT) {
      throw new EnvironmentError(
        `The registry on ${this.description} has format ${marker.format}; this mlops reads format ${REGISTRY_FORMAT} and older. Upgrade mlops.`,
      );
    }
    return marker;
  }

  async index(): Promise<RegistryIndex | undefined> {
    return this.document<RegistryIndex>(INDEX_PATH, 'index');
  }

  async modelIndex(model: string): Promise<ModelIndex | undefined> {
    const path = modelIndexPath(model);
    const index = await this.document<ModelIndex>(path, 'model-index');
    if (index && index.model !== model) {
      throw new RegistryCorruptError(this.description, path, `it names model "${index.model}"`);
    }
    return index;
  }

  async versionChunk(model: string, version: number): Promise<VersionChunk | undefined> {
    const path = versionChunkPath(model, version);
    const wasParsed = this.parsed.has(path);
    const chunk = await this.document<VersionChunk>(path, 'versions');
    if (chunk && !wasParsed) {
      const first = chunkFirstVersion(version);
      const misplaced = chunk.versions.findIndex((v, i) => v.version !== first + i);
      if (chunk.model !== model || chunk.first !== first || misplaced !== -1) {
        throw new RegistryCorruptError(
          this.description,
          path,
          misplaced !== -1
            ? `entry ${misplaced} is version ${chunk.versions[misplaced]!.version}, expected ${first + misplaced}`
            : `it should hold model "${model}" from version ${first}`,
        );
      }
    }
    return chunk;
  }

  async keyShard(model: string, key: string): Promise<KeyShard | undefined> {
    return this.document<KeyShard>(keyShardPath(model, key), 'keys');
  }

  /** The raw text of the event-log file holding `seq` ('' when it does not exist yet). */
  async eventChunkText(model: string, seq: number): Promise<string> {
    return (await this.text(eventChunkPath(model, seq))) ?? '';
  }

  /** The events of one event-log file, validated. */
  async events(path: string): Promise<RegistryEvent[]> {
    const text = await this.text(path);
    return text === undefined ? [] : parseEventChunk(text, path, this.description);
  }

  async run(id: string): Promise<TrackedRun | undefined> {
    return this.document<TrackedRun>(runPath(id), 'run');
  }
}
