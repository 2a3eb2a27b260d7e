/**
 * Workflow artifacts behind a small interface. Under GitHub Actions this is @actions/artifact
 * (loaded on first use); outside it, or in tests, a local folder.
 *
 * Test hook: `MLOPS_ARTIFACT_DIR=<folder>` makes every upload copy its files to
 * `<folder>/<artifact name>/` instead of calling the artifact service. It exists for the
 * integration tests (the GitHub API double has no artifact service) and for local dry runs.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Logger } from '../core/logger.js';
import type { RunEnvironment } from './environment.js';

/** What decides where workflow artifacts go: the test-hook folder, or the runner's service. */
export type ArtifactEnvironment = Pick<RunEnvironment, 'artifactDir' | 'actionsArtifactService'>;

export interface UploadedArtifact {
  name: string;
  /** The artifact id on GitHub, when uploaded there. */
  id?: number;
  /** Where the files went: a local folder, or a description of the GitHub artifact. */
  location: string;
}

/**
 * Where workflow artifacts (a run's report files, kept with the run) go. Not the registry's
 * model files: those are a ModelArtifactStore (src/adapters/registry/artifacts.ts).
 */
export interface WorkflowArtifactStore {
  /** `github` (the Actions artifact service) or `directory` (the test hook / local folder). */
  readonly kind: 'github' | 'directory';
  /** Uploads `files` (absolute paths under `rootDirectory`) as the artifact `name`. */
  upload(
    name: string,
    files: string[],
    rootDirectory: string,
    options?: { retentionDays?: number },
  ): Promise<UploadedArtifact>;
}

/** Copies the files into `<directory>/<name>/`, keeping their paths relative to the root. */
export function directoryArtifactStore(directory: string): WorkflowArtifactStore {
  return {
    kind: 'directory',
    async upload(name, files, rootDirectory) {
      const target = resolve(directory, name);
      for (const file of files) {
        const inside = relative(rootDirectory, file);
        // relative() puts any `..` first; a name like `..cache` is inside. Another drive is absolute.
        if (inside.split(sep)[0] === '..' || isAbsolute(inside)) {
          throw new Error(`Artifact file ${file} is outside its root ${rootDirectory}.`);
        }
        const destination = join(target, inside);
        await mkdir(dirname(destination), { recursive: true });
        await copyFile(file, destination);
      }
      return { name, location: target };
    },
  };
}

/** The Actions artifact service through @actions/artifact. */
function githubArtifactStore(): WorkflowArtifactStore {
  return {
    kind: 'github',
    async upload(name, files, rootDirectory, options) {
      const { DefaultArtifactClient } = await import('@actions/artifact');
      const client = new DefaultArtifactClient();
      const response = await client.uploadArtifact(name, files, rootDirectory, {
        ...(options?.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
      });
      return {
        name,
        ...(response.id !== undefined ? { id: response.id } : {}),
        location: `workflow artifact "${name}"${response.id !== undefined ? ` (id ${response.id})` : ''}`,
      };
    },
  };
}

/**
 * The store for this run: the MLOPS_ARTIFACT_DIR folder when set, the Actions artifact
 * service when the runner provides ACTIONS_RUNTIME_TOKEN, otherwise none (the reason is returned
 * so the caller can warn once, where it matters).
 */
export function openArtifactStore(
  environment: ArtifactEnvironment,
): { store: WorkflowArtifactStore; reason?: undefined } | { store?: undefined; reason: string } {
  if (environment.artifactDir) return { store: directoryArtifactStore(environment.artifactDir) };
  if (environment.actionsArtifactService) return { store: githubArtifactStore() };
  return {
    reason:
      'workflow artifacts are unavailable here (no ACTIONS_RUNTIME_TOKEN/ACTIONS_RESULTS_URL: not running as a GitHub Actions step)',
  };
}

/**
 * Uploads and never throws: an artifact is a convenience next to the step summary, so a failure
 * is a warning. Returns the upload, or undefined when it did not happen.
 */
export async function uploadArtifactSafely(
  name: string,
  files: string[],
  rootDirectory: string,
  log: Logger,
  environment: ArtifactEnvironment,
): Promise<UploadedArtifact | undefined> {
  const opened = openArtifactStore(environment);
  if (!opened.store) {
    log.warning(`Not uploading artifact "${name}": ${opened.reason}.`);
    return undefined;
  }
  try {
    const uploaded = await opened.store.upload(name, files, rootDirectory);
    log.info(`Uploaded ${uploaded.location}.`);
    return uploaded;
  } catch (error) {
    log.warning(`Could not upload artifact "${name}": ${(error as Error).message}`);
    return undefined;
  }
}
