/**
 * Baseline resolution (docs/evaluate-gate.md: Baselines). Pure logic: the readers (files, git,
 * the registry) are injected, so every decision is tested with fakes; src/adapters/baseline-sources.ts
 * implements them for real.
 */
import { EnvironmentError, InputError } from '../errors.js';
import type { Logger } from '../logger.js';
import { editDistance, nearest } from '../suggest.js';
import { formatBaselineSpec, type BaselineSpec } from './baseline-spec.js';
import { flattenParams, mergeMetrics, parseMetricsDocument, type MetricsSet } from './parse.js';
import type { ModelVersionRecord, RegistryReader } from '../registry/contract.js';
import type { MetricHistoryPoint, RunRecord } from '../registry/runs.js';
import type { BaselineDescription } from '../report/evaluate-gate.js';

/** A registered model as baseline resolution sees it: enough to suggest a name. */
export interface RegisteredModel {
  latestVersion: number;
  aliases: string[];
}

/** The registry reader baselines need: the contract's reader plus the model list, for did-you-mean. */
export interface BaselineRegistry extends RegistryReader {
  /** Every registered model by name (empty for a registry with no models yet). */
  models(): Promise<Record<string, RegisteredModel>>;
  /** Where the registry is, for messages: `branch mlops-registry of origin`. */
  readonly label?: string;
  /**
   * The registry branch, and whether it exists: a branch that does not exist reads as a registry
   * with no models, which auto must tell from a mistyped `registry-branch`. `remote` is absent
   * when the registry is a local branch.
   */
  readonly branch?: { name: string; exists: boolean; remote?: string };
  /** A tracked train run (runs/<id>.json), for a registered version's metric histories. */
  run?(id: string): Promise<RunRecord | undefined>;
}

/** Where baseline metrics can come from. Each returns undefined when the thing does not exist. */
export interface BaselineSources {
  /** A file's text, relative to the working directory; undefined when missing. */
  readFile(path: string): Promise<string | undefined>;
  /**
   * A file's text at a git ref (path relative to the working directory), fetching the ref when
   * it is a commit sha that is not present. `missing-ref` when the ref cannot be found.
   */
  gitShow(ref: string, path: string): Promise<string | undefined | { missing: 'ref'; detail: string }>;
  /** The registry, or a reason it cannot be read (no repository, no such remote, a bad branch name). */
  registry(): Promise<BaselineRegistry | { unavailable: string }>;
}

export interface BaselineContext {
  /** The candidate metrics files, relative to the working directory (what `auto` looks up at the base sha). */
  candidateFiles: string[];
  model?: string;
  /** The pull request's base commit, when the event is a pull request. */
  baseSha?: string;
  log: Logger;
  /** How the inputs are named in errors: `Input "baseline"` / `--baseline` (default `baseline`). */
  labels?: { baseline?: string; model?: string; registryBranch?: string };
  /**
   * registry-branch's default (action.yml). Auto takes a missing registry branch of that name for
   * a first model in a new repository; any other missing branch is a mistyped input (exit 2).
   */
  defaultRegistryBranch?: string;
}

export interface ResolvedBaseline {
  description: BaselineDescription;
  metrics?: MetricsSet;
  /** The registry record, when the baseline is a registered version. */
  record?: ModelVersionRecord;
}

/** A registry record as a MetricsSet (its metrics are already flat). */
export function recordMetrics(record: ModelVersionRecord, label: string): MetricsSet {
  const set: MetricsSet = {
    values: { ...record.metrics },
    sources: Object.fromEntries(Object.keys(record.metrics).map((name) => [name, label])),
    files: [label],
    lineage: {
      model: record.model,
      version: record.version,
      modelSha256: record.sha256,
      ...(record.commit ? { commit: record.commit } : {}),
      ...(record.dataSha256 ? { dataSha256: record.dataSha256 } : {}),
      ...(record.runUrl ? { runUrl: record.runUrl } : {}),
      ...(record.runId ? { runId: record.runId } : {}),
    },
  };
  // Flattened like the candidate's run record, or nested params would show as all changed.
  if (record.params) set.params = flattenParams(record.params);
  return set;
}

/**
 * The name the user probably meant: one that starts with what was typed (or that it starts
 * with), else the nearest by edit distance when it is close. Case is ignored.
 */
export function suggestName(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(lower) || lower.startsWith(c.toLowerCase()));
  if (prefixed.length === 1) return prefixed[0];
  const byCase = candidates.find((c) => c.toLowerCase() === lower);
  if (byCase) return byCase;
  return nearest(word, candidates, Math.max(2, Math.floor(word.length / 3)));
}

