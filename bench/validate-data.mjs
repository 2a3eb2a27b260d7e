#!/usr/bin/env node
// Benchmark: `mlops validate-data` (the built CLI) on a generated CSV with a suite of 13
// expectations, against the same checks in pandas on the same file (what a Great Expectations
// user runs: read_csv, then GE's pandas metrics). Each side runs in its own process so that its
// peak RSS is its own; both report whether each expectation passed, and the two must agree.
//
//   node bench/validate-data.mjs [--rows 1000000] [--also 3000000|none] [--runs 1] [--dist DIR]
//
// Without --dist, a private copy of the bundles is built into bench/.data/validate-dist (the shared
// dist/ is never touched). Needs Debian's pandas for the comparison (`apt-get install -y
// python3-pandas`, run with /usr/bin/python3); without it, only mlops' figures are printed.
// Prints figures; exits 0 whatever they are.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCsv } from './lib/generate-csv.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = join(root, 'bench', '.data');
mkdirSync(dataDir, { recursive: true });

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : args[at + 1];
};
const sizes = [Number(option('rows', '1000000'))];
if (option('also', 'none') !== 'none') sizes.push(Number(option('also', 'none')));
const runs = Math.max(1, Number(option('runs', '1')));
const TIME_TARGET = 0.5;
const RSS_TARGET_MB = 200;

let dist = option('dist', undefined);
if (!dist) {
  dist = join(dataDir, 'validate-dist');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--outdir', dist], { stdio: 'ignore' });
}
const cli = join(dist, 'cli', 'index.js');

// The suite: one expectation of each common kind, all of which the generated data meets.
const suitePath = join(dataDir, 'validate-suite.yml');
writeFileSync(
  suitePath,
  `name: bench
expectations:
  - type: expect_table_row_count_to_be_between
    kwargs: {min_value: 1, max_value: 100000000}
  - type: expect_column_values_to_be_unique
    kwargs: {column: id}
  - type: expect_column_values_to_not_be_null
    kwargs: {column: age, mostly: 0.9}
  - type: expect_column_values_to_be_between
    kwargs: {column: age, min_value: 18, max_value: 87}
  - type: expect_column_values_to_be_between
    kwargs: {column: income, min_value: 20000, max_value: 200000}
  - type: expect_column_values_to_be_between
    kwargs: {column: score, min_value: -1, max_value: 1}
  - type: expect_column_values_to_be_in_set
    kwargs: {column: segment, value_set: [consumer, smb, enterprise, public, education]}
  - type: expect_column_values_to_match_regex
    kwargs: {column: email, regex: "^[^@]+@example\\\\d+\\\\.com$"}
  - type: expect_column_values_to_be_in_set
    kwargs: {column: is_active, value_set: [true, false]}
  - type: expect_column_mean_to_be_between
    kwargs: {column: income, min_value: 100000, max_value: 120000}
  - type: expect_column_median_to_be_between
    kwargs: {column: score, min_value: -0.1, max_value: 0.1}
  - type: expect_column_value_lengths_to_be_between
    kwargs: {column: comment, max_value: 30}
  - type: expect_column_pair_values_a_to_be_greater_than_b
    kwargs: {column_A: last_seen, column_B: signup_date, or_equal: true}
`,
);

// Reports the child's own peak RSS and CPU time when it exits.
const hook = join(dataDir, 'rss-hook.mjs');
writeFileSync(
  hook,
  `process.on('exit', () => { const cpu = process.cpuUsage(); process.stderr.write('\\n@@usage ' + JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024, cpuSeconds: (cpu.user + cpu.system) / 1e6 }) + '\\n'); });\n`,
);

