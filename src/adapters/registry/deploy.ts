import type { ModelVersionRecord } from '../../core/registry/contract.js';
import type {
  AliasMoveReason,
  AliasRemovedEvent,
  AliasSetEvent,
  RegistryEvent,
} from '../../core/registry/documents.js';
import { checkAliasName, checkModelName } from '../../core/registry/names.js';
import { recordDeployment, recordRollback, setAlias } from '../../core/registry/operations.js';
import { isReleaseAlias } from '../../core/registry/release-notes.js';
import { aliasMoves, aliasPosition, resolveVersion } from '../../core/registry/view.js';
import type { AliasPosition } from '../../core/registry/view.js';
import { githubApi, missingGitHubAccess, openRegistryRepository, warnAboutReleaseRecord } from './access.js';
import type { RegistryAccessOptions } from './access.js';
import { setReleasePrerelease } from './artifacts.js';
import type { RegistryRepository } from './repository.js';
import { eventContext, registrySnapshot, registryTransaction, type RetryPolicy } from './transaction.js';

/** Who and what a registry write of a deploy records. */
export interface DeployWriteOptions extends RegistryAccessOptions {
  model: string;
  /** Who did it (GITHUB_ACTOR); default: the git identity's name. */
  actor?: string;
  /** The workflow run (its URL). */
  runUrl?: string;
  /** The deployment environment. */
  environment?: string;
  retry?: Partial<RetryPolicy>;
}

/** What promoteAlias takes. */
export interface PromoteAliasOptions extends DeployWriteOptions {
  alias: string;
  version: number;
  /** Why it moves: `deploy` (promote-to after a passing smoke test) or `rollback`. */
  reason?: AliasMoveReason;
  /**
   * Whether to update the GitHub releases when the alias is production (or prod): default true
   * when a token, the API URL and the repository are given; see setProductionRelease.
   */
  updateReleases?: boolean;
}

/** What promoteAlias did. */
export interface PromoteAliasResult {
  /** The version the alias pointed at before (undefined: it was not set). */
  previousVersion?: number;
  /** The registry commit that has the move (or already had it). */
  commit: string | undefined;
  /** False when the alias already pointed at the version (nothing was written). */
  changed: boolean;
  /** The alias-set event written (undefined when nothing changed). */
  event?: AliasSetEvent;
  /** What was done to the releases (production aliases in GitHub mode). */
  releases?: ProductionReleaseResult;
}

/**
 * Moves `alias` to `version` under the registry's compare-and-swap, recording the version it
 * pointed at before, the actor, the run, the environment and why. Two deploys promoting at once
 * both succeed in some order and the log, the index and `previous` agree (each move's `previous`
 * is the state it was applied to). Moving an alias to where it already points changes nothing.
 * When the alias is production (or prod) and GitHub is configured, the releases follow
 * (setProductionRelease): a failure there is a warning, the move stands.
 */
export async function promoteAlias(options: PromoteAliasOptions): Promise<PromoteAliasResult> {
  const model = checkModelName(options.model);
  const alias = checkAliasName(options.alias);
  const repo = await openRegistryRepository(options);
  const actor = repo.actor(options.actor);
  const details = {
    ...(options.reason !== undefined ? { reason: options.reason } : {}),
    ...(options.environment !== undefined ? { environment: options.environment } : {}),
    ...(options.runUrl !== undefined ? { runUrl: options.runUrl } : {}),
  };
  const { result, commit, wrote } = await registryTransaction(
    repo,
    (docs) => setAlias(docs, model, alias, options.version, eventContext(actor), details),
    {
      message: (r) =>
        `set-alias ${model} ${alias} v${options.version}${options.reason ? ` (${options.reason})` : ''}\n\n` +
        eventLines(r.events),
      ...(options.retry ? { retry: options.retry } : {}),
    },
  );
  const event = result.events[0] as AliasSetEvent | undefined;
  const outcome: PromoteAliasResult = {
    ...(result.previous !== undefined ? { previousVersion: result.previous } : {}),
    commit,
    changed: wrote,
    ...(event ? { event } : {}),
  };
  if (isReleaseAlias(alias) && options.updateReleases !== false) {
    outcome.releases = await setProductionRelease({
      ...options,
      version: options.version,
      ...(result.previous !== undefined && result.previous !== options.version
        ? { previousVersion: result.previous }
        : {}),
      repo,
    });
  }
  return outcome;
}

function eventLines(events: RegistryEvent[]): string {
  return events.map((event) => `event ${event.seq} ${event.type} ${event.id}`).join('\n') + '\n';
}

/** What recordDeployEvent takes. */
export interface DeployEventOptions extends DeployWriteOptions {
  /** The version now serving (for a rollback: the one rolled back to). */
  version: number;
  event: 'deployed' | 'rolled-back';
  environment: string;
  /** deployed: the version that served before. */
  previousVersion?: number;
  /** rolled-back: the version that failed and was rolled back from (required). */
  fromVersion?: number;
  /** The GitHub deployment's id. */
  deploymentId?: number | string;
  /** deployed: the deployment's outcome (`success`). */
  status?: string;
  /** rolled-back: why (the failing step's message). */
  reason?: string;
}

/**
 * Appends a `deployed` or `rolled-back` event under the registry's compare-and-swap. Every call
 * appends one event (a deploy that ran twice deployed twice).
 */
