/**
 * The Actions cache behind a small interface, for train's `cache-paths`. Under GitHub Actions this
 * is @actions/cache (loaded on first use); with MLOPS_CACHE_DIR (a test hook, like
 * MLOPS_ARTIFACT_DIR) a local folder. A cache only ever saves time, so every failure here is a
 * warning and the run goes on.
 */
import { cp, mkdir, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Logger } from '../core/logger.js';
import type { RunEnvironment } from './environment.js';

/** Saves and restores a set of paths under a key. Entries are immutable, as GitHub's are. */
export interface CacheStore {
  readonly kind: 'github' | 'directory';
  /** Restores the paths saved under `key`; returns the key restored, or undefined on a miss. */
  restore(paths: string[], key: string): Promise<string | undefined>;
  /** Saves the paths under `key`; false when an entry with that key exists already. */
  save(paths: string[], key: string): Promise<boolean>;
}

/** A key as a folder name: what is not a letter, digit, `.`, `_` or `-` becomes `_`. */
function keyFolder(key: string): string {
  return key.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** `paths` relative to `cwd`; a path outside it cannot be cached in a folder and is refused. */
function insidePaths(paths: string[], cwd: string): string[] {
  return paths.map((path) => {
    const inside = relative(cwd, resolve(cwd, path));
    if (inside === '' || inside.split(sep)[0] === '..' || isAbsolute(inside)) {
      throw new Error(`cache path ${path} is outside the working directory ${cwd}`);
    }
    return inside;
  });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** A cache in `<directory>/<key>/`, holding the paths relative to `cwd`. */
export function directoryCacheStore(directory: string, cwd: string): CacheStore {
  return {
    kind: 'directory',
    async restore(paths, key) {
      const entry = join(directory, keyFolder(key));
      if (!(await exists(entry))) return undefined;
      for (const inside of insidePaths(paths, cwd)) {
        const saved = join(entry, inside);
        if (await exists(saved)) await cp(saved, join(cwd, inside), { recursive: true, force: true });
      }
      return key;
    },
    async save(paths, key) {
      const entry = join(directory, keyFolder(key));
      if (await exists(entry)) return false;
      // Written aside, then renamed: a reader never sees half an entry.
      const partial = `${entry}.partial-${process.pid}`;
      await rm(partial, { recursive: true, force: true });
      for (const inside of insidePaths(paths, cwd)) {
        const source = join(cwd, inside);
        if (!(await exists(source))) continue;
        await mkdir(join(partial, inside, '..'), { recursive: true });
        await cp(source, join(partial, inside), { recursive: true });
      }
      await mkdir(partial, { recursive: true });
      await rename(partial, entry);
      return true;
    },
  };
}

/** The Actions cache service through @actions/cache. */
function githubCacheStore(): CacheStore {
  return {
    kind: 'github',
    async restore(paths, key) {
      const cache = await import('@actions/cache');
      return cache.restoreCache(paths, key);
    },
    async save(paths, key) {
      const cache = await import('@actions/cache');
      try {
        await cache.saveCache(paths, key);
        return true;
      } catch (error) {
        // Another job (or an earlier attempt) saved this key first: the entry is there.
        if (error instanceof cache.ReserveCacheError) return false;
        throw error;
      }
    },
  };
}

/** What decides where the cache is: the test-hook folder, or the runner's cache service. */
export type CacheEnvironment = Pick<RunEnvironment, 'cacheDir' | 'inActions' | 'variables'>;

/**
 * The cache for this run: MLOPS_CACHE_DIR when set, the Actions cache service under the runner
 * (it needs ACTIONS_CACHE_URL or ACTIONS_RESULTS_URL), otherwise none with the reason.
 */
export function openCacheStore(
  environment: CacheEnvironment,
  cwd: string,
): { store: CacheStore; reason?: undefined } | { store?: undefined; reason: string } {
  if (environment.cacheDir) return { store: directoryCacheStore(environment.cacheDir, cwd) };
  if (!environment.inActions) return { reason: 'local mode: the Actions cache exists only in a GitHub Actions job' };
  const { ACTIONS_CACHE_URL, ACTIONS_RESULTS_URL } = environment.variables;
  if (!ACTIONS_CACHE_URL && !ACTIONS_RESULTS_URL) {
    return { reason: 'the Actions cache service is unavailable (no ACTIONS_CACHE_URL or ACTIONS_RESULTS_URL)' };
  }
  return { store: githubCacheStore() };
}

/** Restores and never throws: a failed restore is a warning, and the run starts cold. */
export async function restoreCacheSafely(
  store: CacheStore,
  paths: string[],
  key: string,
  log: Logger,
): Promise<string | undefined> {
  try {
    const hit = await store.restore(paths, key);
    log.info(hit ? `Restored the cache ${hit}.` : `No cache saved under ${key} yet.`);
    return hit;
  } catch (error) {
    log.warning(`Could not restore the cache ${key}: ${(error as Error).message}`);
    return undefined;
  }
}

/** Saves and never throws: a failed save is a warning, the run's result stands. */
export async function saveCacheSafely(store: CacheStore, paths: string[], key: string, log: Logger): Promise<boolean> {
  try {
    const saved = await store.save(paths, key);
    log.info(saved ? `Saved the cache ${key}.` : `The cache ${key} exists already; not saved again.`);
    return saved;
  } catch (error) {
    log.warning(`Could not save the cache ${key}: ${(error as Error).message}`);
    return false;
  }
}
