// Cuts a release of the repository in the current folder (docs/releasing.md):
//
//   npm run release -- <X.Y.Z | patch | minor | major> [--push] [--branch main] [--remote origin]
//
// Refuses (exit 2, one line, nothing changed) on a dirty tree, another branch, a bad or not newer
// version, an existing tag, an empty CHANGELOG "Unreleased" section, or a committed dist/ that a
// fresh build (`node scripts/build.mjs`, what `npm run bundle` runs) changes. Then: bumps package.json and package-lock.json, moves the
// Unreleased entries under the new version and today's date (UTC), rebuilds (dist/ embeds the
// version), commits "Release vX.Y.Z", tags vX.Y.Z (annotated) and moves the major tag vX to it
// when vX.Y.Z is the newest vX.*.* release (a fix released from a maintenance branch leaves vX).
// It prints the push command, or runs it with --push. A step that fails after the first change
// undoes every change it can and names what it could not (exit 1). Nothing is published to npm:
// users install from git.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

/** A refusal: the release cannot start; nothing was changed. */
export class ReleaseRefusal extends Error {}

/** A failure that left something changed (exit 1); its message says what. */
class ReleaseFailure extends Error {}

const USAGE = 'npm run release -- <X.Y.Z|patch|minor|major> [--push] [--branch NAME] [--remote NAME]';
const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** Parses the command line: the version (or bump) and the options. */
export function parseArguments(argv) {
  const options = { version: undefined, push: false, branch: 'main', remote: 'origin' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--push') options.push = true;
    else if (arg === '--branch' || arg === '--remote') {
      const value = argv[++i];
      if (!value || value.startsWith('-')) throw new ReleaseRefusal(`${arg} needs a name: ${USAGE}`);
      options[arg.slice(2)] = value;
    } else if (arg.startsWith('-')) throw new ReleaseRefusal(`unknown option ${arg}: ${USAGE}`);
    else if (options.version !== undefined)
      throw new ReleaseRefusal(`one version only, got ${options.version} and ${arg}: ${USAGE}`);
    else options.version = arg;
  }
  if (options.version === undefined) throw new ReleaseRefusal(`give the version: ${USAGE}`);
  return options;
}

/**
 * The version to release: `requested` as X.Y.Z (a leading v is allowed) or patch/minor/major of
 * `current`. Refuses anything else, and a version that is not newer than `current`.
 */
export function nextVersion(current, requested) {
  const now = VERSION.exec(current);
  if (!now) throw new ReleaseRefusal(`package.json's version ${JSON.stringify(current)} is not X.Y.Z`);
  const [major, minor, patch] = now.slice(1).map(Number);
  const bumps = {
    major: `${major + 1}.0.0`,
    minor: `${major}.${minor + 1}.0`,
    patch: `${major}.${minor}.${patch + 1}`,
  };
  if (requested in bumps) return bumps[requested];
  const version = requested.replace(/^v/, '');
  const wanted = VERSION.exec(version);
  if (!wanted) {
    throw new ReleaseRefusal(
      `${JSON.stringify(requested)} is not a version: give X.Y.Z (e.g. ${bumps.minor}) or patch, minor, major`,
    );
  }
  const newer = wanted
    .slice(1)
    .map(Number)
    .map((n, i) => n - [major, minor, patch][i])
    .find((d) => d !== 0);
  if (!(newer > 0)) throw new ReleaseRefusal(`${version} is not newer than package.json's ${current}`);
  return version;
}

/**
 * CHANGELOG.md with its "## [Unreleased]" entries moved under "## [version] - date" and an empty
 * Unreleased section left on top. Link references at the bottom in Keep a Changelog's style
 * (`[Unreleased]: <url>/compare/vA...HEAD`) are moved on too. Refuses when there is no Unreleased
 * section, when it holds no entry, or when the version already has a section.
 */