export async function recordDeployEvent(
  options: DeployEventOptions,
): Promise<{ event: RegistryEvent; commit: string | undefined }> {
  const model = checkModelName(options.model);
  const repo = await openRegistryRepository(options);
  const actor = repo.actor(options.actor);
  const deploymentId = options.deploymentId !== undefined ? String(options.deploymentId) : undefined;
  if (options.event === 'rolled-back' && options.fromVersion === undefined) {
    throw new Error('Internal error: a rolled-back event needs fromVersion.');
  }
  const { result, commit } = await registryTransaction(
    repo,
    (docs) =>
      options.event === 'deployed'
        ? recordDeployment(
            docs,
            model,
            options.version,
            {
              environment: options.environment,
              ...(deploymentId !== undefined ? { deploymentId } : {}),
              ...(options.status !== undefined ? { status: options.status } : {}),
              ...(options.previousVersion !== undefined ? { previous: options.previousVersion } : {}),
              ...(options.runUrl !== undefined ? { runUrl: options.runUrl } : {}),
            },
            eventContext(actor),
          )
        : recordRollback(
            docs,
            model,
            options.fromVersion!,
            options.version,
            {
              environment: options.environment,
              ...(options.reason !== undefined ? { reason: options.reason } : {}),
              ...(deploymentId !== undefined ? { deploymentId } : {}),
              ...(options.runUrl !== undefined ? { runUrl: options.runUrl } : {}),
            },
            eventContext(actor),
          ),
    {
      message: (r) =>
        `${options.event} ${model} v${options.version} to ${options.environment}` +
        `${options.event === 'rolled-back' ? ` (from v${options.fromVersion})` : ''}\n\n` +
        eventLines(r.events),
      ...(options.retry ? { retry: options.retry } : {}),
    },
  );
  return { event: result.events[0]!, commit };
}

/** What setProductionRelease takes. */
export interface ProductionReleaseOptions extends RegistryAccessOptions {
  model: string;
  /** The version production points at now. */
  version: number;
  /** The version it pointed at before: its release goes back to prerelease. */
  previousVersion?: number;
  /** An open repository, to save opening it again. */
  repo?: RegistryRepository;
}

/** What setProductionRelease did. */
export interface ProductionReleaseResult {
  /** The release made a full release (no longer a prerelease). */
  promoted?: string;
  /** The release made a prerelease again. */
  demoted?: string;
  /** Why nothing (or not everything) was done. */
  skipped?: string;
}

/**
 * Makes GitHub's releases say which version is production: the new production version's release
 * becomes a full release, the old one's a prerelease again (unless another production alias
 * still points at it). Releases are addressed by id through the configured API only; never the
 * repository's Latest release. Without a token, API URL or repository, or for local-mode
 * versions, it does nothing and says why in `skipped` (and the log). Calling it again finishes
 * what a failed call left undone.
 */
export async function setProductionRelease(options: ProductionReleaseOptions): Promise<ProductionReleaseResult> {
  const { log, model } = options;
  const repo = options.repo ?? (await openRegistryRepository(options));
  const { docs } = await registrySnapshot(repo);
  const current = await resolveVersion(docs, model, { version: options.version });
  const previous =
    options.previousVersion !== undefined
      ? await resolveVersion(docs, model, { version: options.previousVersion })
      : undefined;
  // Read fresh: a promote whose release update runs after a newer promote's must not undo it.
  if (current && !current.aliases.some(isReleaseAlias)) {
    const why = `no production alias names ${model} v${current.version} any more (a later promote moved it)`;
    log.info(`The releases stay as they are: ${why}.`);
    return { skipped: why };
  }
  const withRelease = [current, previous].filter((r): r is ModelVersionRecord => r?.release !== undefined);
  if (withRelease.length === 0) return { skipped: 'the versions have no GitHub release (local mode)' };
  const api = await githubApi(options);
  if (!api) {
    const why = missingGitHubAccess(options);
    for (const record of withRelease) {
      log.warning(`${model} v${record.version}'s release ${record.release!.tag} stays as it is: ${why}.`);
    }
    return { skipped: why };
  }
  const result: ProductionReleaseResult = {};
  if (current?.release) {
    warnAboutReleaseRecord(current, api, log);
    await setReleasePrerelease(api.client, api.repository, current.release, false);
    result.promoted = current.release.tag;
    log.info(`The release ${current.release.tag} is now a full release (production).`);
  }
  // A version another release alias (prod beside production) still names stays a full release.
  if (previous?.release && !previous.aliases.some(isReleaseAlias)) {
    warnAboutReleaseRecord(previous, api, log);
    await setReleasePrerelease(api.client, api.repository, previous.release, true);
    result.demoted = previous.release.tag;
    log.info(`The release ${previous.release.tag} is a prerelease again (no longer production).`);
  }
  return result;
}

/** Where an alias points and the version it pointed at before its latest move (one snapshot). */
export async function aliasState(
  options: RegistryAccessOptions & { model: string; alias: string },
): Promise<AliasPosition | undefined> {
  const repo = await openRegistryRepository(options);
  const { docs } = await registrySnapshot(repo);
  return aliasPosition(docs, options.model, options.alias);
}

/** Every move of an alias, oldest first. */
export async function aliasHistory(
  options: RegistryAccessOptions & { model: string; alias: string },
): Promise<Array<AliasSetEvent | AliasRemovedEvent>> {
  const repo = await openRegistryRepository(options);
  const { docs } = await registrySnapshot(repo);
  return aliasMoves(docs, options.model, options.alias);
}
