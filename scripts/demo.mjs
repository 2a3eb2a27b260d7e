// `npm run demo`: the whole pipeline in local mode on examples/penguins (real data, no server),
// told as a story in nine chapters through the real `mlops` CLI of this checkout: profile, validate
// (and a broken file), train twice, gate, register, deploy to staging and production, a failing
// deploy that rolls back by itself, a drift check, and the two runs compared.
//
// Everything happens in one temporary folder: a git repository (the registry is its mlops-registry
// branch, pushed to a bare remote beside it) and the temp files of the commands. The folder is
// removed at the end unless --keep. Each chapter checks what the commands did (exit codes,
// outputs, reports, the registry, the served model), so the demo exits non-zero, saying which
// fact was wrong, when a step does something the story does not expect: it is a test as well.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const HELP = `npm run demo [-- --keep] [-- --verbose]

The mlops pipeline on examples/penguins, in local mode (no GitHub, no server), as a story in nine
chapters: profile, validate (and a broken file), train twice, gate, register, deploy to staging
and production, a failing deploy that rolls back, a drift check, runs compared.

It works in a new temporary folder (under $TMPDIR): project/ is a git repository whose registry
branch is pushed to the bare remote remote.git/ beside it. git sees neither the repository the demo
is run from (GIT_DIR and the other GIT_* variables are dropped) nor your git config and hooks.
Exit 0 when every chapter went as told, 1 with the fact that was not, 2 for a bad option, 130 on
Ctrl-C (SIGINT) and 143 on SIGTERM, which stop the running command and remove the folder.

Options:
  --keep     Keep the temporary folder (printed at the end) to look at the reports, the registry
             branch (git -C <folder>/project log mlops-registry), .mlops/outbox/ and serving/.
             Without it, nothing is left behind.
  --verbose  Also print each command's own output (its log and summary) and how long it took.
  -h, --help Show this help.

