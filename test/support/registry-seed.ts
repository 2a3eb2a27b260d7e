/**
 * Registers model versions from the test process, through the project's own registry code
 * (`registerModel` with the release store against the GitHub API double, or the local store): the
 * same registry commits, events and release assets the register bundle makes, without a node
 * process and action start-up per version. Tests about register itself run the bundle; tests
 * that only need versions to exist (deploy, rollback, downloads) seed them here.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGitHubClient } from '../../src/adapters/github/client.js';
import {
  localArtifactStore,
  releaseArtifactStore,
  type ModelArtifactStore,
} from '../../src/adapters/registry/artifacts.js';
import { registerModel, type RegisterModelResult } from '../../src/adapters/registry/register.js';
import { RegistryRepository } from '../../src/adapters/registry/repository.js';
import { memoryLogger } from '../../src/core/logger.js';
import type { VersionLineage } from '../../src/core/registry/documents.js';
import { DEFAULT_TOKEN, type GitHubDouble } from './github-double/index.js';

/** One version to register: the model file's bytes, and the alias to point at it. */
export interface SeedVersion {
  bytes: string | Buffer;
  alias?: string;
  metrics?: Record<string, number>;
}

export interface SeedOptions {
  /** A git checkout whose `origin` holds the registry branch (or none: a local registry). */
  workspace: string;
  model: string;
  versions: SeedVersion[];
  /** Store the models as release assets in this double, as register does in Actions. Else .mlops/artifacts. */
  gh?: GitHubDouble;
  /** The model file's name (the asset's name): model.bin, as the tests' register runs used. */
  fileName?: string;
  /** The commit the versions' lineage names (GITHUB_SHA in a run). */
  commit?: string;
  /** Workflow run ids are this plus the version's index, so each registration has its own. */
  firstRunId?: number;
}

let seeded = 0;

/**
 * Registers `versions` of `model` in order (v1, v2, ... after any existing ones), as the register
 * action does in a workflow run: github-actions[bot] commits, a workflow-run lineage and an
 * idempotency key per run, the model as a release asset when `gh` is given. Throws what register
 * would report.
 */
export async function seedVersions(options: SeedOptions): Promise<RegisterModelResult[]> {
  const { workspace, model, gh } = options;
  const log = memoryLogger();
  const scratch = mkdtempSync(join(tmpdir(), 'mlops-seed-'));
  try {
    const repo = await RegistryRepository.open({
      cwd: workspace,
      branch: 'mlops-registry',
      remote: 'origin',
      log,
      inActions: true,
      ...(gh ? { serverUrl: gh.serverUrl } : {}),
    });
    let store: ModelArtifactStore;
    if (gh) {
      const client = await createGitHubClient({ token: DEFAULT_TOKEN, apiUrl: gh.url, log, retryBaseMs: 1 });
      const repository = { owner: gh.owner, repo: gh.repo };
      store = releaseArtifactStore({ client, repository, serverUrl: gh.serverUrl, apiUrl: gh.url, log });
    } else {
      store = localArtifactStore(repo.root, log);
    }
    const results: RegisterModelResult[] = [];
    for (const version of options.versions) {
      const runId = String((options.firstRunId ?? 50_000) + ++seeded);
      // One folder per version: the file keeps its name (the asset's), each version its bytes.
      mkdirSync(join(scratch, runId));
      const file = join(scratch, runId, options.fileName ?? 'model.bin');
      writeFileSync(file, version.bytes);
      const lineage: VersionLineage = {
        ...(options.commit ? { commit: options.commit } : {}),
        ref: 'refs/heads/main',
        workflowRun: {
          id: runId,
          attempt: '1',
          workflow: 'ci',
          job: 'test',
          ...(gh
            ? {
                url: `${gh.serverUrl}/${gh.owner}/${gh.repo}/actions/runs/${runId}/attempts/1`,
                repository: `${gh.owner}/${gh.repo}`,
              }
            : {}),
        },
      };
      const result = await registerModel({
        repo,
        store,
        model,
        path: file,
        metrics: version.metrics ?? {},
        lineage,
        idempotencyKey: `${runId}/1/${model}`,
        ...(version.alias !== undefined ? { alias: version.alias } : {}),
        actor: 'octocat',
        scratch,
        log,
      });
      results.push(result);
    }
    return results;
  } catch (error) {
    const logged = log.records.map((r) => `${r.level}: ${r.message}`).join('\n');
    throw new Error(`seeding ${model} failed: ${String(error)}\n${logged}`, { cause: error });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
