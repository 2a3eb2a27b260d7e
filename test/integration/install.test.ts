/**
 * Installing the CLI as a user does: from a packed tarball and from a git URL, with npm offline,
 * an empty npm cache and a registry address that refuses connections, so an install that needs
 * anything beyond the package itself fails here. The package is a copy of this repository with
 * the bundles under test as its dist/, committed to a temp git repository (the git URL's target).
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitEnv, gitIn, makeTempDir } from '../support/git.js';
import { distDir, repoRoot } from '../support/runner.js';

const INSTALL_TIMEOUT_MS = 120_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (never throws on a non-zero exit: the caller checks `code`). */
function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env, encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS - 10_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number')
          reject(new Error(`${command} ${args.join(' ')}: ${error.message}`));
        else resolvePromise({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

/**
 * The environment npm runs in: the caller's without any npm_* variable (an `npm test` run sets
 * some), a cache and user config of its own, offline, and a registry on a port nothing listens
 * on, so that a fetch fails at once and loudly rather than quietly succeeding.
 */
function npmEnvironment(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(name) && !/^GITHUB_|^RUNNER_|^INPUT_/.test(name)) env[name] = value;
  }
  const userconfig = join(home, 'npmrc');
  writeFileSync(userconfig, '');
  return {
    ...env,
    ...gitEnv,
    HOME: home,
    npm_config_cache: join(home, 'npm-cache'),
    npm_config_userconfig: userconfig,
    npm_config_offline: 'true',
    npm_config_registry: 'http://127.0.0.1:9/',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}

/** The files a user's checkout of this repository has, read from git: tracked and untracked, not ignored. */
function repositoryFiles(): string[] {
  return gitIn(repoRoot, 'ls-files', '--cached', '--others', '--exclude-standard', '-z')
    .split('\0')
    .filter((file) => file && !/^(dist|node_modules|src\/generated)(\/|$)/.test(file))
    .filter((file) => existsSync(join(repoRoot, file)));
}

/** Every file under `dir`, relative to it, with `/` separators. */
function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name), base) : [relative(base, join(dir, entry.name))],
  );
}

const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  bundleDependencies?: unknown;
  bundledDependencies?: unknown;
  scripts?: Record<string, string>;
};

