import type { Logger } from '../../core/logger.js';
import type { ModelVersionRecord, RegistryReader, VersionSelector } from '../../core/registry/contract.js';
import type { ModelSummary, RegistryEvent } from '../../core/registry/documents.js';
import { checkRunId } from '../../core/registry/names.js';
import type { TrackedRun } from '../../core/registry/runs.js';
import { listModels, listRuns, listVersions, modelHistory, resolveVersion } from '../../core/registry/view.js';
import { RegistryRepository } from './repository.js';
import { registrySnapshot } from './transaction.js';

export { RegistryRepository } from './repository.js';
export { registryTransaction, registrySnapshot, eventContext } from './transaction.js';
export {
  openRegistryRepository,
  registryAccess,
  githubApi,
  defaultServerUrl,
  type RegistryAccessOptions,
  type GitHubApi,
} from './access.js';
export {
  downloadModelVersion,
  type DownloadModelOptions,
  type DownloadedModel,
  type RegistrySnapshot,
} from './download.js';
export {
  promoteAlias,
  recordDeployEvent,
  setProductionRelease,
  aliasState,
  aliasHistory,
  type PromoteAliasOptions,
  type PromoteAliasResult,
  type DeployEventOptions,
  type DeployWriteOptions,
  type ProductionReleaseOptions,
  type ProductionReleaseResult,
} from './deploy.js';
export {
  readVersionProfile,
  readProfileUpload,
  profileSha256,
  type ReadProfileOptions,
  type VersionProfile,
} from './profile.js';
export type { AliasPosition, VersionChoice, ChosenVersion } from '../../core/registry/view.js';
export { MAX_PROFILE_BYTES } from '../../core/registry/operations.js';

/** Options of openRegistryReader. */
export interface RegistryReaderOptions {
  /** Any directory inside the repository. */
  cwd: string;
  /** The registry branch (registry-branch input, default mlops-registry). */
  branch: string;
  /** The remote (registry-remote input, default origin); with no such remote the local branch is read. */
  remote: string;
  log: Logger;
  /** A token for https remotes when git has no credentials of its own (see RegistryRepositoryOptions). */
  token?: string;
  /** The user named the token (`--github-token`): see RegistryRepositoryOptions.tokenIsExplicit. */
  tokenIsExplicit?: boolean;
  /** GITHUB_SERVER_URL: the token is sent to this host only. */
  serverUrl?: string;
  /** Hides a derived secret (the encoded header) in the log. */
  mask?: (secret: string) => void;
}

/** The contract's reader plus the registry-wide queries the CLI uses. */
export interface GitRegistryReader extends RegistryReader {
  /** The registry commit this reader sees (undefined: there is no registry branch yet). */
  readonly commit: string | undefined;
  /** Where the registry is, for messages: `branch mlops-registry of origin`. */
  readonly label: string;
  models(): Promise<Record<string, ModelSummary>>;
  history(model: string): Promise<Array<{ event: RegistryEvent; file: string; line: number }>>;
  runs(): Promise<TrackedRun[]>;
  /** One tracked run by id (one read), or undefined. */
  run(id: string): Promise<TrackedRun | undefined>;
}

/**
 * Opens the registry for reading: fetches the registry branch once (in remote mode) and answers
 * every query from that one commit, so a caller sees a consistent snapshot. Resolving an alias
 * reads two small files (the model index and one versions file) whatever the history length.
 * A missing branch is an empty registry, not an error.
 */
export async function openRegistryReader(options: RegistryReaderOptions): Promise<GitRegistryReader> {
  const repo = await RegistryRepository.open({
    cwd: options.cwd,
    branch: options.branch,
    remote: options.remote,
    log: options.log,
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.tokenIsExplicit !== undefined ? { tokenIsExplicit: options.tokenIsExplicit } : {}),
    ...(options.serverUrl !== undefined ? { serverUrl: options.serverUrl } : {}),
    ...(options.mask !== undefined ? { mask: options.mask } : {}),
  });
  const { docs, commit } = await registrySnapshot(repo);
  options.log.debug(`Registry: ${repo.label} at ${commit ?? '(no branch yet)'}.`);
  return {
    commit,
    label: repo.label,
    resolve: (model: string, selector: VersionSelector): Promise<ModelVersionRecord | undefined> =>
      resolveVersion(docs, model, selector),
    versions: (model: string) => listVersions(docs, model),
    models: () => listModels(docs),
    history: (model: string) => modelHistory(docs, model),
    runs: () => listRuns(docs),
    run: (id: string) => docs.run(checkRunId(id)),
  };
}
