import { randomUUID } from 'node:crypto';
import { EnvironmentError } from '../../core/errors.js';
import type { EventContext } from '../../core/registry/operations.js';
import { RegistryDocuments } from '../../core/registry/store.js';
import { gitTree } from './git-tree.js';
import type { PublishOutcome, RegistryRepository } from './repository.js';

/** How hard a writer tries before giving up on a busy branch. */
export interface RetryPolicy {
  /** Attempts in all (default 40). */
  attempts: number;
  /** First backoff ceiling in ms (default 100); doubles per attempt. */
  baseDelayMs: number;
  /** Largest backoff ceiling in ms (default 3000). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 40, baseDelayMs: 100, maxDelayMs: 3000 };

/** "Full jitter" exponential backoff: uniform in [0, min(max, base * 2^(attempt-1))]. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 20));
  return Math.round(random() * ceiling);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Git failed to publish a commit and the branch could not be read back, so nobody can tell
 * whether the write is on the branch. A caller must not undo anything the commit may record
 * (a register keeps its staged upload): `summary` says what happened, the message what to do.
 */
export class RegistryWriteUnknownError extends EnvironmentError {
  constructor(
    /** The commit that may or may not be on the branch. */
    readonly commit: string,
    readonly summary: string,
  ) {
    super(
      `${summary} Once the remote is reachable, check with \`mlops registry history\` or \`mlops registry fsck\` before writing again.`,
    );
  }
}

function unknownOutcome(repo: RegistryRepository, commit: string, publishError: unknown, fetchError: unknown) {
  const detail = (error: unknown) => (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
  return new RegistryWriteUnknownError(
    commit,
    `The registry write is in an unknown state: ${repo.remoteMode ? `pushing to ${repo.options.remote}` : `updating ${repo.label}`} ` +
      `failed (${detail(publishError)}) and the branch could not be fetched again to check (${detail(fetchError)}).`,
  );
}

/** What a transaction produced. */
export interface TransactionResult<T> {
  result: T;
  /** The registry commit the result is part of (undefined: the registry is still empty). */
  commit: string | undefined;
  /** True when this transaction made a new commit. */
  wrote: boolean;
  attempts: number;
}

/** Options of one write. */
export interface TransactionOptions<T> {
  /** The commit message, from the result. */
  message: (result: T) => string;
  retry?: Partial<RetryPolicy>;
}

/**
 * Runs `mutate` against the current tip of the registry branch and publishes its changes as one
 * commit under compare-and-swap. When another writer moved the branch first, the push is
 * rejected; the transaction then fetches, runs `mutate` again on the new tip (so versions and
 * sequence numbers are allocated afresh) and retries after a jittered exponential backoff.
 * `mutate` must be a pure function of the documents it reads: it may run several times.
 */
export async function registryTransaction<T>(
  repo: RegistryRepository,
  mutate: (docs: RegistryDocuments, attempt: number) => Promise<T>,
  options: TransactionOptions<T>,
): Promise<TransactionResult<T>> {
  const policy = { ...DEFAULT_RETRY, ...options.retry };
  const log = repo.options.log;
  let lastReason = '';
  // The last commit git reported as not published: it may have landed all the same.
  let unconfirmed: { commit: string; result: T; attempt: number } | undefined;
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    const started = Date.now();
    let parent: string | undefined;
    try {
      parent = await repo.refresh();
    } catch (error) {
      // The last push was reported as rejected but may have landed: without the branch, unknown.
      if (unconfirmed) throw unknownOutcome(repo, unconfirmed.commit, lastReason, error);
      throw error;
    }
    const fetched = Date.now();
    if (unconfirmed && parent && (await repo.contains(parent, unconfirmed.commit))) {
      // Re-applying now would write the same change twice (a second version, a duplicate event).
      log.info(
        `Registry updated on attempt ${unconfirmed.attempt} (git reported a failure, but the branch has the commit).`,
      );
      return { result: unconfirmed.result, commit: unconfirmed.commit, wrote: true, attempts: unconfirmed.attempt };
    }
    const docs = new RegistryDocuments(
      gitTree(repo.root, parent, `${repo.label}${parent ? ` at ${parent.slice(0, 7)}` : ''}`),
    );
    const result = await mutate(docs, attempt);
    if (!docs.changed) return { result, commit: parent, wrote: false, attempts: attempt };
    const commit = await repo.buildCommit(parent, docs.collectWrites(), options.message(result));
    const built = Date.now();
    let outcome: PublishOutcome;
    try {
      outcome = await repo.publish(commit, parent);
    } catch (error) {
      // A push that failed for another reason (connection lost, remote hook) may still have
      // moved the branch; the caller must not undo a write that is on the branch, nor one that
      // may be on it when the branch cannot be read back.
      const reached = await reachedBranch(repo, commit);
      if (reached === true) {
        log.info(`Registry updated on attempt ${attempt} (git reported a failure, but the branch has the commit).`);
        return { result, commit, wrote: true, attempts: attempt };
      }
      if (reached !== false) throw unknownOutcome(repo, commit, error, reached.error);
      throw error;
    }
    log.debug(
      `Registry attempt ${attempt}: fetch ${fetched - started} ms, read and build ${built - fetched} ms, ` +
        `${repo.remoteMode ? 'push' : 'update-ref'} ${Date.now() - built} ms: ${outcome.ok ? 'accepted' : 'rejected'}.`,
    );
    if (outcome.ok) {
      if (attempt > 1) log.info(`Registry updated on attempt ${attempt} (the branch had moved).`);
      return { result, commit, wrote: true, attempts: attempt };
    }
    lastReason = outcome.reason;
    unconfirmed = { commit, result, attempt };
    const delay = backoffDelay(attempt, policy);
    log.debug(`Registry ${repo.label} moved (attempt ${attempt}: ${outcome.reason}); retrying in ${delay} ms.`);
    await sleep(delay);
  }
  if (unconfirmed) {
    const reached = await reachedBranch(repo, unconfirmed.commit);
    if (reached === true) {
      return { result: unconfirmed.result, commit: unconfirmed.commit, wrote: true, attempts: unconfirmed.attempt };
    }
    if (reached !== false) throw unknownOutcome(repo, unconfirmed.commit, lastReason, reached.error);
  }
  throw new EnvironmentError(
    `Gave up updating the registry ${repo.label} after ${policy.attempts} attempts: other writers kept moving it (${lastReason}).`,
  );
}

/**
 * Fetches the branch again and tells whether `commit` is on it; when the branch cannot be
 * fetched, the fetch's error (the answer is unknown).
 */
async function reachedBranch(repo: RegistryRepository, commit: string): Promise<boolean | { error: unknown }> {
  let tip: string | undefined;
  try {
    tip = await repo.refresh();
  } catch (error) {
    return { error };
  }
  return tip !== undefined && (await repo.contains(tip, commit).catch(() => false));
}

/** Event context for a write happening now. */
export function eventContext(actor: string | undefined, now: Date = new Date()): EventContext {
  return { time: now.toISOString(), ...(actor !== undefined ? { actor } : {}), newId: () => randomUUID() };
}

/** Reads the current registry (after a fetch in remote mode) as one snapshot. */
export async function registrySnapshot(
  repo: RegistryRepository,
): Promise<{ docs: RegistryDocuments; commit: string | undefined }> {
  const commit = await repo.refresh();
  return {
    commit,
    docs: new RegistryDocuments(
      gitTree(repo.root, commit, `${repo.label}${commit ? ` at ${commit.slice(0, 7)}` : ''}`),
    ),
  };
}