describe('the package a user installs', () => {
  it('declares no dependency that npm would fetch: everything the bundles need is inside dist/', () => {
    expect({
      dependencies: packageJson.dependencies ?? {},
      optionalDependencies: packageJson.optionalDependencies ?? {},
      peerDependencies: packageJson.peerDependencies ?? {},
    }).toEqual({ dependencies: {}, optionalDependencies: {}, peerDependencies: {} });
    expect(packageJson.bundleDependencies ?? packageJson.bundledDependencies).toBeUndefined();
  });

  it('has no script that makes npm install the devDependencies of a git URL install', () => {
    // pacote (npm's fetcher) runs `npm install` in the clone of a git dependency, devDependencies
    // included, when any of these scripts exists: a git install would then download the whole
    // toolchain. dist/ is committed, so a git install needs no preparation.
    const preparing = ['build', 'prepare', 'prepack', 'preinstall', 'install', 'postinstall'];
    expect(Object.keys(packageJson.scripts ?? {}).filter((name) => preparing.includes(name))).toEqual([]);
  });

  it('bundles load nothing from node_modules but two optional probes that catch their own failure', () => {
    // Any specifier that require(), require.resolve(), import() or an import statement names,
    // including require() functions made with createRequire (fdir's __require).
    const specifier =
      /(?:require(?:\.resolve)?|import)\s*\(\s*["'`]([^"'`\s]+)["'`]\s*\)|(?:\bfrom|\bimport)\s*["']([^"'\s]+)["']/g;
    const packageName = /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*(?:\/[\w.~/-]*)?$/;
    const found = new Map<string, string>();
    for (const file of listFiles(distDir()).filter((f) => f.endsWith('.js'))) {
      for (const match of readFileSync(join(distDir(), file), 'utf8').matchAll(specifier)) {
        const name = (match[1] ?? match[2])!;
        if (name.startsWith('.') || name.startsWith('node:') || !packageName.test(name)) continue;
        if (builtinModules.includes(name) || builtinModules.includes(name.split('/')[0]!)) continue;
        found.set(name, file);
      }
    }
    // supports-color: debug asks for it inside try/catch, for terminal colours it can do without.
    // picomatch: fdir probes for it inside try/catch for its glob() builder, which tinyglobby
    // does not use (tinyglobby's own picomatch is bundled).
    expect([...found.keys()].sort()).toEqual(['picomatch', 'supports-color']);
  });
});

describe('installing the CLI offline with an empty npm cache', { timeout: INSTALL_TIMEOUT_MS }, () => {
  const temp = makeTempDir('mlops-install-');
  const home = join(temp.path, 'home');
  const stage = join(temp.path, 'mlops');
  const workspace = join(temp.path, 'workspace');
  let env: NodeJS.ProcessEnv;
  let tarball: string;
  let packedFiles: string[];

  beforeAll(async () => {
    mkdirSync(home);
    env = npmEnvironment(home);
    for (const file of repositoryFiles()) cpSync(join(repoRoot, file), join(stage, file));
    cpSync(distDir(), join(stage, 'dist'), { recursive: true });
    gitIn(temp.path, 'init', '--quiet', '-b', 'main', stage);
    gitIn(stage, 'add', '-A');
    gitIn(stage, 'commit', '--quiet', '-m', 'the repository with the bundles under test');
    cpSync(join(repoRoot, 'examples', 'penguins'), join(workspace, 'penguins'), { recursive: true });

    const packs = join(temp.path, 'packs');
    mkdirSync(packs);
    const pack = await run('npm', ['pack', '--json', '--pack-destination', packs], { cwd: stage, env });
    expect(pack.code, pack.stderr).toBe(0);
    const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = join(packs, packed!.filename);
    packedFiles = packed!.files.map((f) => f.path).sort();
  }, INSTALL_TIMEOUT_MS);

  afterAll(() => temp.cleanup());

  it('packs the bundles, the actions, the schemas and README; no sources, tests or benchmarks', () => {
    const actionNames = readdirSync(join(stage, 'actions'));
    const expected = [
      'package.json',
      'README.md',
      ...['LICENSE', 'CHANGELOG.md'].filter((file) => existsSync(join(stage, file))),
      ...listFiles(join(stage, 'dist')).map((file) => `dist/${file}`),
      ...actionNames.flatMap((name) =>
        listFiles(join(stage, 'actions', name)).map((file) => `actions/${name}/${file}`),
      ),
      // The root-level short-form actions (`uses: OWNER/mlops/<name>@v1`), where the build made them.
      ...actionNames.filter((name) => existsSync(join(stage, name, 'action.yml'))).map((name) => `${name}/action.yml`),
      ...listFiles(join(stage, 'schemas'))
        .filter((file) => file.endsWith('.schema.json'))
        .map((file) => `schemas/${file}`),
    ].sort();
    expect(packedFiles).toEqual(expected);
  });

  /**
   * Nothing but mlops was installed in `nodeModules` (no dependency came along), and the command
   * npm linked, `mlops` (default: node_modules/.bin/mlops), runs: --version and one real check.
   */
  async function expectInstalledCliWorks(
    prefix: string,
    nodeModules = join(prefix, 'node_modules'),
    mlops = join(nodeModules, '.bin', 'mlops'),
  ): Promise<void> {
    expect(readdirSync(nodeModules).filter((name) => !name.startsWith('.'))).toEqual(['mlops']);
    const version = await run(mlops, ['--version'], { cwd: workspace, env });
    expect(version, version.stderr).toMatchObject({ code: 0, stdout: `${packageJson.version}\n` });
    const validate = await run(
      mlops,
      ['validate-data', '--data', 'penguins/data/penguins.csv', '--suite', 'penguins/expectations.yml'],
      { cwd: workspace, env },
    );
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
    expect(validate.stdout).toMatch(/^PASSED {2}validate-data: all \d+ expectations passed \(344 rows\)/m);
    const report = JSON.parse(readFileSync(join(workspace, 'mlops-reports', 'validate-data.json'), 'utf8')) as {
      success: boolean;
    };
    expect(report.success).toBe(true);
    rmSync(join(workspace, 'mlops-reports'), { recursive: true });
  }

  it('installs from the packed tarball into a project, pulling nothing else, and the installed mlops runs', async () => {
    // A project of the user's (a git work tree) that installs mlops into its own node_modules.
    const project = join(temp.path, 'project');
    gitIn(temp.path, 'init', '--quiet', '-b', 'main', project);
    const install = await run(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', '--prefix', project, tarball],
      {
        cwd: temp.path,
        env,
      },
    );
    expect(install.code, install.stdout + install.stderr).toBe(0);
    await expectInstalledCliWorks(project);

    // A suite profiled inside the project points editors at the schema npm installed with mlops.
    cpSync(join(workspace, 'penguins', 'data', 'penguins.csv'), join(project, 'data', 'penguins.csv'));
    const mlops = join(project, 'node_modules', '.bin', 'mlops');
    const profile = await run(mlops, ['profile', '--data', 'data/penguins.csv', '--suite-out', 'suites/penguins.yml'], {
      cwd: project,
      env,
    });
    expect(profile.code, profile.stderr).toBe(0);
    const firstLine = readFileSync(join(project, 'suites', 'penguins.yml'), 'utf8').split('\n')[0];
    expect(firstLine).toBe(
      '# yaml-language-server: $schema=../node_modules/mlops/schemas/expectation-suite.schema.json',
    );
    expect(
      readFileSync(join(project, 'node_modules', 'mlops', 'schemas', 'expectation-suite.schema.json'), 'utf8'),
    ).toBe(readFileSync(join(repoRoot, 'schemas', 'expectation-suite.schema.json'), 'utf8'));
  });

  it('installs from a git URL of a clone, pulling nothing else, and the installed mlops runs', async () => {
    const prefix = join(temp.path, 'from-git');
    const install = await run(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, `git+file://${stage}`],
      { cwd: temp.path, env },
    );
    expect(install.code, install.stdout + install.stderr).toBe(0);
    await expectInstalledCliWorks(prefix);
  });

  it('links a clone with npm link, fetching nothing and installing nothing into it, and the linked mlops runs', async () => {
    const clone = join(temp.path, 'clone');
    gitIn(temp.path, 'clone', '--quiet', stage, clone);
    // npm link's global folder: npm_config_prefix, as --prefix would name the package's own folder.
    const prefix = join(temp.path, 'global');
    const link = await run('npm', ['link', '--offline', '--no-audit', '--no-fund'], {
      cwd: clone,
      env: { ...env, npm_config_prefix: prefix },
    });
    expect(link.code, link.stdout + link.stderr).toBe(0);
    expect(existsSync(join(clone, 'node_modules'))).toBe(false);
    await expectInstalledCliWorks(prefix, join(prefix, 'lib', 'node_modules'), join(prefix, 'bin', 'mlops'));
  });
});