The CLI is dist/cli/index.js of this checkout, or $MLOPS_DIST/cli/index.js when MLOPS_DIST is set.
See docs/demo.md.`;

const options = { keep: false, verbose: false };
for (const arg of process.argv.slice(2)) {
  if (arg === '--keep') options.keep = true;
  else if (arg === '--verbose') options.verbose = true;
  else if (arg === '-h' || arg === '--help') {
    console.log(HELP);
    process.exit(0);
  } else {
    console.error(`demo: unknown option ${arg} (see npm run demo -- --help).`);
    process.exit(2);
  }
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.MLOPS_DIST ? process.env.MLOPS_DIST : join(root, 'dist');
const cli = join(dist, 'cli', 'index.js');
const example = join(root, 'examples', 'penguins');
const MODEL = 'penguins';
const DEPLOY = ['--run', 'node deploy/serve.mjs', '--smoke-test', 'node deploy/smoke-test.mjs'];

/** A step that did not do what the story says: the demo stops and says which fact was wrong. */
class StoryError extends Error {}

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (text) => (color ? `\x1b[1m${text}\x1b[0m` : text);
const dim = (text) => (color ? `\x1b[2m${text}\x1b[0m` : text);

let chapterTitle = '';
/** Starts a chapter: its number and title as a heading. */
function chapter(number, title) {
  chapterTitle = `${number}. ${title}`;
  console.log(`\n${bold(chapterTitle)}`);
}

/** One line of what happened and why it matters, indented under the command. */
const say = (...lines) => lines.forEach((line) => console.log(`  ${line}`));

/** Stops the story when a fact is not what it claims. */
function expect(condition, fact) {
  if (!condition) throw new StoryError(`${chapterTitle}: ${fact}`);
}

/** An argument as a POSIX shell reads it back: quoted only when it has to be. */
function shellWord(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The environment of every command the demo runs, git included: local mode, whatever shell, CI or
 * git hook the demo runs from, and git that sees nothing of the user's (`work` is the demo's folder).
 */
function commandEnvironment(work, temp) {
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    // A runner's GITHUB_*/RUNNER_*/ACTIONS_* would switch to GitHub mode or point elsewhere, and
    // INPUT_*/MLOPS_* would look like inputs or a training command's variables. A git hook sets
    // GIT_DIR (GIT_INDEX_FILE, GIT_WORK_TREE...): git would commit the demo into the caller's repository.
    if (!/^(GITHUB_|RUNNER_|ACTIONS_|INPUT_|MLOPS_|GIT_)/.test(name) && name !== 'GH_TOKEN') env[name] = value;
  }
  return {
    ...env,
    // The commands' temp files (train's params, deploy's verified downloads) stay in the demo's folder.
    TMPDIR: temp,
    TMP: temp,
    TEMP: temp,
    NO_COLOR: '1',
    // No system or user git config (a core.hooksPath, a signing key, an url.insteadOf): the demo's
    // repositories behave the same on every machine, and the user's hooks never run.
    HOME: join(work, 'home'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: join(work, 'gitconfig'),
    GIT_TERMINAL_PROMPT: '0',
  };
}

/** The signal that stopped the demo (SIGINT or SIGTERM), once one came. */
let stoppedBy;
/** The command running now: a signal stops it (its whole process group) before the demo exits. */
let running;

/** The demo was stopped by a signal: no further command starts, the folder is removed. */
class Stopped extends Error {}

/** Sends `signal` to the process group of a command started by `runCommand` (it leads its own group). */
function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Runs a command without blocking the event loop (so that Ctrl-C or SIGTERM is handled at once),
 * in a process group of its own (so that a signal stops its children too: train's script, deploy's
 * serve and smoke test, git). Resolves with its exit status (null when it could not start or was
 * killed), signal, stdout, stderr and the start error; rejects with Stopped when a signal came.
 */
function runCommand(command, args, { cwd, env }) {
  if (stoppedBy) return Promise.reject(new Stopped(stoppedBy));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running = child;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    let settled = false;
    const settle = (result) => {
      if (settled) return;
      settled = true;
      if (running === child) running = undefined;
      if (stoppedBy) reject(new Stopped(stoppedBy));
      else resolve({ stdout, stderr, ...result });
    };
    child.on('error', (error) => settle({ status: null, signal: null, error }));
    child.on('close', (status, signal) => settle({ status, signal }));
  });
}

/** Stops the demo on `signal`: the running command first (SIGKILL if it lingers), then the story. */
function stop(signal) {
  if (stoppedBy) return;
  stoppedBy = signal;
  const child = running;
  if (child) {
    killGroup(child, 'SIGTERM');
    setTimeout(() => killGroup(child, 'SIGKILL'), 2000).unref();
  }
}

/**
 * Runs `mlops <args>` in the project as a user would type it (the line is printed first) and
 * returns its exit status, stdout (parsed when it is JSON) and stderr. An exit status other than
 * `expectStatus` stops the story, with the command's own output.
 */
async function mlops(context, args, { expectStatus = 0, otherwise } = {}) {
  console.log(`${dim('$')} mlops ${args.map(shellWord).join(' ')}`);
  const t0 = Date.now();
  const result = await runCommand(process.execPath, [cli, ...args], { cwd: context.project, env: context.env });
  const { stdout, stderr } = result;
  if (options.verbose) {
    const output = (stderr + stdout).trimEnd();
    if (output) console.log(dim(output.replace(/^/gm, '    │ ')));
    console.log(dim(`    (exit ${result.status}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`));
  }
  const status = result.status ?? 1;
  let json;
  if (args.includes('--json')) {
    try {
      json = JSON.parse(stdout);
    } catch {
      json = undefined;
    }
  }
  if (status !== expectStatus) {
    const tail = (stderr + stdout).trimEnd().split('\n').slice(-15).join('\n');
    const exited = `mlops ${args[0]} exited with ${status}${result.signal ? ` (${result.signal})` : ''}, the story expects ${expectStatus}`;
    throw new StoryError(
      `${chapterTitle}: ${otherwise ? `${otherwise} (${exited})` : exited}.\n${tail.replace(/^/gm, '    ')}`,
    );
  }
  return { status, json: json ?? {}, stdout, stderr };
}

/** Runs git in the project (or `--git-dir` in args), failing the demo (with git's message) when git fails. */
async function git(context, ...args) {
  const result = await runCommand('git', args, { cwd: context.project, env: context.env });
  if (result.error) throw new StoryError(`git could not start (${result.error.message}); the demo needs git.`);
  if (result.status !== 0) throw new StoryError(`git ${args.join(' ')} failed: ${result.stderr.trim()}`);
  return result.stdout;
}

/** sha256 of a file's bytes, as the registry records it. */
const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
/** A number as the reports print it: at most four decimals. */
const num = (value) => String(Math.round(value * 1e4) / 1e4);

/** The example project in a fresh git repository with a bare remote, as a user's clone would be. */
async function setUp(context) {
  mkdirSync(context.temp);
  mkdirSync(context.env.HOME);
  writeFileSync(context.env.GIT_CONFIG_GLOBAL, '# The git config of the demo alone (see scripts/demo.mjs).\n');
  // What the example's own runs may have left in examples/penguins is not part of the project.
  const generated = new Set(['model', 'models', 'metrics.json', 'metrics.jsonl', 'mlops-reports', '.mlops', 'serving']);
  cpSync(example, context.project, {
    recursive: true,
    filter: (source) => source === example || !generated.has(relative(example, source).split(/[\\/]/)[0]),
  });
  await git(context, 'init', '-q', '--bare', context.remote);
  await git(context, '-C', context.remote, 'config', 'receive.autogc', 'false');
  await git(context, 'init', '-q');
  await git(context, 'symbolic-ref', 'HEAD', 'refs/heads/main');
  // The registry's commits need an author; the user's global git settings must not matter here.
  await git(context, 'config', 'user.name', 'mlops demo');
  await git(context, 'config', 'user.email', 'demo@example.com');
  await git(context, 'config', 'commit.gpgsign', 'false');
  // A repository that lives for a minute needs no housekeeping: git would check after every
  // registry fetch and push, a few processes each on a busy machine.
  await git(context, 'config', 'gc.auto', '0');
  await git(context, 'config', 'maintenance.auto', 'false');
  await git(context, 'add', '-A');
  await git(context, 'commit', '-q', '--no-verify', '-m', 'The penguins example project');
  await git(context, 'remote', 'add', 'origin', context.remote);
  // --no-verify: no hook of anyone's runs on the demo's push (the isolated config has none anyway).
  await git(context, 'push', '-q', '--no-verify', 'origin', 'main');
}

async function profileChapter(context) {
  chapter(1, 'Profile the data into a starter suite');
  const { json } = await mlops(context, [
    'profile',
    '--data',
    'data/penguins.csv',
    '--suite-out',
    'starter-suite.yml',
    '--profile-out',
    'reference-profile.json',
    '--json',
  ]);
  expect(
    json.rows === 344 && json.columns === 7,
    `profile read ${json.rows} rows × ${json.columns} columns, not 344 × 7`,
  );
  expect(json.expectations > 0 && existsSync(json.suite), 'profile wrote no starter suite');
  say(
    `${json.rows} penguins × ${json.columns} columns became ${json.expectations} expectations (types, ranges, value sets):`,
    'a starter suite to review, not to trust blindly. The reference profile is what drift-check',
    'compares production data with; it is registered with the model in chapter 5.',
    `Kept: ${context.rel(json.suite)}, ${context.rel(json.profile)}`,
  );
}

async function validateChapter(context) {
  chapter(2, 'Validate the data, then a broken file');
  const good = await mlops(context, [
    'validate-data',
    '--data',
    'data/penguins.csv',
    '--suite',
    'expectations.yml',
    '--json',
  ]);
  expect(good.json.passed === true, 'the real data failed the reviewed suite');
  say(
    `All ${good.json.evaluated} expectations of the reviewed suite (expectations.yml) hold on ${good.json.rows} rows: training may start.`,
    `Report: ${context.rel(good.json.report)}`,
  );
  const report = 'mlops-reports/validate-broken.json';
  const broken = await mlops(
    context,
    [
      'validate-data',
      '--data',
      'data/penguins-broken.csv',
      '--suite',
      'expectations.yml',
      '--report',
      report,
      '--json',
    ],
    { expectStatus: 2, otherwise: 'the broken file was not refused as unreadable' },
  );
  const line = /penguins-broken\.csv:(\d+)/.exec(broken.json.error ?? '');
  expect(
    line && /8 fields/.test(broken.json.error),
    `the broken file's error does not name its line: ${broken.json.error}`,
  );
  expect(!existsSync(join(context.project, report)), `a report was written for a file that cannot be read (${report})`);
  say(
    `Exit 2, as expected: ${broken.json.error}`,
    `Someone typed a body mass as 4,500: one line names the file and the line, and no report is`,
    `written, because a file that cannot be read has no verdict (exit 1 is kept for failed expectations).`,
  );
}

async function trainChapter(context) {
  chapter(3, 'Train twice, tracked');
  /** `mlops train` of the example's script, its model, metrics and run record under one name. */
  const train = async (name, folder, overrides) =>
    (
      await mlops(context, [
        'train',
        '--name',
        name,
        '--run',
        'node train.mjs',
        '--params',
        'params.json',
        ...overrides,
        '--data',
        'data/penguins.csv',
        '--model',
        `models/${folder}`,
        '--metrics',
        `models/${folder}/metrics.json`,
        '--run-record',
        `mlops-reports/run-${folder}.json`,
        '--track',
        '--json',
      ])
    ).json;
  const baseline = await train('baseline', 'baseline', []);
  const candidate = await train('fewer-epochs', 'candidate', ['--param-overrides', 'epochs=20']);
  for (const [name, run] of [
    ['baseline', baseline],
    ['candidate', candidate],
  ]) {
    expect(run['run-id'] && typeof run.metrics?.accuracy === 'number', `the ${name} run has no id or no accuracy`);
    expect(readJson(run['run-record']).status === 'succeeded', `the ${name} run did not succeed`);
  }
  expect(baseline['data-sha256'] === candidate['data-sha256'], 'the two runs hashed different data');
  expect(readJson(candidate['run-record']).params?.epochs === 20, 'the override epochs=20 is not in the run record');
  // Tracked means on the registry branch of the remote, not only in this clone.
  const remoteHead = (await git(context, 'ls-remote', context.remote, 'refs/heads/mlops-registry')).split(/\s/)[0];
  expect(remoteHead, 'the registry branch mlops-registry was not pushed to the remote');
  const tracked = (
    await git(context, '--git-dir', context.remote, 'ls-tree', '--name-only', remoteHead, 'runs/')
  ).split('\n');
  for (const run of [baseline, candidate]) {
    expect(
      tracked.includes(`runs/${run['run-id']}.json`),
      `run ${run['run-id']} is not on the remote's registry branch`,
    );
  }
  Object.assign(context, { baseline, candidate });
  const m = (run) =>
    `${readJson(run['run-record']).params.epochs} epochs, accuracy ${num(run.metrics.accuracy)}, log_loss ${num(run.metrics.log_loss)}`;
  say(
    `Baseline ${baseline['run-id']}: ${m(baseline)}.`,
    `Candidate ${candidate['run-id']} (--param-overrides epochs=20): ${m(candidate)}.`,
    'Both runs (params, seed, data and model sha256, metrics) are on the registry branch, pushed to the remote.',
    `Run records: ${context.rel(baseline['run-record'])}, ${context.rel(candidate['run-record'])}`,
  );
}

async function gateChapter(context) {
  chapter(4, 'Gate the candidate against the baseline');
  const { json } = await mlops(
    context,
    [
      'evaluate-gate',
      '--metrics',
      'mlops-reports/run-candidate.json',
      '--gates',
      'gates.yml',
      '--baseline',
      'file:mlops-reports/run-baseline.json',
      '--json',
    ],
    { expectStatus: 1, otherwise: 'the gate passed a candidate that is worse than the baseline' },
  );
  const failed = (json.results?.metrics ?? []).filter((metric) => metric.verdict === 'fail');
  expect(json.passed === false && failed.length > 0, 'the gate passed a candidate that is worse than the baseline');
  expect(existsSync(json.report), 'the gate wrote no report');
  const comment = join(context.project, '.mlops/outbox/comment-evaluate-gate-default.md');
  expect(existsSync(comment), `the gate left no pull-request comment in ${context.rel(comment)}`);
  const counts = json.results.counts ?? {};
  const gated = (counts.pass ?? 0) + (counts.warn ?? 0) + (counts.fail ?? 0);
  say(
    `Exit 1: the gate stops the candidate (${failed.length} of ${gated} gates failed, from gates.yml):`,
    ...failed.map(
      (metric) =>
        `  ${metric.metric} ${num(metric.baseline)} → ${num(metric.candidate)}: ${(metric.reasons ?? []).join('; ')}`,
    ),
    `The diff report a reviewer reads in the pull request: ${context.rel(json.report)}`,
    `(in local mode the comment itself is ${context.rel(comment)})`,
  );
}

async function registerChapter(context) {
  chapter(5, 'Register both');
  const epochs = (run) => readJson(run['run-record']).params?.epochs;
  const v1 = (
    await mlops(context, [
      'register',
      '--model',
      MODEL,
      '--path',
      'models/baseline/model.json',
      '--run-record',
      'mlops-reports/run-baseline.json',
      '--profile',
      'reference-profile.json',
      '--description',
      `baseline, ${epochs(context.baseline)} epochs`,
      '--json',
    ])
  ).json;
  const v2 = (
    await mlops(context, [
      'register',
      '--model',
      MODEL,
      '--path',
      'models/candidate/model.json',
      '--run-record',
      'mlops-reports/run-candidate.json',
      '--description',
      `${epochs(context.candidate)} epochs: failed the gate, kept for the record`,
      '--json',
    ])
  ).json;
  expect(
    String(v1.version) === '1' && String(v2.version) === '2',
    `registered v${v1.version} and v${v2.version}, not v1 and v2`,
  );
  expect(
    v1.sha256 === sha256(join(context.project, 'models/baseline/model.json')),
    'v1 does not hold the baseline model',
  );
  const show = (await mlops(context, ['registry', 'show', MODEL, '--json'])).json;
  const aliases = Object.keys(show.aliases ?? {});
  expect(aliases.length === 0, `aliases are set before any deploy: ${aliases.join(', ')}`);
  const descriptions = (show.versions ?? []).map((version) => version.description);
  expect(descriptions[0] === `baseline, ${epochs(context.baseline)} epochs`, `v1's description is ${descriptions[0]}`);
  const artifact = v1['asset-url']?.startsWith('file:') ? fileURLToPath(v1['asset-url']) : undefined;
  expect(artifact && existsSync(artifact), `v1's model file is not where register says (${v1['asset-url']})`);
  Object.assign(context, { v1, v2 });
  say(
    `${MODEL} v1 (the baseline, with its reference profile) and v2 (the candidate), each with its sha256,`,
    'metrics and lineage (run id, commit, data sha256): the registry keeps every version; aliases decide',
    `what serves, and none is set yet. Model files: ${context.rel(dirname(dirname(artifact)))}/ (release assets on GitHub).`,
  );
}

async function deployChapter(context) {
  chapter(6, 'Deploy to staging, then production');
  const staging = (
    await mlops(context, [
      'deploy',
      '--model',
      MODEL,
      '--version',
      'v1',
      '--promote-to',
      'staging',
      ...DEPLOY,
      '--json',
    ])
  ).json;
  expect(staging.status === 'deployed', `the staging deploy ended ${staging.status}`);
  const served = join(context.project, 'serving/staging/model.json');
  expect(existsSync(served) && sha256(served) === context.v1.sha256, 'serving/staging/ does not hold the bytes of v1');
  const production = (
    await mlops(context, [
      'deploy',
      '--model',
      MODEL,
      '--alias',
      'staging',
      '--promote-to',
      'production',
      ...DEPLOY,
      '--json',
    ])
  ).json;
  expect(
    production.status === 'deployed' && String(production.version) === '1',
    `production got v${production.version}, ${production.status}`,
  );
  expect(
    sha256(join(context.project, 'serving/production/model.json')) === context.v1.sha256,
    'serving/production/ does not hold v1',
  );
  const { aliases } = (await mlops(context, ['registry', 'show', MODEL, '--json'])).json;
  expect(
    aliases?.staging === 1 && aliases?.production === 1,
    `the registry's aliases are ${JSON.stringify(aliases)}, not staging and production on v1`,
  );
  say(
    'v1 was downloaded, its sha256 verified, copied to serving/staging/ by deploy/serve.mjs, and answered',
    'the smoke test (deploy/smoke-test.mjs: four penguins of known species); then what staging runs went',
    `to production the same way. The aliases moved only after the smoke tests passed: staging → v${aliases.staging}, production → v${aliases.production}.`,
    `Served: ${context.rel(served)}, ${context.rel(join(context.project, 'serving/production/model.json'))}`,
  );
}

async function rollbackChapter(context) {
  chapter(7, 'A bad deploy rolls back by itself');
  const { json, stderr } = await mlops(
    context,
    ['deploy', '--model', MODEL, '--version', 'v2', '--promote-to', 'production', ...DEPLOY, '--json'],
    { expectStatus: 1, otherwise: 'the deploy of v2, which its smoke test should fail, did not fail' },
  );
  expect(
    json.status === 'rolled-back' && json['rolled-back'] === true,
    `the failed deploy ended ${json.status}, not rolled-back`,
  );
  expect(String(json['previous-version']) === '1', `it rolled back to v${json['previous-version']}, not v1`);
  const show = (await mlops(context, ['registry', 'show', MODEL, '--json'])).json;
  expect(show.aliases?.production === 1, `production names v${show.aliases?.production} after the rollback, not v1`);
  const served = join(context.project, 'serving/production/model.json');
  const bytes = sha256(served);
  expect(bytes === context.v1.sha256, `serving/production/ holds sha256 ${bytes}, not the bytes of v1`);
  // The smoke test's own words, as the deploy log printed them.
  const reason = /smoke test failed in production: (.*)/.exec(stderr)?.[1];
  expect(reason, 'the deploy log does not show why the smoke test failed');
  const { events } = (await mlops(context, ['registry', 'history', MODEL, '--json'])).json;
  const rolledBack = (events ?? []).find((event) => event.type === 'rolled-back');
  expect(
    rolledBack?.from === 2 && rolledBack?.version === 1,
    `the registry's history has no rolled-back event from v2 to v1: ${JSON.stringify(rolledBack)}`,
  );
  say(
    `Exit 1: v2 went to serving/production/ and failed its smoke test: ${reason}.`,
    'deploy rolled back to v1 by itself (its deploy command and smoke test again) and recorded a rolled-back event.',
    `The alias production still names v1, and ${context.rel(served)} holds v1's bytes (sha256 ${bytes.slice(0, 12)}…).`,
  );
}

async function driftChapter(context) {
  chapter(8, 'Drift: a week of data from one island');
  const { json } = await mlops(context, [
    'drift-check',
    '--reference',
    `registry:${MODEL}@production`,
    '--current',
    'data/biscoe-only.csv',
    '--json',
  ]);
  const columns = json['drifted-columns'] ?? [];
  expect(json.drift === true, 'drift-check found no drift in the one-island data');
  expect(
    columns.includes('island') && columns.includes('body_mass_g'),
    `drifted columns ${columns.join(', ')} lack island or body_mass_g`,
  );
  const issue = join(context.project, '.mlops/outbox/issue-drift-check-default.md');
  expect(existsSync(issue), `no drift issue at ${context.rel(issue)}`);
  const title = readFileSync(issue, 'utf8').split('\n')[0].replace(/^#\s*/, '');
  const report = existsSync(json.report ?? '') ? readJson(json.report) : {};
  expect(
    report.number_of_drifted_columns === columns.length && report.number_of_columns > 0,
    `the drift report (${json.report}) does not say ${columns.length} drifted columns out of some`,
  );
  say(
    `Drift in ${columns.length} of ${report.number_of_columns} columns (share ${num(json.share)}): ${columns.join(', ')}.`,
    "The reference is the profile registered with production's v1; the current data is real penguins, Biscoe island only.",
    `The issue it would open on GitHub: "${title}", in ${context.rel(issue)}`,
    `Report: ${context.rel(json.report)}`,
  );
}

async function compareChapter(context) {
  chapter(9, 'Compare the two runs');
  const baselineId = context.baseline['run-id'];
  const candidateId = context.candidate['run-id'];
  const { json } = await mlops(context, ['runs', 'compare', baselineId, candidateId, '--json']);
  const differing = (json.params ?? []).filter((param) => param.differs).map((param) => param.name);
  expect(
    differing.length === 1 && differing[0] === 'epochs',
    `the params that differ are [${differing.join(', ')}], not [epochs]`,
  );
  const metric = (name) => (json.metrics ?? []).find((entry) => entry.name === name);
  const shown = ['accuracy', 'log_loss', 'recall.Chinstrap'].map((name) => {
    const entry = metric(name);
    expect(entry && entry.values.length === 2, `runs compare has no ${name}`);
    return `${name} ${num(entry.values[0])} → ${num(entry.values[1])}`;
  });
  say(
    `One param differs, epochs ${json.params.find((param) => param.name === 'epochs').values.join(' → ')}; ${shown.join(', ')}.`,
    'Without --json it prints the table; --markdown adds a train_loss chart of both runs.',
  );
}

const started = Date.now();
let work;
let failure;
try {
  if (!existsSync(cli)) {
    throw new StoryError(
      `${cli} is missing: run npm run bundle first${process.env.MLOPS_DIST ? ' (or fix MLOPS_DIST)' : ''}.`,
    );
  }
  work = mkdtempSync(join(tmpdir(), 'mlops-demo-'));
  // Ctrl-C or SIGTERM: the running command stops, no other starts, and the folder goes (below,
  // once that command is gone, so nothing writes into it after) unless --keep.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(signal));
  const project = join(work, 'project');
  const context = {
    project,
    remote: join(work, 'remote.git'),
    temp: join(work, 'tmp'),
    rel: (file) => relative(project, file) || '.',
  };
  context.env = commandEnvironment(work, context.temp);
  console.log(bold('mlops demo: the pipeline in local mode on examples/penguins (real data, no server)'));
  console.log(
    `In ${work}: project/ is a git repository whose registry branch (mlops-registry) is pushed to the\n` +
      `bare remote remote.git/. Commands run in project/ with --json, so the demo can check what they\n` +
      `did; leave --json out to read their own summary. Paths below are relative to project/.`,
  );
  await setUp(context);
  for (const step of [
    profileChapter,
    validateChapter,
    trainChapter,
    gateChapter,
    registerChapter,
    deployChapter,
    rollbackChapter,
    driftChapter,
    compareChapter,
  ]) {
    await step(context);
  }
} catch (error) {
  failure = error;
} finally {
  if (work && !options.keep) rmSync(work, { recursive: true, force: true });
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (failure instanceof Stopped) {
  console.error(
    `\n✗ The demo was stopped by ${stoppedBy}. ${work && options.keep ? `Kept ${work}.` : 'Nothing was left behind.'}`,
  );
  // 128 + the signal's number, as a shell reports a process the signal ended.
  process.exitCode = stoppedBy === 'SIGINT' ? 130 : 143;
} else if (failure) {
  const message = failure instanceof StoryError ? failure.message : (failure?.stack ?? String(failure));
  console.error(`\n✗ The demo did not go as told. ${message}`);
  if (work && options.keep) console.error(`Kept ${work}.`);
  else if (work) console.error('Run npm run demo -- --keep --verbose to look at what happened.');
  process.exitCode = 1;
} else {
  console.log(`\n✓ The story went as told, in ${seconds} s.`);
  console.log(
    options.keep
      ? `Kept ${work} (project/ holds the reports, .mlops/outbox/ and serving/; git -C ${join(basename(work), 'project')} log mlops-registry).`
      : 'Nothing was left behind (npm run demo -- --keep keeps the folder).',
  );
}
