/**
 * The report artifact that carries a fork pull request's report to the comment-from-artifact
 * poster (action-templates/pr-comment.yml). It was made by pull-request code, so nothing in it is
 * trusted beyond a validated pull-request number, and its markdown is cleaned before posting.
 */
import { ConfigurationError } from '../errors.js';
import { GITHUB_COMMENT_LIMIT } from './evaluate-gate.js';

/** pr.json inside the artifact. Only `number` is trusted by the poster, and only after checks. */
export interface ArtifactPullRequest {
  number: number;
  headSha?: string;
  commentKey: string;
  workflow: string;
}

/** Validates the pull-request number from pr.json: a positive integer, nothing else. */
export function trustedPullRequestNumber(text: string, file: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(`not valid JSON: ${(error as Error).message}`, { file });
  }
  const number = typeof parsed === 'object' && parsed !== null ? (parsed as { number?: unknown }).number : undefined;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1) {
    throw new ConfigurationError(
      `"number" must be a positive whole number, got ${number === undefined ? 'nothing' : JSON.stringify(number)}.`,
      {
        file,
        key: 'number',
      },
    );
  }
  return number;
}

/**
 * Removes mlops markers from text that came from elsewhere (an artifact), so it cannot hijack a
 * comment. Repeated until nothing changes: one pass over `<!-<!-- mlops:x -->- mlops:… -->` would
 * leave a marker behind, assembled from the pieces around the one it removed.
 */
export function stripMarkers(text: string): string {
  let previous: string;
  let current = text;
  do {
    previous = current;
    current = previous.replace(/<!--\s*mlops:[\s\S]*?-->\n?/g, '');
  } while (current !== previous);
  return current;
}

/** Makes the artifact's markdown safe to post: no mlops markers, within GitHub's limit. */
export function sanitizeArtifactReport(text: string): string {
  let body = stripMarkers(text);
  const limit = GITHUB_COMMENT_LIMIT - 1_024;
  if (body.length > limit) {
    // At a line break when there is one: a report of one enormous line is cut anywhere.
    const lineEnd = body.lastIndexOf('\n', limit - 100);
    body =
      body.slice(0, lineEnd > 0 ? lineEnd : limit - 100) + '\n\n…(report truncated to fit GitHub’s comment limit)\n';
  }
  return body;
}
