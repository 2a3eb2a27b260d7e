import { relative, sep } from 'node:path';
import { EnvironmentError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { RegisteredVersion } from '../../core/report/register.js';
import type { TestHooks } from '../environment.js';
import type { ArtifactInfo, RegisteredEvent, VersionLineage } from '../../core/registry/documents.js';
import { checkModelName, releaseTag } from '../../core/registry/names.js';
import {
  checkSameArtifact,
  registerVersion,
  versionForKey,
  type ProfileUpload,
} from '../../core/registry/operations.js';
import { isReleaseAlias, releaseBody } from '../../core/registry/release-notes.js';
import { storedVersion } from '../../core/registry/apply.js';
import { requireRegistryBranch, verifiedModelIndex } from '../../core/registry/consistency.js';
import type { ModelArtifactStore, FinalizedArtifact, StagedArtifact } from './artifacts.js';
import { packageArtifact, type PackagedArtifact } from './package.js';
import type { RegistryRepository } from './repository.js';
import {
  RegistryWriteUnknownError,
  eventContext,
  registrySnapshot,
  registryTransaction,
  type RetryPolicy,
} from './transaction.js';

/** What to register. */
export interface RegisterModelOptions {
  repo: RegistryRepository;
  store: ModelArtifactStore;
  model: string;
  /** Absolute path of the model file or folder. */
  path: string;
  metrics: Record<string, number>;
  params?: Record<string, unknown>;
  description?: string;
  lineage: VersionLineage;
  /** `<workflow run id>/<attempt>/<model>`; none outside Actions. */
  idempotencyKey?: string;
  alias?: string;
  /** A drift reference profile to store with the version on the registry branch (readProfileUpload). */
  profile?: ProfileUpload;
  actor?: string;
  /** Where the temporary tar.gz of a folder goes. */
  scratch: string;
  log: Logger;
  retry?: Partial<RetryPolicy>;
  /** Test hook: called between the upload and the registry write (see crashHooksForTests). */
  afterUpload?: () => void | Promise<void>;
  /** Test hook: called after the registry write, before the artifact gets its final name. */
  afterRegistryWrite?: () => void;
}

/** What registering returns: the version as the step summary shows it, plus the asset URL and event. */
export interface RegisterModelResult extends RegisteredVersion {
  assetUrl: string;
  /**
   * The stored file's name, what a download saves it as: the release asset's name as GitHub gave
   * it (GitHub replaces characters such as spaces with dots), or the local file's name.
   */
  assetName: string;
  event?: RegisteredEvent;
}

/**
 * Registers a model version end to end:
 *
 * 1. package the file or folder (deterministic tar.gz) and hash it;
 * 2. with an idempotency key that already made a version, return that version (nothing uploaded);
 * 3. stage the artifact (a draft release, or a staging folder) — invisible to registry readers;
 * 4. write the `registered` event under the branch's compare-and-swap (version allocated there);
 *    if that fails, discard the staged artifact, so that nothing is left behind; if git cannot
 *    tell whether the write landed, keep it (the version may record it) and say where it is;
 * 5. finalize the artifact under its versioned name (`<model>/v<N>` release, `v<N>` folder).
 *
 * A process killed between 3 and 4 leaves only a staged upload that no reader ever sees.
 */
export async function registerModel(options: RegisterModelOptions): Promise<RegisterModelResult> {
  const { repo, store, model, log } = options;
  const packaged = await log.group(`Packaging ${options.path}`, async () => {
    const result = await packageArtifact(options.path, options.scratch);
    log.info(
      `${result.name}: ${result.size} bytes, sha256 ${result.sha256}${result.kind === 'directory' ? ` (${result.files} files)` : ''}.`,
    );
    return result;
  });
  try {
    // Refuse a branch that is not a registry, or whose derived files disagree with the log, before
    // uploading anything (the write checks again on the tip it builds on).
    checkModelName(model);
    const snapshot = await registrySnapshot(repo);
    const { docs } = snapshot;
    await requireRegistryBranch(docs);
    await verifiedModelIndex(docs, model);
    if (options.idempotencyKey) {
      const existing = await versionForKey(docs, model, options.idempotencyKey);
      if (existing) {
        checkSameArtifact(model, existing, packaged.sha256);
        log.info(
          `This run already registered ${model} v${existing.version} (key ${options.idempotencyKey}); returning it.`,
        );
        return await recoverExisting(options, existing.version, snapshot.commit, packaged);
      }
    }

    const staged: StagedArtifact = await log.group(
      `Uploading ${packaged.name} (${store.kind === 'release' ? 'GitHub release' : 'local'})`,
      () => store.stage(packaged, model),
    );
    await options.afterUpload?.();

    let transaction;
    try {
      transaction = await registryTransaction(
        repo,
        (docs) =>
          registerVersion(
            docs,
            {
              model,
              sha256: packaged.sha256,
              artifact: (version) => store.describe(staged, version),
              metrics: options.metrics,
              ...(options.params !== undefined ? { params: options.params } : {}),
              ...(options.description !== undefined ? { description: options.description } : {}),
              lineage: options.lineage,
              ...(options.idempotencyKey !== undefined ? { idempotencyKey: options.idempotencyKey } : {}),
              ...(options.alias !== undefined ? { alias: options.alias } : {}),
              ...(options.profile !== undefined ? { profile: options.profile } : {}),
            },
            eventContext(options.actor),
          ),
        {
          message: (result) =>
            `register ${model} v${result.version}${options.alias ? ` as ${options.alias}` : ''}\n\n` +
            result.events.map((event) => `event ${event.seq} ${event.type} ${event.id}`).join('\n') +
            '\n',
          ...(options.retry ? { retry: options.retry } : {}),
        },
      );
    } catch (error) {
      if (error instanceof RegistryWriteUnknownError) {
        // The version may be on the branch, recording this very upload: discarding it could
        // leave a registered version without its file. Keep it for a re-run or fsck.
        throw new EnvironmentError(
          `${error.summary} ${model} may be registered; the uploaded artifact is kept at ${stagedPlace(repo, staged)}. ` +
            // Not "re-run the step": on GitHub a re-run is a new run attempt, hence a new idempotency
            // key and a second version. Looking comes first.
            `Once ${repo.options.remote} is reachable, see whether it landed with \`mlops registry history ${model}\`, and check its artifact with \`mlops registry fsck\`.`,
        );
      }
      log.warning(`The registry write failed; removing the uploaded artifact so that nothing half-registered remains.`);
      await store
        .discard(staged)
        .catch((cleanup: unknown) =>
          log.warning(`Could not remove the staged artifact: ${(cleanup as Error).message}`),
        );
      throw error;
    }
    const { result, commit } = transaction;
    options.afterRegistryWrite?.();
    if (result.existing) {
      // Another attempt with the same key got there between our check and our write, or our own
      // write landed on an attempt git reported as failed: then the version records this upload.
      return await recoverExisting(options, result.version, commit, packaged, staged);
    }
    const event = result.events[0] as RegisteredEvent;
    let finalized: FinalizedArtifact;
    try {
      finalized = await store.finalize(staged, result.version, {
        body: releaseBody(event, options.alias ? [options.alias] : []),
        prerelease: !(options.alias !== undefined && isReleaseAlias(options.alias)),
        ...(options.lineage.commit ? { targetCommitish: options.lineage.commit } : {}),
      });
    } catch (error) {
      // The version is registered and its artifact stored; only its final name is missing.
      // Re-running the step (same run attempt) finds the version by its key and finishes this.
      log.warning(
        `Registered ${model} v${result.version}, but giving its artifact the final name failed: ${(error as Error).message} ` +
          'Re-run the job to finish it.',
      );
      const artifact = event.artifact;
      finalized = {
        assetUrl: artifact.release?.downloadUrl ?? artifact.location,
        ...(artifact.release ? { releaseUrl: artifact.release.url } : {}),
      };
    }
    log.info(`Registered ${model} v${result.version} (sha256 ${packaged.sha256.slice(0, 12)}…) on ${repo.label}.`);
    return {
      version: result.version,
      tag: releaseTag(model, result.version),
      sha256: packaged.sha256,
      size: packaged.size,
      existing: false,
      commit,
      ...(finalized.releaseUrl !== undefined ? { releaseUrl: finalized.releaseUrl } : {}),
      assetUrl: finalized.assetUrl,
      assetName: storedName(event.artifact),
      location: event.artifact.location,
      event,
    };
  } finally {
    await packaged.cleanup();
  }
}

/** The name the stored file of a version carries: its release asset's, else the artifact's own. */
function storedName(artifact: ArtifactInfo): string {
  return artifact.release?.assetName ?? artifact.name;
}

/** Where a staged upload is, for a message: a path relative to the repository, or the draft release. */
function stagedPlace(repo: RegistryRepository, staged: StagedArtifact): string {
  if (staged.handle.kind === 'local') return relative(repo.root, staged.handle.folder).split(sep).join('/');
  return `the draft release ${staged.handle.release.tag_name} (id ${staged.handle.release.id})`;
}

/**
 * The register hooks the environment's test hooks ask for (documented in docs/registry.md): with
 * MLOPS_TEST_CRASH_AFTER_UPLOAD=1 the process kills itself between the upload and the registry
 * write, as a cancelled job or a lost runner would, so that tests can check that nothing becomes
 * visible in the registry; with MLOPS_TEST_CRASH_AFTER_REGISTRY_WRITE=1, after the write and
 * before the artifact gets its final name, so that tests can check that fsck finds and finishes it.
 */
export function crashHooksForTests(hooks: TestHooks): Pick<RegisterModelOptions, 'afterUpload' | 'afterRegistryWrite'> {
  const crash = () => {
    process.kill(process.pid, 'SIGKILL');
  };
  return {
    ...(hooks.crashAfterUpload ? { afterUpload: crash } : {}),
    ...(hooks.crashAfterRegistryWrite ? { afterRegistryWrite: crash } : {}),
  };
}

/**
 * The outputs for a version the idempotency key already registered (finishing its release if
 * needed). `staged`, this run's own upload, is discarded unless it is what the version records.
 */
async function recoverExisting(
  options: RegisterModelOptions,
  version: number,
  commit: string | undefined,
  packaged: PackagedArtifact,
  staged?: StagedArtifact,
): Promise<RegisterModelResult> {
  const { docs } = await registrySnapshot(options.repo);
  const stored = await storedVersion(docs, options.model, version);
  if (!stored) throw new Error(`Internal error: ${options.model} v${version} vanished from the registry.`);
  const index = await docs.modelIndex(options.model);
  const aliases = Object.entries(index?.aliases ?? {})
    .filter(([, state]) => state.version === version)
    .map(([alias]) => alias);
  const event: RegisteredEvent = {
    id: stored.eventId,
    seq: stored.seq,
    type: 'registered',
    model: options.model,
    time: stored.createdAt,
    version,
    sha256: stored.sha256,
    artifact: stored.artifact,
    metrics: stored.metrics,
    lineage: stored.lineage,
    ...(stored.params !== undefined ? { params: stored.params } : {}),
    ...(stored.description !== undefined ? { description: stored.description } : {}),
    ...(stored.actor !== undefined ? { actor: stored.actor } : {}),
  };
  const finalized = await options.store.recover(
    stored.artifact,
    version,
    options.model,
    {
      body: releaseBody(event, aliases),
      prerelease: !aliases.some(isReleaseAlias),
      ...(stored.lineage.commit ? { targetCommitish: stored.lineage.commit } : {}),
    },
    packaged,
  );
  if (staged && !options.store.records(staged, stored.artifact)) {
    await options.store
      .discard(staged)
      .catch((cleanup: unknown) =>
        options.log.warning(`Could not remove the staged artifact: ${(cleanup as Error).message}`),
      );
  }
  return {
    version,
    tag: releaseTag(options.model, version),
    sha256: stored.sha256,
    size: stored.artifact.size,
    existing: true,
    commit,
    ...(finalized.releaseUrl !== undefined ? { releaseUrl: finalized.releaseUrl } : {}),
    assetUrl: finalized.assetUrl,
    assetName: storedName(stored.artifact),
    location: stored.artifact.location,
  };
}
