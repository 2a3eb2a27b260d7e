/**
 * What deploy asks of the registry, in one place: a verified download, where the rollback alias
 * stands, and the writes after the rollout. The registry adapters (src/adapters/registry) do the
 * work; this file only says which of them deploy uses and how.
 */
import type { RunEnvironment } from '../../adapters/environment.js';
import {
  aliasState,
  downloadModelVersion,
  eventContext,
  openRegistryRepository,
  registryTransaction,
  setProductionRelease,
  type RegistryAccessOptions,
} from '../../adapters/registry/index.js';
import type { RunnerIO } from '../../adapters/runner/definition.js';
import type { DeployRequest } from '../../core/deploy/plan.js';
import type { Logger } from '../../core/logger.js';
import { recordDeployment, recordRollback, setAlias } from '../../core/registry/operations.js';
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
}

/** The registry as deploy uses it. */
export interface DeployRegistry {
  /** Downloads and verifies what the request names; throws before returning bytes that do not match. */
  downloadRequested(request: DeployRequest): Promise<VerifiedModel>;
  /** Downloads and verifies one version (the rollback's). */
  downloadVersion(version: number): Promise<VerifiedModel>;
  /** Where `alias` points now, and where it pointed before its latest move. */
  aliasState(alias: string): Promise<{ current: number | undefined; previous: number | undefined }>;
  /**
   * A passed rollout: promote-to moves and the deploy is recorded (`deployed`, or `rolled-back`
   * for `version: previous`) in one registry commit, then the production release follows.
   */
  recordSuccess(record: DeployRecord & { version: number; previousVersion: number | undefined }): Promise<void>;
  /** A failure rolled back: `version` serves again instead of `from`; the alias does not move. */
  recordRollback(record: DeployRecord & { from: number; version: number; reason: string }): Promise<void>;
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
  const access: RegistryAccessOptions = {
    cwd: inputs['working-directory'],
    branch: inputs['registry-branch'],
    remote: inputs['registry-remote'],
    log,
    ...(token ? { token } : {}),
    serverUrl: env.serverUrl,
    apiUrl: env.apiUrl,
    ...(env.repository ? { repository: env.repository } : {}),
    retryBaseMs: env.retryBaseMs,
    inActions: env.inActions,
    mask: io.mask,
  };
  const model = inputs.model;
  const actor = env.inActions ? env.actor : undefined;

  const download = async (choice: { version?: number | 'previous'; alias?: string }): Promise<VerifiedModel> => {
    const downloaded = await downloadModelVersion({ ...access, model, ...choice, tempDir: env.tempDir });
    return { version: downloaded.version, sha256: downloaded.sha256, path: downloaded.path };
  };

  return {
    downloadRequested(request) {
      const selector = request.selector;
      if ('previous' in selector) return download({ version: 'previous', alias: selector.previous });
      if ('alias' in selector) return download({ alias: selector.alias });
      return download({ version: selector.version });
    },
    downloadVersion: (version) => download({ version }),
    async aliasState(alias) {
      const position = await aliasState({ ...access, model, alias });
      return { current: position?.version, previous: position?.previous };
    },
    async recordSuccess({ request, version, previousVersion, deploymentId, runUrl }) {
      const repo = await openRegistryRepository(access);
      const who = repo.actor(actor);
      const environment = request.environment;
      const id = deploymentId !== undefined ? String(deploymentId) : undefined;
      // The alias move and the deploy event in one commit: two deploys racing for one alias
      // can never leave the alias on one version and the last deployed event on the other.
      const { result } = await registryTransaction(
        repo,
        async (docs) => {
          const context = eventContext(who);
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
      if (request.promoteTo && isReleaseAlias(request.promoteTo)) {
        await setProductionRelease({
          ...access,
          model,
          version,
          ...(result.previous !== undefined && result.previous !== version ? { previousVersion: result.previous } : {}),
          repo,
        });
      }
    },
    async recordRollback({ request, from, version, reason, deploymentId, runUrl }) {
      const repo = await openRegistryRepository(access);
      const who = repo.actor(actor);
      await registryTransaction(
        repo,
        (docs) =>
          recordRollback(
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
            eventContext(who),
          ),
        { message: () => `rolled-back ${request.model} v${from} -> v${version} on ${request.environment}` },
      );
    },
  };
}
