/**
 * evaluate-gate's report artifact: written on pull requests (required for forks, whose token
 * cannot comment) and read back by the comment-from-artifact poster. The folder holds report.md
 * and pr.json (core/report/gate-artifact.ts says what is trusted in them).
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { uploadArtifactSafely, type ArtifactEnvironment } from './artifacts.js';
import { writeFileAtomic } from './fs/user-files.js';
import { safeFileName } from './outbox.js';
import { InputError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ArtifactPullRequest } from '../core/report/gate-artifact.js';

/** The artifact that carries the report to action-templates/pr-comment.yml. */
export function reportArtifactName(commentKey: string): string {
  return `mlops-evaluate-gate-${safeFileName(commentKey)}`;
}

/**
 * Writes report.md and pr.json into a fresh folder under `tempDir` and uploads them as the
 * report artifact. Never throws for the upload (see uploadArtifactSafely): returns the artifact
 * name, or undefined when nothing was uploaded (the reason went to `log` as a warning).
 */
export async function uploadReportArtifact(options: {
  tempDir: string;
  report: string;
  pullRequest: ArtifactPullRequest;
  log: Logger;
  /** Where the upload goes (MLOPS_ARTIFACT_DIR, the runner's artifact service). */
  environment: ArtifactEnvironment;
}): Promise<string | undefined> {
  await mkdir(options.tempDir, { recursive: true });
  const folder = await mkdtemp(join(options.tempDir, 'mlops-evaluate-gate-'));
  try {
    const reportFile = join(folder, 'report.md');
    const prFile = join(folder, 'pr.json');
    await writeFileAtomic(reportFile, options.report);
    await writeFileAtomic(prFile, JSON.stringify(options.pullRequest, null, 2) + '\n');
    const name = reportArtifactName(options.pullRequest.commentKey);
    const uploaded = await uploadArtifactSafely(name, [reportFile, prFile], folder, options.log, options.environment);
    return uploaded ? name : undefined;
  } finally {
    // The artifact holds its own copy: the files are not needed once it is uploaded (or not).
    await rm(folder, { recursive: true, force: true });
  }
}

async function readArtifactFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InputError(
        `comment-from-artifact: ${what} ${path} does not exist. Download the evaluate job's artifact first (see action-templates/pr-comment.yml) and point the report input at its report.md.`,
      );
    }
    throw error;
  }
}

/** A downloaded report artifact: the report text and pr.json (read from the report's folder). */
export async function readReportArtifact(
  reportPath: string,
): Promise<{ report: string; pullRequestJson: string; pullRequestFile: string }> {
  const pullRequestFile = join(dirname(reportPath), 'pr.json');
  const pullRequestJson = await readArtifactFile(pullRequestFile, 'the pull-request file');
  const report = await readArtifactFile(reportPath, 'the report');
  return { report, pullRequestJson, pullRequestFile };
}
