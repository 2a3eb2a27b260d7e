import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { displayName, openDataset, textFilePredicate } from '../../adapters/fs/dataset.js';
import { installedSchemaPath, pathWithinWorkTree } from '../../adapters/fs/schemas.js';
import { checkOutputPaths, readUserFile, writeFileAtomic } from '../../adapters/fs/user-files.js';
import type { Dataset } from '../../core/data/dataset.js';
import {
  DriftProfileBuilder,
  mergeDriftProfiles,
  parseDriftProfile,
  type DriftProfile,
} from '../../core/drift/index.js';
import { InputError } from '../../core/errors.js';
import { profileDataset, starterSuite, starterSuiteYaml } from '../../core/profile/index.js';
import { parseSuite } from '../../core/validation/index.js';
import type { CliCommand, CommandArgs, CommandContext } from '../commands.js';
import type { FlagTable } from '../flags.js';
import { cliLogger } from '../io.js';
import { workingDirectoryFrom } from './shared.js';

const SCHEMA_FILE = 'expectation-suite.schema.json';

/**
 * The suite schema in a hosted copy of mlops; OWNER is the GitHub user or organisation that hosts
 * it, which mlops cannot know, so this is only ever shown as a pattern to fill in.
 */
export const SCHEMA_URL_PATTERN = `https://raw.githubusercontent.com/OWNER/mlops/v1/schemas/${SCHEMA_FILE}`;

/**
 * The header lines that give editors the suite's schema. A path relative to the suite when the
 * installed mlops is in the same git work tree (a project that installs mlops into its own
 * node_modules): it resolves for everyone who clones the project and runs npm install. Elsewhere
 * no path or URL would resolve for others (a global install's path is this machine's; the URL's
 * owner is unknown), so the header says how to add the line instead of writing one that fails.
 */
export async function suiteSchemaHeader(suitePath: string): Promise<string[]> {
  const schema = await installedSchemaPath(SCHEMA_FILE);
  const path = schema && (await pathWithinWorkTree(dirname(suitePath), schema));
  if (path) return [`yaml-language-server: $schema=${path}`];
  // None of these is a modeline: yaml-language-server reads only a comment that starts with its name.
  return [
    'For completion in editors, add the line "# yaml-language-server: $schema=<schema>" with <schema>',
    `${SCHEMA_URL_PATTERN}, where`,
    'OWNER is the GitHub user or organisation that hosts your copy of mlops (or a path to that file).',
  ];
}

const DESCRIPTION = `Reads the data once and writes a Great Expectations 1.x suite drawn from it: the columns and
a row-count band, not-null checks (with mostly when values are missing), types as pandas sees
them, the set of values of columns with few of them, numeric ranges, mean and deviation bands,
text lengths, date formats, and uniqueness of identifier-like columns. Review it, then use it
with mlops validate-data. See docs/validate-data.md.

--profile-out writes the reference profile drift-check compares with (docs/drift-check.md,
"Reference profiles"): per column its values, or past 100,000 of them exact counts, moments and
a mergeable sketch; the suite's profile is kept inside it. Profiles of shards of one dataset merge:
mlops profile --merge a.json b.json --profile-out all.json.`;

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
    description:
      "Also write the profile as JSON: the drift profile drift-check takes as its reference, with the suite's profile (types, missing values, statistics, quantiles, categories) under suite_profile.",
  },
  merge: {
    type: 'string',
    multiple: true,
    value: 'profile.json',
    description:
      'Merge drift profiles of shards of one dataset (files after it, repeated, or comma separated) into --profile-out instead of reading --data.',
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
  if (args.lists.has('merge')) return mergeProfiles(args, context, cwd);
  if (args.positionals.length)
    throw new InputError(
      `Unexpected argument "${args.positionals[0]}" for mlops profile: inputs are given as --<name> <value> (files after --merge are the profiles to merge).`,
    );
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
  const opened = await openDataset(data, { format: format as (typeof FORMATS)[number], cwd, log });
  // One pass feeds both: the suite's profile reads the batches, the drift profile sees each one too.
  const drift = profilePath ? new DriftProfileBuilder(opened.columns) : undefined;
  const dataset = drift ? teeDataset(opened, drift) : opened;
  let lastLog = Date.now();
  const profile = await profileDataset(dataset, {
    maxCategories,
    isTextFile: textFilePredicate(opened),
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
          ...(await suiteSchemaHeader(suitePath)),
          `Starter suite written by mlops profile from ${dataset.files.join(', ')} (${profile.rows} rows).`,
          'Review every expectation, then tighten or loosen it; run it with mlops validate-data.',
        ]);
    // The suite must be one validate-data accepts: a failure here is a bug, not a user error.
    parseSuite(text, shown);
    await writeFileAtomic(suitePath, text);
  }
  if (profilePath && drift) {
    const document: DriftProfile = {
      ...drift.finish({ files: [...dataset.files] }),
      suite_profile: profile as unknown as Record<string, unknown>,
    };
    await writeFileAtomic(profilePath, JSON.stringify(document) + '\n');
  }

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

