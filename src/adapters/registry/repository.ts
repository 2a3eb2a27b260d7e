import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError, InputError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { isControlCharacter } from '../../core/registry/names.js';
import { git, type GitOptions, type GitResult } from '../git/exec.js';
import { processVariables } from '../environment.js';

/** Where the registry branch lives and how to reach it. */
export interface RegistryRepositoryOptions {
  /** Any directory inside the user's repository. */
  cwd: string;
  /** The registry branch (default mlops-registry). */
  branch: string;
  /** The remote that holds it (default origin). With no such remote, the registry is local. */
  remote: string;
  log: Logger;
  /**
   * A token for https remotes on the GitHub server, used only when git has no credentials of its
   * own for the remote (actions/checkout leaves an `http.<url>.extraheader`).
   */
  token?: string;
  /**
   * True when the user named the token for this command (`--github-token`): it is sent even when
   * the remote URL has userinfo or git has a credential helper for it. A token taken from the
   * shell (GITHUB_TOKEN, GH_TOKEN) or an action's default never overrides those.
   */
  tokenIsExplicit?: boolean;
  /** GITHUB_SERVER_URL: the token is sent to this host only. */
  serverUrl?: string;
  /** Committer identity for registry commits (default: github-actions[bot] in Actions, else git config). */
  identity?: { name: string; email: string };
  /** True under GitHub Actions: commits are made as github-actions[bot]. */
  inActions?: boolean;
  /** Hides a derived secret (the encoded header) in the log. */
  mask?: (secret: string) => void;
}

/** The outcome of publishing a new registry commit. */
export type PublishOutcome = { ok: true } | { ok: false; reason: string };

/** The push rejections that mean "someone else moved the branch first": fetch and try again. */
const CONFLICT =
  /fetch first|non-fast-forward|stale info|cannot lock ref|failed to lock|incorrect old value|reference already exists|is at [0-9a-f]+ but expected|already exists/i;

const GITHUB_ACTIONS_IDENTITY = {
  name: 'github-actions[bot]',
  email: '41898282+github-actions[bot]@users.noreply.github.com',
};

/**
 * The user's repository as the home of the registry branch. Reads and writes go through git
 * plumbing only: the working tree, the index and the checked-out branch are never touched, and
 * no second clone is made.
 */
export class RegistryRepository {
  private constructor(
    readonly options: RegistryRepositoryOptions,
    /** The repository root (`git rev-parse --show-toplevel`), or the git dir for a bare repository. */
    readonly root: string,
    readonly gitDir: string,
    /** True when the remote exists: writes are pushed; otherwise they stay in the local branch. */
    readonly remoteMode: boolean,
    private readonly shallow: boolean,
    private readonly credentialEnv: Record<string, string>,
    private readonly identityEnv: Record<string, string>,
  ) {}

  /** Locates the repository and decides between remote and local mode. */
  static async open(options: RegistryRepositoryOptions): Promise<RegistryRepository> {
    const { cwd, branch, remote, log } = options;
    checkBranchName(branch);
    // Every git process would fail on a bad count, with a message about something else.
    const configCount = existingConfigCount(processVariables().GIT_CONFIG_COUNT);
    // The quick checks above name the common mistakes; git knows every rule (".x" components, "@"...).
    if ((await git(['check-ref-format', `refs/heads/${branch}`], { cwd, allowFailure: true })).code !== 0) {
      throw new InputError(`registry-branch: ${JSON.stringify(branch)} is not a valid git branch name.`);
    }
    const probe = await git(['rev-parse', '--is-shallow-repository', '--absolute-git-dir', '--show-toplevel'], {
      cwd,
      allowFailure: true,
    });
    if (probe.code !== 0) {
      throw new EnvironmentError(
        `${cwd} is not inside a git repository; the registry lives on a branch of one (${probe.stderr.trim()}).`,
      );
    }
    const [shallow, gitDir, top] = probe.stdout.split('\n');
    const root = top && top !== '' ? top : gitDir!;
    const url = await git(['remote', 'get-url', remote], { cwd, allowFailure: true });
    const remoteMode = url.code === 0;
    if (!remoteMode) {
      if (remote !== 'origin') {
        throw new EnvironmentError(`The registry remote "${remote}" is not configured in ${root} (see git remote -v).`);
      }
      log.debug(`No remote "${remote}": the registry is the local branch ${branch}.`);
    }
    const remoteUrl = url.stdout.trim();
    const credentialEnv = remoteMode ? await credentialEnvironment(cwd, remoteUrl, options, configCount) : {};
    const identityEnv = await identityEnvironment(cwd, options);
    return new RegistryRepository(options, root, gitDir!, remoteMode, shallow === 'true', credentialEnv, identityEnv);
  }