export function releaseChangelog(text, version, date) {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const start = lines.findIndex((line) => /^## \[Unreleased\]\s*$/i.test(line));
  if (start === -1) throw new ReleaseRefusal('CHANGELOG.md has no "## [Unreleased]" section');
  if (lines.some((line) => line.startsWith(`## [${version}]`))) {
    throw new ReleaseRefusal(`CHANGELOG.md already has a section for ${version}`);
  }
  let end = start + 1;
  while (end < lines.length && !/^## /.test(lines[end]) && !/^\[[^\]]+\]: /.test(lines[end])) end++;
  const entries = lines.slice(start + 1, end);
  while (entries.length > 0 && entries[0].trim() === '') entries.shift();
  while (entries.length > 0 && entries[entries.length - 1].trim() === '') entries.pop();
  if (!entries.some((line) => /^\s*[-*] \S/.test(line))) {
    throw new ReleaseRefusal(
      'CHANGELOG.md: the Unreleased section lists no change; say what this release changes first',
    );
  }
  const rest = lines.slice(end);
  const unreleasedLink = rest.findIndex((line) => /^\[Unreleased\]: /i.test(line));
  if (unreleasedLink !== -1) {
    const link = /^\[Unreleased\]: (.*)\/compare\/(\S+)\.\.\.HEAD\s*$/i.exec(rest[unreleasedLink]);
    if (!link) throw new ReleaseRefusal('CHANGELOG.md: the [Unreleased] link is not <url>/compare/<tag>...HEAD');
    rest.splice(
      unreleasedLink,
      1,
      `[Unreleased]: ${link[1]}/compare/v${version}...HEAD`,
      `[${version}]: ${link[1]}/compare/${link[2]}...v${version}`,
    );
  }
  const released = [...lines.slice(0, start + 1), '', `## [${version}] - ${date}`, '', ...entries, ''];
  return { text: [...released, ...rest].join('\n'), entries: entries.join('\n') };
}

/**
 * package.json or package-lock.json text with its version set: only the `"version"` fields of
 * the package itself change (the lock's top level and packages[""]); the file's layout is kept.
 */
export function bumpVersionText(text, file, from, to) {
  const before = JSON.parse(text);
  const isLock = file.endsWith('package-lock.json');
  const needle = `"version": ${JSON.stringify(from)}`;
  let next = text;
  for (let i = 0; i < (isLock ? 2 : 1); i++) next = next.replace(needle, `"version": ${JSON.stringify(to)}`);
  const after = JSON.parse(next);
  const expected = structuredClone(before);
  expected.version = to;
  if (isLock && expected.packages?.['']) expected.packages[''].version = to;
  if (!isDeepStrictEqual(after, expected)) {
    throw new ReleaseRefusal(`${file}: could not set its version from ${from} to ${to} without touching anything else`);
  }
  return next;
}

/** Runs git in `cwd`; returns trimmed stdout, throws with git's own message on failure. */
function git(cwd, ...args) {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    // git's own fatal:/error: line, not the advice it prints after it (index.lock's "remove the
    // file manually to continue").
    const lines = String(error.stderr ?? '')
      .trim()
      .split('\n');
    const said = lines.findLast((line) => /^(fatal|error): /.test(line)) ?? lines.pop();
    throw new Error(`git ${args.join(' ')} failed${said ? `: ${said}` : ''}`, { cause: error });
  }
}

/** `git status --porcelain` paths, untracked files included (ignored ones are not). */
function changedPaths(cwd) {
  const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all', '-z'], {
    cwd,
    encoding: 'utf8',
  });
  const entries = status.split('\0').filter(Boolean);
  const paths = [];
  for (let i = 0; i < entries.length; i++) {
    paths.push({ code: entries[i].slice(0, 2), path: entries[i].slice(3) });
    if (/^[RC]/.test(entries[i])) i++; // a rename's source follows it
  }
  return paths;
}

