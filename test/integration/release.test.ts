/**
 * scripts/release.mjs in a temp clone with a bare remote: a small project whose scripts/build.mjs
 * (run by `npm run bundle`, as in mlops' package.json) writes dist/ from its sources and its
 * version, as mlops' does. A release bumps, moves the
 * changelog, rebuilds, commits, tags vX.Y.Z and moves vX; every refusal is one line, exit 2, and
 * leaves the clone (commits, tags, files) exactly as it was.
 */
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cloneRepo, commitFiles, createBareRemote, createRepo, gitEnv, gitIn, makeTempDir } from '../support/git.js';
import { repoRoot } from '../support/runner.js';
import { nextVersion, parseArguments } from '../../scripts/release.mjs';

const RELEASE = join(repoRoot, 'scripts', 'release.mjs');

// Writes dist/index.js from src/greeting.txt and package.json's version, like mlops' build embeds
// its version; fails on purpose when the version is the one in break-build-at (a committed file),
// and also leaves a .git/index.lock behind, as a crashed git would, at the one in lock-index-at;
// at the one in lock-major-tag-at it succeeds but leaves refs/tags/v0 locked.
const BUILD = `import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const at = (file) => existsSync(file) && readFileSync(file, 'utf8').trim() === version;
if (at('lock-index-at')) writeFileSync('.git/index.lock', '');
if (at('lock-major-tag-at')) {
  mkdirSync('.git/refs/tags', { recursive: true });
  writeFileSync('.git/refs/tags/v0.lock', '');
}
if (at('break-build-at') || at('lock-index-at')) {
  console.error('build broken for ' + version);
  process.exit(1);
}
const greeting = readFileSync('src/greeting.txt', 'utf8').trim();
mkdirSync('dist', { recursive: true });
writeFileSync('dist/index.js', 'export const version = ' + JSON.stringify(version) + ';\\nexport const greeting = ' + JSON.stringify(greeting) + ';\\n');
`;

function built(version: string, greeting: string): string {
  return `export const version = ${JSON.stringify(version)};\nexport const greeting = ${JSON.stringify(greeting)};\n`;
}

const CHANGELOG = `# Changelog

All notable changes are documented here ([Keep a Changelog](https://keepachangelog.com/en/1.1.0/)).

## [Unreleased]

### Added

- The greeting.

### Fixed

- A typo in the greeting.

## [0.1.0] - 2026-01-05

### Added

- The first build.

[Unreleased]: https://github.com/OWNER/demo/compare/v0.1.0...HEAD
[0.1.0]: https://github.com/OWNER/demo/releases/tag/v0.1.0
`;

function projectFiles(overrides: Record<string, string> = {}): Record<string, string> {
  const pkg = { name: 'demo', version: '0.1.0', private: true, scripts: { bundle: 'node scripts/build.mjs' } };
  const lock = {
    name: 'demo',
    version: '0.1.0',
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: 'demo', version: '0.1.0' }, 'node_modules/dep': { version: '0.1.0' } },
  };
  return {
    'package.json': JSON.stringify(pkg, null, 2) + '\n',
    'package-lock.json': JSON.stringify(lock, null, 2) + '\n',
    'scripts/build.mjs': BUILD,
    'src/greeting.txt': 'hello\n',
    'dist/index.js': built('0.1.0', 'hello'),
    'CHANGELOG.md': CHANGELOG,
    ...overrides,
  };
}

const temps: { cleanup: () => void }[] = [];
afterAll(() => temps.forEach((t) => t.cleanup()));

/** The pristine projects, one per set of overrides, made once and copied for each test. */
const pristine = new Map<string, string>();

/** Makes a project released once as v0.1.0 in `parent`: remote.git (tags v0.1.0 and v0) and clone/. */
function makeProject(parent: string, overrides: Record<string, string>): void {
  const remote = createBareRemote(parent);
  const seed = createRepo(parent, 'seed', remote, projectFiles(overrides));
  gitIn(seed, 'tag', '-a', 'v0.1.0', '-m', 'mlops v0.1.0');
  gitIn(seed, 'tag', '-a', 'v0', '-m', 'v0');
  gitIn(seed, 'push', '--quiet', 'origin', 'v0.1.0', 'v0');
  cloneRepo(remote, parent, 'clone');
}

