/**
 * Installing the CLI as a user does: from a packed tarball and from a git URL, with npm offline,
 * an empty npm cache and a registry address that refuses connections, so an install that needs
 * anything beyond the package itself fails here. The tarball and `npm link` cases install a copy of
 * this repository with the bundles under test as its dist/; the git URL case installs a clone of
 * HEAD, i.e. the committed dist/ a git URL user gets, and fails when that differs from the bundles
 * under test (a stale committed build). Nothing of the caller's can satisfy a lookup: no
 * NODE_PATH or NODE_OPTIONS, and no node_modules in any folder above the temp folder.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
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
 * The environment npm runs in: `base` (the caller's) without any npm_* variable (an `npm test`
 * run sets some), without NODE_PATH and NODE_OPTIONS (a folder or a preloaded module of the
 * caller's would satisfy the bundles' require() lookups), with a cache and user config of its
 * own, offline, and a registry on a port nothing listens on, so that a fetch fails at once and
 * loudly rather than quietly succeeding.
 */
function npmEnvironment(home: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (/^npm_/i.test(name) || /^GITHUB_|^RUNNER_|^INPUT_/.test(name)) continue;
    if (name === 'NODE_PATH' || name === 'NODE_OPTIONS') continue;
    env[name] = value;
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

/**
 * Every `node_modules` folder in `path` or a folder above it. Node.js looks for a package a
 * bundle require()s at run time in each of them, so one there (TMPDIR inside a checkout, say)
 * would make a missing package look bundled.
 */
function nodeModulesAbove(path: string): string[] {
  const found: string[] = [];
  for (let dir = path; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) found.push(join(dir, 'node_modules'));
    if (dirname(dir) === dir) return found;
  }
}

/**
 * Computed require() calls that are safe: each forwards the literal specifiers of other calls,
 * which the scan reads where they are written. Matched as exact text and left out of the scan.
 */
const KNOWN_SAFE_COMPUTED_REQUIRES: ReadonlyArray<{ code: string; why: string }> = [
  {
    code: 'function require(id){return (require.r??=process.getBuiltinModule("node:module").createRequire(import.meta.url))(id)}',
    why: "scripts/build.mjs's banner: the require() of the CommonJS code inside an ES module bundle",
  },
  {
    code: 'if(typeof require<"u")return require.apply(this,arguments);',
    why: "esbuild's __require shim, which hands its caller's arguments to that require()",
  },
];

/** What a scan of bundle files found that a bundle could load from outside itself. */
interface BundleScan {
  /** Package names (not built into Node.js), each with a file that names it. */
  packages: Map<string, string>;
  /** `file: specifier` for each absolute path or file: URL a bundle would load. */
  absolute: string[];
  /** `file: code` for each require-like call whose specifier is not a literal. */
  computed: string[];
}

/**
 * Reads `files` (name to source) for every specifier that require(), require.resolve(), import()
 * or an import statement names, including require() functions made with createRequire (fdir's
 * `__require`, `require2`), and for every such call whose specifier is computed at run time.
 */