/**
 * The registered name `word` is probably a misspelling of, for auto's "typo or first model"
 * decision: the same name in another case, or at most 2 edits away between names of 4 or more
 * characters whose lengths differ by at most 1. Unlike {@link suggestName}, no prefix rule: a
 * `churn-v2` next to `churn` is a new model, and refusing it would leave auto unusable for it.
 */
export function likelyTypo(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const byCase = candidates.find((c) => c.toLowerCase() === lower);
  if (byCase) return byCase;
  if (lower.length < 4) return undefined;
  const similar = candidates.filter((c) => c.length >= 4 && Math.abs(c.length - lower.length) <= 1);
  return similar.find((c) => editDistance(lower, c.toLowerCase()) <= 2);
}

function didYouMean(suggestion: string | undefined, candidates: readonly string[], what: string, none: string): string {
  if (suggestion) return `; did you mean "${suggestion}"?`;
  if (candidates.length === 0) return `; ${none}.`;
  const shown = candidates.slice(0, 10).map((c) => `"${c}"`);
  return `; ${what}: ${shown.join(', ')}${candidates.length > shown.length ? ', …' : ''}.`;
}

function versionsOf(model: RegisteredModel): string {
  return model.latestVersion === 1 ? 'v1' : `v1 to v${model.latestVersion}`;
}

/** Why a registry lookup found nothing. */
interface Missing {
  /** What is not there: the whole model, or the alias or version asked for. */
  what: 'model' | 'alias' | 'version';
  /** One sentence, with a did-you-mean or the names there are. */
  reason: string;
  /** A registered name is close to the one asked for: probably a typo. */
  typo: boolean;
}

/**
 * Why a registry lookup found nothing. `suggest` picks the did-you-mean for a missing model: the
 * full {@link suggestName} for an explicit spec, {@link likelyTypo} for auto, whose `typo` decides
 * between stopping and falling back.
 */
async function explainMissing(
  registry: BaselineRegistry,
  model: string,
  selector: Extract<BaselineSpec, { kind: 'registry' }>['selector'],
  suggest: (word: string, candidates: readonly string[]) => string | undefined,
): Promise<Missing> {
  const models = await registry.models();
  const where = registry.label ? ` (${registry.label})` : '';
  const entry = models[model];
  if (!entry) {
    const names = Object.keys(models).sort();
    const suggestion = suggest(model, names);
    return {
      what: 'model',
      reason: `model "${model}" is not in the registry${where}${didYouMean(suggestion, names, 'registered models', 'the registry has no models yet')}`,
      typo: suggestion !== undefined,
    };
  }
  if ('alias' in selector) {
    const aliases = [...entry.aliases].sort();
    const suggestion = suggestName(selector.alias, aliases);
    return {
      what: 'alias',
      reason: `model "${model}" has no alias "${selector.alias}"${didYouMean(suggestion, aliases, 'aliases', 'it has no aliases yet')}`,
      typo: suggestion !== undefined,
    };
  }
  return {
    what: 'version',
    reason: `model "${model}" has no version v${selector.version} (it has ${versionsOf(entry)}).`,
    typo: false,
  };
}

/** An explicit registry baseline: it must be read, or the step stops (exit 2). */
async function fromRegistry(
  spec: Extract<BaselineSpec, { kind: 'registry' }>,
  sources: BaselineSources,
  requested: string,
  label: string,
): Promise<ResolvedBaseline> {
  const reader = await sources.registry();
  const asked = formatBaselineSpec(spec);
  if ('unavailable' in reader) {
    throw new EnvironmentError(`${label}: ${asked} cannot be read: ${reader.unavailable.replace(/\.+$/, '')}.`);
  }
  const found = await readRegistered(spec, reader, requested, suggestName);
  if ('missing' in found) throw new InputError(`${label}: ${asked} does not exist: ${found.missing.reason}`);
  return found;
}

