#!/usr/bin/env node
// Benchmark: the drift-check action bundle on a reference and a current CSV of 1,000,000 rows each
// (10 numeric, 4 categorical columns, 4 of them drifted; bench/lib/generate-drift-csv.mjs), against
// the seed tutorials' recipe on the same files in the same run (pandas read_csv of both, then
// scipy.stats.ks_2samp per numeric column and scipy.stats.chisquare per categorical one, on
// reference counts scaled to the current size as Evidently does), and the same check against a
// stored profile of the reference (`mlops profile --profile-out`, whose own time is printed apart).
// Each side runs in its own process, so its peak RSS is its own.
//
//   node bench/drift-check.mjs [--rows 1000000] [--dist DIR] [--keep]
//
// Bundles: --dist, else $MLOPS_DIST, else the repository's dist/ (build a private copy with
// `node scripts/build.mjs --outdir /tmp/x` and pass it). The data goes to a temporary folder,
// removed at the end unless --keep. Peak RSS comes from /usr/bin/time -v when present, else from
// the process itself (process.resourceUsage in a preloaded hook; getrusage in Python). The recipe
// needs Debian's pandas and scipy (`apt-get install -y python3-pandas python3-scipy`, run with
// /usr/bin/python3); without them it is skipped with the reason. Prints figures; exits 0 whatever
// they are, and 2 only when a step fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATEGORICAL_COLUMNS, DRIFTED_COLUMNS, generateDriftPair } from './lib/generate-drift-csv.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : args[at + 1];
};
const rows = Number(option('rows', '1000000'));
const keep = args.includes('--keep');
const dist = resolve(option('dist', undefined) ?? process.env.MLOPS_DIST ?? join(root, 'dist'));
const TIME_TARGET = 0.5;
const RSS_TARGET_MB = 500;
const PYTHON = '/usr/bin/python3';
const TIME = '/usr/bin/time';

for (const bundle of ['drift-check/index.js', 'cli/index.js']) {
  if (!existsSync(join(dist, bundle))) {
    console.error(`No ${bundle} in ${dist}: build one (node scripts/build.mjs --outdir DIR) and pass --dist DIR.`);
    process.exit(2);
  }
}

const work = mkdtempSync(join(tmpdir(), 'mlops-bench-drift-'));
process.on('exit', () => {
  if (!keep) rmSync(work, { recursive: true, force: true });
});

// Without /usr/bin/time, a node child reports its own peak RSS and CPU time when it exits.
const hook = join(work, 'rss-hook.mjs');
writeFileSync(
  hook,
  `process.on('exit', () => { const cpu = process.cpuUsage(); process.stderr.write('\\n@@usage ' + JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024, cpuSeconds: (cpu.user + cpu.system) / 1e6 }) + '\\n'); });\n`,
);

// The recipe, as the seed tutorials write it (one process, both files in memory).
const recipe = join(work, 'recipe.py');
writeFileSync(
  recipe,
  `import json, resource, sys, time
import pandas as pd
from scipy import stats
start = time.perf_counter()
reference = pd.read_csv(sys.argv[1])
current = pd.read_csv(sys.argv[2])
numeric = set(reference.select_dtypes(include='number').columns)
drifted = []
for column in reference.columns:
    ref = reference[column].dropna()
    cur = current[column].dropna()
    if column in numeric:
        drift = stats.ks_2samp(ref, cur).pvalue <= 0.05
    else:
        keys = list(set(ref.unique()) | set(cur.unique()))
        ref_counts = ref.value_counts()
        cur_counts = cur.value_counts()
        scale = len(cur) / len(ref)
        f_exp = [ref_counts.get(key, 0) * scale for key in keys]
        f_obs = [cur_counts.get(key, 0) for key in keys]
        drift = stats.chisquare(f_obs, f_exp).pvalue < 0.05
    if drift:
        drifted.append(column)
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({'seconds': time.perf_counter() - start, 'cpuSeconds': usage.ru_utime + usage.ru_stime,
                  'maxRssMb': usage.ru_maxrss / 1024, 'drifted': drifted}))
`,
);

