// `npm run demo`: the pipeline in local mode on examples/penguins, with the built CLI and no
// server: validate the data, train, gate the metrics, register the model, train a worse model
// and watch the gate stop it against the registered production version.
// It works in a temporary git repository (the registry is a branch), so it leaves nothing behind.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli', 'index.js');
const work = mkdtempSync(join(tmpdir(), 'mlops-demo-'));
const keep = process.argv.includes('--keep');
let failures = 0;

const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

function run(title, command, args, { expect = 0, env = {} } = {}) {
  console.log(`\n${bold(`▶ ${title}`)}\n$ ${[command === process.execPath ? 'node' : command, ...args].join(' ')}`);
  // Inherited output keeps the command's log and outputs in the order it wrote them.
  const result = spawnSync(command, args, {
    cwd: work,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GITHUB_ACTIONS: '', GITHUB_TOKEN: '', GH_TOKEN: '', ...env },
  });
  const status = result.status ?? 1;
  if (status !== expect) {
    failures++;
    console.log(`✗ exit ${status}, expected ${expect}`);
  } else {
    console.log(`✓ exit ${status}${expect ? ' (expected: the gate is doing its job)' : ''}`);
  }
  return result;
}

const mlops = (title, args, options) => run(title, process.execPath, [cli, ...args], options);
const git = (...args) => spawnSync('git', args, { cwd: work, encoding: 'utf8' });

try {
  if (!existsSync(cli)) throw new Error('dist/cli/index.js is missing: run npm run bundle first.');
  cpSync(join(root, 'examples', 'penguins'), work, { recursive: true });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.name=demo', '-c', 'user.email=demo@example.com', 'add', '-A');
  git('-c', 'user.name=demo', '-c', 'user.email=demo@example.com', 'commit', '-q', '-m', 'example project');
  console.log(`Working in ${work} (a git repository; the registry will be its mlops-registry branch).`);

  mlops('Profile the data into a starter suite', [
    'profile',
    '--data',
    'data/penguins.csv',
    '--suite-out',
    'starter-suite.yml',
  ]);
  mlops('Validate the data against the suite', [
    'validate-data',
    '--data',
    'data/penguins.csv',
    '--suite',
    'expectations.yml',
  ]);
  run("Train (the example's own script: the train action is not built yet)", process.execPath, ['train.mjs']);
  mlops('Gate the metrics (no baseline yet: absolute gates only)', [
    'evaluate-gate',
    '--metrics',
    'metrics.json',
    '--gates',
    'gates.yml',
    '--baseline',
    'none',
  ]);
  mlops('Register the model and point production at it', [
    'register',
    '--model',
    'penguins',
    '--path',
    'model',
    '--metrics',
    'metrics.json',
    '--alias',
    'production',
  ]);
  run('Train a worse model (20 epochs, smaller step)', process.execPath, ['train.mjs'], {
    env: { MLOPS_PARAMS: JSON.stringify({ epochs: 20, learning_rate: 0.02 }) },
  });
  mlops(
    'Gate it against the production model: it regresses and is stopped',
    ['evaluate-gate', '--metrics', 'metrics.json', '--gates', 'gates.yml', '--model', 'penguins'],
    { expect: 1 },
  );
  mlops('The registry', ['registry', 'list']);
  mlops('History of penguins', ['registry', 'history', 'penguins']);
  const report = join(work, 'mlops-reports', 'evaluate-gate.md');
  if (existsSync(report))
    console.log(
      `\n${bold('The report a reviewer would read in the pull request:')}\n\n${readFileSync(report, 'utf8')}`,
    );
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}
console.log(failures ? `\n${failures} step(s) did not behave as expected.` : '\nThe demo ran as expected.');
process.exitCode = failures ? 1 : 0;
