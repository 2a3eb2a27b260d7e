import type { ArtifactInfo, RegistryEvent } from './documents.js';
import { eventsDir, MODELS_DIR } from './layout.js';
import { nameProblem, releaseTag } from './names.js';
import { RegistryCorruptError, type RegistryDocuments } from './store.js';

/**
 * What the registry branch may say about where a model file is. The branch is data anyone with
 * push access (or a hand edit) can change, so nothing read from it decides where a file is
 * written or where a request (with a token) goes: local files are only ever at the one path the
 * model, version and file name give, and GitHub is only ever reached at the configured API URL,
 * with the release and asset ids from the branch.
 */

/** The local store, relative to the repository root. */
export const LOCAL_ARTIFACTS_DIR = '.mlops/artifacts';

/** `.mlops/artifacts/<model>/v<N>/<name>`: the only place a local version's file may be. */
export function localArtifactLocation(model: string, version: number, name: string): string {
  return `${LOCAL_ARTIFACTS_DIR}/${model}/v${version}/${name}`;
}

/** Why `name` cannot be an artifact's file name (a path, `.`, `..`, NUL), or undefined. */
export function artifactNameProblem(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return `the file name ${JSON.stringify(name)} is not a file name`;
  if (/[/\\\0]/.test(name)) return `the file name ${JSON.stringify(name)} contains a path separator or NUL`;
  return undefined;
}

/**
 * Why a local-mode artifact record cannot be trusted, or undefined: its location must be exactly
 * `.mlops/artifacts/<model>/v<N>/<name>` for this model, version and name (so `../..`, absolute
 * paths and another version's folder are all refused).
 */
export function localLocationProblem(artifact: ArtifactInfo, model: string, version: number): string | undefined {
  const nameIssue = artifactNameProblem(artifact.name);
  if (nameIssue) return nameIssue;
  const modelIssue = nameProblem(model);
  if (modelIssue) return `the model name is not valid: ${modelIssue}`;
  const expected = localArtifactLocation(model, version, artifact.name);
  if (artifact.location !== expected) {
    return `location ${JSON.stringify(artifact.location)} is not ${expected}; mlops reads and writes local artifacts only there`;
  }
  return undefined;
}

