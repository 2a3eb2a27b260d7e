// Benchmark: reading a large CSV with mlops' streaming reader, against pandas' read_csv on the
// same file (what a Great Expectations user runs). Both read every row and count the missing cells
// per column, so every cell is touched. Each reader runs in its own process so that its peak RSS
// is its own.
//
//   node bench/read-csv.mjs [--rows 1000000] [--also 3000000] [--runs 3]
//
// Needs Debian's pandas for the comparison (`apt-get install -y python3-pandas`; it is run with
// /usr/bin/python3); without it, only mlops' figures are printed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
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
if (option('also', '3000000') !== 'none') sizes.push(Number(option('also', '3000000')));
const runs = Number(option('runs', '3'));

// Bundle the reader (TypeScript source) once, as the actions bundle it.
const bundle = join(dataDir, 'reader.mjs');
await build({
  entryPoints: [join(root, 'src', 'adapters', 'fs', 'dataset.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: bundle,
  logLevel: 'warning',
});

const mlopsScript = join(dataDir, 'read-mlops.mjs');
writeFileSync(
  mlopsScript,
  `import { openDataset } from ${JSON.stringify(bundle)};
const [file] = process.argv.slice(2);
const start = performance.now();
const dataset = await openDataset([file], { cwd: process.cwd() });
const missing = dataset.columns.map(() => 0);
let rows = 0;
for await (const batch of dataset.batches()) {
  for (const row of batch.rows) {
    for (let index = 0; index < row.length; index++) if (row[index] === null) missing[index]++;
  }
  rows += batch.rows.length;
}
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage();
console.log(JSON.stringify({ rows, missing, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
`,
);

const pandasScript = `
import json, resource, sys, time
start_cpu = time.process_time()
import pandas as pd
start = time.perf_counter()
frame = pd.read_csv(sys.argv[1])
missing = [int(n) for n in frame.isna().sum().tolist()]
seconds = time.perf_counter() - start
print(json.dumps({"rows": len(frame), "missing": missing, "seconds": seconds, "cpuSeconds": time.process_time() - start_cpu,
                  "maxRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "version": pd.__version__}))
`;

function hasPandas() {
  if (!existsSync('/usr/bin/python3')) return false;
  return spawnSync('/usr/bin/python3', ['-c', 'import pandas'], { stdio: 'ignore' }).status === 0;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(command, commandArgs) {
  const results = [];
  for (let run = 0; run < runs; run++) {
    const output = execFileSync(command, commandArgs, { encoding: 'utf8', maxBuffer: 1 << 20 });
    results.push(JSON.parse(output.trim().split('\n').pop()));
  }
  return {
    ...results[0],
    seconds: median(results.map((result) => result.seconds)),
    cpuSeconds: median(results.map((result) => result.cpuSeconds)),
    maxRssMb: Math.max(...results.map((result) => result.maxRssMb)),
  };
}

const pandas = hasPandas();
if (!pandas) console.log('pandas not found (/usr/bin/python3 -c "import pandas"): printing mlops figures only\n');
console.log(`node ${process.version}, ${runs} runs each, median time, peak RSS over the runs\n`);
console.log('| rows | file | reader | time (s) | CPU (s) | rows/s | MB/s | peak RSS (MB) |');
console.log('|---:|---:|---|---:|---:|---:|---:|---:|');
for (const rows of sizes) {
  const file = join(dataDir, `generated-${rows}.csv`);
  if (!existsSync(file)) await generateCsv(file, { rows, seed: 42 });
  const megabytes = statSync(file).size / 1e6;
  const line = (name, result) =>
    console.log(
      `| ${rows.toLocaleString('en')} | ${megabytes.toFixed(0)} MB | ${name} | ${result.seconds.toFixed(2)} | ${result.cpuSeconds.toFixed(2)} | ` +
        `${Math.round(result.rows / result.seconds).toLocaleString('en')} | ${(megabytes / result.seconds).toFixed(0)} | ${result.maxRssMb.toFixed(0)} |`,
    );
  const mlops = measure(process.execPath, [mlopsScript, file]);
  if (mlops.rows !== rows) throw new Error(`mlops read ${mlops.rows} rows, expected ${rows}`);
  line('mlops', mlops);
  if (pandas) {
    const reference = measure('/usr/bin/python3', ['-c', pandasScript, file]);
    if (reference.rows !== rows) throw new Error(`pandas read ${reference.rows} rows, expected ${rows}`);
    if (JSON.stringify(reference.missing) !== JSON.stringify(mlops.missing)) {
      throw new Error(
        `missing-cell counts differ: mlops ${JSON.stringify(mlops.missing)}, pandas ${JSON.stringify(reference.missing)}`,
      );
    }
    line(`pandas ${reference.version} read_csv`, reference);
    console.log(`|  |  | mlops / pandas time | ${(mlops.seconds / reference.seconds).toFixed(2)} |  |  |  |  |`);
  }
}
