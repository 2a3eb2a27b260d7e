#!/usr/bin/env node
// Cold start of the bundles: how long `node dist/<action>/index.js` takes to start, read its inputs
// and fail on the missing required one, compared with `node -e 0` (bare Node.js) on the same
// machine in the same run. Each step of a workflow pays this once, so the target is 1.6x bare node.
// For reference, it also times what a plain JavaScript action costs: @actions/core imported eagerly
// from node_modules (its OIDC client pulls in @actions/http-client and undici).
//
//   node bench/cold-start.mjs [--runs N] [--dist DIR]
//
// Every command runs under the Node.js that runs this script: run it with Node 24 to see what
// `runs.using: node24` costs on a runner, with Node 20 for the oldest supported CLI.
//
// The bundles run from a copy of dist/ in a temp folder with no node_modules, with GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY and the other runner variables pointing at temp files, as on a runner.
// Prints figures; exits 0 whatever they are (2 only for a bad flag or no bundles).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { distOption, runsOption } from './lib/options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = 1.6;

const runs = runsOption(15);
const source = distOption(root);

const scratch = mkdtempSync(join(tmpdir(), 'mlops-cold-start-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
const dist = join(scratch, 'dist');
cpSync(source, dist, { recursive: true });
const workspace = join(scratch, 'workspace');
mkdirSync(join(scratch, 'runner_temp'), { recursive: true });
mkdirSync(workspace, { recursive: true });

/** The runner's environment for a step, with action.yml defaults but no required input. */
function runnerEnvironment(action) {
  const output = join(scratch, `${action}.output`);
  const summary = join(scratch, `${action}.summary`);
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? scratch,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_SHA: '0000000000000000000000000000000000000000',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_RUN_ID: '1',
    RUNNER_TEMP: join(scratch, 'runner_temp'),
  };
  const doc = parse(readFileSync(join(root, 'actions', action, 'action.yml'), 'utf8'));
  for (const [name, spec] of Object.entries(doc.inputs ?? {})) {
    if (spec.default === undefined) continue;
    const value = String(spec.default) === '${{ github.token }}' ? '' : String(spec.default);
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  return env;
}

const actions = readdirSync(join(root, 'actions'))
  .filter((name) => existsSync(join(dist, name, 'index.js')))
  .sort();

/** What is timed: label, argv after `node`, environment, working directory, expected exit status. */
const subjects = [
  { label: 'node -e 0 (baseline)', args: ['-e', '0'], env: { PATH: process.env.PATH ?? '' }, cwd: scratch, status: 0 },
  ...actions.map((action) => ({
    label: `dist/${action}/index.js`,
    args: [join(dist, action, 'index.js')],
    env: runnerEnvironment(action),
    cwd: workspace,
    status: 1,
    judged: true,
  })),
  {
    label: 'dist/cli/index.js --version',
    args: [join(dist, 'cli', 'index.js'), '--version'],
    env: { PATH: process.env.PATH ?? '' },
    cwd: workspace,
    status: 0,
    judged: true,
  },
];
if (existsSync(join(root, 'node_modules', '@actions', 'core'))) {
  subjects.push({
    label: 'reference: @actions/core from node_modules',
    args: ['--input-type=module', '-e', "import * as core from '@actions/core'; core.getInput('data');"],
    env: { PATH: process.env.PATH ?? '' },
    cwd: root,
    status: 0,
  });
}

function timeOnce(subject) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, subject.args, {
    cwd: subject.cwd,
    env: subject.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== subject.status && subject.unexpected === undefined) {
    // Still timed, but flagged: it did not run the path this benchmark means to measure.
    subject.unexpected = result.status;
    console.error(`warning: ${subject.label} exited ${result.status}, expected ${subject.status}:`);
    console.error(String(result.stdout) + String(result.stderr));
  }
  return ms;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

// One warm-up each (file cache, code cache), then rounds that interleave the subjects so that
// a burst of load on the machine hits all of them alike.
for (const subject of subjects) timeOnce(subject);
const samples = subjects.map(() => []);
for (let round = 0; round < runs; round++) {
  subjects.forEach((subject, i) => samples[i].push(timeOnce(subject)));
}

const medians = samples.map(median);
const minimums = samples.map((values) => Math.min(...values));
const baseline = medians[0];
const rows = subjects.map((subject, i) => {
  const ratio = medians[i] / baseline;
  const verdict =
    subject.unexpected !== undefined
      ? `exit ${subject.unexpected}?`
      : subject.judged
        ? ratio <= TARGET
          ? 'PASS'
          : 'OVER'
        : '';
  return [
    subject.label,
    medians[i].toFixed(1),
    minimums[i].toFixed(1),
    `${ratio.toFixed(2)}x`,
    subject.judged ? `${TARGET}x` : '',
    verdict,
  ];
});
// The verdict is on medians; the fastest run shows what a quiet machine would see.
const header = ['command', 'median ms', 'min ms', 'ratio', 'target', 'verdict'];
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
const line = (cells) =>
  cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');

console.log(
  `Cold start, median of ${runs} runs, Node.js ${process.version}, ${process.platform}/${process.arch}, ` +
    `${cpus().length} CPUs, load average ${loadavg()[0].toFixed(2)}`,
);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of rows) console.log(line(row));
const over = rows.filter((row) => row[5] === 'OVER').length;
console.log(over ? `\n${over} over the ${TARGET}x target.` : `\nAll bundles within ${TARGET}x of bare node.`);