/** Where mlops talks to GitHub: the configured URLs, never ones read from the branch. */
export interface GitHubEndpoint {
  /** GITHUB_API_URL or --api-url (https://api.github.com, https://HOST/api/v3). */
  apiUrl: string;
  /** GITHUB_SERVER_URL or --server-url (https://github.com). */
  serverUrl: string;
  /** The repository whose releases hold the artifacts, when known. */
  repository?: { owner: string; repo: string };
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** The REST URL of a release asset at the configured API: what `assetApiUrl` must be. */
export function assetApiUrl(apiUrl: string, repository: { owner: string; repo: string }, assetId: number): string {
  return `${apiUrl.replace(/\/+$/, '')}/repos/${repository.owner}/${repository.repo}/releases/assets/${assetId}`;
}

/**
 * Problems with a GitHub-mode artifact record's URLs: an API URL on another host than the
 * configured API (the token would go there if anything used it), a web URL on another host than
 * the configured server, an asset URL whose id or repository is not the record's.
 */
export function releaseUrlProblems(artifact: ArtifactInfo, endpoint: GitHubEndpoint): string[] {
  const release = artifact.release;
  if (!release) return [];
  const problems: string[] = [];
  const api = originOf(endpoint.apiUrl);
  const server = originOf(endpoint.serverUrl);
  const foreign = (field: string, url: string, want: string | undefined, what: string) => {
    const origin = originOf(url);
    if (origin !== want) {
      problems.push(
        `${field} points at ${origin ?? JSON.stringify(url)}, not the configured ${what} ${want ?? '(none)'}; mlops never sends a token to a stored URL`,
      );
      return true;
    }
    return false;
  };
  if (!foreign('artifact.release.assetApiUrl', release.assetApiUrl, api, 'API (GITHUB_API_URL / --api-url)')) {
    const path = new URL(release.assetApiUrl).pathname;
    const match = /\/repos\/([^/]+)\/([^/]+)\/releases\/assets\/(\d+)$/.exec(path);
    if (!match || Number(match[3]) !== release.assetId) {
      problems.push(`artifact.release.assetApiUrl does not name asset ${release.assetId} (artifact.release.assetId)`);
    } else if (
      endpoint.repository &&
      (match[1] !== endpoint.repository.owner || match[2] !== endpoint.repository.repo) &&
      // The API base may carry a path (GHES: /api/v3): compare the whole expected URL then.
      release.assetApiUrl !== assetApiUrl(endpoint.apiUrl, endpoint.repository, release.assetId)
    ) {
      problems.push(
        `artifact.release.assetApiUrl names the repository ${match[1]}/${match[2]}, not ${endpoint.repository.owner}/${endpoint.repository.repo}`,
      );
    }
  }
  foreign('artifact.release.url', release.url, server, 'server (GITHUB_SERVER_URL)');
  foreign('artifact.release.downloadUrl', release.downloadUrl, server, 'server (GITHUB_SERVER_URL)');
  if (artifact.location !== release.assetApiUrl) {
    problems.push('artifact.location is not artifact.release.assetApiUrl');
  }
  return problems;
}

/** A version's artifact as its `registered` event records it, and where that event is. */
export interface RecordedArtifact {
  model: string;
  version: number;
  sha256: string;
  artifact: ArtifactInfo;
  /** The event-log file and 1-based line of the `registered` event. */
  path: string;
  line: number;
}

/** What the event logs record about artifacts, and which logs could not be read to the end. */
export interface RecordedArtifacts {
  records: RecordedArtifact[];
  /**
   * Models whose log has a file fsck cannot parse, each with that file: their versions from it
   * on are unknown here, so nothing of theirs may be cleaned up as "recorded by no version".
   */
  unreadLogs: Map<string, string>;
}

/**
 * Every version's artifact, read from the event logs (the registry's facts, whatever the
 * derived files say). A log file that cannot be parsed ends its model's reading (fsck's log
 * check reports it); the model is returned in `unreadLogs`.
 */
export async function recordedArtifacts(docs: RegistryDocuments): Promise<RecordedArtifacts> {
  const records: RecordedArtifact[] = [];
  const unreadLogs = new Map<string, string>();
  for (const model of await docs.tree.list(MODELS_DIR)) {
    if (nameProblem(model)) continue;
    const dir = eventsDir(model);
    const files = (await docs.tree.list(dir)).filter((name) => /^\d{6}\.jsonl$/.test(name)).sort();
    for (const name of files) {
      const path = `${dir}/${name}`;
      let events: RegistryEvent[];
      try {
        events = await docs.events(path);
      } catch (error) {
        if (!(error instanceof RegistryCorruptError)) throw error;
        unreadLogs.set(model, path);
        break;
      }
      for (const [i, event] of events.entries()) {
        if (event.type !== 'registered' || event.model !== model) continue;
        records.push({
          model,
          version: event.version,
          sha256: event.sha256,
          artifact: event.artifact,
          path,
          line: i + 1,
        });
      }
    }
  }
  return { records, unreadLogs };
}

/** One thing wrong with a version's artifact. */
export interface ArtifactProblem {
  /** The event-log file holding the version's `registered` event, or a local path. */
  path: string;
  line?: number;
  model: string;
  version?: number;
  message: string;
  /** True when `fsck --fix` can repair it (finish a move from staging, remove a stale folder). */
  fixable: boolean;
  /** Set by `--fix` once repaired. */
  fixed?: boolean;
  /** True when the version's file is lost: no copy with its sha256 was found. */
  broken?: boolean;
}

/**
 * The checks that need no file system or network: each record's location (local mode) or URLs
 * (GitHub mode) against the policy above.
 */
export function artifactRecordProblems(records: RecordedArtifact[], endpoint: GitHubEndpoint): ArtifactProblem[] {
  const problems: ArtifactProblem[] = [];
  for (const record of records) {
    const where = { path: record.path, line: record.line, model: record.model, version: record.version };
    const release = record.artifact.release;
    const messages = release
      ? [
          ...(release.tag !== releaseTag(record.model, record.version)
            ? [`artifact.release.tag ${JSON.stringify(release.tag)} is not ${releaseTag(record.model, record.version)}`]
            : []),
          ...releaseUrlProblems(record.artifact, endpoint),
        ]
      : [localLocationProblem(record.artifact, record.model, record.version)].filter((m): m is string => !!m);
    for (const message of messages) {
      problems.push({ ...where, message: `${record.model} v${record.version}: ${message}`, fixable: false });
    }
  }
  return problems;
}