const hasTime = existsSync(TIME);
const recipeSkip = !existsSync(PYTHON)
  ? `${PYTHON} not found`
  : spawnSync(PYTHON, ['-c', 'import pandas, scipy.stats'], { stdio: 'ignore' }).status !== 0
    ? `${PYTHON} lacks pandas or scipy (apt-get install -y python3-pandas python3-scipy)`
    : undefined;

/**
 * Runs one command and measures it: wall time here, CPU time and peak RSS from /usr/bin/time -v,
 * else from what the process reports about itself (`selfReport` parses it from its output).
 */
function measure(label, command, commandArgs, { env, selfReport }) {
  const started = performance.now();
  const child = hasTime
    ? spawnSync(TIME, ['-v', command, ...commandArgs], { encoding: 'utf8', env, maxBuffer: 256 << 20 })
    : spawnSync(command, commandArgs, { encoding: 'utf8', env, maxBuffer: 256 << 20 });
  const wall = (performance.now() - started) / 1000;
  if (child.status !== 0) {
    const stderr = hasTime ? child.stderr.slice(0, child.stderr.lastIndexOf('\tCommand being timed')) : child.stderr;
    throw new Error(`${label} failed (exit ${child.status}): ${`${child.stdout}\n${stderr}`.trim()}`);
  }
  if (hasTime) {
    const field = (name) => Number(new RegExp(`${name}: ([\\d.]+)`).exec(child.stderr)?.[1]);
    return {
      wall,
      cpuSeconds: field('User time \\(seconds\\)') + field('System time \\(seconds\\)'),
      maxRssMb: field('Maximum resident set size \\(kbytes\\)') / 1024,
      stdout: child.stdout,
    };
  }
  return { wall, ...selfReport(child), stdout: child.stdout };
}

const nodeUsage = (child) => JSON.parse(/@@usage (.*)/.exec(child.stderr)?.[1] ?? '{}');
const nodeArgs = (script) => (hasTime ? [script] : ['--import', hook, script]);

/** The drift-check bundle as the runner runs it, in local mode (no token, no issue). */
function runDriftCheck(label, reference, current) {
  const scratch = mkdtempSync(join(work, 'run-'));
  const report = join(scratch, 'drift-check.json');
  for (const file of ['github_output', 'step_summary']) writeFileSync(join(scratch, file), '');
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: work,
    GITHUB_OUTPUT: join(scratch, 'github_output'),
    GITHUB_STEP_SUMMARY: join(scratch, 'step_summary'),
    GITHUB_REPOSITORY: 'bench/bench',
    GITHUB_RUN_ID: '1',
    RUNNER_TEMP: scratch,
    INPUT_REFERENCE: reference,
    INPUT_CURRENT: current,
    INPUT_REPORT: report,
    'INPUT_DRIFT-SHARE': '0.5',
    INPUT_NAME: 'bench',
    'INPUT_OPEN-ISSUE': 'false',
    'INPUT_CLOSE-RESOLVED': 'false',
    'INPUT_FAIL-ON-DRIFT': 'false',
    'INPUT_ISSUE-LABELS': 'mlops,drift',
    'INPUT_WORKING-DIRECTORY': work,
    'INPUT_GITHUB-TOKEN': '',
  };
  const result = measure(label, process.execPath, nodeArgs(join(dist, 'drift-check', 'index.js')), {
    env,
    selfReport: nodeUsage,
  });
  const parsed = JSON.parse(readFileSync(report, 'utf8'));
  return { ...result, drifted: parsed.columns.filter((c) => c.drift).map((c) => c.column), columns: parsed.columns };
}

function runProfile(data, out) {
  return measure(
    'mlops profile',
    process.execPath,
    [...nodeArgs(join(dist, 'cli', 'index.js')), 'profile', '--data', data, '--profile-out', out],
    {
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      selfReport: nodeUsage,
    },
  );
}

function runRecipe(reference, current) {
  const result = measure('the pandas/scipy recipe', PYTHON, [recipe, reference, current], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    selfReport: (child) => JSON.parse(child.stdout),
  });
  return { ...result, drifted: JSON.parse(result.stdout).drifted };
}