function scanBundles(files: Record<string, string>): BundleScan {
  const scan: BundleScan = { packages: new Map(), absolute: [], computed: [] };
  const packageName = /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*(?:\/[\w.~/-]*)?$/;
  const absolute = /^(?:\/|file:|[A-Za-z]:[\\/]|\\\\)/;
  for (const [file, original] of Object.entries(files)) {
    let text = original;
    for (const { code } of KNOWN_SAFE_COMPUTED_REQUIRES) text = text.split(code).join('');
    // Names bound to a createRequire() result: calls of them load modules as require() does.
    const callees = new Set(['require', '__require']);
    for (const match of text.matchAll(/([\w$]+)\s*=\s*(?:\w+\.)?createRequire\s*\(/g)) callees.add(match[1]!);
    const callee = `(?<![\\w$.])(?:${[...callees].map((name) => name.replace(/\$/g, '\\$')).join('|')})`;
    const literal = new RegExp(
      `(?:${callee}(?:\\.resolve)?|\\bimport)\\s*\\(\\s*(["'\`])((?:(?!\\1).)*)\\1\\s*\\)|(?:\\bfrom|\\bimport)\\s*(["'])([^"']*)\\3`,
      'g',
    );
    for (const match of text.matchAll(literal)) {
      const name = (match[2] ?? match[4])!;
      if (match[1] === '`' && name.includes('${')) scan.computed.push(`${file}: ${match[0]}`);
      else if (absolute.test(name)) scan.absolute.push(`${file}: ${name}`);
      else if (name.startsWith('.') || name.startsWith('node:') || !packageName.test(name)) continue;
      else if (builtinModules.includes(name) || builtinModules.includes(name.split('/')[0]!)) continue;
      else scan.packages.set(name, file);
    }
    // A call whose argument does not start with a quote, or require.apply/call: a computed specifier.
    const computed = new RegExp(
      `${callee}(?:\\.resolve)?\\s*\\(\\s*(?!["'\`])(?!\\))|${callee}\\.(?:apply|call)\\s*\\(|(?<![\\w$.])import\\s*\\(\\s*(?!["'\`])`,
      'g',
    );
    for (const match of text.matchAll(computed)) {
      scan.computed.push(`${file}: ${text.slice(match.index, match.index + 60)}`);
    }
  }
  return scan;
}

const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  bundleDependencies?: unknown;
  bundledDependencies?: unknown;
  scripts?: Record<string, string>;
  workspaces?: unknown;
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
    expect(packageJson.workspaces).toBeUndefined();
  });

  it('bundles load nothing from node_modules but two optional probes, no absolute path and no computed specifier', () => {
    const bundles = Object.fromEntries(
      listFiles(distDir())
        .filter((file) => file.endsWith('.js'))
        .map((file) => [file, readFileSync(join(distDir(), file), 'utf8')]),
    );
    const scan = scanBundles(bundles);
    // An absolute path names a file of the machine that built the bundle; a computed specifier
    // is one the scan cannot read, so it could name any package: neither may be in a bundle.
    expect(scan.absolute, 'absolute specifiers in the bundles').toEqual([]);
    expect(scan.computed, 'computed require()/import() specifiers not in KNOWN_SAFE_COMPUTED_REQUIRES').toEqual([]);
    // supports-color: debug asks for it inside try/catch, for terminal colours it can do without.
    // picomatch: fdir probes for it inside try/catch for its glob() builder, which tinyglobby
    // does not use (tinyglobby's own picomatch is bundled).
    expect([...scan.packages.keys()].sort()).toEqual(['picomatch', 'supports-color']);
    // Each known-safe computed require is still in the bundles: one that is gone is a stale entry.
    for (const { code } of KNOWN_SAFE_COMPUTED_REQUIRES)
      expect(
        Object.values(bundles).some((text) => text.includes(code)),
        code,
      ).toBe(true);
  });

  it('the scan reports absolute specifiers and computed specifiers, not only package names', () => {
    const scan = scanBundles({
      'a.js': 'var x=require("/home/builder/node_modules/yaml/index.js");import y from "file:///opt/z.js";',
      'b.js': 'var fs=__require("fs"),m=__require(name),t=require(`./locale/${lang}.js`);import(spec);',
      'c.js': 'var r2=createRequire(import.meta.url),p=r2("left-pad"),q=r2(id),s=require.apply(this,args);',
      'd.js': KNOWN_SAFE_COMPUTED_REQUIRES.map(({ code }) => code).join(';') + 'require("node:fs");require()',
    });
    expect(scan.absolute).toEqual(['a.js: /home/builder/node_modules/yaml/index.js', 'a.js: file:///opt/z.js']);
    expect(scan.computed.map((entry) => entry.split(':')[0])).toEqual(['b.js', 'b.js', 'b.js', 'c.js', 'c.js']);
    expect(scan.computed.join('\n')).toMatch(/__require\(name/);
    expect(scan.computed.join('\n')).toMatch(/\$\{lang\}/);
    expect(scan.computed.join('\n')).toMatch(/import\(spec/);
    expect(scan.computed.join('\n')).toMatch(/r2\(id/);
    expect(scan.computed.join('\n')).toMatch(/require\.apply\(this,args/);
    expect([...scan.packages.keys()]).toEqual(['left-pad']);
  });
});

describe('the isolation of the install tests', () => {
  it("npm and the installed CLI get neither the caller's NODE_PATH nor its NODE_OPTIONS", () => {
    const temp = makeTempDir('mlops-install-env-');
    try {
      const env = npmEnvironment(temp.path, {
        PATH: '/usr/bin',
        NODE_PATH: '/elsewhere/node_modules',
        NODE_OPTIONS: '--require /elsewhere/preload.js',
        npm_config_registry: 'https://registry.example/',
      });
      expect(env).not.toHaveProperty('NODE_PATH');
      expect(env).not.toHaveProperty('NODE_OPTIONS');
      expect(env).toMatchObject({ PATH: '/usr/bin', npm_config_registry: 'http://127.0.0.1:9/' });
    } finally {
      temp.cleanup();
    }
  });

  it('finds a node_modules in any folder above a path, which would satisfy a bundle lookup', () => {
    const temp = makeTempDir('mlops-install-above-');
    try {
      const deep = join(temp.path, 'checkout', 'tmp', 'mlops-install-x');
      mkdirSync(deep, { recursive: true });
      const outside = nodeModulesAbove(temp.path);
      expect(nodeModulesAbove(deep)).toEqual(outside);
      mkdirSync(join(temp.path, 'checkout', 'node_modules'));
      expect(nodeModulesAbove(deep)).toEqual([join(temp.path, 'checkout', 'node_modules'), ...outside]);
    } finally {
      temp.cleanup();
    }
  });
});

/** Which bundles this run tests, for test names: a fresh build of the sources, or MLOPS_DIST as given. */
const bundlesUnderTest = inject('mlopsDist').builtFromSources
  ? 'a fresh build of the sources'
  : `MLOPS_DIST (${inject('mlopsDist').dir})`;

describe('installing the CLI offline with an empty npm cache', { timeout: INSTALL_TIMEOUT_MS }, () => {
  const temp = makeTempDir('mlops-install-');
  const home = join(temp.path, 'home');
  const stage = join(temp.path, 'mlops');
  const workspace = join(temp.path, 'workspace');
  let env: NodeJS.ProcessEnv;
  let tarball: string;
  let packedFiles: string[];

  beforeAll(async () => {
    const above = nodeModulesAbove(temp.path);
    if (above.length > 0)
      throw new Error(
        `the install tests' temp folder ${temp.path} has ${above.join(' and ')} above it: Node.js would find ` +
          'packages there that the bundles require() at run time, so a missing one would go unnoticed; ' +
          'set TMPDIR to a folder with no node_modules above it',
      );
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

  it(`packs the bundles under test, ${bundlesUnderTest}, the actions, the schemas and README; no sources, tests or benchmarks`, () => {
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

  it(`installs from the packed tarball of ${bundlesUnderTest} into a project, pulling nothing else, and the installed mlops runs`, async () => {
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

  it('installs from a git URL of a clone of HEAD, the committed dist/, pulling nothing else, and the installed mlops runs', async () => {
    // A git URL user gets the dist/ committed at the commit they name, not the bundles under
    // test: the clone is of HEAD, so uncommitted changes (dist/ or sources) are not in it.
    const head = gitIn(repoRoot, 'rev-parse', 'HEAD').trim();
    const committed = join(temp.path, 'committed');
    // One commit deep: npm mirrors a file: URL's whole history (git clone --mirror), which for
    // this repository's history took 36 s of a busy machine's time; a user's URL names one commit.
    gitIn(temp.path, 'clone', '--quiet', '--no-checkout', '--depth', '1', `file://${repoRoot}`, committed);
    expect(gitIn(committed, 'rev-parse', 'HEAD').trim(), 'the one-commit clone is of HEAD').toBe(head);
    const prefix = join(temp.path, 'from-git');
    const install = await run(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, `git+file://${committed}#${head}`],
      { cwd: temp.path, env },
    );
    expect(install.code, install.stdout + install.stderr).toBe(0);
    await expectInstalledCliWorks(prefix);

    // The committed dist/ must be what the sources build: a stale one fails here, naming the files.
    const installedDist = join(prefix, 'node_modules', 'mlops', 'dist');
    const differing = [...new Set([...listFiles(installedDist), ...listFiles(distDir())])]
      .filter((file) => {
        const installed = join(installedDist, file);
        const built = join(distDir(), file);
        return !existsSync(installed) || !existsSync(built) || !readFileSync(installed).equals(readFileSync(built));
      })
      .sort();
    expect(
      differing,
      `the dist/ committed at HEAD ${head.slice(0, 12)} differs from the bundles under test, ${bundlesUnderTest}, ` +
        'in these files: a git URL user would install a stale build; run npm run bundle and commit dist/',
    ).toEqual([]);
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