/**
 * A project released once as v0.1.0 (tags v0.1.0 and v0 on the remote), and a fresh clone of it:
 * a copy of a pristine one (git's ten-odd processes of setting one up run once per set of
 * overrides, not once per test), its clone's origin pointed at the copied remote.
 */
function project(overrides: Record<string, string> = {}): { clone: string; remote: string } {
  const key = JSON.stringify(overrides);
  let source = pristine.get(key);
  if (!source) {
    const made = makeTempDir('mlops-release-pristine-');
    temps.push(made);
    makeProject(made.path, overrides);
    pristine.set(key, (source = made.path));
  }
  const dir = makeTempDir('mlops-release-');
  temps.push(dir);
  cpSync(source, dir.path, { recursive: true });
  const config = join(dir.path, 'clone', '.git', 'config');
  const text = readFileSync(config, 'utf8');
  const url = `\turl = ${join(source, 'remote.git')}\n`;
  expect(text).toContain(url);
  writeFileSync(config, text.replace(url, `\turl = ${join(dir.path, 'remote.git')}\n`));
  return { clone: join(dir.path, 'clone'), remote: join(dir.path, 'remote.git') };
}

function release(cwd: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RELEASE, ...args], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? cwd,
        npm_config_update_notifier: 'false',
        ...gitEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Everything a release could change: commits, tags (with their objects), files, status. */
function snapshot(repo: string) {
  return {
    head: gitIn(repo, 'rev-parse', 'HEAD'),
    branch: gitIn(repo, 'rev-parse', '--abbrev-ref', 'HEAD'),
    tags: gitIn(repo, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/tags'),
    status: gitIn(repo, 'status', '--porcelain', '--untracked-files=all'),
    files: Object.fromEntries(
      ['package.json', 'package-lock.json', 'CHANGELOG.md', 'dist/index.js'].map((f) => [
        f,
        readFileSync(join(repo, f), 'utf8'),
      ]),
    ),
  };
}

/** A refusal: exit 2, one line on stderr naming the problem, and nothing changed. */
async function expectRefusal(repo: string, args: string[], message: string | RegExp): Promise<void> {
  const before = snapshot(repo);
  const result = await release(repo, ...args);
  expect(result.code, result.stdout + result.stderr).toBe(2);
  const errorLines = result.stderr.split('\n').filter((line) => line.startsWith('release: '));
  expect(errorLines).toHaveLength(1);
  expect(errorLines[0]).toMatch(typeof message === 'string' ? `release: ${message}` : message);
  expect(snapshot(repo)).toEqual(before);
}

/** Runs a shell line (a printed push command) in `cwd`; resolves to its exit status. */
function sh(cwd: string, line: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', line], { cwd, env: { ...process.env, ...gitEnv }, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', resolve);
  });
}

const today = () => new Date().toISOString().slice(0, 10);

