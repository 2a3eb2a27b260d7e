import { lstat, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../core/logger.js';
import {
  localArtifactLocation,
  localLocationProblem,
  type ArtifactProblem,
  type RecordedArtifact,
} from '../../core/registry/artifact-policy.js';
import type { GitHubClient } from '../github/client.js';
import { getRelease, type RepositoryRef } from '../github/releases.js';
import {
  ensureStoreDirectory,
  findStoreDirectory,
  moveStagedFolder,
  STAGING_DIR,
  type StagingRecord,
} from './artifacts.js';
import { hashFile } from './package.js';

/**
 * A staging folder whose record names another machine, or that has no readable record (made
 * by an mlops before records existed), is stale after this long. One whose record names this
 * machine is stale as soon as its process is gone.
 */
export const STALE_STAGING_MS = 24 * 60 * 60 * 1000;

/** One `.staging/<id>` entry: the folder, its record, or both. */
interface StagingEntry {
  id: string;
  /** `.mlops/artifacts/<model>/.staging/<id>` (the folder may be missing). */
  folder: string;
  hasFolder: boolean;
  record?: StagingRecord;
  /** A temporary file of a staging record that was being written. */
  temporary?: boolean;
  /** Why it is stale, or undefined while its registration may still be running. */
  stale?: string;
}

/** True when process `pid` runs on this machine (EPERM: it runs, as another user). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readStagingRecord(file: string): Promise<StagingRecord | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as StagingRecord;
    return Number.isInteger(value.pid) && typeof value.host === 'string' && typeof value.sha256 === 'string'
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

/** The staging entries of a model, each with the reason it is stale (see {@link STALE_STAGING_MS}). */
async function stagingEntries(staging: string, now: number): Promise<StagingEntry[]> {
  const names = await readdir(staging).catch(() => [] as string[]);
  const ids = new Set(names.map((name) => name.replace(/\.json$/, '')).filter((id) => !id.startsWith('.')));
  const entries: StagingEntry[] = [];
  // A record half-written by a killed process: writeFileAtomic's `.<id>.json.<pid>.<hex>.tmp`.
  for (const name of names) {
    const temporary = /^\..+\.json\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
    if (!temporary) continue;
    const info = await lstat(join(staging, name)).catch(() => undefined);
    const pid = Number(temporary[1]);
    const stale = !processRuns(pid)
      ? `process ${pid} that was writing it is gone`
      : now - (info?.mtimeMs ?? now) > STALE_STAGING_MS
        ? `older than ${STALE_STAGING_MS / 3_600_000} hours`
        : undefined;
    entries.push({
      id: name,
      folder: join(staging, name),
      hasFolder: false,
      temporary: true,
      ...(stale ? { stale } : {}),
    });
  }
  for (const id of [...ids].sort()) {
    const folder = join(staging, id);
    const info = await lstat(folder).catch(() => undefined);
    const record = await readStagingRecord(`${folder}.json`);
    const made = record ? Date.parse(record.createdAt) : (info?.mtimeMs ?? now);
    let stale: string | undefined;
    if (record && record.host === hostname()) {
      if (!processRuns(record.pid)) stale = `process ${record.pid} that staged it is gone`;
    } else if (now - made > STALE_STAGING_MS) {
      stale = `older than ${STALE_STAGING_MS / 3_600_000} hours${record ? ` (staged on ${record.host})` : ', with no staging record'}`;
    }
    entries.push({
      id,
      folder,
      hasFolder: info?.isDirectory() === true && !info.isSymbolicLink(),
      ...(record ? { record } : {}),
      ...(stale ? { stale } : {}),
    });
  }
  return entries;
}

/** What the local check found, and what it could not check. */
export interface LocalArtifactCheck {
  problems: ArtifactProblem[];
  /** Versions whose file was read and matched its sha256. */
  verified: number;
  /** Models whose `.mlops/artifacts/<model>` is not in this clone (registered from another one). */
  absentModels: string[];
}

/**
 * Checks local-mode artifacts: every version's file is at `.mlops/artifacts/<model>/v<N>/<name>`
 * with the sha256 its event records. With `fix`, a file that only reached `.staging/<id>/` (a
 * register killed after the registry write, before the move) is moved to its place once its
 * sha256 is verified, and stale staging entries are removed. A version whose file is lost is
 * reported as broken. Records with an unsafe location are left alone (the policy check reports them).
 */
export async function checkLocalArtifacts(options: {
  root: string;
  records: RecordedArtifact[];
  /** Models whose event log could not be read to the end (`recordedArtifacts`): their staging is kept. */
  unreadLogs?: ReadonlyMap<string, string>;
  fix: boolean;
  log: Logger;
  now?: number;
}): Promise<LocalArtifactCheck> {
  const { root, fix, log } = options;
  const now = options.now ?? Date.now();
  const problems: ArtifactProblem[] = [];
  const absentModels: string[] = [];
  let verified = 0;
  const byModel = new Map<string, RecordedArtifact[]>();
  for (const record of options.records) {
    if (record.artifact.release) continue;
    byModel.set(record.model, [...(byModel.get(record.model) ?? []), record]);
  }
  const unreadLogs = options.unreadLogs ?? new Map<string, string>();
  // A model whose log is unreadable from its first file has no records, and staging all the same.
  for (const model of unreadLogs.keys()) if (!byModel.has(model)) byModel.set(model, []);
  for (const [model, records] of [...byModel].sort(([a], [b]) => (a < b ? -1 : 1))) {
    let modelFolder: string | undefined;
    try {
      modelFolder = await findStoreDirectory(root, [model]);
    } catch (error) {
      problems.push({ path: `.mlops/artifacts/${model}`, model, message: (error as Error).message, fixable: false });
      continue;
    }
    if (!modelFolder) {
      absentModels.push(model);
      continue;
    }
    const staging = await findStoreDirectory(root, [model, STAGING_DIR]).catch(() => undefined);
    const entries = staging ? await stagingEntries(staging, now) : [];
    const used = new Set<string>();

    for (const record of records) {
      if (localLocationProblem(record.artifact, model, record.version)) continue;
      const where = { path: record.path, line: record.line, model, version: record.version };
      const location = localArtifactLocation(model, record.version, record.artifact.name);
      // Each component checked, not just the file: a symbolic link v<N> would have fsck hash
      // (and --fix write into) a folder outside the repository.
      let versionFolder: string | undefined;
      try {
        versionFolder = await findStoreDirectory(root, [model, `v${record.version}`]);
      } catch (error) {
        problems.push({
          ...where,
          message: `${model} v${record.version}: ${(error as Error).message}`,
          fixable: false,
        });
        continue;
      }
      const file = join(modelFolder, `v${record.version}`, record.artifact.name);
      const info = versionFolder ? await lstat(file).catch(() => undefined) : undefined;
      if (info && !info.isFile()) {
        problems.push({
          ...where,
          message: `${model} v${record.version}: ${location} is ${info.isSymbolicLink() ? 'a symbolic link' : 'not a file'}; mlops does not follow it`,
          fixable: false,
        });
        continue;
      }
      if (info) {
        const { sha256 } = await hashFile(file);
        if (sha256 === record.sha256) verified++;
        else
          problems.push({
            ...where,
            message: `${model} v${record.version}: ${location} has sha256 ${sha256}, the registry records ${record.sha256}; the version is broken`,
            fixable: false,
            broken: true,
          });
        continue;
      }
      // Missing: a register killed between the registry write and the move leaves it in staging.
      const candidates = entries.filter(
        (e) =>
          !used.has(e.id) &&
          e.hasFolder &&
          (!e.record || (e.record.sha256 === record.sha256 && e.record.name === record.artifact.name)),
      );
      let found: StagingEntry | undefined;
      for (const entry of candidates) {
        const staged = join(entry.folder, record.artifact.name);
        const stagedInfo = await lstat(staged).catch(() => undefined);
        if (!stagedInfo?.isFile()) continue;
        if ((await hashFile(staged)).sha256 === record.sha256) {
          found = entry;
          break;
        }
      }
      if (!found) {
        problems.push({
          ...where,
          message: `${model} v${record.version}: ${location} is missing and no staged copy has sha256 ${record.sha256}; the version is broken (put the file back, or deprecate the version)`,
          fixable: false,
          broken: true,
        });
        continue;
      }
      used.add(found.id);
      if (!found.stale) {
        problems.push({
          ...where,
          message: `${model} v${record.version}: ${location} is still in ${STAGING_DIR}/${found.id}/, being registered by process ${found.record?.pid}; run fsck again when it is done`,
          fixable: false,
        });
        continue;
      }
      const problem: ArtifactProblem = {
        ...where,
        message: `${model} v${record.version}: ${location} is missing; its file (sha256 verified) is still in .mlops/artifacts/${model}/${STAGING_DIR}/${found.id}/, left by an interrupted register`,
        fixable: true,
      };
      if (fix) {
        await finishMove(root, model, record, found, log);
        problem.fixed = true;
        verified++;
      }
      problems.push(problem);
    }

    const unreadLog = unreadLogs.get(model);
    for (const entry of entries) {
      if (used.has(entry.id) || !entry.stale) continue;
      const path = `.mlops/artifacts/${model}/${STAGING_DIR}/${entry.id}${entry.temporary ? '' : entry.hasFolder ? '/' : '.json'}`;
      if (unreadLog !== undefined) {
        // A version registered in the unread part of the log may have its only copy here.
        problems.push({
          path,
          model,
          message: `stale staging ${entry.temporary ? 'temporary file' : entry.hasFolder ? 'folder' : 'record'} kept: ${unreadLog} cannot be read, so fsck cannot tell whether a version of ${model} records it (repair the log, then run fsck again)`,
          fixable: false,
        });
        continue;
      }
      const problem: ArtifactProblem = {
        path,
        model,
        message: `stale staging ${entry.temporary ? 'temporary file' : entry.hasFolder ? 'folder' : 'record'}: ${entry.stale}, and no version records it`,
        fixable: true,
      };
      if (fix) {
        await rm(entry.folder, { recursive: true, force: true });
        await rm(`${entry.folder}.json`, { force: true });
        problem.fixed = true;
      }
      problems.push(problem);
    }
  }
  return { problems, verified, absentModels };
}

/**
 * Moves a verified staged file to `v<N>/`: the whole staging folder when `v<N>` does not exist
 * (one rename), else just the file into the existing folder.
 */
async function finishMove(
  root: string,
  model: string,
  record: RecordedArtifact,
  entry: StagingEntry,
  log: Logger,
): Promise<void> {
  const versionFolder = join(root, '.mlops', 'artifacts', model, `v${record.version}`);
  if (!(await stat(versionFolder).catch(() => undefined))) {
    await moveStagedFolder(root, model, record.version, entry.folder, log);
  } else {
    const target = await ensureStoreDirectory(root, [model, `v${record.version}`]);
    await rename(join(entry.folder, record.artifact.name), join(target, record.artifact.name));
    await rm(entry.folder, { recursive: true, force: true });
    await rm(`${entry.folder}.json`, { force: true });
  }
  log.info(`Moved ${model} v${record.version}'s file from ${STAGING_DIR}/${entry.id}/ to v${record.version}/.`);
}

/**
 * Checks GitHub-mode artifacts through the configured API: each version's release (by id) exists
 * and is published, and its asset (by id) has the recorded size and, where GitHub reports one,
 * the recorded sha256 digest. Missing or different assets make the version broken.
 */
export async function checkReleaseArtifacts(options: {
  client: GitHubClient;
  repository: RepositoryRef;
  records: RecordedArtifact[];
}): Promise<{ problems: ArtifactProblem[]; verified: number }> {
  const problems: ArtifactProblem[] = [];
  let verified = 0;
  for (const record of options.records) {
    const info = record.artifact.release;
    if (!info) continue;
    const where = { path: record.path, line: record.line, model: record.model, version: record.version };
    const name = `${record.model} v${record.version}`;
    const release = await getRelease(options.client, options.repository, info.id);
    if (!release) {
      problems.push({
        ...where,
        message: `${name}: release ${info.id} (${info.tag}) no longer exists; the version is broken`,
        fixable: false,
        broken: true,
      });
      continue;
    }
    const asset = release.assets.find((a) => a.id === info.assetId);
    if (!asset) {
      problems.push({
        ...where,
        message: `${name}: release ${info.tag} has no asset ${info.assetId} (${info.assetName}); the version is broken`,
        fixable: false,
        broken: true,
      });
      continue;
    }
    if (asset.size !== record.artifact.size) {
      problems.push({
        ...where,
        message: `${name}: asset ${asset.name} has ${asset.size} bytes, the registry records ${record.artifact.size}; the version is broken`,
        fixable: false,
        broken: true,
      });
      continue;
    }
    if (asset.digest && asset.digest !== `sha256:${record.sha256}`) {
      problems.push({
        ...where,
        message: `${name}: asset ${asset.name} has digest ${asset.digest}, the registry records sha256:${record.sha256}; the version is broken`,
        fixable: false,
        broken: true,
      });
      continue;
    }
    if (release.draft) {
      problems.push({
        ...where,
        message: `${name}: release ${info.id} is still a draft (a register stopped before publishing it); re-run that register job to publish it`,
        fixable: false,
      });
      continue;
    }
    if (release.tag_name !== info.tag) {
      problems.push({
        ...where,
        message: `${name}: release ${info.id} has the tag ${release.tag_name}, the registry records ${info.tag}`,
        fixable: false,
      });
      continue;
    }
    verified++;
  }
  return { problems, verified };
}
