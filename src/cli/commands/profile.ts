import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { displayName, openDataset, textFilePredicate } from '../../adapters/fs/dataset.js';
import { writeFileAtomic } from '../../adapters/fs/user-files.js';
import { InputError } from '../../core/errors.js';
import { profileDataset, starterSuite, starterSuiteYaml } from '../../core/profile/index.js';
import { parseSuite } from '../../core/validation/index.js';
import type { CliCommand, CommandContext } from '../commands.js';
import { cliLogger } from '../io.js';

const SCHEMA_URL = 'https://raw.githubusercontent.com/org/mlops/main/schemas/expectation-suite.schema.json';

const HELP = `mlops profile: profile a dataset and write a starter expectation suite.

Usage: mlops profile --data <path|glob> --suite-out <file> [options]

Reads the data once and writes a Great Expectations 1.x suite drawn from it: the columns and
a row-count band, not-null checks (with mostly when values are missing), types as pandas sees
them, the set of values of columns with few of them, numeric ranges, mean and deviation bands,
text lengths, date formats, and uniqueness of identifier-like columns. Review it, then use it
with mlops validate-data. See docs/validate-data.md.

Options:
  --data <path|glob>         The reference dataset: CSV, TSV, JSON, JSON Lines, Parquet, or .gz of
                             the text formats. Repeat, or separate with commas, to read several
                             files as one dataset.
  --suite-out <file>         Where to write the suite: YAML, or JSON when the name ends in .json.
  --profile-out <file>       Also write the profile itself as JSON (types, missing values,
                             statistics, quantiles, categories).
  --format <format>          auto, csv, tsv, json, jsonl or parquet (default: auto, by extension).
  --name <name>              The suite's name (default: the first data file's name).
  --max-categories <n>       Columns with at most n distinct values get an in-set expectation
                             (default 20).
  --working-directory <dir>  Directory that relative paths resolve against (default: current).
  --force                    Overwrite an existing suite file.
  --json                     Print a JSON summary instead of text.
  -h, --help                 Show this help.

Exit status: 0 written, 2 the data or an option is unusable.
`;

const VALUE_OPTIONS = ['data', 'suite-out', 'profile-out', 'format', 'name', 'max-categories', 'working-directory'];
const FLAGS = ['force', 'help'];

interface ProfileArgs {
  data: string[];
  options: Map<string, string>;
  flags: Set<string>;
}

function parseArgs(args: string[]): ProfileArgs {
  const parsed: ProfileArgs = { data: [], options: new Map(), flags: new Set() };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '-h') {
      parsed.flags.add('help');
      continue;
    }
    if (!arg.startsWith('--'))
      throw new InputError(`Unexpected argument "${arg}" for mlops profile (see mlops profile --help).`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (FLAGS.includes(name)) {
      if (eq !== -1) throw new InputError(`Option --${name} takes no value.`);
      parsed.flags.add(name);
      continue;
    }
    if (!VALUE_OPTIONS.includes(name))
      throw new InputError(`Unknown option --${name} for mlops profile (see mlops profile --help).`);
    let value = eq === -1 ? undefined : arg.slice(eq + 1);
    if (value === undefined) {
      value = args[index + 1];
      if (value === undefined || value.startsWith('--')) throw new InputError(`Option --${name} needs a value.`);
      index++;
    }
    if (name === 'data') parsed.data.push(value);
    else if (parsed.options.has(name)) throw new InputError(`Option --${name} is given more than once.`);
    else parsed.options.set(name, value);
  }
  return parsed;
}

const FORMATS = ['auto', 'csv', 'tsv', 'json', 'jsonl', 'parquet'] as const;

