import { createGitHubClient, parseRepository, repositoryFromRemoteUrl } from '../../adapters/github/client.js';
import { checkLocalArtifacts, checkReleaseArtifacts, STALE_STAGING_MS } from '../../adapters/registry/artifact-fsck.js';
import { promoteAlias, setProductionRelease } from '../../adapters/registry/deploy.js';
import { downloadModelVersion } from '../../adapters/registry/download.js';
import { openRegistryReader, type GitRegistryReader } from '../../adapters/registry/index.js';
import { RegistryRepository } from '../../adapters/registry/repository.js';
import { eventContext, registrySnapshot, registryTransaction } from '../../adapters/registry/transaction.js';
import { readEnvironment } from '../../adapters/environment.js';
import { InputError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ModelVersionRecord } from '../../core/registry/contract.js';
import {
  artifactRecordProblems,
  recordedArtifacts,
  releaseUrlProblems,
  type ArtifactProblem,
  type GitHubEndpoint,
} from '../../core/registry/artifact-policy.js';
import type { RegistryEvent } from '../../core/registry/documents.js';
import { formatTime, formatValue, textTable } from '../../core/registry/format.js';
import { fsckRegistry } from '../../core/registry/fsck.js';
import {
  checkAliasName,
  checkModelName,
  formatSelector,
  parseModelReference,
  parseVersion,
} from '../../core/registry/names.js';
import { deprecateVersion, removeAlias } from '../../core/registry/operations.js';
import { isReleaseAlias } from '../../core/registry/release-notes.js';
import type { CliCommand, CommandArgs, CommandContext, CommandSpec } from '../commands.js';
import type { FlagTable } from '../flags.js';
import { LOCATION_FLAGS, githubUrlsFrom, positionals, printJson, remoteFrom, tokenFrom, withLog } from './shared.js';

