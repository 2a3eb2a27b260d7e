/**
 * What deploy asks of the registry, in one place: a verified download, where the rollback alias
 * stands, and the writes after the rollout. The registry adapters (src/adapters/registry) do the
 * work; this file only says which of them deploy uses and how.
 */
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RunEnvironment } from '../../adapters/environment.js';
import {
  downloadModelVersion,
  eventContext,
  openRegistryRepository,
  registryAccess,
  registrySnapshot,
  registryTransaction,
  setProductionRelease,
  type RegistryAccessOptions,
  type RegistryRepository,
  type RegistrySnapshot,
} from '../../adapters/registry/index.js';
import type { RunnerIO } from '../../adapters/runner/definition.js';
import type { RollbackAlias, DeployRequest } from '../../core/deploy/plan.js';
import { EnvironmentError, InputError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { RegistryDocuments } from '../../core/registry/store.js';
import { recordDeployment, recordRollback, setAlias } from '../../core/registry/operations.js';
import { aliasMoves, aliasPosition, chooseVersion, resolveVersion } from '../../core/registry/view.js';
import { isReleaseAlias } from '../../core/registry/release-notes.js';
import type { DeployContext } from './main.js';

/** A downloaded model whose size and sha256 matched the registry. */
export interface VerifiedModel {
  version: number;
  sha256: string;
  /** Absolute path of the file, or of the unpacked folder. */
  path: string;
}

/** What every write after a rollout records. */
export interface DeployRecord {
  request: DeployRequest;
  deploymentId: number | undefined;
  runUrl: string | undefined;
  /**
   * Where promote-to pointed when this deploy read it (undefined: not set). The write fails with
   * a DeployConflictError when another deploy moved it since: the registry must name what serves.
   */
  expectedCurrent: number | undefined;
}

/** Another deploy moved the alias while this one ran: this one's write would misname what serves. */
export class DeployConflictError extends EnvironmentError {}

/**
 * What `version: previous` deploys: the version `alias` pointed at before its latest move that
 * was not itself a rollback. Re-running a rollback (a second attempt, or the same rollback run
 * again) then stays where the first one went instead of flipping back to the version it left.
 * Undefined when no such move exists (chooseVersion then says why there is no previous).
 */
export async function previousBeforeLastDeploy(
  docs: RegistryDocuments,
  model: string,
  alias: string,
): Promise<number | undefined> {
  const moves = await aliasMoves(docs, model, alias);
  for (let i = moves.length - 1; i >= 0; i--) {
    const move = moves[i]!;
    if (move.type === 'alias-removed') return undefined;
    if (move.reason !== 'rollback') return move.previous;
  }
  return undefined;
}

/** Throws DeployConflictError when `alias` is no longer where this deploy read it. */
async function checkAliasUnmoved(
  docs: RegistryDocuments,
  model: string,
  alias: string,
  expected: number | undefined,
): Promise<void> {
  const now = (await aliasPosition(docs, model, alias))?.version;
  if (now !== expected) {
    throw new DeployConflictError(
      `another deploy moved alias "${alias}" to ${now !== undefined ? `v${now}` : 'nothing'} while this one ran`,
    );
  }
}

/** The registry as deploy uses it. */
export interface DeployRegistry {
  /** Downloads and verifies what the request names; throws before returning bytes that do not match. */
  downloadRequested(request: DeployRequest): Promise<VerifiedModel>;
  /** Downloads and verifies one version (the rollback's). */
  downloadVersion(version: number): Promise<VerifiedModel>;
  /** Removes the temporary folders of every download so far (their paths are gone afterwards). */
  removeDownloads(): Promise<void>;
  /**
   * Where `alias` points, where it pointed before its latest move, and which of them are
   * deprecated: as the deploy's one read saw it, or with `fresh`, fetched again now (after a
   * failure, another deploy may have moved it; later reads then see this newer snapshot).
   */
  aliasState(alias: string, options?: { fresh?: boolean }): Promise<RollbackAlias>;
  /**
   * A passed rollout: promote-to moves and the deploy is recorded (`deployed`, or `rolled-back`
   * for `version: previous`) in one registry commit, then the production release follows.
   */
  recordSuccess(record: DeployRecord & { version: number; previousVersion: number | undefined }): Promise<void>;
  /**
   * A failure rolled back: `version` serves again instead of `from`. promote-to moves to `version`
   * (reason rollback) when it names another (a failed redeploy of its own version), in the same
   * commit: the alias always names what serves.
   */
  recordRollback(
    record: DeployRecord & { from: number; version: number; reason: string },
  ): Promise<{ aliasMoved: boolean }>;
}

/** Opens the registry for one deploy. */
export function openDeployRegistry(context: {
  inputs: DeployContext['inputs'];
  io: RunnerIO;
  log: Logger;
  env: RunEnvironment;
}): DeployRegistry {
  const { inputs, io, log, env } = context;
  const token = inputs['github-token'];
  const access: RegistryAccessOptions = registryAccess(
    { cwd: inputs['working-directory'], branch: inputs['registry-branch'], remote: inputs['registry-remote'], token },
    env,
    log,
    io.mask,
  );
  const model = inputs.model;
  const actor = env.inActions ? env.actor : undefined;

  // One repository and one fetch serve every read before the rollout (the version, the alias,
  // the rollback target): each fetch of the branch costs a handful of git processes. The writes
  // fetch again inside their transaction, whose compare-and-swap notices another deploy.
  let repository: Promise<RegistryRepository> | undefined;
  const repo = () => (repository ??= openRegistryRepository(access));
  let current: Promise<RegistrySnapshot> | undefined;
  const fetchSnapshot = async (): Promise<RegistrySnapshot> => {
    const opened = await repo();
    return { repo: opened, ...(await registrySnapshot(opened)) };
  };
  const snapshot = () => (current ??= fetchSnapshot());
  // Releases are recorded when a version is registered: when neither version has one (local
  // mode), the release update would only fetch the branch again to find nothing to do.
  const mayHaveRelease = async (...versions: Array<number | undefined>): Promise<boolean> => {
    const { docs } = await snapshot();
    for (const version of versions) {
      if (version === undefined) continue;
      const record = await resolveVersion(docs, model, { version });
      if (!record || record.release) return true;
    }
    return false;
  };

  const download = async (choice: { version?: number | 'previous'; alias?: string }): Promise<VerifiedModel> => {
    const downloaded = await downloadModelVersion({
      ...access,
      model,
      ...choice,
      tempDir: env.tempDir,
      snapshot: await snapshot(),
    });
    // The verified file (and a folder model's unpacked copy) sit in a temporary folder of their own.
    downloads.push(dirname(downloaded.file));
    return { version: downloaded.version, sha256: downloaded.sha256, path: downloaded.path };
  };
  const downloads: string[] = [];

  return {
    async downloadRequested(request) {
      const selector = request.selector;
      let choice: { version?: number | 'previous'; alias?: string } =
        'previous' in selector
          ? { version: 'previous' as const, alias: selector.previous }
          : 'alias' in selector
            ? { alias: selector.alias }
            : { version: selector.version };
      if (request.promoteTo || 'previous' in selector) {
        const { docs } = await snapshot();
        if ('previous' in selector) {
          const version = await previousBeforeLastDeploy(docs, model, selector.previous);
          if (version !== undefined) choice = { version };
        }
        // An alias never points at a deprecated version: refuse it now, not after it served.
        const chosen = await chooseVersion(docs, model, choice);
        if (!request.promoteTo) return download({ version: chosen.record.version });
        if (chosen.record.deprecated) {
          throw new InputError(
            `${model} v${chosen.record.version} is deprecated: promote-to "${request.promoteTo}" cannot point at a` +
              ' deprecated version (nothing was downloaded or deployed).',
          );
        }
        return download({ version: chosen.record.version });
      }
      return download(choice);
    },
    downloadVersion: (version) => download({ version }),
    async removeDownloads() {
      for (const folder of downloads.splice(0)) await rm(folder, { recursive: true, force: true });
    },
    async aliasState(alias, { fresh = false } = {}) {
      if (fresh) current = fetchSnapshot();
      const { docs } = await snapshot();
      const position = await aliasPosition(docs, model, alias);
      const versions = [position?.version, position?.previous].filter((v): v is number => v !== undefined);
      const deprecated: number[] = [];
      for (const version of versions) {
        if ((await resolveVersion(docs, model, { version }))?.deprecated) deprecated.push(version);
      }
      return { current: position?.version, previous: position?.previous, deprecated };
    },
    async recordSuccess({ request, version, previousVersion, deploymentId, runUrl, expectedCurrent }) {
      const registry = await repo();
      const who = registry.actor(actor);
      const environment = request.environment;
      const id = deploymentId !== undefined ? String(deploymentId) : undefined;
      // The alias move and the deploy event in one commit: two deploys racing for one alias
      // can never leave the alias on one version and the last deployed event on the other.
      const { result } = await registryTransaction(
        registry,
        async (docs) => {
          const context = eventContext(who);
          if (request.promoteTo) await checkAliasUnmoved(docs, request.model, request.promoteTo, expectedCurrent);
          const moved = request.promoteTo
            ? await setAlias(docs, request.model, request.promoteTo, version, context, {
                reason: request.intendedRollback ? 'rollback' : 'deploy',
                environment,
                ...(runUrl !== undefined ? { runUrl } : {}),
              })
            : undefined;
          const from = moved?.previous ?? previousVersion;
          if (request.intendedRollback && from !== undefined && from !== version) {
            await recordRollback(
              docs,
              request.model,
              from,
              version,
              {
                environment,
                reason: 'version: previous',
                ...(id !== undefined ? { deploymentId: id } : {}),
                ...(runUrl !== undefined ? { runUrl } : {}),
              },
              context,
            );
          } else {
            await recordDeployment(
              docs,
              request.model,
              version,
              {
                environment,
                status: 'success',
                ...(id !== undefined ? { deploymentId: id } : {}),
                ...(from !== undefined ? { previous: from } : {}),
                ...(runUrl !== undefined ? { runUrl } : {}),
              },
              context,
            );
          }
          return { previous: moved?.previous };
        },
        {
          message: () =>
            `${request.intendedRollback ? 'rolled-back' : 'deployed'} ${request.model} v${version} to ${environment}` +
            `${request.promoteTo ? ` (${request.promoteTo} -> v${version})` : ''}`,
        },
      );
      if (request.promoteTo && isReleaseAlias(request.promoteTo) && (await mayHaveRelease(version, result.previous))) {
        // The alias moved and the deploy is recorded: a release GitHub cannot update is a warning
        // (a later promote or `mlops registry set-alias` puts it right), never a failed deploy.
        try {
          await setProductionRelease({
            ...access,
            model,
            version,
            ...(result.previous !== undefined && result.previous !== version
              ? { previousVersion: result.previous }
              : {}),
            repo: registry,
          });
        } catch (error) {
          log.warning(
            `${model} v${version} is deployed and "${request.promoteTo}" names it, but its GitHub release was not updated: ` +
              (error instanceof Error ? error.message : String(error)),
          );
        }
      }
    },
    async recordRollback({ request, from, version, reason, deploymentId, runUrl, expectedCurrent }) {
      const registry = await repo();
      const who = registry.actor(actor);
      const alias = request.promoteTo;
      const { result } = await registryTransaction(
        registry,
        async (docs) => {
          const context = eventContext(who);
          let moved = false;
          if (alias) {
            await checkAliasUnmoved(docs, request.model, alias, expectedCurrent);
            if (expectedCurrent !== version) {
              await setAlias(docs, request.model, alias, version, context, {
                reason: 'rollback',
                environment: request.environment,
                ...(runUrl !== undefined ? { runUrl } : {}),
              });
              moved = true;
            }
          }
          await recordRollback(
            docs,
            request.model,
            from,
            version,
            {
              environment: request.environment,
              reason,
              ...(deploymentId !== undefined ? { deploymentId: String(deploymentId) } : {}),
              ...(runUrl !== undefined ? { runUrl } : {}),
            },
            context,
          );
          return { moved };
        },
        {
          message: () =>
            `rolled-back ${request.model} v${from} -> v${version} on ${request.environment}` +
            `${alias && expectedCurrent !== version ? ` (${alias} -> v${version})` : ''}`,
        },
      );
      return { aliasMoved: result.moved };
    },
  };
}
