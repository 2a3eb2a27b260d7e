#!/usr/bin/env node
// Registry latency against history length: how long registering a version and resolving an alias
// take when the model already has 0, 1,000 and 10,000 versions. The registry branch is pushed to a
// bare remote on disk, so every register pays a fetch, the reads, a commit and a push, exactly as
// in a workflow (minus the network). The target: resolve stays flat, register grows by at most
// 1.5x from 0 to 10,000 versions.
//
// In the same run it times what GTO does (it keeps the registry in git tags): resolving the
// latest version of a model by listing its `<model>@v<N>` tags and sorting them, and resolving a
// stage by listing `<model>#<stage>#<N>` tags, with 1,000 and 10,000 tags.
//
//   node bench/registry.mjs [--runs N] [--sizes 0,1000,10000]
//
// The registry code is bundled from src/ with esbuild into a temp folder first. History is seeded
// through the registry's own core and git adapter in bulk: 100 versions per commit. Prints a
// table; exits 0 whatever the figures are.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { option } from './lib/options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const runs = Number(option('runs', '9'));
const sizes = option('sizes', '0,1000,10000').split(',').map(Number);
if (!Number.isInteger(runs) || runs < 1 || sizes.some((n) => !Number.isInteger(n) || n < 0)) {
  console.error('usage: node bench/registry.mjs [--runs N] [--sizes 0,1000,10000]');
  process.exit(2);
}