function describeVersion(record: ModelVersionRecord): string[] {
  const rows: Array<[string, string]> = [
    ['model', record.model],
    ['version', `v${record.version}${record.deprecated ? ' (deprecated)' : ''}`],
    ['aliases', record.aliases.join(', ') || '-'],
    ['registered', `${record.createdAt}${record.actor ? ` by ${record.actor}` : ''}`],
    ['sha256', record.sha256],
    ['size', record.size !== undefined ? `${record.size} bytes` : '-'],
    ['artifact', record.artifact ? `${record.artifact.name} (${record.artifact.kind})` : '-'],
    ['location', record.location ?? '-'],
  ];
  if (record.release) rows.push(['release', `${record.release.tag} ${record.release.url}`]);
  if (record.release) rows.push(['download', record.release.downloadUrl]);
  if (record.description) rows.push(['description', record.description]);
  if (record.commit) rows.push(['commit', record.commit]);
  if (record.lineage?.ref) rows.push(['ref', record.lineage.ref]);
  if (record.lineage?.workflowRun) {
    const run = record.lineage.workflowRun;
    rows.push([
      'workflow run',
      `${run.id}${run.attempt ? ` attempt ${run.attempt}` : ''}${run.url ? ` ${run.url}` : ''}`,
    ]);
  }
  if (record.runId)
    rows.push([
      'train run',
      `${record.runId}${record.lineage?.trainRunName ? ` (${record.lineage.trainRunName})` : ''}`,
    ]);
  if (record.dataSha256) rows.push(['data sha256', record.dataSha256]);
  if (record.profile) {
    rows.push([
      'drift profile',
      `${record.profile.path} (${record.profile.size} bytes, sha256 ${record.profile.sha256})`,
    ]);
  }
  if (record.deprecation) {
    rows.push([
      'deprecated',
      `${record.deprecation.time}${record.deprecation.reason ? `: ${record.deprecation.reason}` : ''}`,
    ]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
}

function keyValueTable(title: string, entries: Array<[string, string]>): string {
  if (entries.length === 0) return '';
  return (
    `\n${title}:\n` +
    textTable(
      ['name', 'value'],
      entries.map(([k, v]) => [k, v]),
    )
  );
}

function eventDetail(event: RegistryEvent): string {
  switch (event.type) {
    case 'registered':
      return `${event.artifact.name}, sha256 ${event.sha256.slice(0, 12)}`;
    case 'alias-set':
      return (
        `${event.alias} -> v${event.version}${event.previous !== undefined ? ` (was v${event.previous})` : ''}` +
        (event.reason ? `, ${event.reason}${event.environment ? ` in ${event.environment}` : ''}` : '')
      );
    case 'alias-removed':
      return `${event.alias} removed (was v${event.version})`;
    case 'deprecated':
      return event.reason ?? '';
    case 'deployed':
      return [event.environment, event.status, event.previous !== undefined ? `previous v${event.previous}` : undefined]
        .filter(Boolean)
        .join(', ');
    case 'rolled-back':
      return `from v${event.from}${event.environment ? ` in ${event.environment}` : ''}${event.reason ? `: ${event.reason}` : ''}`;
  }
}

async function reader(args: CommandArgs, context: CommandContext, log: Logger): Promise<GitRegistryReader> {
  return openRegistryReader({ ...remoteFrom(args, context), log });
}

async function list(args: CommandArgs, context: CommandContext, log: Logger): Promise<number> {
  positionals(args, [], 'mlops registry list');
  const registry = await reader(args, context, log);
  const models = await registry.models();
  if (context.json) {
    printJson(context, {
      registry: registry.label,
      commit: registry.commit ?? null,
      models: Object.entries(models).map(([name, summary]) => ({ name, ...summary })),
    });
    return 0;
  }
  const names = Object.keys(models);
  if (names.length === 0) {
    context.streams.stdout(`No models registered on ${registry.label}.\n`);
    return 0;
  }
  const rows = names.map((name) => {
    const summary = models[name]!;
    const aliases = Object.entries(summary.aliases).map(([alias, version]) => `${alias}=v${version}`);
    return [name, `v${summary.latestVersion}`, aliases.join(', ') || '-', formatTime(summary.updatedAt)];
  });
  context.streams.stdout(textTable(['MODEL', 'LATEST', 'ALIASES', 'UPDATED'], rows));
  return 0;
}

async function show(args: CommandArgs, context: CommandContext, log: Logger): Promise<number> {
  const [reference] = positionals(args, ['<model>[@alias|@vN]'], 'mlops registry show <model>[@alias|@vN]');
  const { model, selector } = parseModelReference(reference!, 'show');
  const registry = await reader(args, context, log);
  if (selector) {
    const record = await registry.resolve(model, selector);
    if (!record) {
      const summary = (await registry.models())[model];
      if (!summary) throw new InputError(`Model "${model}" is not registered on ${registry.label}.`);
      const aliases = Object.keys(summary.aliases);
      throw new InputError(
        'alias' in selector
          ? `Model "${model}" has no alias "${selector.alias}" (${aliases.length ? `its aliases: ${aliases.join(', ')}` : 'it has no aliases'}).`
          : `Model "${model}" has no version ${formatSelector(selector).slice(1)} (it has v1..v${summary.latestVersion}).`,
      );
    }
    if (context.json) {
      printJson(context, record);
      return 0;
    }
    const metrics = Object.entries(record.metrics).map(([k, v]): [string, string] => [k, formatValue(v)]);
    const params = Object.entries(record.params ?? {}).map(([k, v]): [string, string] => [
      k,
      typeof v === 'string' ? v : JSON.stringify(v),
    ]);
    context.streams.stdout(
      describeVersion(record).join('\n') + '\n' + keyValueTable('Metrics', metrics) + keyValueTable('Params', params),
    );
    return 0;
  }
  const versions = await registry.versions(model);
  if (versions.length === 0) throw new InputError(`Model "${model}" is not registered on ${registry.label}.`);
  const models = await registry.models();
  const summary = models[model];
  if (context.json) {
    printJson(context, { model, ...summary, versions });
    return 0;
  }
  const out: string[] = [
    `${model}: ${versions.length} version${versions.length === 1 ? '' : 's'} on ${registry.label}`,
  ];
  const aliasRows = Object.entries(summary?.aliases ?? {}).map(([alias, version]) => [alias, `v${version}`]);
  if (aliasRows.length) out.push('', textTable(['ALIAS', 'VERSION'], aliasRows).trimEnd());
  const shown = versions.slice(-20).reverse();
  const metricNames = [...new Set(shown.flatMap((v) => Object.keys(v.metrics)))].slice(0, 3);
  out.push(
    '',
    textTable(
      ['VERSION', 'REGISTERED', 'SHA256', 'ALIASES', ...metricNames.map((m) => m.toUpperCase())],
      shown.map((v) => [
        `v${v.version}${v.deprecated ? ' (deprecated)' : ''}`,
        formatTime(v.createdAt),
        v.sha256.slice(0, 12),
        v.aliases.join(', ') || '-',
        ...metricNames.map((m) => formatValue(v.metrics[m])),
      ]),
    ).trimEnd(),
  );
  if (versions.length > shown.length) out.push(`(${versions.length - shown.length} older versions; --json lists all)`);
  context.streams.stdout(out.join('\n') + '\n');
  return 0;
}

async function history(args: CommandArgs, context: CommandContext, log: Logger): Promise<number> {
  const [model] = positionals(args, ['<model>'], 'mlops registry history <model> [--alias <alias>] [--limit <n>]');
  checkModelName(model!, 'history');
  const alias = args.options.get('alias');
  const limitText = args.options.get('limit');
  const limit = limitText !== undefined ? Number(limitText) : undefined;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new InputError(`--limit must be a whole number of 1 or more, got "${limitText}".`);
  const registry = await reader(args, context, log);
  let events = (await registry.history(model!)).map((h) => h.event);
  if (events.length === 0) throw new InputError(`Model "${model}" is not registered on ${registry.label}.`);
  if (alias !== undefined)
    events = events.filter((e) => (e.type === 'alias-set' || e.type === 'alias-removed') && e.alias === alias);
  if (limit !== undefined) events = events.slice(-limit);
  if (context.json) {
    printJson(context, { model, events });
    return 0;
  }
  context.streams.stdout(
    textTable(
      ['SEQ', 'TIME', 'EVENT', 'VERSION', 'DETAIL', 'ACTOR'],
      events.map((e) => [String(e.seq), formatTime(e.time), e.type, `v${e.version}`, eventDetail(e), e.actor ?? '-']),
      { right: [0] },
    ),
  );
  return 0;
}

/** Options of the commands that may call GitHub (set-alias, fsck). */
/** The GitHub API set-alias and fsck may call: only ever the configured one, never a URL from the branch. */
const GITHUB_FLAGS: FlagTable = {
  'api-url': {
    type: 'string',
    value: 'url',
    description:
      'The GitHub API (default: $GITHUB_API_URL, else https://api.github.com). URLs stored on the branch are never called.',
  },
  'server-url': { type: 'string', value: 'url', description: 'The GitHub web server (default: $GITHUB_SERVER_URL).' },
  repository: {
    type: 'string',
    value: 'owner/repo',
    description: "The repository of the releases (default: $GITHUB_REPOSITORY, else the registry remote's URL).",
  },
};

/** Where GitHub is for this command: never a URL read from the registry branch. */
interface GitHubTarget extends GitHubEndpoint {
  token?: string;
  /** How the repository was found, for messages. */
  repositorySource?: string;
  /** MLOPS_RETRY_BASE_MS, the test hook that shortens the client's backoff. */
  retryBaseMs?: number | undefined;
}

/**
 * The configured GitHub: `--api-url` / GITHUB_API_URL (default https://api.github.com),
 * `--server-url` / GITHUB_SERVER_URL, the repository from `--repository`, GITHUB_REPOSITORY or
 * the registry remote's URL, and the token from `--github-token`, GITHUB_TOKEN or GH_TOKEN.
 */
async function githubTarget(
  args: CommandArgs,
  context: CommandContext,
  repo: RegistryRepository,
  _log: Logger,
): Promise<GitHubTarget> {
  const { apiUrl, serverUrl } = githubUrlsFrom(args, context);
  let repository: GitHubTarget['repository'];
  let repositorySource: string | undefined;
  if (args.options.has('repository')) {
    repository = parseRepository(args.options.get('repository')!, '--repository');
    repositorySource = '--repository';
  } else if (context.env.GITHUB_REPOSITORY) {
    repository = parseRepository(context.env.GITHUB_REPOSITORY, 'GITHUB_REPOSITORY');
    repositorySource = 'GITHUB_REPOSITORY';
  } else if (repo.remoteMode) {
    const url = await repo.run(['remote', 'get-url', repo.options.remote], { allowFailure: true });
    repository = repositoryFromRemoteUrl(url.stdout, serverUrl);
    if (repository) repositorySource = `the remote ${repo.options.remote}`;
  }
  const token = tokenFrom(args, context);
  return {
    apiUrl,
    serverUrl,
    ...(repository ? { repository } : {}),
    ...(repositorySource ? { repositorySource } : {}),
    ...(token ? { token } : {}),
    retryBaseMs: readEnvironment(context.env, context.cwd).retryBaseMs,
  };
}

async function write(
  args: CommandArgs,
  context: CommandContext,
  log: Logger,
  operation: 'remove-alias' | 'deprecate',
): Promise<number> {
  const usage = {
    'remove-alias': 'mlops registry remove-alias <model> <alias>',
    deprecate: 'mlops registry deprecate <model> <vN> [--reason <text>]',
  }[operation];
  const names = { 'remove-alias': ['<model>', '<alias>'], deprecate: ['<model>', '<vN>'] }[operation];
  const values = positionals(args, names, usage);
  const model = checkModelName(values[0]!, operation);
  const repo = await RegistryRepository.open({ ...remoteFrom(args, context), log });
  const actor = repo.actor();
  const alias = operation === 'remove-alias' ? values[1]! : undefined;
  const version = operation === 'deprecate' ? parseVersion(values[1]!, 'deprecate') : undefined;
  const reason = args.options.get('reason');
  const { result, commit, wrote } = await registryTransaction(
    repo,
    async (docs) => {
      const context = eventContext(actor);
      if (operation === 'remove-alias') return removeAlias(docs, model, alias!, context);
      return { ...(await deprecateVersion(docs, model, version!, reason, context)), previous: undefined };
    },
    {
      message: (r) =>
        `${operation} ${model}${alias ? ` ${alias}` : ''}${version ? ` v${version}` : ''}\n\n` +
        r.events.map((event) => `event ${event.seq} ${event.type} ${event.id}`).join('\n') +
        '\n',
    },
  );
  const previous = result.previous;
  const message =
    operation === 'remove-alias'
      ? `${model}@${alias} removed (was v${previous})`
      : wrote
        ? `${model} v${version} deprecated`
        : `${model} v${version} was already deprecated; nothing changed.`;
  if (context.json) {
    printJson(context, {
      model,
      operation,
      ...(alias !== undefined ? { alias } : {}),
      version: (operation === 'remove-alias' ? previous : version) ?? null,
      changed: wrote,
      commit: commit ?? null,
      releaseUpdated: false,
    });
  } else {
    context.streams.stdout(message + '\n');
  }
  return 0;
}

/**
 * `set-alias`: promoteAlias, the same move deploy makes (compare-and-swap, the previous version
 * in the event). Pointing production (or prod) at a version makes its release a full release
 * and the old production release a prerelease again, through the configured API.
 */
async function setAliasCommand(args: CommandArgs, context: CommandContext, log: Logger): Promise<number> {
  const values = positionals(args, ['<model>', '<alias>', '<vN>'], 'mlops registry set-alias <model> <alias> <vN>');
  const model = checkModelName(values[0]!, 'set-alias');
  const alias = checkAliasName(values[1]!, 'set-alias');
  const version = parseVersion(values[2]!, 'set-alias');
  const location = remoteFrom(args, context);
  const repo = await RegistryRepository.open({ ...location, log });
  // Checked before the write, so that a bad --api-url or --repository changes nothing.
  const github = isReleaseAlias(alias) ? await githubTarget(args, context, repo, log) : undefined;
  const access = { ...location, log, ...(github ? githubAccess(github) : {}) };
  const promoted = await promoteAlias({ ...access, model, alias, version, updateReleases: false });
  const previous = promoted.previousVersion;
  // Also when the alias was already there: a promotion an earlier run could not make (no token,
  // an API failure) is finished by running the command again.
  const releases = github
    ? await setProductionRelease({
        ...access,
        model,
        version,
        ...(previous !== undefined && previous !== version ? { previousVersion: previous } : {}),
        repo,
      })
    : undefined;
  if (context.json) {
    printJson(context, {
      model,
      operation: 'set-alias',
      alias,
      version,
      previous: previous ?? null,
      changed: promoted.changed,
      commit: promoted.commit ?? null,
      releaseUpdated: releases?.promoted !== undefined,
      ...(releases?.demoted !== undefined ? { releaseDemoted: releases.demoted } : {}),
    });
  } else {
    context.streams.stdout(
      (promoted.changed
        ? `${model}@${alias} -> v${version}${previous !== undefined ? ` (was v${previous})` : ''}`
        : `${model}@${alias} already points at v${version}; nothing changed.`) + '\n',
    );
  }
  return 0;
}

/** The registry access options for the configured GitHub (token, API, repository). */
function githubAccess(target: GitHubTarget) {
  return {
    apiUrl: target.apiUrl,
    serverUrl: target.serverUrl,
    ...(target.repository ? { repository: target.repository } : {}),
    ...(target.token ? { token: target.token } : {}),
    retryBaseMs: target.retryBaseMs,
  };
}

/** Parses `--version`: `v3`, `3` or `previous`. */
function versionFlag(text: string): number | 'previous' {
  return text.trim() === 'previous' ? 'previous' : parseVersion(text, '--version');
}

/**
 * `download`: fetch a version's model (a release asset, or .mlops/artifacts), verify its size and
 * sha256, unpack a folder model; MLflow's `models:/name@alias`.
 */
async function download(args: CommandArgs, context: CommandContext, log: Logger): Promise<number> {
  positionals(
    args,
    [],
    'mlops registry download --model <name> (--version vN | --alias <alias>) [--out <dir>] [--clobber]',
  );
  const model = args.options.get('model');
  if (model === undefined)
    throw new InputError('Missing --model: mlops registry download --model <name> --alias <alias>.');
  checkModelName(model, '--model');
  const versionText = args.options.get('version');
  const alias = args.options.get('alias');
  if (versionText === undefined && alias === undefined) {
    throw new InputError('Give --version vN (or previous, with --alias) or --alias <alias> of the model to download.');
  }
  const location = remoteFrom(args, context);
  const repo = await RegistryRepository.open({ ...location, log });
  const github = await githubTarget(args, context, repo, log);
  const out = args.options.get('out');
  const result = await downloadModelVersion({
    ...location,
    log,
    ...githubAccess(github),
    model,
    ...(versionText !== undefined ? { version: versionFlag(versionText) } : {}),
    ...(alias !== undefined ? { alias } : {}),
    // Without --out, as `gh release download`: the current directory, under the stored asset
    // name, never overwriting what is there unless --clobber.
    outDir: out ?? context.cwd,
    clobber: args.flags.has('clobber'),
    ...(out === undefined
      ? {
          alreadyExistsMessage: (path: string) =>
            `${path} already exists; remove it, give --clobber to replace it, or --out <dir>.`,
        }
      : {}),
  });
  if (context.json) {
    printJson(context, {
      model: result.model,
      version: result.version,
      alias: result.alias ?? null,
      previous: result.previous,
      sha256: result.sha256,
      bytes: result.bytes,
      kind: result.kind,
      file: result.file,
      path: result.path,
      source: result.source,
      release: result.release ?? null,
      commit: result.commit ?? null,
    });
    return 0;
  }
  const via =
    result.alias !== undefined ? ` (${result.previous ? `previous of @${result.alias}` : `@${result.alias}`})` : '';
  const rows: Array<[string, string]> = [
    ['from', result.release ? `release ${result.release.tag} ${result.release.url}` : (result.record.location ?? '-')],
    ['file', `${result.file} (${result.bytes} bytes)`],
    ...(result.kind === 'directory' ? ([['folder', result.path]] as Array<[string, string]>) : []),
    ['sha256', `${result.sha256} (verified)`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  context.streams.stdout(
    `Downloaded ${result.model} v${result.version}${via}\n` +
      rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n') +
      '\n',
  );
  return 0;
}

/** The artifact half of fsck: the records' locations and URLs, the local files, the release assets. */
async function fsckArtifacts(
  repo: RegistryRepository,
  docs: Parameters<typeof recordedArtifacts>[0],
  args: CommandArgs,
  context: CommandContext,
  log: Logger,
  fix: boolean,
): Promise<{ problems: ArtifactProblem[]; verified: number; notes: string[] }> {
  const target = await githubTarget(args, context, repo, log);
  const { records, unreadLogs } = await recordedArtifacts(docs);
  const problems = artifactRecordProblems(records, target);
  const notes: string[] = [];
  const local = await checkLocalArtifacts({ root: repo.root, records, unreadLogs, fix, log });
  problems.push(...local.problems);
  let verified = local.verified;
  for (const model of local.absentModels) {
    notes.push(`${model}: its local artifacts are not in this clone (no .mlops/artifacts/${model}); not checked.`);
  }
  const released = records.filter((r) => r.artifact.release);
  if (released.length > 0) {
    if (!target.token || !target.repository) {
      notes.push(
        `${released.length} release asset${released.length === 1 ? '' : 's'} not checked: ${!target.token ? 'no GitHub token (--github-token or GITHUB_TOKEN)' : 'the repository is unknown (--repository owner/repo or GITHUB_REPOSITORY)'}.`,
      );
    } else {
      // Only records whose URLs are ours: ids from an edited record are not worth a request.
      const trusted = released.filter((r) => releaseUrlProblems(r.artifact, target).length === 0);
      const client = await createGitHubClient({
        token: target.token,
        apiUrl: target.apiUrl,
        log,
        retryBaseMs: target.retryBaseMs,
      });
      const checked = await checkReleaseArtifacts({ client, repository: target.repository, records: trusted });
      problems.push(...checked.problems);
      verified += checked.verified;
    }
  }
  return { problems, verified, notes };
}

async function fsck(args: CommandArgs, context: CommandContext, log: Logger): Promise<number> {
  positionals(args, [], 'mlops registry fsck [--fix]');
  const fix = args.flags.has('fix');
  const repo = await RegistryRepository.open({ ...remoteFrom(args, context), log });
  const { docs, commit } = await registrySnapshot(repo);
  const report = await fsckRegistry(docs);
  const artifacts = await fsckArtifacts(repo, docs, args, context, log, fix);
  let fixed = false;
  let fixCommit: string | undefined;
  if (fix && report.problems.some((p) => p.fixable)) {
    const outcome = await registryTransaction(
      repo,
      async (current) => {
        // Re-check against the tip the write is based on: the branch may have moved.
        const again = await fsckRegistry(current);
        for (const [path, text] of again.repairs) {
          if (text === null) current.remove(path);
          else current.putText(path, text);
        }
        return again;
      },
      {
        message: (r) =>
          `fsck --fix: rebuild ${r.repairs.size} derived file${r.repairs.size === 1 ? '' : 's'} from the event logs\n`,
      },
    );
    fixed = outcome.wrote;
    fixCommit = outcome.commit;
  }
  const remaining = [
    ...(fixed ? report.problems.filter((p) => !p.fixable) : report.problems),
    ...artifacts.problems.filter((p) => !p.fixed),
  ];
  const broken = artifacts.problems.filter((p) => p.broken).map((p) => ({ model: p.model, version: p.version }));
  if (context.json) {
    printJson(context, {
      registry: repo.label,
      commit: commit ?? null,
      ok: remaining.length === 0,
      models: report.models,
      events: report.events,
      versions: report.versions,
      runs: report.runs,
      problems: [...report.problems, ...artifacts.problems],
      fixed: fixed ? [...report.repairs.keys()] : [],
      fixCommit: fixed ? fixCommit : null,
      artifacts: { verified: artifacts.verified, broken, notes: artifacts.notes },
    });
    return remaining.length === 0 ? 0 : 1;
  }
  const lines = [
    `Checked ${repo.label}${commit ? ` at ${commit.slice(0, 12)}` : ' (no branch yet)'}: ${report.models} models, ${report.events} events, ${report.versions} versions, ${report.runs} runs.`,
  ];
  for (const problem of report.problems) {
    lines.push(
      `${problem.path}${problem.line !== undefined ? `:${problem.line}` : ''}: ${problem.message}${problem.fixable ? (fixed ? ' [fixed]' : ' [fixable with --fix]') : ''}`,
    );
  }
  for (const problem of artifacts.problems) {
    lines.push(
      `${problem.path}${problem.line !== undefined ? `:${problem.line}` : ''}: ${problem.message}${problem.fixed ? ' [fixed]' : problem.fixable ? ' [fixable with --fix]' : ''}`,
    );
  }
  lines.push(`Artifacts: ${artifacts.verified} verified${broken.length ? `, ${broken.length} broken` : ''}.`);
  lines.push(...artifacts.notes);
  if (fixed)
    lines.push(
      `Rebuilt ${report.repairs.size} derived file${report.repairs.size === 1 ? '' : 's'} from the event logs (commit ${fixCommit?.slice(0, 12)}).`,
    );
  const problemCount = report.problems.length + artifacts.problems.length;
  if (remaining.length === 0) lines.push(problemCount ? 'The registry is consistent now.' : 'No problems found.');
  else {
    if (report.problems.some((p) => !p.fixable))
      lines.push('Some problems are in the event logs themselves and need a person to look at them.');
    if (!fix && remaining.some((p) => p.fixable))
      lines.push('Run mlops registry fsck --fix to repair what is marked [fixable with --fix].');
    if (broken.length)
      lines.push(
        `Broken versions (${broken.map((b) => `${b.model} v${b.version}`).join(', ')}) keep their events: put the file back, or deprecate them.`,
      );
  }
  context.streams.stdout(lines.join('\n') + '\n');
  return remaining.length === 0 ? 0 : 1;
}

const LIMIT: FlagTable = { limit: { type: 'string', value: 'n', description: 'Show only the last n events.' } };

const SUBCOMMANDS: Record<string, CommandSpec> = {
  list: {
    usage: '',
    summary: 'Every model, its latest version and aliases.',
    flags: LOCATION_FLAGS,
    positionals: true,
    run: withLog(list),
  },
  show: {
    usage: '<model>[@<alias>|@v<N>]',
    summary: 'A model (its aliases and latest versions), or one version: lineage, artifact, metrics, params.',
    flags: LOCATION_FLAGS,
    positionals: true,
    run: withLog(show),
  },
  history: {
    usage: '<model>',
    summary: "The model's event log (registrations, alias moves, deprecations, deployments), oldest first.",
    flags: {
      ...LOCATION_FLAGS,
      alias: { type: 'string', value: 'alias', description: 'Only the moves of this alias.' },
      ...LIMIT,
    },
    positionals: true,
    run: withLog(history),
  },
  'set-alias': {
    usage: '<model> <alias> <vN>',
    summary:
      'Point an alias (staging, production, ...) at a version. In GitHub mode, pointing production or prod at a version makes its release a full release.',
    flags: { ...LOCATION_FLAGS, ...GITHUB_FLAGS },
    positionals: true,
    run: withLog(setAliasCommand),
  },
  'remove-alias': {
    usage: '<model> <alias>',
    summary: 'Remove an alias.',
    flags: LOCATION_FLAGS,
    positionals: true,
    run: withLog((a, c, l) => write(a, c, l, 'remove-alias')),
  },
  deprecate: {
    usage: '<model> <vN>',
    summary: '@latest skips a deprecated version, and no alias may point at it.',
    flags: { ...LOCATION_FLAGS, reason: { type: 'string', value: 'text', description: 'Why it is deprecated.' } },
    positionals: true,
    run: withLog((a, c, l) => write(a, c, l, 'deprecate')),
  },
  download: {
    usage: '--model <name> (--version <vN> | --alias <alias>)',
    summary:
      "Fetch a version's model into --out (default: the current directory, like gh release download), verified against the registry's size and sha256; a folder model is unpacked beside its tar.gz. MLflow's models:/<name>@<alias>.",
    flags: {
      model: { type: 'string', value: 'name', description: 'The model.' },
      version: {
        type: 'string',
        value: 'vN',
        description:
          'The version: v3 or 3, or previous (with --alias): the version the alias pointed at before its latest move.',
      },
      alias: { type: 'string', value: 'alias', description: 'The version this alias points at (production, staging).' },
      out: {
        type: 'string',
        value: 'dir',
        description:
          'The folder to put it in (made if missing). Default: the current directory. The file keeps its stored asset name.',
      },
      clobber: {
        type: 'boolean',
        description:
          'Replace a file (and unpacked folder) of the same name already there; without it the download is refused (exit 2).',
      },
      ...LOCATION_FLAGS,
      ...GITHUB_FLAGS,
    },
    positionals: false,
    run: withLog(download),
  },
  fsck: {
    usage: '',
    summary:
      "Check the event logs and rebuild the derived files (indexes, version records) from them, and check every version's artifact (the local file and its sha256; with a token, the release asset). Exit 1 when problems remain.",
    flags: {
      ...LOCATION_FLAGS,
      ...GITHUB_FLAGS,
      fix: {
        type: 'boolean',
        description: `Write the rebuilt derived files, finish moves a killed register left in .staging, and remove stale staging folders (made on this machine by a process that is gone, or older than ${STALE_STAGING_MS / 3_600_000} hours when made elsewhere or with no staging record).`,
      },
    },
    positionals: true,
    run: withLog(fsck),
  },
};

/** `mlops registry <subcommand>`. */
export const registryCommand: CliCommand = {
  name: 'registry',
  summary: 'The model registry on a git branch (no server).',
  description: 'Register versions with `mlops register --model <name> --path <file-or-folder>`.',
  epilogue: 'Exit status: 0 done, 1 fsck found problems, 2 the command could not do its job.',
  subcommands: SUBCOMMANDS,
};