const fixed = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '?');
console.log(
  `drift-check benchmark: ${rows.toLocaleString('en-US')} rows per file, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}, bundles ${dist}`,
);
mkdirSync(work, { recursive: true });
const generationStart = performance.now();
const pair = await generateDriftPair(work, { rows });
console.log(
  `data: reference ${fixed(pair.referenceBytes / 1e6, 1)} MB, current ${fixed(pair.currentBytes / 1e6, 1)} MB of CSV ` +
    `(generated in ${fixed((performance.now() - generationStart) / 1000, 1)} s); drifted by construction: ${DRIFTED_COLUMNS.join(', ')}; categorical: ${CATEGORICAL_COLUMNS.join(', ')}`,
);
console.log(`peak RSS from ${hasTime ? '/usr/bin/time -v' : 'the processes themselves (no /usr/bin/time)'}`);

/** Runs one step; a failure is printed and ends the benchmark with exit 2 after the table. */
let failures = 0;
function attempt(step) {
  try {
    return step();
  } catch (error) {
    failures++;
    console.error(String(error.message ?? error));
    return undefined;
  }
}
const fromData = attempt(() => runDriftCheck('drift-check (data)', pair.reference, pair.current));
const profilePath = join(work, 'reference.profile.json');
const profiling = attempt(() => runProfile(pair.reference, profilePath));
const fromProfile = profiling && attempt(() => runDriftCheck('drift-check (profile)', profilePath, pair.current));
const baseline = recipeSkip ? undefined : attempt(() => runRecipe(pair.reference, pair.current));

const table = [
  ['run', 'wall s', 'CPU s', 'peak RSS MB', 'wall / recipe', 'drifted columns'],
  ['drift-check, reference CSV', fromData],
  [
    `mlops profile of the reference${profiling ? ` (${fixed(statSync(profilePath).size / 1e3, 0)} kB)` : ''}`,
    profiling,
  ],
  ['drift-check, reference profile', fromProfile],
  ['recipe: pandas + ks_2samp/chisquare', baseline, recipeSkip && `skipped: ${recipeSkip}`],
].map((row, index) => {
  if (index === 0) return row;
  const [label, run, skipped] = row;
  if (!run) return [label, '-', '-', '-', '-', skipped || 'failed (above)'];
  return [
    label,
    fixed(run.wall),
    fixed(run.cpuSeconds),
    fixed(run.maxRssMb, 0),
    baseline ? fixed(run.wall / baseline.wall) : '-',
    run.drifted ? run.drifted.join(' ') || '(none)' : '',
  ];
});
const widths = table[0].map((_, column) => Math.max(...table.map((row) => String(row[column]).length)));
for (const row of table) console.log('  ' + row.map((cell, i) => String(cell).padEnd(widths[i])).join('  '));

if (fromData) {
  console.log('\ntests drift-check chose (reference > 1000 rows: Evidently uses wasserstein / jensenshannon):');
  console.log('  ' + fromData.columns.map((c) => `${c.column}=${c.test}:${fixed(c.value, 4)}`).join(' '));
}
const verdict = (ok) => (ok ? 'met' : 'NOT met');
for (const [label, run] of [
  ['reference CSV', fromData],
  ['reference profile', fromProfile],
]) {
  if (!run) continue;
  const time = baseline
    ? `time ${fixed(run.wall / baseline.wall)} of the recipe's (target <= ${TIME_TARGET}: ${verdict(run.wall / baseline.wall <= TIME_TARGET)})`
    : 'time: no recipe to compare with';
  console.log(
    `${label}: ${time}; peak RSS ${fixed(run.maxRssMb, 0)} MB (target < ${RSS_TARGET_MB}: ${verdict(run.maxRssMb < RSS_TARGET_MB)})`,
  );
}
if (fromData && fromProfile) {
  const sameFlags = JSON.stringify(fromData.drifted) === JSON.stringify(fromProfile.drifted);
  console.log(`drift flags from the profile equal those from the CSV: ${sameFlags ? 'yes' : 'NO'}`);
}
if (failures > 0) process.exitCode = 2;