// The same checks with pandas, as GE's pandas engine computes them.
const pandasScript = join(dataDir, 'validate-pandas.py');
writeFileSync(
  pandasScript,
  `import json, resource, sys, time
import pandas as pd
start = time.perf_counter()
df = pd.read_csv(sys.argv[1])
results = []
def column(name):
    series = df[name]
    return series[series.notnull()]
results.append(bool(1 <= len(df) <= 100000000))
results.append(bool((~column('id').duplicated(keep=False)).all()))
results.append(bool(df['age'].notnull().sum() / len(df) >= 0.9))
for name, low, high in (('age', 18, 87), ('income', 20000, 200000), ('score', -1, 1)):
    values = column(name)
    results.append(bool(((values >= low) & (values <= high)).all()))
results.append(bool(column('segment').isin(['consumer', 'smb', 'enterprise', 'public', 'education']).all()))
results.append(bool(column('email').astype(str).str.contains(r'^[^@]+@example\\d+\\.com$').all()))
results.append(bool(column('is_active').isin([True, False]).all()))
results.append(bool(100000 <= df['income'].mean() <= 120000))
results.append(bool(-0.1 <= df['score'].median() <= 0.1))
results.append(bool((column('comment').str.len() <= 30).all()))
pair = df[['last_seen', 'signup_date']].dropna(how='all')
results.append(bool((pair['last_seen'] >= pair['signup_date']).all()))
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({'seconds': time.perf_counter() - start, 'cpuSeconds': usage.ru_utime + usage.ru_stime,
                  'maxRssMb': usage.ru_maxrss / 1024, 'results': results}))
`,
);

const hasPandas =
  existsSync('/usr/bin/python3') &&
  spawnSync('/usr/bin/python3', ['-c', 'import pandas'], { stdio: 'ignore' }).status === 0;

function runMlops(file) {
  const report = join(dataDir, 'validate-report.json');
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    ['--import', hook, cli, 'validate-data', '--data', file, '--suite', suitePath, '--report', report],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const wall = (performance.now() - started) / 1000;
  const usage = JSON.parse(/@@usage (.*)/.exec(child.stderr)?.[1] ?? 'null');
  if (child.status !== 0 || !usage)
    throw new Error(`mlops failed (${child.status}):\n${child.stdout}\n${child.stderr}`);
  const results = JSON.parse(readFileSync(report, 'utf8')).results.map((result) => result.success);
  return { wall, ...usage, results };
}

function runPandas(file) {
  const started = performance.now();
  const child = spawnSync('/usr/bin/python3', [pandasScript, file], { encoding: 'utf8' });
  const wall = (performance.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`pandas failed:\n${child.stderr}`);
  return { wall, ...JSON.parse(child.stdout) };
}

function best(samples) {
  return samples.reduce((a, b) => (b.wall < a.wall ? b : a));
}

const fixed = (value, digits = 2) => value.toFixed(digits);
console.log(
  `validate-data benchmark: 13 expectations, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}, best of ${runs}`,
);
for (const rows of sizes) {
  const file = join(dataDir, `generated-${rows}.csv`);
  if (!existsSync(file)) await generateCsv(file, { rows });
  const megabytes = statSync(file).size / 1e6;
  const mlops = best(Array.from({ length: runs }, () => runMlops(file)));
  console.log(`\n${rows.toLocaleString('en-US')} rows, ${fixed(megabytes, 1)} MB of CSV`);
  console.log(
    `  mlops validate-data: ${fixed(mlops.wall)} s wall, ${fixed(mlops.cpuSeconds)} s CPU, ` +
      `${Math.round(rows / mlops.wall).toLocaleString('en-US')} rows/s, ${fixed(megabytes / mlops.wall, 1)} MB/s, peak RSS ${fixed(mlops.maxRssMb, 0)} MB`,
  );
  if (!hasPandas) {
    console.log('  pandas: not installed (apt-get install -y python3-pandas), no comparison');
    continue;
  }
  const pandas = best(Array.from({ length: runs }, () => runPandas(file)));
  console.log(
    `  pandas (read_csv + the same checks): ${fixed(pandas.wall)} s wall, ${fixed(pandas.cpuSeconds)} s CPU, ` +
      `${Math.round(rows / pandas.wall).toLocaleString('en-US')} rows/s, peak RSS ${fixed(pandas.maxRssMb, 0)} MB`,
  );
  const wallRatio = mlops.wall / pandas.wall;
  const cpuRatio = mlops.cpuSeconds / pandas.cpuSeconds;
  const agree = JSON.stringify(mlops.results) === JSON.stringify(pandas.results);
  console.log(
    `  ratio mlops/pandas: ${fixed(wallRatio)} wall, ${fixed(cpuRatio)} CPU (target <= ${TIME_TARGET}: ${wallRatio <= TIME_TARGET ? 'met' : 'not met'})`,
  );
  console.log(
    `  peak RSS target < ${RSS_TARGET_MB} MB: ${mlops.maxRssMb < RSS_TARGET_MB ? 'met' : 'not met'}; verdicts agree with pandas: ${agree ? 'yes' : `NO (${JSON.stringify(mlops.results)} vs ${JSON.stringify(pandas.results)})`}`,
  );
}