async function readRegistered(
  spec: Extract<BaselineSpec, { kind: 'registry' }>,
  reader: BaselineRegistry,
  requested: string,
  suggest: (word: string, candidates: readonly string[]) => string | undefined,
): Promise<ResolvedBaseline | { missing: Missing }> {
  const record = await reader.resolve(spec.model, spec.selector);
  if (!record) return { missing: await explainMissing(reader, spec.model, spec.selector, suggest) };
  const asked = formatBaselineSpec(spec);
  const label = `registry:${record.model}@v${record.version}`;
  const metrics = recordMetrics(record, label);
  const resolved = 'alias' in spec.selector ? `${asked} (v${record.version})` : asked;
  return {
    description: {
      requested,
      resolved,
      ...(metrics.lineage ? { lineage: metrics.lineage } : {}),
      ...(metrics.params ? { params: metrics.params } : {}),
    },
    metrics,
    record,
  };
}

async function fromFile(path: string, sources: BaselineSources, requested: string, label: string) {
  const text = await sources.readFile(path);
  if (text === undefined) throw new InputError(`${label}: file:${path} does not exist.`);
  const metrics = parseMetricsDocument(text, path);
  return describe(requested, `file:${path}`, metrics);
}

function describe(requested: string, resolved: string, metrics: MetricsSet, note?: string): ResolvedBaseline {
  return {
    description: {
      requested,
      resolved,
      ...(note ? { note } : {}),
      ...(metrics.lineage ? { lineage: metrics.lineage } : {}),
      ...(metrics.params ? { params: metrics.params } : {}),
    },
    metrics,
  };
}

/**
 * The metrics files at a git ref. A ref that cannot be had is an error in every mode (the
 * baseline could not be read); files missing there are returned for the caller to judge.
 */
async function atGitRef(
  ref: string,
  paths: string[],
  sources: BaselineSources,
  unreadable: (detail: string) => Error,
): Promise<{ sets: MetricsSet[]; missing: string[] }> {
  const sets: MetricsSet[] = [];
  const missing: string[] = [];
  for (const path of paths) {
    const shown = await sources.gitShow(ref, path);
    if (shown !== undefined && typeof shown === 'object') throw unreadable(shown.detail);
    if (shown === undefined) {
      missing.push(path);
      continue;
    }
    sets.push(parseMetricsDocument(shown, `${ref.slice(0, 12)}:${path}`));
  }
  return { sets, missing };
}

async function fromGit(ref: string, path: string, sources: BaselineSources, requested: string, label: string) {
  const asked = `git:${ref}:${path}`;
  const { sets } = await atGitRef(
    ref,
    [path],
    sources,
    (detail) => new InputError(`${label}: ${asked} cannot be read: git ref "${ref}" is not available (${detail}).`),
  );
  if (sets.length === 0) throw new InputError(`${label}: ${asked} does not exist: ${path} is not in ${ref}.`);
  return describe(requested, asked, sets[0]!);
}

/**
 * Resolves the baseline. What was asked for explicitly must be read: a registry that cannot be
 * read, a model, alias or version that is not there, a missing file or git ref are errors
 * (exit 2), with a did-you-mean for names. A gate never passes because its baseline was mistyped.
 *
 * `auto`: `registry:<model>@production` when `model` is given; else, on a pull request, the
 * candidate metrics files at the base sha; else none. It moves on to the next source only when
 * the previous one was read and simply has nothing yet (a first model, no production alias yet,
 * a metrics file the base does not have): then `description.fallback` says so, for the report's
 * first line and a warning. A registry that cannot be read, or a model name close to a
 * registered one (a typo, not a first model), is an error as for an explicit baseline.
 */
export async function resolveBaseline(
  spec: BaselineSpec,
  context: BaselineContext,
  sources: BaselineSources,
): Promise<ResolvedBaseline> {
  const requested = formatBaselineSpec(spec);
  const label = context.labels?.baseline ?? 'baseline';
  switch (spec.kind) {
    case 'none':
      return { description: { requested, note: 'baseline: none was asked for' } };
    case 'file':
      return fromFile(spec.path, sources, requested, label);
    case 'git':
      return fromGit(spec.ref, spec.path, sources, requested, label);
    case 'registry':
      return fromRegistry(spec, sources, requested, label);
    case 'auto':
      return resolveAuto(context, sources, requested);
  }
}

/**
 * Auto's registry branch does not exist: fine for the default branch (a first model in a new
 * repository: returns the phrase for the fallback line), an error for any other name, which is
 * far likelier a mistyped `registry-branch` than a registry still to come.
 */
function absentBranch(
  branch: NonNullable<BaselineRegistry['branch']>,
  asked: string,
  context: BaselineContext,
): string {
  const phrase = `branch ${branch.name} does not exist ${branch.remote ? `on ${branch.remote}` : 'locally'}`;
  if (branch.name === context.defaultRegistryBranch) return phrase;
  const fix = context.defaultRegistryBranch
    ? `Fix registry-branch (the default is ${context.defaultRegistryBranch})`
    : 'Fix registry-branch';
  throw new InputError(
    `${context.labels?.registryBranch ?? 'registry-branch'}: ${phrase}, so ${asked} cannot be read. ${fix}, or choose a baseline other than auto.`,
  );
}

