#!/usr/bin/env node
// What installing the CLI costs a user: the size of `npm pack`'s tarball (packed, unpacked, file
// count) and the time of `npm install` from that tarball and from a git URL, each into a fresh
// folder with an empty npm cache and npm offline, so the time is npm's own work on mlops alone.
// Compared in the same run with the alternative a user would otherwise install: the same code
// unbundled, i.e. the runtime packages the bundles are made of (found by esbuild from the sources,
// at the versions package.json asks for) installed from the registry with an empty cache. That
// part needs the registry; without it the line says so and the rest is still measured.
//
//   node bench/install.mjs [--runs N] [--dist DIR] [--no-registry]
//
// The package is a copy of this repository with dist/ (or --dist DIR) committed to a temp git
// repository, the git URL's target. Median of N runs (default 3); the registry install runs once.
// Prints figures; exits 0 whatever they are (2 for a bad flag or no bundles).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { distOption, runsOption } from './lib/options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const runs = runsOption(3);
const source = distOption(root);
const useRegistry = !process.argv.includes('--no-registry');

const scratch = mkdtempSync(join(tmpdir(), 'mlops-install-bench-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

const gitEnv = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
};

/**
 * The environment without npm_* variables (an `npm run` sets some) nor NODE_PATH and NODE_OPTIONS
 * (a folder or preload of the caller's could satisfy a lookup), with a cache of its own.
 */
function npmEnv(cache, offline) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^npm_/i.test(name) && name !== 'NODE_PATH' && name !== 'NODE_OPTIONS',
    ),
  );
  return {
    ...env,
    ...gitEnv,
    npm_config_cache: cache,
    npm_config_update_notifier: 'false',
    ...(offline ? { npm_config_offline: 'true', npm_config_registry: 'http://127.0.0.1:9/' } : {}),
  };
}

function git(cwd, ...args) {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...gitEnv }, encoding: 'utf8' });
}

/**
 * Runs npm; returns its wall time and the CPU time of npm and its children (git) in ms, which
 * says more than the wall time on a busy machine, and npm's stdout. Throws with npm's output when it fails.
 */
function npm(args, cwd, env) {
  const out = join(scratch, 'npm.out');
  const started = process.hrtime.bigint();
  // bash's `times` prints the CPU time of the shell, then of its children: npm and what it ran.
  const script = 'npm "$@" >"$OUT" 2>"$OUT.err"; status=$?; times; exit $status';
  const result = spawnSync('bash', ['-c', script, 'bash', ...args], {
    cwd,
    env: { ...env, OUT: out },
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const stdout = readFileSync(out, 'utf8');
  if (result.status !== 0)
    throw new Error(`npm ${args.join(' ')} failed:\n${stdout}${readFileSync(`${out}.err`, 'utf8')}`);
  const children = result.stdout.trim().split('\n').pop().split(/\s+/);
  const cpuMs = children.reduce((sum, value) => {
    const [, minutes, secs] = /^(\d+)m([\d.]+)s$/.exec(value);
    return sum + (Number(minutes) * 60 + Number(secs)) * 1000;
  }, 0);
  return { ms, cpuMs, stdout };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function folderSize(dir) {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = folderSize(path);
      bytes += inner.bytes;
      files += inner.files;
    } else if (entry.isFile()) {
      bytes += statSync(path).size;
      files += 1;
    }
  }
  return { bytes, files };
}

/** Packages installed under node_modules, nested ones included (.bin and dotfiles are not packages). */
function packageCount(nodeModules) {
  if (!existsSync(nodeModules)) return 0;
  const packages = readdirSync(nodeModules)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) =>
      name.startsWith('@') ? readdirSync(join(nodeModules, name)).map((inner) => join(name, inner)) : [name],
    );
  return packages.reduce((count, name) => count + 1 + packageCount(join(nodeModules, name, 'node_modules')), 0);
}

const kB = (bytes) => `${(bytes / 1024).toFixed(0)} kB`;
const MB = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

// The package: the repository's files as a user's clone has them, with the bundles as dist/.
const stage = join(scratch, 'mlops');
const files = git(root, 'ls-files', '--cached', '--others', '--exclude-standard', '-z')
  .split('\0')
  .filter((file) => file && !/^(dist|node_modules|src\/generated)(\/|$)/.test(file))
  .filter((file) => existsSync(join(root, file)));
for (const file of files) cpSync(join(root, file), join(stage, file));
cpSync(source, join(stage, 'dist'), { recursive: true });
git(scratch, 'init', '--quiet', '-b', 'main', stage);
git(stage, 'add', '-A');
git(stage, 'commit', '--quiet', '-m', 'bench');