/**
 * The build the release runs, relative to the repository's root. Run by path with this node, not
 * through an npm script: package.json has no `build` script on purpose (npm would run a prepare
 * step, installing every devDependency, for a git-URL install of a package that has one), and
 * the script's name is then nothing the release depends on.
 */
export const BUILD_SCRIPT = 'scripts/build.mjs';

/** How messages name the build. */
const BUILD = `node ${BUILD_SCRIPT}`;

/** Runs the build in `cwd`, its output on stderr; throws when it fails. */
function runBuild(cwd) {
  if (!existsSync(join(cwd, BUILD_SCRIPT))) throw new Error(`${BUILD} failed: there is no ${BUILD_SCRIPT}`);
  const result = spawnSync(process.execPath, [BUILD_SCRIPT], {
    cwd,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (result.status !== 0) throw new Error(`${BUILD} failed (exit ${result.status ?? result.signal})`);
}

/**
 * Puts the work tree back as it was at `head` (which had no changes): commits, index, files. Each
 * step is tried on its own and a failure (git locked by a left-over .git/index.lock) is kept, not
 * thrown, so that it never hides the error that made the release stop. Returns what is still not
 * as it was, with the failures and the command that finishes it; empty when all is back.
 */
function restoreTree(cwd, head) {
  const failures = [];
  const attempt = (step) => {
    try {
      step();
    } catch (error) {
      failures.push(error.message);
    }
  };
  attempt(() => git(cwd, 'reset', '--quiet', '--hard', head));
  const untracked = changedPaths(cwd).filter((p) => p.code === '??');
  if (untracked.length > 0) attempt(() => git(cwd, 'clean', '--quiet', '-f', '--', ...untracked.map((p) => p.path)));
  const headNow = git(cwd, 'rev-parse', 'HEAD');
  const changed = changedPaths(cwd);
  if (headNow === head && changed.length === 0) return [];
  const short = head.slice(0, 7);
  const state = [
    headNow !== head ? `HEAD is ${headNow.slice(0, 7)}, not ${short}` : '',
    changed.length > 0 ? `${listPaths(changed)} still changed` : '',
  ].filter(Boolean);
  return [`${state.join(', ')} (${failures.join('; ')}): finish with git reset --hard ${short} && git clean -f`];
}

/** `message` plus what `restoreTree` could not put back, if anything. */
function withLeftovers(message, left) {
  return left.length === 0 ? message : `${message}; not undone: ${left.join('; ')}`;
}

/** Summarises changed paths for a message: the first three, and how many more. */
function listPaths(paths) {
  const names = paths.map((p) => p.path);
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/**
 * Cuts the release in `cwd` as the file header says. `log` receives progress lines. Returns
 * { version, tag, majorTag, majorMoved, commit, pushCommand, pushed }.
 */
export function release(cwd, options, log = (line) => console.log(line), today = new Date()) {
  const checked = checkRelease(cwd, options, log, today);
  return cutRelease(cwd, options, log, checked);
}

/** Everything that can refuse the release, before anything changes; git failures here refuse too. */
function checkRelease(cwd, options, log, today) {
  try {
    return checkReleaseOrThrow(cwd, options, log, today);
  } catch (error) {
    if (error instanceof ReleaseRefusal || error instanceof ReleaseFailure) throw error;
    throw new ReleaseRefusal(error.message, { cause: error });
  }
}

function checkReleaseOrThrow(cwd, options, log, today) {
  if (!existsSync(join(cwd, 'package.json')))
    throw new ReleaseRefusal(`${cwd} has no package.json: run it at the repository's root`);
  if (git(cwd, 'rev-parse', '--show-prefix') !== '') {
    throw new ReleaseRefusal(`run it at the repository's root (${git(cwd, 'rev-parse', '--show-toplevel')})`);
  }
  const branch = spawnSync('git', ['symbolic-ref', '--quiet', '--short', 'HEAD'], {
    cwd,
    encoding: 'utf8',
  }).stdout.trim();
  if (branch !== options.branch) {
    throw new ReleaseRefusal(
      `releases are cut from ${options.branch}, and this is ${branch ? `branch ${branch}` : 'a detached HEAD'} (another branch: --branch ${branch || 'NAME'})`,
    );
  }
  const dirty = changedPaths(cwd);
  if (dirty.length > 0)
    throw new ReleaseRefusal(`the work tree has changes (${listPaths(dirty)}): commit or stash them first`);

  const packageText = readFileSync(join(cwd, 'package.json'), 'utf8');
  const current = JSON.parse(packageText).version;
  const version = nextVersion(String(current), options.version);
  const tag = `v${version}`;
  const majorTag = `v${version.split('.')[0]}`;
  const lockFile = join(cwd, 'package-lock.json');
  const lockText = existsSync(lockFile) ? readFileSync(lockFile, 'utf8') : undefined;
  if (lockText !== undefined && JSON.parse(lockText).version !== current) {
    throw new ReleaseRefusal(
      `package-lock.json says version ${JSON.parse(lockText).version}, package.json ${current}: run npm install --package-lock-only and commit it`,
    );
  }
  if (spawnSync('git', ['rev-parse', '--quiet', '--verify', `refs/tags/${tag}`], { cwd }).status === 0) {
    throw new ReleaseRefusal(`tag ${tag} already exists (${git(cwd, 'rev-parse', '--short', `${tag}^{commit}`)})`);
  }
  if (!existsSync(join(cwd, 'CHANGELOG.md'))) throw new ReleaseRefusal('there is no CHANGELOG.md');
  const date = today.toISOString().slice(0, 10);
  const changelog = releaseChangelog(readFileSync(join(cwd, 'CHANGELOG.md'), 'utf8'), version, date);
  const packageNext = bumpVersionText(packageText, 'package.json', current, version);
  const lockNext =
    lockText === undefined ? undefined : bumpVersionText(lockText, 'package-lock.json', current, version);
  if (options.push) {
    log(`release: checking ${options.remote}`);
    if (git(cwd, 'ls-remote', '--tags', options.remote, `refs/tags/${tag}`) !== '') {
      throw new ReleaseRefusal(`tag ${tag} already exists on ${options.remote}`);
    }
    git(cwd, 'fetch', '--quiet', options.remote, `refs/heads/${options.branch}`);
    const remoteHead = git(cwd, 'rev-parse', 'FETCH_HEAD');
    if (spawnSync('git', ['merge-base', '--is-ancestor', remoteHead, 'HEAD'], { cwd }).status !== 0) {
      throw new ReleaseRefusal(
        `${options.branch} lacks commits of ${options.remote}/${options.branch} (behind or diverged): pull first`,
      );
    }
  }

  // dist/ (and everything else the build writes) must already be what the sources build: the
  // release commit is then the version bump and what it changes, nothing unreviewed.
  const head = git(cwd, 'rev-parse', 'HEAD');
  log(`release: ${BUILD}, to check that the committed build is fresh`);
  try {
    runBuild(cwd);
  } catch (error) {
    const left = restoreTree(cwd, head);
    const message = `${error.message} on the committed sources; fix the build first`;
    if (left.length > 0) throw new ReleaseFailure(withLeftovers(message, left), { cause: error });
    throw new ReleaseRefusal(message, { cause: error });
  }
  const stale = changedPaths(cwd);
  if (stale.length > 0) {
    const left = restoreTree(cwd, head);
    const message = `the committed build is stale: ${BUILD} changes ${listPaths(stale)}; commit a fresh build to ${options.branch} first`;
    if (left.length > 0) throw new ReleaseFailure(withLeftovers(message, left));
    throw new ReleaseRefusal(message);
  }
  return { current, version, tag, majorTag, date, changelog, packageNext, lockFile, lockNext, head };
}

/** Compares two X.Y.Z versions: negative when `a` is older, 0 when equal, positive when newer. */
export function compareVersions(a, b) {
  const [x, y] = [a, b].map((v) => VERSION.exec(v).slice(1).map(Number));
  return x.map((n, i) => n - y[i]).find((d) => d !== 0) ?? 0;
}

/**
 * The newest of `tags` (tag names) that is a release of `version`'s major version newer than
 * `version`, or undefined when `version` is the newest. Only vX.Y.Z tags count: a pre-release tag
 * (v1.2.0-rc.1) never holds the major tag, so it never keeps it back either.
 */
export function newerReleaseTag(tags, version) {
  const major = version.split('.')[0];
  const newer = tags
    .filter((name) => name.startsWith('v') && VERSION.test(name.slice(1)) && name.slice(1).split('.')[0] === major)
    .filter((name) => compareVersions(name.slice(1), version) > 0)
    .sort((a, b) => compareVersions(b.slice(1), a.slice(1)));
  return newer[0];
}

/**
 * The push that publishes a release: the branch and the tag in one atomic push (both land or
 * neither), then the major tag forced, if it moved. Full ref names, so that a branch called `v1`
 * cannot be pushed in place of the tag.
 */
export function pushCommandLine(remote, branch, tag, majorTag) {
  const atomic = `git push --atomic ${remote} refs/heads/${branch} refs/tags/${tag}`;
  return majorTag ? `${atomic} && git push -f ${remote} refs/tags/${majorTag}` : atomic;
}

/** The object a ref names, or '' when it does not exist. */
function refValue(cwd, ref) {
  return spawnSync('git', ['rev-parse', '--quiet', '--verify', ref], { cwd, encoding: 'utf8' }).stdout.trim();
}

/**
 * Undoes a failed release back to `head` and the tags as they were. Each step is tried on its
 * own, tags first (they need no index), so one that fails (a .git/index.lock left by another
 * git) neither hides the release's own error nor skips the others. Returns what could not be
 * undone, one phrase each, with the command that finishes it (restoreTree says how for the tree).
 */
function undoRelease(cwd, { head, tag, majorTag, majorBefore }) {
  const left = [];
  const attempt = (what, step) => {
    try {
      step();
    } catch (error) {
      left.push(`${what}: ${error.message}`);
    }
  };
  if (refValue(cwd, `refs/tags/${tag}`)) {
    attempt(`tag ${tag} is left (git tag -d ${tag})`, () => git(cwd, 'tag', '-d', tag));
  }
  const majorNow = refValue(cwd, `refs/tags/${majorTag}`);
  if (majorNow !== majorBefore) {
    if (majorBefore) {
      attempt(
        `${majorTag} is not back at ${majorBefore.slice(0, 7)} (git update-ref refs/tags/${majorTag} ${majorBefore})`,
        () => git(cwd, 'update-ref', `refs/tags/${majorTag}`, majorBefore),
      );
    } else attempt(`tag ${majorTag} is left (git tag -d ${majorTag})`, () => git(cwd, 'tag', '-d', majorTag));
  }
  left.push(...restoreTree(cwd, head));
  return left;
}

/**
 * Makes the release commit and tags, moving the major tag only to the newest release of its
 * major version; undoes what it can if a step fails.
 */
function cutRelease(cwd, options, log, checked) {
  const { current, version, tag, majorTag, date, changelog, packageNext, lockFile, lockNext, head } = checked;

  const majorBefore = refValue(cwd, `refs/tags/${majorTag}`);
  // What the major tag meant before, for the log: the release tag on the commit it pointed at.
  const majorWas = majorBefore
    ? git(cwd, 'tag', '--points-at', `${majorTag}^{commit}`, '--list', 'v*.*.*').split('\n')[0] || majorTag
    : '';
  // vX names the newest vX.*.* release: a 1.0.2 fix cut from a maintenance branch after 1.1.0
  // must not move v1 back to code without 1.1.0's changes.
  const newer = newerReleaseTag(git(cwd, 'tag', '--list', `${majorTag}.*.*`).split('\n'), version);
  try {
    log(`release: ${current} -> ${version}: package.json, package-lock.json, CHANGELOG.md (${date}), ${BUILD}`);
    writeFileSync(join(cwd, 'package.json'), packageNext);
    if (lockNext !== undefined) writeFileSync(lockFile, lockNext);
    writeFileSync(join(cwd, 'CHANGELOG.md'), changelog.text);
    runBuild(cwd);
    git(cwd, 'add', '--all');
    git(cwd, 'commit', '--quiet', '-m', `Release ${tag}`);
    git(cwd, 'tag', '-a', tag, '-m', `mlops ${tag}\n\n${changelog.entries}`);
    if (newer === undefined) {
      git(
        cwd,
        'tag',
        '-f',
        '-a',
        majorTag,
        '-m',
        `${majorTag}: the latest ${majorTag}.x.y release, now ${tag}`,
        `${tag}^{commit}`,
      );
    }
  } catch (error) {
    const left = undoRelease(cwd, { head, tag, majorTag, majorBefore });
    const outcome =
      left.length === 0
        ? 'the release was undone, nothing changed'
        : `the release was undone but for: ${left.join('; ')}`;
    throw new Error(`${error.message}; ${outcome}`, { cause: error });
  }
  const commit = git(cwd, 'rev-parse', 'HEAD');
  const pushCommand = pushCommandLine(options.remote, options.branch, tag, newer === undefined ? majorTag : undefined);
  log(`release: committed "Release ${tag}" (${commit.slice(0, 7)}), tagged ${tag}`);
  if (newer === undefined) {
    log(`release: ${majorTag} now points at ${tag}${majorWas ? ` (it pointed at ${majorWas})` : ' (new tag)'}`);
  } else {
    log(
      `release: ${majorTag} ${majorBefore ? `stays at ${majorWas}` : 'is not created'}: ${newer} is newer than ${tag}, and ${majorTag} names the newest ${majorTag}.*.* release`,
    );
  }
  if (!options.push) {
    const remoteTag = remoteTagValue(cwd, options.remote, tag);
    if (remoteTag) {
      log(
        `release: warning: ${options.remote} already has a tag ${tag} (${remoteTag.slice(0, 7)}): the push below will be refused and change nothing there`,
      );
    }
    log('release: nothing is pushed yet; to publish it:');
    log(`  ${pushCommand}`);
    return { version, tag, majorTag, majorMoved: newer === undefined, commit, pushCommand, pushed: false };
  }
  try {
    git(cwd, 'push', '--quiet', '--atomic', options.remote, `refs/heads/${options.branch}`, `refs/tags/${tag}`);
    if (newer === undefined) git(cwd, 'push', '--quiet', '--force', options.remote, `refs/tags/${majorTag}`);
  } catch (error) {
    throw new Error(`${error.message}; the release is committed and tagged here, push it with: ${pushCommand}`, {
      cause: error,
    });
  }
  log(`release: pushed ${options.branch}, ${tag}${newer === undefined ? ` and ${majorTag}` : ''} to ${options.remote}`);
  return { version, tag, majorTag, majorMoved: newer === undefined, commit, pushCommand, pushed: true };
}

/**
 * The object `remote`'s tag `tag` names, or '' when it has none or cannot be reached in 15 s (a
 * warning only: without --push the release never needs the remote). Never prompts.
 */
function remoteTagValue(cwd, remote, tag) {
  const result = spawnSync('git', ['ls-remote', '--tags', remote, `refs/tags/${tag}`], {
    cwd,
    encoding: 'utf8',
    timeout: 15_000,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
  return result.status === 0 ? (result.stdout.trim().split(/\s/)[0] ?? '') : '';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    release(process.cwd(), parseArguments(process.argv.slice(2)));
  } catch (error) {
    console.error(`release: ${error.message}`);
    process.exit(error instanceof ReleaseRefusal ? 2 : 1);
  }
}
