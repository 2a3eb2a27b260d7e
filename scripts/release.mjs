// Cuts a release of the repository in the current folder (docs/releasing.md):
//
//   npm run release -- <X.Y.Z | patch | minor | major> [--push] [--branch main] [--remote origin]
//
// Refuses (exit 2, one line, nothing changed) on a dirty tree, another branch, a bad or not newer
// version, an existing tag, an empty CHANGELOG "Unreleased" section, or a committed dist/ that a
// fresh `npm run build` changes. Then: bumps package.json and package-lock.json, moves the
// Unreleased entries under the new version and today's date (UTC), rebuilds (dist/ embeds the
// version), commits "Release vX.Y.Z", tags vX.Y.Z (annotated) and moves the major tag vX to it.
// It prints the push command, or runs it with --push. A step that fails after the first change
// undoes every change (exit 1). Nothing is published to npm: users install from git.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

/** A refusal: the release cannot start; nothing was changed. */
export class ReleaseRefusal extends Error {}

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
    const said = String(error.stderr ?? '')
      .trim()
      .split('\n')
      .pop();
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

/** Runs `npm run build` in `cwd`, its output on stderr; throws when it fails. */
function runBuild(cwd) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', 'build'], {
    cwd,
    stdio: ['ignore', process.stderr, process.stderr],
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status ?? result.signal})`);
}

/** Puts the work tree back as it was at `head` (which had no changes): files, index and commits. */
function restoreTree(cwd, head) {
  git(cwd, 'reset', '--quiet', '--hard', head);
  const untracked = changedPaths(cwd)
    .filter((p) => p.code === '??')
    .map((p) => p.path);
  if (untracked.length > 0) git(cwd, 'clean', '--quiet', '-f', '--', ...untracked);
}

/** Summarises changed paths for a message: the first three, and how many more. */
function listPaths(paths) {
  const names = paths.map((p) => p.path);
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/**
 * Cuts the release in `cwd` as the file header says. `log` receives progress lines. Returns
 * { version, tag, majorTag, commit, pushCommand, pushed }.
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
    throw error instanceof ReleaseRefusal ? error : new ReleaseRefusal(error.message, { cause: error });
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
  log('release: npm run build, to check that the committed build is fresh');
  try {
    runBuild(cwd);
  } catch (error) {
    restoreTree(cwd, head);
    throw new ReleaseRefusal(`${error.message} on the committed sources; fix the build first`, { cause: error });
  }
  const stale = changedPaths(cwd);
  if (stale.length > 0) {
    restoreTree(cwd, head);
    throw new ReleaseRefusal(
      `the committed build is stale: npm run build changes ${listPaths(stale)}; commit a fresh build to ${options.branch} first`,
    );
  }
  return { current, version, tag, majorTag, date, changelog, packageNext, lockFile, lockNext, head };
}

/** Makes the release commit and tags; undoes everything if a step fails. */
function cutRelease(cwd, options, log, checked) {
  const { current, version, tag, majorTag, date, changelog, packageNext, lockFile, lockNext, head } = checked;

  const majorBefore = spawnSync('git', ['rev-parse', '--quiet', '--verify', `refs/tags/${majorTag}`], {
    cwd,
    encoding: 'utf8',
  }).stdout.trim();
  // What the major tag meant before, for the log: the release tag on the commit it pointed at.
  const majorWas = majorBefore
    ? git(cwd, 'tag', '--points-at', `${majorTag}^{commit}`, '--list', 'v*.*.*').split('\n')[0] || majorTag
    : '';
  let tagged = false;
  try {
    log(`release: ${current} -> ${version}: package.json, package-lock.json, CHANGELOG.md (${date}), npm run build`);
    writeFileSync(join(cwd, 'package.json'), packageNext);
    if (lockNext !== undefined) writeFileSync(lockFile, lockNext);
    writeFileSync(join(cwd, 'CHANGELOG.md'), changelog.text);
    runBuild(cwd);
    git(cwd, 'add', '--all');
    git(cwd, 'commit', '--quiet', '-m', `Release ${tag}`);
    git(cwd, 'tag', '-a', tag, '-m', `mlops ${tag}\n\n${changelog.entries}`);
    tagged = true;
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
  } catch (error) {
    restoreTree(cwd, head);
    if (tagged) git(cwd, 'tag', '-d', tag);
    if (majorBefore) git(cwd, 'update-ref', `refs/tags/${majorTag}`, majorBefore);
    else spawnSync('git', ['tag', '-d', majorTag], { cwd });
    throw new Error(`${error.message}; the release was undone, nothing changed`, { cause: error });
  }
  const commit = git(cwd, 'rev-parse', 'HEAD');
  const pushCommand = `git push ${options.remote} ${options.branch} ${tag} && git push -f ${options.remote} ${majorTag}`;
  log(`release: committed "Release ${tag}" (${commit.slice(0, 7)}), tagged ${tag}`);
  log(`release: ${majorTag} now points at ${tag}${majorWas ? ` (it pointed at ${majorWas})` : ' (new tag)'}`);
  if (!options.push) {
    log('release: nothing is pushed yet; to publish it:');
    log(`  ${pushCommand}`);
    return { version, tag, majorTag, commit, pushCommand, pushed: false };
  }
  try {
    git(cwd, 'push', '--quiet', '--atomic', options.remote, `refs/heads/${options.branch}`, `refs/tags/${tag}`);
    git(cwd, 'push', '--quiet', '--force', options.remote, `refs/tags/${majorTag}`);
  } catch (error) {
    throw new Error(`${error.message}; the release is committed and tagged here, push it with: ${pushCommand}`, {
      cause: error,
    });
  }
  log(`release: pushed ${options.branch}, ${tag} and ${majorTag} to ${options.remote}`);
  return { version, tag, majorTag, commit, pushCommand, pushed: true };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    release(process.cwd(), parseArguments(process.argv.slice(2)));
  } catch (error) {
    console.error(`release: ${error.message}`);
    process.exit(error instanceof ReleaseRefusal ? 2 : 1);
  }
}
