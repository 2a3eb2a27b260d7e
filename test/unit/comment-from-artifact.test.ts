import { describe, expect, it } from 'vitest';
import { headRepositoryProblem } from '../../src/adapters/github/comment-from-artifact.js';

describe('headRepositoryProblem', () => {
  const sha = 'c'.repeat(40);

  it('accepts the same repository, in any case', () => {
    expect(headRepositoryProblem(7, sha, 'alice/repo', 'Alice/Repo')).toBeUndefined();
  });

  it('refuses another repository', () => {
    expect(headRepositoryProblem(7, sha, 'alice/repo', 'mallory/repo')).toBe(
      `pull request #7's head is alice/repo@cccccccccccc, but the run that made the report tested mallory/repo@cccccccccccc: not posting.`,
    );
  });

  it('refuses when the pull request has no head repository (a deleted fork)', () => {
    expect(headRepositoryProblem(7, sha, undefined, 'mallory/repo')).toBe(
      `pull request #7's head repository is gone (a deleted fork?), so it cannot be checked against mallory/repo, the repository the run that made the report tested: not posting.`,
    );
  });

  it('refuses when the workflow_run payload does not say which repository the run tested', () => {
    expect(headRepositoryProblem(7, sha, 'alice/repo', undefined)).toBe(
      `the workflow_run payload has no head_repository, so pull request #7's head (alice/repo@cccccccccccc) cannot be checked against the repository the run tested: not posting.`,
    );
  });
});