  /** Who registry events name: the Actions actor, else the git identity's name. */
  actor(actionsActor?: string): string {
    return actionsActor ?? this.identityEnv.GIT_AUTHOR_NAME ?? 'mlops';
  }

  /** The commit checked out in the user's repository (lineage outside Actions), if any. */
  async headCommit(): Promise<string | undefined> {
    const head = await git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], {
      cwd: this.options.cwd,
      allowFailure: true,
    });
    return head.code === 0 ? head.stdout.trim() : undefined;
  }

  get branch(): string {
    return this.options.branch;
  }

  /** The ref that holds what this process last knew of the branch. */
  get trackingRef(): string {
    return this.remoteMode ? `refs/remotes/${this.options.remote}/${this.branch}` : `refs/heads/${this.branch}`;
  }

  /** `branch mlops-registry of origin`, for messages. */
  get label(): string {
    return this.remoteMode ? `branch ${this.branch} of ${this.options.remote}` : `local branch ${this.branch}`;
  }

  /** Runs git in the repository with the credentials and identity for the registry. */
  run(args: string[], options: Omit<GitOptions, 'cwd'> = {}): Promise<GitResult> {
    return git(args, {
      cwd: this.root,
      ...options,
      env: { ...this.credentialEnv, ...this.identityEnv, ...options.env },
    });
  }

  /**
   * Fetches the branch (remote mode) and returns its tip, or undefined when it does not exist
   * yet. In local mode this just reads the local branch.
   */
  async refresh(): Promise<string | undefined> {
    if (this.remoteMode) {
      const args = ['fetch', '--quiet', '--no-tags', '--no-recurse-submodules'];
      // A shallow checkout (actions/checkout's default) needs only the tip of the registry.
      if (this.shallow) args.push('--depth=1');
      args.push(this.options.remote, `+refs/heads/${this.branch}:${this.trackingRef}`);
      const result = await this.run(args, { allowFailure: true });
      if (result.code !== 0) {
        if (/couldn't find remote ref|no such ref|not our ref/i.test(result.stderr)) {
          // No registry on the remote yet; forget a stale tracking ref from a deleted branch.
          await this.run(['update-ref', '-d', this.trackingRef], { allowFailure: true });
          return undefined;
        }
        const auth = /could not read Username|Authentication failed|401|403|denied/i.test(result.stderr);
        throw new EnvironmentError(
          `Cannot fetch the registry branch ${this.branch} from ${this.options.remote}: ${oneLine(result.stderr) || `git exit ${result.code}`}` +
            (auth ? " (no usable credentials: keep actions/checkout's persist-credentials, or pass github-token)" : ''),
        );
      }
    }
    const tip = await this.run(['rev-parse', '--verify', '--quiet', `${this.trackingRef}^{commit}`], {
      allowFailure: true,
    });
    return tip.code === 0 ? tip.stdout.trim() : undefined;
  }

  /**
   * True when `commit` is `tip` or one of its ancestors: a write that git reported as failed may
   * still have reached the remote (a connection lost after the ref was updated). In a shallow
   * repository only the tip itself can be recognised.
   */
  async contains(tip: string, commit: string): Promise<boolean> {
    if (tip === commit) return true;
    const result = await this.run(['merge-base', '--is-ancestor', commit, tip], { allowFailure: true });
    return result.code === 0;
  }

  /**
   * Writes `files` (path -> text) on top of `parent` as a new commit, without touching the working
   * tree or the user's index: blobs with hash-object, a temporary index, write-tree, commit-tree.
   */
  async buildCommit(parent: string | undefined, files: Map<string, string | null>, message: string): Promise<string> {
    const scratch = await mkdtemp(join(tmpdir(), 'mlops-registry-'));
    try {
      const paths = [...files.keys()].filter((path) => files.get(path) !== null);
      const deleted = [...files.keys()].filter((path) => files.get(path) === null);
      const blobFiles = paths.map((_, i) => join(scratch, `blob-${i}`));
      await Promise.all(paths.map((path, i) => writeFile(blobFiles[i]!, files.get(path)!)));
      // --no-filters: the user's .gitattributes (eol, lfs) must not rewrite registry files.
      const hashed = paths.length
        ? await this.run(['hash-object', '-w', '--no-filters', '--stdin-paths'], { input: blobFiles.join('\n') + '\n' })
        : { stdout: '' };
      const blobs = hashed.stdout.trim().split('\n');
      const indexEnv = { GIT_INDEX_FILE: join(scratch, 'index') };
      if (parent) await this.run(['read-tree', parent], { env: indexEnv });
      // Mode 0 removes a path from the index (git update-index --index-info).
      const zero = '0'.repeat(blobs[0]?.length || 40);
      const entries =
        paths.map((path, i) => `100644 ${blobs[i]}\t${path}\n`).join('') +
        deleted.map((path) => `0 ${zero}\t${path}\n`).join('');
      await this.run(['update-index', '--add', '--index-info'], { env: indexEnv, input: entries });
      const tree = (await this.run(['write-tree'], { env: indexEnv })).stdout.trim();
      const commitArgs = ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-F', '-'];
      return (await this.run(commitArgs, { input: message })).stdout.trim();
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /**
   * Moves the branch from `parent` to `commit` if and only if it is still at `parent`: a push
   * with `--force-with-lease=<branch>:<parent>` (the remote compares the old value) or, locally,
   * `update-ref <new> <old>`.
   */
  async publish(commit: string, parent: string | undefined): Promise<PublishOutcome> {
    if (!this.remoteMode) {
      const head = await this.run(['symbolic-ref', '--quiet', 'HEAD'], { allowFailure: true });
      if (head.stdout.trim() === `refs/heads/${this.branch}`) {
        throw new EnvironmentError(
          `The registry branch ${this.branch} is checked out in ${this.root}; switch to another branch so that mlops can update it without touching your working tree.`,
        );
      }
      const result = await this.run(['update-ref', '-m', 'mlops registry', this.trackingRef, commit, parent ?? ''], {
        allowFailure: true,
      });
      if (result.code === 0) return { ok: true };
      if (CONFLICT.test(result.stderr)) return { ok: false, reason: oneLine(result.stderr) };
      throw new EnvironmentError(`Cannot update ${this.label}: ${oneLine(result.stderr) || `git exit ${result.code}`}`);
    }
    // The lease names the commit the write was built on: git's fast-forward rule alone would
    // accept this commit on a branch rewound to an ancestor of `parent` (an operator removing bad
    // events), resurrecting the removed commits. An empty lease: the branch must not exist yet.
    const lease = `--force-with-lease=refs/heads/${this.branch}:${parent ?? ''}`;
    const result = await this.run(
      [
        'push',
        '--porcelain',
        '--quiet',
        '--no-verify',
        lease,
        this.options.remote,
        `${commit}:refs/heads/${this.branch}`,
      ],
      { allowFailure: true },
    );
    const rejected = result.stdout.split('\n').find((line) => line.startsWith('!'));
    if (result.code === 0 && !rejected) {
      await this.run(['update-ref', this.trackingRef, commit]);
      return { ok: true };
    }
    const detail = oneLine(`${rejected ?? ''}\n${result.stderr}`);
    if (CONFLICT.test(detail)) return { ok: false, reason: detail };
    throw new EnvironmentError(
      `Cannot push the registry branch ${this.branch} to ${this.options.remote}: ${detail || `git exit ${result.code}`}` +
        (/denied|403|401|Authentication|could not read Username/i.test(detail)
          ? ' (the token needs contents: write permission; in a workflow add `permissions: contents: write`).'
          : ''),
    );
  }
}

/**
 * Git's diagnostics as one line for an error message: its lines joined with "; ", without the
 * `hint:` advice meant for people at a terminal.
 */
export function oneLine(stderr: string): string {
  return stderr
    .split(/\r?\n/)
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '' && !line.startsWith('hint:'))
    .join('; ');
}

