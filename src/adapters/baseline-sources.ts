/**
 * The real baseline sources of evaluate-gate: files, git (without checking anything out) and the
 * registry branch, behind core/metrics/baseline.ts's BaselineSources.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { git } from './git/exec.js';
import { isUserError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { BaselineRegistry, BaselineSources } from '../core/metrics/baseline.js';
import type { RegistryReaderOptions } from './registry/index.js';

export interface SourceOptions {
  workingDirectory: string;
  registryBranch: string;
  registryRemote: string;
  log: Logger;
  /** For an https registry remote when git has no credentials of its own. */
  token?: string;
  serverUrl?: string;
}

async function refExists(ref: string, cwd: string): Promise<boolean> {
  const result = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], {
    cwd,
    allowFailure: true,
  });
  return result.code === 0;
}

/** Creates the sources. The registry is opened once, on first use. */
export function realBaselineSources(options: SourceOptions): BaselineSources {
  const { workingDirectory: cwd, log } = options;
  let registry: Promise<BaselineRegistry | { unavailable: string }> | undefined;
  return {
    async readFile(path) {
      try {
        return await readFile(resolve(cwd, path), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async gitShow(ref, path) {
      if (!(await refExists(ref, cwd))) {
        // Shallow checkouts (actions/checkout's default depth 1) lack the base commit: fetch just it.
        if (/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(ref)) {
          log.info(`Fetching ${ref.slice(0, 12)} from ${options.registryRemote} for the baseline.`);
          const fetched = await git(['fetch', '--no-tags', '--depth=1', options.registryRemote, ref], {
            cwd,
            allowFailure: true,
          });
          if (fetched.code !== 0) {
            return { missing: 'ref', detail: `git fetch failed: ${fetched.stderr.trim().split('\n').pop() ?? ''}` };
          }
        }
        if (!(await refExists(ref, cwd))) return { missing: 'ref', detail: 'no such commit or ref' };
      }
      // `<ref>:./<path>` resolves the path against the working directory, not the repository root.
      const spec = `${ref}:./${path.replace(/\\/g, '/').replace(/^\.\//, '')}`;
      const shown = await git(['show', '--end-of-options', spec], { cwd, allowFailure: true });
      if (shown.code !== 0) {
        log.debug(`git show ${spec}: ${shown.stderr.trim()}`);
        return undefined;
      }
      return shown.stdout;
    },
    registry() {
      registry ??= loadRegistryReader({
        cwd,
        branch: options.registryBranch,
        remote: options.registryRemote,
        log,
        ...(options.token ? { token: options.token } : {}),
        ...(options.serverUrl ? { serverUrl: options.serverUrl } : {}),
      });
      return registry;
    },
  };
}

/**
 * The registry reader, or why it cannot be had. Opened through the registry adapter, loaded on
 * first use so that runs which never touch the registry do not parse it. A user-facing failure
 * (no repository, no such remote, a bad branch name) is returned for the caller to judge; a bug
 * in the registry code is rethrown.
 */
async function loadRegistryReader(options: RegistryReaderOptions): Promise<BaselineRegistry | { unavailable: string }> {
  const { openRegistryReader } = await import('./registry/index.js');
  try {
    const reader = await openRegistryReader(options);
    return {
      label: reader.label,
      branch: {
        name: options.branch,
        exists: reader.commit !== undefined,
        // The reader's label is `local branch <name>` exactly when the registry has no remote.
        ...(reader.label === `local branch ${options.branch}` ? {} : { remote: options.remote }),
      },
      resolve: (model, selector) => reader.resolve(model, selector),
      versions: (model) => reader.versions(model),
      run: async (id) => (await reader.run(id))?.run,
      async models() {
        const summaries = await reader.models();
        return Object.fromEntries(
          Object.entries(summaries).map(([name, summary]) => [
            name,
            { latestVersion: summary.latestVersion, aliases: Object.keys(summary.aliases) },
          ]),
        );
      },
    };
  } catch (error) {
    if (isUserError(error)) return { unavailable: error.message };
    throw error;
  }
}

/** The checked-out commit, for the candidate's lineage outside Actions; undefined outside a repository. */
export async function headCommit(cwd: string): Promise<string | undefined> {
  const result = await git(['rev-parse', '--verify', '--quiet', 'HEAD'], { cwd, allowFailure: true }).catch(
    () => undefined,
  );
  const sha = result?.code === 0 ? result.stdout.trim() : '';
  return /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
}
