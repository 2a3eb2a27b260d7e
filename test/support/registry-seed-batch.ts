/**
 * Seeds the versions of several models onto a bare remote's registry branch with one push.
 * `seedVersions` in a checkout with a remote makes each version a registry transaction of its own
 * (a fetch, a commit, a push: 15 to 25 git processes); here the versions are registered through
 * the same code (`seedVersions`, `registerModel`) in a scratch repository with no remote, where
 * the registry is its local branch and a version is one local commit, and the branch then reaches
 * the remote in one fast-forward push. The remote ends with the same documents, events and
 * release assets; a file seeds everything its tests start from in `beforeAll`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegisterModelResult } from '../../src/adapters/registry/register.js';
import type { GitHubDouble } from './github-double/index.js';
import { seedVersions, type SeedVersion } from './registry-seed.js';

const BRANCH = 'mlops-registry';

export interface SeedModelsOptions {
  /** The bare repository (a path) whose registry branch receives the versions. */
  remote: string;
  /** Each model's versions, registered in order (v1, v2, ... after any the branch has). */
  models: Record<string, SeedVersion[]>;
  /** The models are stored as release assets in this double, as register does in Actions. */
  gh: GitHubDouble;
  /** The commit the versions' lineage names (GITHUB_SHA in a run). */
  commit?: string;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/**
 * Registers every model's versions on `remote`'s registry branch (on top of what it holds) and
 * pushes the branch once; the push must fast-forward, so a branch moved meanwhile fails loudly.
 * Returns each model's registrations.
 */
export async function seedModels(options: SeedModelsOptions): Promise<Record<string, RegisterModelResult[]>> {
  const scratch = mkdtempSync(join(tmpdir(), 'mlops-seed-batch-'));
  try {
    git(scratch, 'init', '--quiet', '-b', 'main');
    const existing = git(scratch, 'ls-remote', '--heads', options.remote, BRANCH);
    if (existing !== '') git(scratch, 'fetch', '--quiet', options.remote, `+refs/heads/${BRANCH}:refs/heads/${BRANCH}`);
    const results: Record<string, RegisterModelResult[]> = {};
    for (const [model, versions] of Object.entries(options.models)) {
      results[model] = await seedVersions({
        workspace: scratch,
        gh: options.gh,
        model,
        versions,
        ...(options.commit ? { commit: options.commit } : {}),
      });
    }
    git(scratch, 'push', '--quiet', options.remote, `refs/heads/${BRANCH}:refs/heads/${BRANCH}`);
    return results;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
