import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { displayName, openDataset, textFilePredicate } from '../../adapters/fs/dataset.js';
import { checkOutputPaths, writeFileAtomic } from '../../adapters/fs/user-files.js';
import { InputError } from '../../core/errors.js';
import { profileDataset, starterSuite, starterSuiteYaml } from '../../core/profile/index.js';
import { parseSuite } from '../../core/validation/index.js';
import type { CliCommand, CommandArgs, CommandContext } from '../commands.js';
import type { FlagTable } from '../flags.js';
import { cliLogger } from '../io.js';
import { workingDirectoryFrom } from './shared.js';

const SCHEMA_URL = 'https://raw.githubusercontent.com/org/mlops/main/schemas/expectation-suite.schema.json';

const DESCRIPTION = `Reads the data once and writes a Great Expectations 1.x suite drawn from it: the columns and
a row-count band, not-null checks (with mostly when values are missing), types as pandas sees
them, the set of values of columns with few of them, numeric ranges, mean and deviation bands,
text lengths, date formats, and uniqueness of identifier-like columns. Review it, then use it
with mlops validate-data. See docs/validate-data.md.`;

/** The flags of mlops profile: the one place they are declared (the help is generated from them). */
const FLAGS: FlagTable = {
  data: {
    type: 'string',
    multiple: true,
    value: 'path|glob',
    description:
      'The reference dataset: CSV, TSV, JSON, JSON Lines, Parquet, or .gz of the text formats. Repeat, or separate with commas, to read several files as one dataset.',
  },
  'suite-out': {
    type: 'string',
    value: 'file',
    description: 'Where to write the suite: YAML, or JSON when the name ends in .json.',
  },
  'profile-out': {
    type: 'string',
    value: 'file',
    description: 'Also write the profile itself as JSON (types, missing values, statistics, quantiles, categories).',
  },
  format: {
    type: 'string',
    value: 'format',
    description: 'auto, csv, tsv, json, jsonl or parquet (default: auto, by extension).',
  },
  name: { type: 'string', value: 'name', description: "The suite's name (default: the first data file's name)." },
  'max-categories': {
    type: 'string',
    value: 'n',
    description: 'Columns with at most n distinct values get an in-set expectation (default 20).',
  },
  'working-directory': {
    type: 'string',
    value: 'dir',
    description: 'Directory that relative paths resolve against (default: current).',
  },
  force: { type: 'boolean', description: 'Overwrite an existing suite file.' },
};

const FORMATS = ['auto', 'csv', 'tsv', 'json', 'jsonl', 'parquet'] as const;

/** Profiles the data and writes the suite (and the profile), every output path checked first. */
async function profile(args: CommandArgs, context: CommandContext): Promise<number> {
  const cwd = workingDirectoryFrom(args, context);
  const data = args.lists.get('data') ?? [];
  const suiteOut = args.options.get('suite-out');
  const profileOut = args.options.get('profile-out');
  if (data.length === 0) throw new InputError('Missing required option --data (see mlops profile --help).');
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
  const profilePath = profileOut ? resolve(cwd, profileOut) : undefined;
  // Both paths are checked before the data is read, so that a bad --profile-out never leaves
  // a suite written and a failed command behind.
  await checkOutputPaths(
    [
      ...(suitePath ? [{ path: suitePath, label: '--suite-out' }] : []),
      ...(profilePath ? [{ path: profilePath, label: '--profile-out' }] : []),
    ],
    cwd,
    data.map((file) => ({ path: resolve(cwd, file), label: '--data' })),
  );
  if (suitePath && !args.flags.has('force')) {
    const existing = await stat(suitePath).catch(() => undefined);
    if (existing)
      throw new InputError(`--suite-out: ${displayName(suitePath, cwd)} already exists; use --force to overwrite it.`);
  }

  const log = cliLogger(context.streams, context.debug);
  const dataset = await openDataset(data, { format: format as (typeof FORMATS)[number], cwd, log });
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
}

/** `mlops profile`. */
export const profileCommand: CliCommand = {
  name: 'profile',
  summary: 'Profile a dataset and write a starter expectation suite for validate-data.',
  description: DESCRIPTION,
  epilogue: 'Exit status: 0 written, 2 the data or an option is unusable.',
  main: { usage: '--data <path|glob> --suite-out <file>', summary: '', flags: FLAGS, positionals: false, run: profile },
};