const scratch = mkdtempSync(join(tmpdir(), 'mlops-bench-registry-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true, maxRetries: 5 }));

// The registry's core and git adapter, bundled from the TypeScript sources.
const harness = join(scratch, 'harness.mjs');
await build({
  stdin: {
    contents: `
      export { RegistryRepository } from './src/adapters/registry/repository.js';
      export { registryTransaction, eventContext } from './src/adapters/registry/transaction.js';
      export { openRegistryReader } from './src/adapters/registry/index.js';
      export { RegistryDocuments } from './src/core/registry/store.js';
      export { registerVersion, setAlias } from './src/core/registry/operations.js';
      export { silentLogger } from './src/core/logger.js';
    `,
    resolveDir: root,
    sourcefile: 'harness.ts',
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: harness,
  logLevel: 'warning',
  banner: { js: "import{createRequire as __r}from'node:module';const require=__r(import.meta.url);" },
});
const R = await import(pathToFileURL(harness).href);

const gitEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
};
const git = (cwd, ...args) =>
  execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8', maxBuffer: 1 << 28 }).trim();

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const sha = (n) => n.toString(16).padStart(64, '0');
let clock = Date.UTC(2024, 0, 1);
let ids = 0;
const context = () => ({ time: new Date((clock += 1000)).toISOString(), actor: 'bench', newId: () => `seed-${++ids}` });
const request = (n, key) => ({
  model: 'iris',
  sha256: sha(n),
  artifact: (version) => ({
    name: 'model.pkl',
    kind: 'file',
    size: 1000 + n,
    location: `.mlops/artifacts/iris/v${version}/model.pkl`,
  }),
  metrics: { accuracy: 0.9 + (n % 100) / 1000, f1: 0.8, 'loss.val': 0.1 },
  params: { depth: n % 7, lr: 0.01 },
  lineage: { commit: 'a'.repeat(40), dataSha256: sha(n + 1) },
  ...(key ? { idempotencyKey: key } : {}),
});

/** A bare remote and a clone whose registry already holds `count` versions of iris. */
async function seeded(count) {
  const dir = join(scratch, `n${count}`);
  execFileSync('git', ['init', '--quiet', '--bare', '-b', 'main', join(dir, 'remote.git')], { env: gitEnv });
  const work = join(dir, 'work');
  execFileSync('git', ['init', '--quiet', '-b', 'main', work], { env: gitEnv });
  writeFileSync(join(work, 'README.md'), '# bench\n');
  git(work, 'add', '.');
  git(work, 'commit', '--quiet', '-m', 'init');
  git(work, 'remote', 'add', 'origin', join(dir, 'remote.git'));
  git(work, 'push', '--quiet', 'origin', 'main');
  const repo = await R.RegistryRepository.open({
    cwd: work,
    branch: 'mlops-registry',
    remote: 'origin',
    log: R.silentLogger,
  });
  // Seed in bulk through the core, 100 versions per commit, committed with the adapter's plumbing.
  // The branch content is kept in a Map, so that seeding does not read it back from git.
  const files = new Map();
  const tree = {
    description: 'seed',
    read: async (path) => files.get(path),
    list: async () => [],
  };
  let parent;
  for (let done = 0; done < count;) {
    const docs = new R.RegistryDocuments(tree);
    const batch = Math.min(100, count - done);
    for (let i = 0; i < batch; i++) {
      const n = done + i + 1;
      await R.registerVersion(docs, request(n, `seed/${n}/iris`), context());
      if (n % 50 === 0) await R.setAlias(docs, 'iris', n % 100 === 0 ? 'production' : 'staging', n, context());
    }
    const writes = docs.collectWrites();
    for (const [path, text] of writes) files.set(path, text);
    parent = await repo.buildCommit(parent, writes, `seed ${done + 1}..${done + batch}`);
    done += batch;
  }
  if (parent) git(work, 'push', '--quiet', 'origin', `${parent}:refs/heads/mlops-registry`);
  // A registry that has lived this long is packed; pack it so that no background gc runs mid-measurement.
  git(work, 'gc', '--quiet');
  git(join(dir, 'remote.git'), 'gc', '--quiet');
  return { work, repo };
}

/** Registers one version; returns the milliseconds it took. */
async function timeRegister(level, n) {
  const started = performance.now();
  await R.registryTransaction(
    level.repo,
    (docs) => R.registerVersion(docs, request(n, `bench/${n}/iris`), R.eventContext('bench')),
    {
      message: () => 'bench register',
    },
  );
  return performance.now() - started;
}

/** Opens a reader (one fetch) and resolves @production; returns the milliseconds it took. */
async function timeResolve(level) {
  const started = performance.now();
  const reader = await R.openRegistryReader({
    cwd: level.work,
    branch: 'mlops-registry',
    remote: 'origin',
    log: R.silentLogger,
  });
  const record = await reader.resolve('iris', { alias: 'production' });
  const elapsed = performance.now() - started;
  if (!record) throw new Error(`production did not resolve at ${level.count} versions`);
  return elapsed;
}

/** GTO's way: one annotated tag per registration (`iris@v0.0.N`) and stage assignment (`iris#production#N`). */
function prepareGto(count) {
  const dir = join(scratch, `gto${count}`);
  execFileSync('git', ['init', '--quiet', '-b', 'main', dir], { env: gitEnv });
  writeFileSync(join(dir, 'README.md'), '# gto\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '--quiet', '-m', 'init');
  const head = git(dir, 'rev-parse', 'HEAD');
  // Annotated tags, as `gto register` and `gto assign` create them, written in bulk with fast-import.
  let stream = '';
  for (let n = 1; n <= count; n++) {
    stream += `tag iris@v0.0.${n}\nfrom ${head}\ntagger bench <bench@example.com> ${1700000000 + n} +0000\ndata 0\n\n`;
    if (n % 50 === 0)
      stream += `tag iris#production#${n / 50}\nfrom ${head}\ntagger bench <bench@example.com> ${1700000000 + n} +0000\ndata 0\n\n`;
  }
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: stream, env: gitEnv, maxBuffer: 1 << 28 });
  return { dir };
}

/** GTO resolving the latest version (tags listed and sorted) and a stage (every tag with its date). */
function timeGto({ dir, count }) {
  let started = performance.now();
  const versions = execFileSync('git', ['tag', '-l', 'iris@v*'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 })
    .split('\n')
    .filter(Boolean)
    .map((tag) => tag.slice('iris@v'.length).split('.').map(Number))
    .sort((a, b) => b[0] - a[0] || b[1] - a[1] || b[2] - a[2]);
  if (versions[0][2] !== count) throw new Error('gto latest');
  const latest = performance.now() - started;
  started = performance.now();
  const assignments = execFileSync(
    'git',
    ['for-each-ref', '--format=%(refname:strip=2) %(creatordate:unix)', '--sort=-creatordate', 'refs/tags/'],
    { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 },
  )
    .split('\n')
    .filter((line) => line.startsWith('iris#production#'));
  if (count >= 50 && assignments.length === 0) throw new Error('gto stage');
  return { latest, stage: performance.now() - started };
}

const fmt = (ms) => (ms === undefined ? '-' : `${ms.toFixed(1)} ms`);
console.log(
  `mlops registry benchmark: median of ${runs} runs per figure, ${cpus().length} CPUs, git ${git(root, 'version').replace('git version ', '')}, node ${process.version}`,
);
const levels = [];
for (const count of sizes) {
  process.stderr.write(`seeding ${count} versions...\n`);
  levels.push({ count, ...(await seeded(count)), register: [], resolve: [] });
}
// Rounds go through every level in turn, so that a busy moment of the machine hits all alike.
process.stderr.write('timing...\n');
for (const level of levels) await timeRegister(level, level.count + 1_000_000); // warm-up, untimed
for (let round = 0; round < runs; round++) {
  for (const level of levels) level.register.push(await timeRegister(level, level.count + round + 1));
}
for (const level of levels) {
  // Production points at a version in a versions file of its own size class at every level.
  await R.registryTransaction(
    level.repo,
    async (docs) => {
      const index = await docs.modelIndex('iris');
      return R.setAlias(
        docs,
        'iris',
        'production',
        level.count > 0 ? level.count : index.latestVersion,
        R.eventContext('bench'),
      );
    },
    { message: () => 'bench alias' },
  );
  await timeResolve(level); // warm-up, untimed
}
for (let round = 0; round < runs; round++) {
  for (const level of levels) level.resolve.push(await timeResolve(level));
}
const gtoLevels = levels
  .filter((l) => l.count > 0)
  .map((l) => ({ count: l.count, ...prepareGto(l.count), latest: [], stage: [] }));
for (let round = 0; round < runs; round++) {
  for (const gto of gtoLevels) {
    const t = timeGto(gto);
    gto.latest.push(t.latest);
    gto.stage.push(t.stage);
  }
}
const rows = levels.map((level) => {
  const gto = gtoLevels.find((g) => g.count === level.count);
  return {
    count: level.count,
    register: median(level.register),
    resolve: median(level.resolve),
    gto: gto && { latest: median(gto.latest), stage: median(gto.stage) },
  };
});
const base = rows[0];
const header = [
  'existing versions',
  'register',
  'vs first',
  'resolve @production',
  'vs first',
  'GTO: latest from tags',
  'GTO: stage from tags',
];
const table = [
  header,
  ...rows.map((r) => [
    r.count.toLocaleString('en-US'),
    fmt(r.register),
    `${(r.register / base.register).toFixed(2)}x`,
    fmt(r.resolve),
    `${(r.resolve / base.resolve).toFixed(2)}x`,
    fmt(r.gto?.latest),
    fmt(r.gto?.stage),
  ]),
];
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
for (const [i, row] of table.entries()) {
  console.log(row.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
const last = rows[rows.length - 1];
console.log(
  `\nregister at ${last.count.toLocaleString('en-US')} versions is ${(last.register / base.register).toFixed(2)}x the empty registry (target <= 1.5x); ` +
    `resolve is ${(last.resolve / base.resolve).toFixed(2)}x.`,
);
console.log(
  'register = fetch + read + hash-object/temporary index/write-tree/commit-tree + push to a bare remote on disk; ' +
    'resolve = fetch + model index + one versions file. GTO figures are the git commands GTO runs plus the sort, without its Python start-up.',
);