let cacheCount = 0;
const freshCache = () => join(scratch, `cache-${cacheCount++}`);

const packs = join(scratch, 'packs');
mkdirSync(packs);
const packTimes = [];
const packCpu = [];
let packed;
for (let run = 0; run < runs; run++) {
  rmSync(packs, { recursive: true, force: true });
  mkdirSync(packs);
  const result = npm(['pack', '--json', '--pack-destination', packs], stage, npmEnv(freshCache(), true));
  packTimes.push(result.ms);
  packCpu.push(result.cpuMs);
  [packed] = JSON.parse(result.stdout);
}
const tarball = join(packs, packed.filename);

/** Median time of `npm install <spec>` into a fresh folder with an empty cache, offline. */
function timeInstall(label, spec) {
  const times = [];
  const cpu = [];
  let installed;
  for (let run = 0; run < runs; run++) {
    const prefix = join(scratch, `${label}-${run}`);
    mkdirSync(prefix);
    const args = ['install', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, spec];
    const { ms, cpuMs } = npm(args, scratch, npmEnv(freshCache(), true));
    times.push(ms);
    cpu.push(cpuMs);
    installed = join(prefix, 'node_modules');
  }
  return { ms: median(times), cpuMs: median(cpu), packages: packageCount(installed), size: folderSize(installed) };
}

const fromTarball = timeInstall('tarball', tarball);
const fromGit = timeInstall('git', `git+file://${stage}`);

/** The runtime packages the bundles are made of: devDependencies esbuild reads from node_modules. */
async function bundledPackages() {
  execFileSync(process.execPath, [join(root, 'scripts', 'gen-validators.mjs')], { stdio: 'ignore' });
  const entryPoints = readdirSync(join(root, 'src', 'actions'))
    .map((name) => join(root, 'src', 'actions', name, 'index.ts'))
    .filter((entry) => existsSync(entry))
    .concat(join(root, 'src', 'cli', 'index.ts'));
  const result = await build({
    absWorkingDir: root,
    entryPoints,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    outdir: join(scratch, 'metafile'),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const declared = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies;
  const used = new Set();
  for (const input of Object.keys(result.metafile.inputs)) {
    // The first node_modules/ in the path names the package the sources import (node_modules
    // may be a symlink, which esbuild follows).
    const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match && declared[match[1]]) used.add(match[1]);
  }
  return [...used].sort().map((name) => `${name}@${declared[name]}`);
}

let alternative;
if (useRegistry) {
  const specs = await bundledPackages();
  const prefix = join(scratch, 'unbundled');
  mkdirSync(prefix);
  try {
    const args = ['install', '--no-audit', '--no-fund', '--prefix', prefix, ...specs];
    const { ms, cpuMs } = npm(args, scratch, npmEnv(freshCache(), false));
    const installed = join(prefix, 'node_modules');
    alternative = { ms, cpuMs, count: specs.length, packages: packageCount(installed), size: folderSize(installed) };
  } catch (error) {
    alternative = { error: String(error.message).split('\n').slice(0, 3).join(' ') };
  }
}

console.log(`npm ${spawnSync('npm', ['--version'], { encoding: 'utf8' }).stdout.trim()}, Node ${process.version},`);
console.log(`${cpus().length} cores, load average ${loadavg()[0].toFixed(1)}; median of ${runs} runs`);
console.log('');
console.log(
  `npm pack: ${packed.filename}, ${kB(packed.size)} packed, ${kB(packed.unpackedSize)} unpacked, ${packed.entryCount} files, ${seconds(median(packTimes))} (CPU ${seconds(median(packCpu))})`,
);
console.log('');
console.log('| install (empty npm cache, fresh folder) | wall | CPU (npm, git) | packages | node_modules |');
console.log('|---|---|---|---|---|');
const row = (label, r) =>
  console.log(
    `| ${label} | ${seconds(r.ms)} | ${seconds(r.cpuMs)} | ${r.packages} | ${MB(r.size.bytes)}, ${r.size.files} files |`,
  );
row('`npm install <tarball>`, offline', fromTarball);
row('`npm install git+file://<clone>`, offline', fromGit);
if (!alternative) console.log('| the same code unbundled, from the registry | skipped (--no-registry) | | | |');
else if (alternative.error)
  console.log(`| the same code unbundled, from the registry | failed: ${alternative.error} | | | |`);
else row(`the same code unbundled: its ${alternative.count} runtime packages from the registry`, alternative);