export const profileCommand: CliCommand = {
  name: 'profile',
  summary: 'Profile a dataset and write a starter expectation suite for validate-data.',
  async run(rawArgs: string[], context: CommandContext): Promise<number> {
    const args = parseArgs(rawArgs);
    if (args.flags.has('help')) {
      context.streams.stdout(HELP);
      return 0;
    }
    const cwd = resolve(context.cwd, args.options.get('working-directory') ?? '.');
    const suiteOut = args.options.get('suite-out');
    const profileOut = args.options.get('profile-out');
    if (args.data.length === 0) throw new InputError('Missing required option --data (see mlops profile --help).');
    if (!suiteOut && !profileOut)
      throw new InputError(
        'Missing required option --suite-out <file> (or --profile-out <file>) (see mlops profile --help).',
      );
    const format = args.options.get('format') ?? 'auto';
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new InputError(`--format must be one of ${FORMATS.map((f) => `"${f}"`).join(', ')}, got "${format}".`);
    }
    const categoriesText = args.options.get('max-categories') ?? '20';
    const maxCategories = Number(categoriesText);
    if (!/^\d+$/.test(categoriesText) || maxCategories < 1) {
      throw new InputError(`--max-categories must be a whole number of 1 or more, got "${categoriesText}".`);
    }
    const suitePath = suiteOut ? resolve(cwd, suiteOut) : undefined;
    if (suitePath && !args.flags.has('force')) {
      const existing = await stat(suitePath).catch(() => undefined);
      if (existing)
        throw new InputError(
          `--suite-out: ${displayName(suitePath, cwd)} already exists; use --force to overwrite it.`,
        );
    }

    const log = cliLogger(context.streams, context.debug);
    const dataset = await openDataset(args.data, { format: format as (typeof FORMATS)[number], cwd, log });
    let lastLog = Date.now();
    const profile = await profileDataset(dataset, {
      maxCategories,
      isTextFile: textFilePredicate(dataset),
      onProgress(rows) {
        if (Date.now() - lastLog < 5_000) return;
        lastLog = Date.now();
        log.info(`${rows.toLocaleString('en-US')} rows read…`);
      },
    });
    const firstFile = dataset.files[0] ?? 'data';
    const name =
      args.options.get('name') ??
      (firstFile.split('/').pop() ?? firstFile).replace(/(\.gz)?$/i, '').replace(/\.[^.]+$/, '');
    const suite = starterSuite(profile, { name, maxCategories });

    if (suitePath) {
      const shown = displayName(suitePath, cwd);
      const text = /\.json$/i.test(suitePath)
        ? JSON.stringify(suite, null, 2) + '\n'
        : starterSuiteYaml(suite, [
            `yaml-language-server: $schema=${SCHEMA_URL}`,
            `Starter suite written by mlops profile from ${dataset.files.join(', ')} (${profile.rows} rows).`,
            'Review every expectation, then tighten or loosen it; run it with mlops validate-data.',
          ]);
      // The suite must be one validate-data accepts: a failure here is a bug, not a user error.
      parseSuite(text, shown);
      await writeFileAtomic(suitePath, text);
    }
    const profilePath = profileOut ? resolve(cwd, profileOut) : undefined;
    if (profilePath) await writeFileAtomic(profilePath, JSON.stringify(profile, null, 2) + '\n');

    if (context.json) {
      context.streams.stdout(
        JSON.stringify(
          {
            rows: profile.rows,
            columns: profile.columns.length,
            expectations: suite.expectations.length,
            suite: suitePath ?? null,
            profile: profilePath ?? null,
          },
          null,
          2,
        ) + '\n',
      );
      return 0;
    }
    const lines = [
      `Profiled ${profile.rows.toLocaleString('en-US')} rows × ${profile.columns.length} columns (${dataset.files.join(', ')}).`,
    ];
    if (suitePath) {
      const shown = displayName(suitePath, cwd);
      lines.push(`Wrote ${suite.expectations.length} expectations to ${shown}. Review them, then run:`);
      lines.push(
        `  mlops validate-data --data ${dataset.files.map((file) => (/\s/.test(file) ? JSON.stringify(file) : file)).join(',')} --suite ${shown}`,
      );
    }
    if (profilePath) lines.push(`Wrote the profile to ${displayName(profilePath, cwd)}.`);
    context.streams.stdout(lines.join('\n') + '\n');
    return 0;
  },
};