describe('npm run release', { timeout: 120_000 }, () => {
  it('bumps, moves the changelog, rebuilds, commits, tags vX.Y.Z, moves vX, and prints the push', async () => {
    const { clone, remote } = project();
    const remoteBefore = gitIn(remote, 'for-each-ref', '--format=%(refname) %(objectname)');
    const day = today();
    const result = await release(clone, 'minor');
    expect(result.code, result.stdout + result.stderr).toBe(0);

    expect(JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8')).version).toBe('0.2.0');
    const lock = JSON.parse(readFileSync(join(clone, 'package-lock.json'), 'utf8'));
    expect([lock.version, lock.packages[''].version, lock.packages['node_modules/dep'].version]).toEqual([
      '0.2.0',
      '0.2.0',
      '0.1.0',
    ]);
    expect(readFileSync(join(clone, 'dist/index.js'), 'utf8')).toBe(built('0.2.0', 'hello'));
    const changelog = readFileSync(join(clone, 'CHANGELOG.md'), 'utf8');
    // Today in UTC, as the release saw it (the run may cross midnight).
    const date = /## \[0\.2\.0\] - (\d{4}-\d{2}-\d{2})\n/.exec(changelog)?.[1];
    expect([day, today()]).toContain(date);
    expect(changelog).toContain(
      `## [Unreleased]\n\n## [0.2.0] - ${date}\n\n### Added\n\n- The greeting.\n\n### Fixed\n\n- A typo in the greeting.\n\n## [0.1.0] - 2026-01-05\n`,
    );
    expect(changelog).toContain(
      '[Unreleased]: https://github.com/OWNER/demo/compare/v0.2.0...HEAD\n' +
        '[0.2.0]: https://github.com/OWNER/demo/compare/v0.1.0...v0.2.0\n' +
        '[0.1.0]: https://github.com/OWNER/demo/releases/tag/v0.1.0\n',
    );

    const head = gitIn(clone, 'rev-parse', 'HEAD');
    expect(gitIn(clone, 'log', '-1', '--format=%s')).toBe('Release v0.2.0');
    expect(gitIn(clone, 'show', '--name-only', '--format=', 'HEAD').split('\n').sort()).toEqual([
      'CHANGELOG.md',
      'dist/index.js',
      'package-lock.json',
      'package.json',
    ]);
    expect(gitIn(clone, 'cat-file', '-t', 'v0.2.0')).toBe('tag');
    expect(gitIn(clone, 'rev-parse', 'v0.2.0^{commit}')).toBe(head);
    expect(gitIn(clone, 'tag', '-l', '--format=%(contents)', 'v0.2.0')).toContain('- The greeting.');
    expect(gitIn(clone, 'rev-parse', 'v0^{commit}')).toBe(head);
    expect(gitIn(clone, 'rev-parse', 'v0.1.0^{commit}')).toBe(gitIn(clone, 'rev-parse', 'HEAD~1'));
    expect(gitIn(clone, 'status', '--porcelain')).toBe('');

    // Nothing was pushed; the printed line does it.
    expect(gitIn(remote, 'for-each-ref', '--format=%(refname) %(objectname)')).toBe(remoteBefore);
    const pushLine = result.stdout.split('\n').find((line) => line.trim().startsWith('git push'));
    expect(pushLine?.trim()).toBe(
      'git push --atomic origin refs/heads/main refs/tags/v0.2.0 && git push -f origin refs/tags/v0',
    );
    // A branch named like the major tag: the full ref names still push the tag.
    gitIn(clone, 'branch', 'v0', 'HEAD~1');
    expect(await sh(clone, pushLine!)).toBe(0);
    expect(gitIn(remote, 'for-each-ref', '--format=%(refname)', 'refs/heads')).toBe('refs/heads/main');
    expect(gitIn(remote, 'rev-parse', 'main', 'v0.2.0^{commit}', 'v0^{commit}').split('\n')).toEqual([
      head,
      head,
      head,
    ]);
  });

  it('--push publishes main, the tag and the moved major tag; the next release moves vX again', async () => {
    const { clone, remote } = project();
    expect((await release(clone, '0.2.0', '--push')).code).toBe(0);
    const first = gitIn(clone, 'rev-parse', 'HEAD');
    expect(gitIn(remote, 'rev-parse', 'main', 'v0^{commit}').split('\n')).toEqual([first, first]);

    commitFiles(clone, {
      'CHANGELOG.md': readFileSync(join(clone, 'CHANGELOG.md'), 'utf8').replace(
        '## [Unreleased]\n',
        '## [Unreleased]\n\n- One more fix.\n',
      ),
    });
    const result = await release(clone, 'patch', '--push');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('v0 now points at v0.2.1 (it pointed at v0.2.0)');
    const second = gitIn(clone, 'rev-parse', 'HEAD');
    expect(gitIn(remote, 'rev-parse', 'main', 'v0.2.1^{commit}', 'v0^{commit}', 'v0.2.0^{commit}').split('\n')).toEqual(
      [second, second, second, first],
    );
  });

  describe('refuses, changing nothing', () => {
    it('a bad version, or one not newer than package.json', async () => {
      const { clone } = project();
      await expectRefusal(clone, ['1.2'], '"1.2" is not a version: give X.Y.Z (e.g. 0.2.0) or patch, minor, major');
      await expectRefusal(clone, ['0.0.9'], "0.0.9 is not newer than package.json's 0.1.0");
      // The same checks, without a process each: they run before anything is read from git.
      expect(() => parseArguments([])).toThrow('give the version: npm run release -- <X.Y.Z|patch|minor|major>');
      expect(() => parseArguments(['0.2.0', '--force'])).toThrow('unknown option --force');
      expect(() => parseArguments(['0.2.0', '0.3.0'])).toThrow('one version only, got 0.2.0 and 0.3.0');
      expect(() => nextVersion('0.1.0', 'next')).toThrow('"next" is not a version');
      expect(() => nextVersion('0.1.0', '0.1.0')).toThrow("0.1.0 is not newer than package.json's 0.1.0");
      expect(() => nextVersion('1.4.2', '01.5.0')).toThrow('"01.5.0" is not a version');
      expect(['patch', 'minor', 'major', 'v1.10.0'].map((v) => nextVersion('1.4.2', v))).toEqual([
        '1.4.3',
        '1.5.0',
        '2.0.0',
        '1.10.0',
      ]);
    });

    it('a dirty work tree, untracked files included', async () => {
      const { clone } = project();
      writeFileSync(join(clone, 'notes.txt'), 'draft\n');
      await expectRefusal(clone, ['minor'], 'the work tree has changes (notes.txt): commit or stash them first');
      rmSync(join(clone, 'notes.txt'));
      writeFileSync(join(clone, 'src/greeting.txt'), 'hi\n');
      await expectRefusal(clone, ['minor'], 'the work tree has changes (src/greeting.txt): commit or stash them first');
    });

    it('a branch other than main, and an option without its value', async () => {
      const { clone } = project();
      gitIn(clone, 'checkout', '--quiet', '-b', 'feature');
      await expectRefusal(
        clone,
        ['minor'],
        'releases are cut from main, and this is branch feature (another branch: --branch feature)',
      );
      await expectRefusal(clone, ['minor', '--branch', 'feature', '--remote'], '--remote needs a name');
    });

    it('a tag that exists, here or (with --push) on the remote', async () => {
      const { clone, remote } = project();
      gitIn(clone, 'tag', 'v0.2.0');
      await expectRefusal(clone, ['0.2.0'], /^release: tag v0\.2\.0 already exists \([0-9a-f]{7,}\)$/);
      gitIn(clone, 'tag', '-d', 'v0.2.0');
      gitIn(remote, 'tag', 'v0.3.0', 'main');
      await expectRefusal(clone, ['0.3.0', '--push'], 'tag v0.3.0 already exists on origin');
    });

    it('with --push, a main behind the remote', async () => {
      const { clone, remote } = project();
      const other = cloneRepo(remote, dirname(clone), 'other');
      commitFiles(other, { 'src/greeting.txt': 'hey\n', 'dist/index.js': built('0.1.0', 'hey') }, 'someone else');
      gitIn(other, 'push', '--quiet', 'origin', 'main');
      await expectRefusal(
        clone,
        ['minor', '--push'],
        'main lacks commits of origin/main (behind or diverged): pull first',
      );
    });

    it('a committed dist/ that a fresh build changes: the build is undone too', async () => {
      const { clone } = project();
      commitFiles(clone, { 'src/greeting.txt': 'bonjour\n' }, 'change the greeting, forget the build');
      await expectRefusal(
        clone,
        ['minor'],
        'the committed build is stale: node scripts/build.mjs changes dist/index.js; commit a fresh build to main first',
      );
    });

    it('an Unreleased section that lists nothing', async () => {
      const { clone } = project({
        'CHANGELOG.md': CHANGELOG.replace(
          /## \[Unreleased\][\s\S]*?(?=## \[0\.1\.0\])/,
          '## [Unreleased]\n\n### Added\n\n',
        ),
      });
      await expectRefusal(
        clone,
        ['minor'],
        'CHANGELOG.md: the Unreleased section lists no change; say what this release changes first',
      );
    });
  });

  it('undoes everything when a step fails after the first change (the rebuild at the new version)', async () => {
    const { clone } = project({ 'break-build-at': '0.2.0\n' });
    const before = snapshot(clone);
    const result = await release(clone, 'minor');
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').filter((line) => line.startsWith('release: '))).toEqual([
      'release: node scripts/build.mjs failed (exit 1); the release was undone, nothing changed',
    ]);
    expect(snapshot(clone)).toEqual(before);
  });
  it('leaves vX on a newer release: a fix cut from a maintenance branch does not move it back', async () => {
    const { clone } = project();
    // main moves on and is released as 0.2.0, v0 with it.
    commitFiles(clone, { 'src/greeting.txt': 'hey\n', 'dist/index.js': built('0.1.0', 'hey') }, 'a feature');
    gitIn(clone, 'tag', '-a', 'v0.2.0', '-m', 'mlops v0.2.0');
    gitIn(clone, 'tag', '-f', '-a', 'v0', '-m', 'v0');
    const v0 = gitIn(clone, 'rev-parse', 'refs/tags/v0');
    gitIn(clone, 'checkout', '--quiet', '-b', 'maint-0.1', 'v0.1.0');

    const result = await release(clone, '0.1.1', '--branch', 'maint-0.1');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(gitIn(clone, 'rev-parse', 'v0.1.1^{commit}')).toBe(gitIn(clone, 'rev-parse', 'HEAD'));
    expect(gitIn(clone, 'rev-parse', 'refs/tags/v0')).toBe(v0);
    expect(result.stdout).toContain(
      'release: v0 stays at v0.2.0: v0.2.0 is newer than v0.1.1, and v0 names the newest v0.*.* release',
    );
    const pushLine = result.stdout.split('\n').find((line) => line.trim().startsWith('git push'));
    expect(pushLine?.trim()).toBe('git push --atomic origin refs/heads/maint-0.1 refs/tags/v0.1.1');
  });

  it('warns when the remote already has the tag; the printed push then changes nothing there', async () => {
    const { clone, remote } = project();
    gitIn(remote, 'tag', 'v0.2.0', 'main');
    const theirs = gitIn(remote, 'rev-parse', 'v0.2.0');
    const remoteBefore = gitIn(remote, 'for-each-ref', '--format=%(refname) %(objectname)');
    const result = await release(clone, '0.2.0');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `release: warning: origin already has a tag v0.2.0 (${theirs.slice(0, 7)}): the push below will be refused and change nothing there`,
    );
    const pushLine = result.stdout.split('\n').find((line) => line.trim().startsWith('git push'));
    expect(await sh(clone, pushLine!)).not.toBe(0);
    // Atomic: main did not land without its tag, and v0 was not pushed.
    expect(gitIn(remote, 'for-each-ref', '--format=%(refname) %(objectname)')).toBe(remoteBefore);
  });

  it('a failure with git locked (.git/index.lock): names the failure and exactly what is left undone', async () => {
    const { clone } = project({ 'lock-index-at': '0.2.0\n' });
    const before = snapshot(clone);
    const result = await release(clone, 'minor');
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const errorLines = result.stderr.split('\n').filter((line) => line.startsWith('release: '));
    expect(errorLines).toHaveLength(1);
    const short = before.head.slice(0, 7);
    expect(errorLines[0]).toMatch(
      new RegExp(
        `^release: node scripts/build\\.mjs failed \\(exit 1\\); the release was undone but for: ` +
          `CHANGELOG\\.md, package-lock\\.json, package\\.json still changed ` +
          `\\(git reset --quiet --hard ${before.head} failed: fatal: Unable to create '[^']*index\\.lock': File exists\\.\\): ` +
          `finish with git reset --hard ${short} && git clean -f$`,
      ),
    );
    // Commits and tags are as they were; the files are what the message lists.
    expect([
      gitIn(clone, 'rev-parse', 'HEAD'),
      gitIn(clone, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/tags'),
    ]).toEqual([before.head, before.tags]);
    // The command the message gives finishes the undo once the lock is gone.
    rmSync(join(clone, '.git', 'index.lock'));
    expect(await sh(clone, `git reset --hard ${short} && git clean -f`)).toBe(0);
    expect(snapshot(clone)).toEqual(before);
  });

  it('a failing build of the committed sources with git locked: still the refusal, as nothing changed', async () => {
    const { clone } = project({ 'lock-index-at': '0.1.0\n' });
    // The lock a crashed git would leave is not the release's to remove; only the error counts.
    await expectRefusal(
      clone,
      ['minor'],
      'node scripts/build.mjs failed (exit 1) on the committed sources; fix the build first',
    );
  });

  it('a failure moving the major tag (its ref locked): the new tag is removed and the error is the one that happened', async () => {
    const { clone } = project({ 'lock-major-tag-at': '0.2.0\n' });
    const before = snapshot(clone);
    const result = await release(clone, 'minor');
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const errorLines = result.stderr.split('\n').filter((line) => line.startsWith('release: '));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(
      /^release: git tag -f -a v0 .* failed: fatal: .*refs\/tags\/v0.*; the release was undone, nothing changed$/,
    );
    expect(snapshot(clone)).toEqual(before);
  });
});