async function resolveAuto(
  context: BaselineContext,
  sources: BaselineSources,
  requested: string,
): Promise<ResolvedBaseline> {
  const skipped: string[] = [];
  if (context.model) {
    const production = { kind: 'registry', model: context.model, selector: { alias: 'production' } } as const;
    const asked = formatBaselineSpec(production);
    const reader = await sources.registry();
    if ('unavailable' in reader) {
      throw new EnvironmentError(
        `baseline auto: ${asked} cannot be read: ${reader.unavailable.replace(/\.+$/, '')}. Fix registry-remote or registry-branch, or choose a baseline other than auto.`,
      );
    }
    if (reader.branch && !reader.branch.exists) {
      skipped.push(`${asked} does not exist yet: ${absentBranch(reader.branch, asked, context)} yet`);
    } else {
      const found = await readRegistered(production, reader, requested, likelyTypo);
      if (!('missing' in found)) {
        found.description.note = 'auto: the production model';
        return found;
      }
      // A model name close to a registered one is a typo, not a first model: comparing with
      // nothing would pass a gate that was meant to compare.
      if (found.missing.what === 'model' && found.missing.typo) {
        throw new InputError(`${context.labels?.model ?? 'model'}: ${found.missing.reason}`);
      }
      skipped.push(`${asked} does not exist yet: ${found.missing.reason.replace(/\.$/, '')}`);
    }
    context.log.info(`Baseline auto: ${skipped[0]}.`);
  }
  if (context.baseSha) {
    const sha = context.baseSha;
    const files = context.candidateFiles;
    const { sets, missing } = await atGitRef(
      sha,
      files,
      sources,
      (detail) =>
        new EnvironmentError(
          `baseline auto: the pull request base ${sha.slice(0, 12)} cannot be read (${detail}). Fetch it (actions/checkout with fetch-depth: 0), or choose a baseline other than auto.`,
        ),
    );
    const resolved = `the pull request base ${sha.slice(0, 7)} (${files.join(', ')})`;
    if (sets.length > 0) {
      const extra = missing.length ? `${missing.join(', ')} did not exist at ${sha}` : undefined;
      const note = ['auto: the pull request base', extra].filter(Boolean).join('; ');
      const base = describe(requested, resolved, mergeMetrics(sets), note);
      if (skipped.length) base.description.fallback = `${skipped.join('; ')}; compared with ${resolved} instead`;
      return base;
    }
    skipped.push(`${files.join(', ')} did not exist at the pull request base ${sha.slice(0, 7)}`);
  }
  if (skipped.length === 0) skipped.push('no model to look up in the registry and not a pull request');
  const why = skipped.join('; ');
  return { description: { requested, note: `auto found none: ${why}`, fallback: `no baseline: ${why}` } };
}

/** Registered versions as history entries (oldest first, deprecated ones kept: they happened). */
export async function loadHistory(
  model: string,
  sources: BaselineSources,
): Promise<Array<{ label: string; metrics: Record<string, number> }>> {
  const reader = await sources.registry();
  if ('unavailable' in reader) return [];
  const versions = await reader.versions(model);
  return versions.map((v) => ({ label: `v${v.version}`, metrics: v.metrics }));
}

/**
 * The baseline's per-step metric histories: a run record baseline's own, or, for a registered
 * version, those of the tracked train run it came from (its runId). Undefined when there are
 * none; a run that cannot be read only costs the chart (said at debug level), never the gate.
 */
export async function baselineStepHistory(
  baseline: ResolvedBaseline,
  sources: BaselineSources,
  log: Logger,
): Promise<Record<string, MetricHistoryPoint[]> | undefined> {
  if (baseline.metrics?.history) return baseline.metrics.history;
  const runId = baseline.record?.runId ?? baseline.record?.lineage?.trainRunId;
  if (!runId) return undefined;
  const reader = await sources.registry();
  if ('unavailable' in reader || !reader.run) return undefined;
  try {
    return (await reader.run(runId))?.metricHistory;
  } catch (error) {
    log.debug(`No metric histories for the baseline: run ${runId}: ${(error as Error).message}`);
    return undefined;
  }
}