/** The dataset, with every batch also handed to `builder` as it streams past. */
function teeDataset(dataset: Dataset, builder: DriftProfileBuilder): Dataset {
  return {
    files: dataset.files,
    columns: dataset.columns,
    async *batches() {
      for await (const batch of dataset.batches()) {
        builder.addBatch(batch);
        yield batch;
      }
    },
  };
}

/** `mlops profile --merge a.json b.json --profile-out all.json`: shard profiles into the whole's. */
async function mergeProfiles(args: CommandArgs, context: CommandContext, cwd: string): Promise<number> {
  const inputs = [...(args.lists.get('merge') ?? []), ...args.positionals]
    .flatMap((entry) => entry.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const flag of ['data', 'suite-out'] as const)
    if (args.lists.has(flag) || args.options.has(flag))
      throw new InputError(`--merge combines drift profiles; it takes no --${flag} (see mlops profile --help).`);
  const profileOut = args.options.get('profile-out');
  if (!profileOut) throw new InputError('--merge needs --profile-out <file>, where the merged profile goes.');
  if (inputs.length === 0) throw new InputError('--merge needs the profiles to merge: --merge a.json b.json.');
  const outPath = resolve(cwd, profileOut);
  const paths = inputs.map((file) => resolve(cwd, file));
  await checkOutputPaths(
    [{ path: outPath, label: '--profile-out' }],
    cwd,
    paths.map((path) => ({ path, label: '--merge' })),
  );
  const profiles = await Promise.all(
    paths.map(async (path) => {
      const shown = displayName(path, cwd);
      return parseDriftProfile(await readUserFile(path, '--merge', shown), shown);
    }),
  );
  const merged = mergeDriftProfiles(profiles);
  await writeFileAtomic(outPath, JSON.stringify(merged) + '\n');
  const shown = displayName(outPath, cwd);
  if (context.json) {
    context.streams.stdout(
      JSON.stringify(
        { rows: merged.rows, columns: merged.columns.length, merged: paths.length, profile: outPath },
        null,
        2,
      ) + '\n',
    );
    return 0;
  }
  context.streams.stdout(
    `Merged ${paths.length} profiles (${merged.rows.toLocaleString('en-US')} rows × ${merged.columns.length} columns) into ${shown}.\n`,
  );
  return 0;
}

/** `mlops profile`. */
export const profileCommand: CliCommand = {
  name: 'profile',
  summary: 'Profile a dataset and write a starter expectation suite for validate-data.',
  description: DESCRIPTION,
  epilogue: 'Exit status: 0 written, 2 the data, a profile or an option is unusable.',
  main: { usage: '--data <path|glob> --suite-out <file>', summary: '', flags: FLAGS, positionals: true, run: profile },
};