/** The branch name must be a valid git branch (git check-ref-format rules, in short). */
function checkBranchName(branch: string): void {
  if (
    branch === '' ||
    branch.startsWith('-') ||
    branch.startsWith('/') ||
    branch.endsWith('/') ||
    branch.endsWith('.') ||
    branch.endsWith('.lock') ||
    branch.includes('..') ||
    branch.includes('@{') ||
    branch.includes('//') ||
    /[\s~^:?*[\\]/.test(branch) ||
    [...branch].some(isControlCharacter)
  ) {
    throw new InputError(`registry-branch: ${JSON.stringify(branch)} is not a valid git branch name.`);
  }
}

/**
 * Credentials for the remote. Git already uses what actions/checkout leaves in the local config
 * (`http.https://github.com/.extraheader`). Only when there is none and a token is given, the
 * token is passed as the same header, through GIT_CONFIG_* variables (never on a command line,
 * where `ps` would show it), and only to the GitHub server's host: the header is configured for
 * `http.<server origin>/`, so git sends it to no other URL the remote's config may name.
 * A token the user did not name for this command (tokenIsExplicit) also gives way to credentials
 * in the remote URL and to a credential helper for it: a read-only GH_TOKEN in the shell must not
 * replace the push-capable keychain or `gh auth git-credential` the user's git already uses.
 * The header is appended at `index`, after the GIT_CONFIG_* entries the environment already has.
 */
async function credentialEnvironment(
  cwd: string,
  remoteUrl: string,
  options: RegistryRepositoryOptions,
  index: number,
): Promise<Record<string, string>> {
  if (!options.token || !/^https?:\/\//i.test(remoteUrl)) return {};
  const server = new URL(options.serverUrl ?? 'https://github.com');
  let remote: URL;
  try {
    remote = new URL(remoteUrl);
  } catch {
    return {};
  }
  if (remote.host.toLowerCase() !== server.host.toLowerCase()) {
    options.log.debug(`Not sending the token to ${remote.host}: it is not ${server.host}.`);
    return {};
  }
  const existing = await git(['config', '--get-urlmatch', 'http.extraheader', remoteUrl], { cwd, allowFailure: true });
  if (existing.code === 0 && existing.stdout.trim() !== '') return {};
  if (!options.tokenIsExplicit) {
    if (remote.username !== '' || remote.password !== '') {
      options.log.debug('Not sending the shell token: the remote URL carries its own credentials.');
      return {};
    }
    const helper = await git(['config', '--get-urlmatch', 'credential.helper', remoteUrl], { cwd, allowFailure: true });
    if (helper.code === 0 && helper.stdout.trim() !== '') {
      options.log.debug('Not sending the shell token: git has a credential helper for the remote.');
      return {};
    }
  }
  const basic = Buffer.from(`x-access-token:${options.token}`, 'utf8').toString('base64');
  options.mask?.(basic);
  // Scoped to the server's origin: an unscoped http.extraheader would also go to a
  // remote.<name>.pushurl, a second url or a url.*.pushInsteadOf target on another host.
  // Appended after the entries the environment already gives git (a container's safe.directory).
  return {
    GIT_CONFIG_COUNT: String(index + 1),
    [`GIT_CONFIG_KEY_${index}`]: `http.${server.origin}/.extraheader`,
    [`GIT_CONFIG_VALUE_${index}`]: `AUTHORIZATION: basic ${basic}`,
  };
}

/** The number of GIT_CONFIG_KEY_n/VALUE_n pairs the environment already gives git (0 when unset). */
export function existingConfigCount(count: string | undefined): number {
  if (count === undefined || count === '') return 0;
  if (!/^\d+$/.test(count) || !Number.isSafeInteger(Number(count))) {
    throw new EnvironmentError(
      `GIT_CONFIG_COUNT is ${JSON.stringify(count)} in the environment: it must be a non-negative integer (git refuses any other value).`,
    );
  }
  return Number(count);
}

/** Author and committer of registry commits, so that runners with no git identity can commit. */
async function identityEnvironment(cwd: string, options: RegistryRepositoryOptions): Promise<Record<string, string>> {
  let identity = options.identity;
  if (!identity && options.inActions) identity = GITHUB_ACTIONS_IDENTITY;
  if (!identity) {
    const config = await git(['config', '--get-regexp', '^user\\.(name|email)$'], { cwd, allowFailure: true });
    // The last value wins, as with `git config --get` (local config after global).
    const value = (key: string) =>
      config.stdout
        .split('\n')
        .filter((line) => line.startsWith(`${key} `))
        .pop()
        ?.slice(key.length + 1)
        .trim();
    identity = { name: value('user.name') || 'mlops', email: value('user.email') || 'mlops@localhost' };
  }
  return {
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
  };
}
