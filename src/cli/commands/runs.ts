import { resolve } from 'node:path';
import { openRegistryReader } from '../../adapters/registry/index.js';
import { readRunRecordFile, trackRun } from '../../adapters/registry/runs.js';
import { InputError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { formatDelta, formatDuration, formatTime, formatValue, textTable } from '../../core/registry/format.js';
import { checkRunId } from '../../core/registry/names.js';
import {
  bestRun,
  compareRuns,
  flattenNumbers,
  flattenParamValues,
  metricHistories,
  parseRunFilter,
  type RunRecord,
} from '../../core/registry/runs.js';
import { renderRunComparisonMarkdown } from '../../core/report/runs.js';
import type { CliCommand, CommandArgs, CommandContext, CommandSpec } from '../commands.js';
import { LOCATION_FLAGS, positionals, printJson, remoteFrom, withLog } from './shared.js';

async function reader(args: CommandArgs, context: CommandContext, log: Logger) {
  return openRegistryReader({ ...remoteFrom(args, context), log });
}

async function record(args: CommandArgs, context: CommandContext, log: Logger): Promise<number> {
  positionals(args, [], 'mlops runs record --run-record <file>');
  const file = args.options.get('run-record');
  if (!file) throw new InputError('Missing option --run-record <file> (see mlops runs --help).');
  const run = await readRunRecordFile(resolve(context.cwd, file));
  const result = await trackRun(run, { ...remoteFrom(args, context), log });
  if (context.json) printJson(context, { ...result, commit: result.commit ?? null });
  else
    context.streams.stdout(
      result.recorded
        ? `Recorded run ${result.id} (${result.path}).\n`
        : `Run ${result.id} was already recorded; nothing changed.\n`,
    );
  return 0;
}

function metricSummary(run: RunRecord): string {
  const metrics = Object.entries(flattenNumbers(run.metrics));
  const shown = metrics.slice(0, 3).map(([k, v]) => `${k}=${formatValue(v)}`);
  return shown.join(', ') + (metrics.length > 3 ? `, +${metrics.length - 3}` : '') || '-';
}

async function list(args: CommandArgs, context: CommandContext, log: Logger): Promise<number> {
  positionals(args, [], 'mlops runs list [--limit <n>]');
  const limitText = args.options.get('limit');
  const limit = limitText !== undefined ? Number(limitText) : undefined;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new InputError(`--limit must be a whole number of 1 or more, got "${limitText}".`);
  const registry = await reader(args, context, log);
  const runs = (await registry.runs()).slice(0, limit);
  if (context.json) {
    printJson(context, { registry: registry.label, runs: runs.map((r) => ({ ...r.run, recordedAt: r.recordedAt })) });
    return 0;
  }
  if (runs.length === 0) {
    context.streams.stdout(`No runs tracked on ${registry.label}.\n`);
    return 0;
  }
  context.streams.stdout(
    textTable(
      ['RUN', 'NAME', 'STATUS', 'STARTED', 'DURATION', 'METRICS'],
      runs.map(({ run }) => [
        run.id,
        run.name ?? '-',
        run.status ?? '-',
        formatTime(run.startedAt),
        formatDuration(run.durationSeconds),
        metricSummary(run),
      ]),
    ),
  );
  return 0;
}

async function loadRun(registry: Awaited<ReturnType<typeof reader>>, id: string): Promise<RunRecord> {
  checkRunId(id);
  const found = await registry.run(id);
  if (!found) {
    const close = (await registry.runs()).filter((r) => r.run.id.startsWith(id)).map((r) => r.run.id);
    throw new InputError(
      `No run "${id}" is tracked on ${registry.label}${close.length ? ` (did you mean ${close.slice(0, 3).join(', ')}?)` : ''}.`,
    );
  }
  return found.run;
}

async function show(args: CommandArgs, context: CommandContext, log: Logger): Promise<number> {
  const [id] = positionals(args, ['<id>'], 'mlops runs show <id>');
  const registry = await reader(args, context, log);
  const run = await loadRun(registry, id!);
  if (context.json) {
    printJson(context, run);
    return 0;
  }
  const rows: Array<[string, string]> = [
    ['run', run.id],
    ['name', run.name ?? '-'],
    ['status', run.status ?? '-'],
    ['started', run.startedAt],
    ['finished', run.finishedAt ?? '-'],
    ['duration', formatDuration(run.durationSeconds)],
    ['command', Array.isArray(run.command) ? run.command.join(' ') : (run.command ?? '-')],
  ];
  if (run.seed !== undefined) rows.push(['seed', String(run.seed)]);
  const git = run.lineage?.git ?? run.git;
  if (git?.commit) rows.push(['commit', `${git.commit}${git.dirty ? ' (dirty)' : ''}`]);
  if (git?.ref) rows.push(['ref', git.ref]);
  const lineage = run.lineage;
  if (lineage?.runner) rows.push(['runner', [lineage.runner.os, lineage.runner.arch].filter(Boolean).join('/')]);
  if (lineage?.node) rows.push(['node', lineage.node]);
  if (lineage?.python) rows.push(['python', lineage.python]);
  if (lineage?.lockfiles?.length) rows.push(['lockfiles', lineage.lockfiles.map((l) => l.path).join(', ')]);
  if (run.mlflow)
    rows.push([
      'mlflow run',
      `${run.mlflow.runId}${run.mlflow.experimentId ? ` (experiment ${run.mlflow.experimentId})` : ''}`,
    ]);
  if (run.actor) rows.push(['actor', run.actor]);
  if (run.dataSha256) rows.push(['data sha256', run.dataSha256]);
  if (run.modelSha256) rows.push(['model sha256', run.modelSha256]);
  if (run.runUrl ?? run.workflowRun?.url) rows.push(['workflow run', (run.runUrl ?? run.workflowRun?.url)!]);
  const width = Math.max(...rows.map(([k]) => k.length));
  let out = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
  const params = Object.entries(flattenParamValues(run.params));
  const metrics = Object.entries(flattenNumbers(run.metrics));
  if (params.length) out += '\nParams:\n' + textTable(['name', 'value'], params);
  if (metrics.length)
    out +=
      '\nMetrics:\n' +
      textTable(
        ['name', 'value'],
        metrics.map(([k, v]) => [k, formatValue(v)]),
        { right: [1] },
      );
  context.streams.stdout(out);
  return 0;
}

async function compare(args: CommandArgs, context: CommandContext, log: Logger): Promise<number> {
  if (args.positionals.length < 2)
    throw new InputError(
      'mlops runs compare needs at least two run ids. Usage: mlops runs compare <id> <id> [<id>...]',
    );
  const registry = await reader(args, context, log);
  const runs: RunRecord[] = [];
  for (const id of args.positionals) runs.push(await loadRun(registry, id));
  const comparison = compareRuns(runs);
  const histories = metricHistories(runs);
  if (context.json) {
    printJson(context, { ...comparison, histories });
    return 0;
  }
  if (args.flags.has('markdown')) {
    context.streams.stdout(renderRunComparisonMarkdown(comparison, histories));
    return 0;
  }
  const two = runs.length === 2;
  const headers = ['', ...comparison.runs, ...(two ? ['delta'] : [])];
  const rows: string[][] = [];
  if (comparison.params.length) {
    rows.push(['params', ...comparison.runs.map(() => ''), ...(two ? [''] : [])]);
    for (const row of comparison.params) {
      rows.push([`  ${row.name}${row.differs ? ' *' : ''}`, ...row.values.map((v) => v ?? '-'), ...(two ? [''] : [])]);
    }
  }
  if (comparison.metrics.length) {
    rows.push(['metrics', ...comparison.runs.map(() => ''), ...(two ? [''] : [])]);
    for (const row of comparison.metrics) {
      rows.push([`  ${row.name}`, ...row.values.map((v) => formatValue(v)), ...(two ? [formatDelta(row.delta)] : [])]);
    }
  }
  const right = comparison.runs.map((_, i) => i + 1).concat(two ? [comparison.runs.length + 1] : []);
  context.streams.stdout(
    textTable(headers, rows, { right }) +
      (comparison.params.some((p) => p.differs) ? '* params that differ\n' : '') +
      (histories.length
        ? `${histories.length === 1 ? '1 metric has' : `${histories.length} metrics have`} a step history (${histories.map((h) => h.metric).join(', ')}): --markdown draws them.\n`
        : ''),
  );
  return 0;
}

async function best(args: CommandArgs, context: CommandContext, log: Logger): Promise<number> {
  positionals(args, [], 'mlops runs best --metric <name> [--direction higher|lower] [--filter key=value]');
  const metric = args.options.get('metric');
  if (!metric) throw new InputError('Missing option --metric <name> (see mlops runs best --help).');
  const direction = args.options.get('direction') ?? 'higher';
  if (direction !== 'higher' && direction !== 'lower')
    throw new InputError(`--direction must be higher or lower, got "${direction}".`);
  const filters = (args.lists.get('filter') ?? []).map(parseRunFilter);
  const registry = await reader(args, context, log);
  const runs = (await registry.runs()).map((tracked) => tracked.run);
  const result = bestRun(runs, { metric, direction, filters });
  log.info(
    `Best of ${result.considered} run${result.considered === 1 ? '' : 's'} by ${metric} (${direction} is better): ${result.run.id} (${formatValue(result.value)}).`,
  );
  if (context.json)
    printJson(context, { id: result.run.id, metric, value: result.value, direction, considered: result.considered });
  else context.streams.stdout(`${result.run.id}\n`);
  return 0;
}

const SUBCOMMANDS: Record<string, CommandSpec> = {
  record: {
    usage: '--run-record <file>',
    summary:
      'Store a run record (what train writes to mlops-reports/run.json). Recording the same run again changes nothing.',
    flags: {
      ...LOCATION_FLAGS,
      'run-record': { type: 'string', value: 'file', description: 'The run record to store.' },
    },
    positionals: true,
    run: withLog(record),
  },
  list: {
    usage: '',
    summary: 'Tracked runs, newest first.',
    flags: { ...LOCATION_FLAGS, limit: { type: 'string', value: 'n', description: 'Show only the n newest runs.' } },
    positionals: true,
    run: withLog(list),
  },
  show: {
    usage: '<id>',
    summary: 'One run: command, timing, lineage, params, metrics.',
    flags: LOCATION_FLAGS,
    positionals: true,
    run: withLog(show),
  },
  compare: {
    usage: '<id> <id> [<id>...] [--markdown]',
    summary:
      'Params and metrics side by side (with two runs, the metric differences). --markdown adds a line chart per metric with a step history.',
    flags: {
      ...LOCATION_FLAGS,
      markdown: {
        type: 'boolean',
        description:
          'Print markdown (tables, and Mermaid line charts of the metric histories, one line per run) instead of a text table.',
      },
    },
    positionals: true,
    run: withLog(compare),
  },
  best: {
    usage: '--metric <name> [--direction higher|lower] [--filter key=value]...',
    summary:
      'Print the id of the tracked run with the best value of a metric (ties: the earliest run). Runs without the metric, and runs that did not succeed, are skipped; none left is exit 2.',
    flags: {
      ...LOCATION_FLAGS,
      metric: { type: 'string', value: 'name', description: 'The metric to rank by (a flattened name: loss.val).' },
      direction: {
        type: 'string',
        value: 'higher|lower',
        description: 'Which way is better. Default: higher.',
      },
      filter: {
        type: 'string',
        value: 'key=value',
        multiple: true,
        description:
          'Only runs whose name, status, id or params.<name> matches (`*` matches any text); repeat to require several.',
      },
    },
    positionals: true,
    run: withLog(best),
  },
};

/** `mlops runs <subcommand>`. */
export const runsCommand: CliCommand = {
  name: 'runs',
  summary: 'Experiment tracking on the registry branch.',
  description:
    'Train runs with `track: true` are stored as run records (runs/<id>.json) on the registry branch. The run record format is schemas/registry/run-record.schema.json (docs/registry.md).',
  subcommands: SUBCOMMANDS,
};
