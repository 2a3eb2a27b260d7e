/** Real git repositories in temp folders: a bare remote and clones of it, as a runner has. */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Environment that makes git deterministic and independent of the user's config. */
export const gitEnv: Record<string, string> = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Committer',
  GIT_COMMITTER_EMAIL: 'committer@example.com',
  GIT_TERMINAL_PROMPT: '0',
};

/** Runs git in `cwd` and returns its trimmed stdout. */
export function gitIn(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...gitEnv }, encoding: 'utf8' }).trim();
}

/** A fresh temp folder; remove it with `cleanup()`. */
export function makeTempDir(prefix = 'mlops-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A bare repository, as a remote: `git init --bare -b main`. */
export function createBareRemote(parent: string, name = 'remote.git'): string {
  const path = join(parent, name);
  gitIn(parent, 'init', '--bare', '--quiet', '-b', 'main', path);
  return path;
}

/** The committer identity every test repository has in its own config (product code's git calls read it). */
const IDENTITY = { name: 'Test Committer', email: 'committer@example.com' };

/** A git config value, quoted so that any path reads back as it was written. */
function configValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * A working repository with one commit on main, pushed to `remote` when given. The identity and
 * the remote are written into .git/config directly: the same lines `git config` and `git remote
 * add` write, without a git process each (a test file creates dozens of repositories).
 */
export function createRepo(
  parent: string,
  name = 'work',
  remote?: string,
  files: Record<string, string> = { 'README.md': '# test\n' },
): string {
  const path = join(parent, name);
  mkdirSync(path, { recursive: true });
  gitIn(path, 'init', '--quiet', '-b', 'main');
  let config = `[user]\n\tname = ${configValue(IDENTITY.name)}\n\temail = ${configValue(IDENTITY.email)}\n`;
  if (remote) {
    config += `[remote "origin"]\n\turl = ${configValue(remote)}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`;
  }
  appendFileSync(join(path, '.git', 'config'), config);
  writeFiles(path, files);
  gitIn(path, 'add', '-A');
  gitIn(path, 'commit', '--quiet', '-m', 'initial');
  if (remote) gitIn(path, 'push', '--quiet', 'origin', 'main');
  return path;
}

/** A clone of `remote` (on `branch`, else the remote's default) with a committer identity configured. */
export function cloneRepo(remote: string, parent: string, name: string, branch?: string): string {
  const path = join(parent, name);
  // `clone -c` writes the identity into the new repository's config: one process, not three.
  const identity = ['-c', `user.name=${IDENTITY.name}`, '-c', `user.email=${IDENTITY.email}`];
  gitIn(parent, 'clone', '--quiet', ...identity, ...(branch ? ['--branch', branch] : []), remote, path);
  return path;
}

/** Writes files (creating folders) relative to `root`. */
export function writeFiles(root: string, files: Record<string, string | Buffer>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content);
  }
}

/** Writes, stages and commits files; returns the new commit's sha. */
export function commitFiles(repo: string, files: Record<string, string | Buffer>, message = 'change'): string {
  writeFiles(repo, files);
  gitIn(repo, 'add', '-A');
  gitIn(repo, 'commit', '--quiet', '-m', message);
  return gitIn(repo, 'rev-parse', 'HEAD');
}

/**
 * Edits the registry branch by hand, as a person would: a fresh clone under `parent`, the edit,
 * one commit, a push. Tests use it to corrupt a registry the way a bad merge or a hand edit does.
 */
export function editRegistryBranch(remote: string, parent: string, name: string, edit: (dir: string) => void): void {
  const editor = cloneRepo(remote, parent, name, 'mlops-registry');
  edit(editor);
  gitIn(editor, 'add', '-A');
  gitIn(editor, 'commit', '--quiet', '-m', 'hand edit');
  gitIn(editor, 'push', '--quiet', 'origin', 'mlops-registry');
}
