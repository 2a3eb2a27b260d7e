/**
 * test/support/git.ts writes the test repositories' identity and remote into .git/config itself
 * (no git process per setting): git must read back exactly what `git config` would have written.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cloneRepo, createBareRemote, createRepo, editRegistryBranch, gitIn, makeTempDir } from '../support/git.js';

const temp = makeTempDir('mlops-git-helpers-');
afterAll(() => temp.cleanup());

describe('the git helpers of the tests', () => {
  it('give a repository, its clones and a hand edit the identity and remote git reads back', () => {
    // A folder name with a space, a quote and a backslash: the config value must be quoted right.
    const parent = join(temp.path, 'odd "name" \\ here');
    mkdirSync(parent);
    const remote = createBareRemote(parent);
    const work = createRepo(parent, 'work', remote, { 'a.txt': 'a\n' });
    expect(gitIn(work, 'config', 'user.name')).toBe('Test Committer');
    expect(gitIn(work, 'config', 'user.email')).toBe('committer@example.com');
    expect(gitIn(work, 'remote', 'get-url', 'origin')).toBe(remote);
    expect(gitIn(work, 'config', 'remote.origin.fetch')).toBe('+refs/heads/*:refs/remotes/origin/*');
    expect(gitIn(remote, 'rev-parse', 'main')).toBe(gitIn(work, 'rev-parse', 'HEAD'));
    // The tracking ref a `git remote add` + push leaves.
    expect(gitIn(work, 'rev-parse', 'origin/main')).toBe(gitIn(work, 'rev-parse', 'HEAD'));

    gitIn(work, 'switch', '--quiet', '-c', 'mlops-registry');
    gitIn(work, 'push', '--quiet', 'origin', 'mlops-registry');
    const clone = cloneRepo(remote, parent, 'clone', 'mlops-registry');
    expect(gitIn(clone, 'config', 'user.name')).toBe('Test Committer');
    expect(gitIn(clone, 'config', 'user.email')).toBe('committer@example.com');
    expect(gitIn(clone, 'branch', '--show-current')).toBe('mlops-registry');
    expect(gitIn(cloneRepo(remote, parent, 'default'), 'branch', '--show-current')).toBe('main');

    editRegistryBranch(remote, parent, 'editor', (dir) => {
      expect(gitIn(dir, 'branch', '--show-current')).toBe('mlops-registry');
      gitIn(dir, 'rm', '--quiet', 'a.txt');
    });
    expect(gitIn(remote, 'log', '-1', '--format=%s %cn', 'mlops-registry')).toBe('hand edit Test Committer');
    expect(gitIn(remote, 'ls-tree', '--name-only', 'mlops-registry')).toBe('');
  });
});
