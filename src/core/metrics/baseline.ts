/**
 * Baseline resolution (docs/evaluate-gate.md: Baselines). Pure logic: the readers (files, git,
 * the registry) are injected, so every decision is tested with fakes; src/adapters/baseline-sources.ts
 * implements them for real.
 */
import type { Logger } from '../logger.js';
import { formatBaselineSpec, type BaselineSpec } from './baseline-spec.js';
import { flattenParams, mergeMetrics, parseMetricsDocument, type MetricsSet } from './parse.js';
import type { ModelVersionRecord, RegistryReader } from '../registry/contract.js';
import type { BaselineDescription } from '../report/evaluate-gate.js';

/** Where baseline metrics can come from. Each returns undefined when the thing does not exist. */
export interface BaselineSources {
  /** A file's text, relative to the working directory; undefined when missing. */
  readFile(path: string): Promise<string | undefined>;
  /**
   * A file's text at a git ref (path relative to the working directory), fetching the ref when
   * it is a commit sha that is not present. `missing-ref` when the ref cannot be found.
   */
  gitShow(ref: string, path: string): Promise<string | undefined | { missing: 'ref'; detail: string }>;
  /** The registry, or a reason it cannot be read (no registry branch, git failure). */
  registry(): Promise<RegistryReader | { unavailable: string }>;
}

export interface BaselineContext {
  /** The candidate metrics files, relative to the working directory (what `auto` looks up at the base sha). */
  candidateFiles: string[];
  model?: string;
  /** The pull request's base commit, when the event is a pull request. */
  baseSha?: string;
  log: Logger;
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

async function fromRegistry(
  spec: Extract<BaselineSpec, { kind: 'registry' }>,
  sources: BaselineSources,
  requested: string,
): Promise<ResolvedBaseline> {
  const reader = await sources.registry();
  const asked = formatBaselineSpec(spec);
  if ('unavailable' in reader) {
    return { description: { requested, note: `${asked}: the registry cannot be read (${reader.unavailable})` } };
  }
  const record = await reader.resolve(spec.model, spec.selector);
  if (!record) {
    const what = 'alias' in spec.selector ? `alias "${spec.selector.alias}"` : `version v${spec.selector.version}`;
    return { description: { requested, note: `${asked}: model "${spec.model}" has no ${what} in the registry` } };
  }
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

async function fromFile(path: string, sources: BaselineSources, requested: string): Promise<ResolvedBaseline> {
  const text = await sources.readFile(path);
  if (text === undefined) return { description: { requested, note: `file:${path} does not exist` } };
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

async function fromGit(
  ref: string,
  paths: string[],
  sources: BaselineSources,
  requested: string,
  note?: string,
): Promise<ResolvedBaseline> {
  const sets: MetricsSet[] = [];
  const missing: string[] = [];
  for (const path of paths) {
    const shown = await sources.gitShow(ref, path);
    if (shown !== undefined && typeof shown === 'object') {
      return { description: { requested, note: `git ref "${ref}" is not available (${shown.detail})` } };
    }
    if (shown === undefined) {
      missing.push(path);
      continue;
    }
    sets.push(parseMetricsDocument(shown, `${ref.slice(0, 12)}:${path}`));
  }
  const label = `git:${ref}:${paths.join(',')}`;
  if (sets.length === 0) {
    return { description: { requested, note: `${paths.join(', ')} did not exist at ${ref}` } };
  }
  const merged = mergeMetrics(sets);
  const extra = missing.length ? `${missing.join(', ')} did not exist at ${ref}` : undefined;
  const text = [note, extra].filter(Boolean).join('; ') || undefined;
  return describe(requested, label, merged, text);
}

/**
 * Resolves the baseline. A baseline that does not exist is not an error: the description says
 * why, and the caller applies only absolute gates. Malformed baseline files are errors.
 *
 * `auto`: `registry:<model>@production` when `model` is given and that alias exists; else, on a
 * pull request, the candidate metrics files at the base sha; else none.
 */
export async function resolveBaseline(
  spec: BaselineSpec,
  context: BaselineContext,
  sources: BaselineSources,
): Promise<ResolvedBaseline> {
  const requested = formatBaselineSpec(spec);
  switch (spec.kind) {
    case 'none':
      return { description: { requested, note: 'baseline: none was asked for' } };
    case 'file':
      return fromFile(spec.path, sources, requested);
    case 'git':
      return fromGit(spec.ref, [spec.path], sources, requested);
    case 'registry':
      return fromRegistry(spec, sources, requested);
    case 'auto': {
      const tried: string[] = [];
      if (context.model) {
        const production = await fromRegistry(
          { kind: 'registry', model: context.model, selector: { alias: 'production' } },
          sources,
          requested,
        );
        if (production.metrics) {
          production.description.note = 'auto: the production model';
          return production;
        }
        tried.push(production.description.note ?? `registry:${context.model}@production not found`);
        context.log.info(`Baseline auto: ${tried[0]}.`);
      }
      if (context.baseSha) {
        const base = await fromGit(
          context.baseSha,
          context.candidateFiles,
          sources,
          requested,
          'auto: the pull request base',
        );
        if (base.metrics) {
          base.description.resolved = `the pull request base ${context.baseSha.slice(0, 7)} (${context.candidateFiles.join(', ')})`;
          return base;
        }
        tried.push(base.description.note ?? 'nothing at the pull request base');
      }
      if (tried.length === 0) tried.push('no model to look up in the registry and not a pull request');
      return { description: { requested, note: `auto found none: ${tried.join('; ')}` } };
    }
  }
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
