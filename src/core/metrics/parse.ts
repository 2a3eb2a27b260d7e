import { LineCounter, parseDocument, isMap, isScalar, type Node } from 'yaml';
import { checkJsonTextNesting, checkYamlDocument, yamlToValue } from '../document-limits.js';
import { ConfigurationError, type SourceLocation } from '../errors.js';
import type { MetricHistoryPoint } from '../registry/runs.js';

/** Where a candidate or baseline came from, as far as the report can tell. */
export interface Lineage {
  /** Git commit the metrics were produced at. */
  commit?: string;
  /** sha256 of the training data. */
  dataSha256?: string;
  /** sha256 of the model artifact. */
  modelSha256?: string;
  /** Link to the run that produced the metrics. */
  runUrl?: string;
  runId?: string;
  /** Registered model version, when the metrics are a registry record's. */
  version?: number;
  model?: string;
}

/** Flattened numeric metrics of one or more files, with whatever run context came with them. */
export interface MetricsSet {
  /** `a.b` flattened metric name -> value. */
  values: Record<string, number>;
  /** Metric name -> the file it came from (for error messages and the report). */
  sources: Record<string, string>;
  /** The files read, in order. */
  files: string[];
  /** Flattened parameters, as display strings, when a run record supplied them. */
  params?: Record<string, string>;
  lineage?: Lineage;
  /** Per-step values of metrics, when a run record has them (`metricHistory`). */
  history?: Record<string, MetricHistoryPoint[]>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** 1-based line and column of a character offset. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Parses JSON or YAML text into a plain value; a syntax error names the file, line and column. */
export function parseStructuredText(text: string, file: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const looksJson = /\.json$/i.test(file) || /^\s*[[{]/.test(body);
  if (looksJson) {
    // Before JSON.parse and the yaml parser, which both recurse once per level.
    checkJsonTextNesting(body, file);
    try {
      return JSON.parse(body) as unknown;
    } catch (error) {
      if (/\.json$/i.test(file)) throw jsonSyntaxError(body, file, (error as Error).message);
      // Not JSON after all (YAML flow mappings also start with `{`): fall through to YAML.
    }
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(body, { lineCounter, uniqueKeys: true, prettyErrors: false });
  // Before the parse errors: a parser that gave up on deep nesting reports a stack overflow.
  checkYamlDocument(document, lineCounter, file);
  const problem = document.errors[0];
  if (problem) {
    const { line, col } = lineCounter.linePos(problem.pos[0]);
    throw new ConfigurationError(`invalid YAML: ${problem.message.split('\n')[0]}`, { file, line, column: col });
  }
  return yamlToValue(document, file);
}

/**
 * A JSON syntax error with its line and column. V8 gives a position for most errors but not for
 * an unexpected token (`{"loss": NaN}`) or a cut-off file; the yaml parser in JSON mode finds
 * those. NaN and Infinity get a hint: Python's json.dump writes them for a non-finite metric.
 */
function jsonSyntaxError(body: string, file: string, message: string): ConfigurationError {
  const location: SourceLocation = { file };
  let offset: number | undefined;
  let unresolvedWord = false;
  const at = /position (\d+)/.exec(message);
  if (at) offset = Number(at[1]);
  else {
    const problem = parseDocument(body, { schema: 'json', prettyErrors: false }).errors[0];
    if (problem) {
      offset = problem.pos[0];
      unresolvedWord = problem.code === 'TAG_RESOLVE_FAILED';
    }
  }
  if (offset !== undefined) Object.assign(location, positionOf(body, offset));
  const rest = offset === undefined ? '' : body.slice(body[offset - 1] === '-' ? offset - 1 : offset);
  // V8 points at `-Infinity`'s sign, or just after it ("No number after minus sign").
  const nonFinite = /^-?(NaN|Infinity)\b/.exec(rest);
  const word = /^[^\s,\]}]+/.exec(rest)?.[0];
  let reason: string;
  if (nonFinite) {
    reason = `${nonFinite[0]} is not a JSON number, and a metric must be a finite number (Python's json.dump writes ${nonFinite[0]} for a non-finite float)`;
  } else if (unresolvedWord && word) {
    reason = `${JSON.stringify(word)} is not a JSON value (text needs double quotes)`;
  } else {
    // V8 quotes the text after the message; the location says where, and one line stays one line.
    reason = message
      .replace(/ in JSON at position \d+.*$/s, '')
      .replace(/, (\.\.\.)?".*" is not valid JSON$/s, '')
      .replace(/\r?\n/g, '\\n');
  }
  return new ConfigurationError(`invalid JSON: ${reason}`, location);
}

/** The line and column of a key path in YAML or JSON text, when it can be found. */
export function locateKey(text: string, path: readonly string[]): { line: number; column: number } | undefined {
  try {
    const lineCounter = new LineCounter();
    const document = parseDocument(text, { lineCounter });
    let node: unknown = document.contents;
    let offset: number | undefined;
    for (const segment of path) {
      if (!isMap(node)) return undefined;
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
      if (!pair) return undefined;
      offset = (pair.key as Node).range?.[0];
      node = pair.value;
    }
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  } catch {
    return undefined;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string')
    return `the text ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'number') return String(value);
  return `a ${typeof value}`;
}

/**
 * Flattens nested objects into `a.b` keys. Every leaf must be a finite number; anything else is
 * a ConfigurationError naming the file and the key (with its line when the text is given).
 */
export function flattenMetrics(
  value: unknown,
  file: string,
  options: { text?: string; keyPrefix?: readonly string[] } = {},
): Record<string, number> {
  const out: Record<string, number> = {};
  const origin: Record<string, string> = {};
  const fail = (path: string[], message: string): never => {
    const key = path.join('.');
    const position = options.text !== undefined ? locateKey(options.text, path) : undefined;
    throw new ConfigurationError(message, { file, ...(position ?? {}), key });
  };
  const walk = (node: unknown, path: string[]): void => {
    if (isObject(node)) {
      const entries = Object.entries(node);
      if (entries.length === 0 && path.length > (options.keyPrefix?.length ?? 0)) return;
      for (const [key, child] of entries) walk(child, [...path, key]);
      return;
    }
    const name = path.slice(options.keyPrefix?.length ?? 0).join('.');
    if (typeof node !== 'number') fail(path, `metric "${name}" is ${describe(node)}, not a number.`);
    if (!Number.isFinite(node)) fail(path, `metric "${name}" is ${String(node)}, not a finite number.`);
    const spelled = path.slice(options.keyPrefix?.length ?? 0).join(' > ');
    if (name in out) {
      fail(path, `metric "${name}" is given twice (as "${origin[name]}" and as "${spelled}").`);
    }
    out[name] = node as number;
    origin[name] = spelled;
  };
  walk(value, [...(options.keyPrefix ?? [])]);
  return out;
}

/** Flattens parameters to display strings (params may be any JSON value). */
export function flattenParams(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (node: unknown, path: string[]): void => {
    if (isObject(node) && Object.keys(node).length > 0) {
      for (const [key, child] of Object.entries(node)) walk(child, [...path, key]);
      return;
    }
    if (path.length === 0) return;
    out[path.join('.')] = typeof node === 'string' ? node : JSON.stringify(node);
  };
  walk(value, []);
  return out;
}

/** `dvc metrics show --json`: `{rev: {data: {file: {data: {...}}}}}`. */
function dvcShowMetrics(document: JsonObject): Array<{ file: string; data: JsonObject; path: string[] }> | undefined {
  const revisions = Object.entries(document);
  if (revisions.length === 0) return undefined;
  const shaped = revisions.every(
    ([, rev]) =>
      isObject(rev) &&
      isObject(rev.data) &&
      Object.values(rev.data).every((entry) => isObject(entry) && (isObject(entry.data) || 'error' in entry)),
  );
  if (!shaped) return undefined;
  // The workspace is what the candidate is; otherwise the first revision listed.
  const [revName, rev] = revisions.find(([name]) => name === 'workspace') ?? revisions[0]!;
  const files = (rev as JsonObject).data as JsonObject;
  return Object.entries(files)
    .filter(([, entry]) => isObject((entry as JsonObject).data))
    .map(([name, entry]) => ({
      file: name,
      data: (entry as JsonObject).data as JsonObject,
      path: [revName, 'data', name, 'data'],
    }));
}

function pickString(record: JsonObject, ...keys: string[]): string | undefined {
  for (const key of keys) {
    let node: Json | undefined = record;
    for (const part of key.split('.')) node = isObject(node) ? node[part] : undefined;
    if (typeof node === 'string' && node !== '') return node;
  }
  return undefined;
}

/** A run record's `metricHistory`, checked: a hand-edited record must fail here, not in a chart. */
function metricHistory(value: Json, file: string): Record<string, MetricHistoryPoint[]> {
  const bad = (key: string) =>
    new ConfigurationError('metricHistory must map each metric to a list of {step, value} numbers.', { file, key });
  if (!isObject(value)) throw bad('metricHistory');
  const out: Record<string, MetricHistoryPoint[]> = {};
  for (const [name, points] of Object.entries(value)) {
    if (!Array.isArray(points)) throw bad(`metricHistory.${name}`);
    out[name] = points.map((point, index) => {
      if (!isObject(point) || typeof point.step !== 'number' || typeof point.value !== 'number')
        throw bad(`metricHistory.${name}[${index}]`);
      return typeof point.timestamp === 'number'
        ? { step: point.step, value: point.value, timestamp: point.timestamp }
        : { step: point.step, value: point.value };
    });
  }
  return out;
}

/** A train run record: an object with a `metrics` object and run identity or params beside it. */
function isRunRecord(document: JsonObject): boolean {
  if (!isObject(document.metrics)) return false;
  return (
    isObject(document.params) ||
    typeof document.runId === 'string' ||
    typeof document.run_id === 'string' ||
    typeof document.id === 'string' ||
    (typeof document.kind === 'string' && /run/i.test(document.kind)) ||
    (typeof document.schema === 'string' && /run/i.test(document.schema))
  );
}

/** Lineage fields of a run record, accepting camelCase and snake_case spellings. */
function runLineage(record: JsonObject): Lineage {
  const lineage: Lineage = {};
  const commit = pickString(record, 'commit', 'lineage.git.commit', 'git.commit', 'gitCommit', 'git_commit', 'sha');
  const dataSha256 = pickString(record, 'dataSha256', 'data_sha256', 'data.sha256');
  const modelSha256 = pickString(record, 'modelSha256', 'model_sha256', 'model.sha256');
  const runUrl = pickString(record, 'runUrl', 'run_url', 'url', 'github.runUrl');
  const runId = pickString(record, 'runId', 'run_id', 'id');
  if (commit) lineage.commit = commit;
  if (dataSha256) lineage.dataSha256 = dataSha256;
  if (modelSha256) lineage.modelSha256 = modelSha256;
  if (runUrl) lineage.runUrl = runUrl;
  if (runId) lineage.runId = runId;
  return lineage;
}

/**
 * Reads one metrics document: a JSON or YAML object of (nested) numbers, a DVC metrics file or
 * `dvc metrics show --json` output, or a train run record (its `metrics`, `params` and lineage).
 */
export function parseMetricsDocument(text: string, file: string): MetricsSet {
  const document = parseStructuredText(text, file);
  if (!isObject(document)) {
    const what = document === null || document === undefined ? 'empty' : describe(document);
    throw new ConfigurationError(`a metrics file must be an object of metric names to numbers; this one is ${what}.`, {
      file,
    });
  }
  const set: MetricsSet = { values: {}, sources: {}, files: [file] };
  // A tracked run from the registry branch (runs/<id>.json) wraps the run record in `run`.
  const tracked = document.kind === 'mlops-tracked-run' && isObject(document.run) ? document.run : undefined;
  const record = tracked ?? document;
  if (tracked || isRunRecord(document)) {
    set.values = flattenMetrics(record.metrics ?? {}, file, {
      text,
      keyPrefix: tracked ? ['run', 'metrics'] : ['metrics'],
    });
    if (isObject(record.params)) set.params = flattenParams(record.params);
    set.lineage = runLineage(record);
    if (record.metricHistory !== undefined) set.history = metricHistory(record.metricHistory, file);
  } else {
    const dvc = dvcShowMetrics(document);
    if (dvc) {
      for (const entry of dvc) {
        const values = flattenMetrics(entry.data, file, { text, keyPrefix: entry.path });
        for (const [name, value] of Object.entries(values)) {
          if (name in set.values && set.values[name] !== value) {
            throw new ConfigurationError(
              `metric "${name}" has different values in ${entry.file} and another DVC file.`,
              {
                file,
                key: name,
              },
            );
          }
          set.values[name] = value;
        }
      }
    } else {
      set.values = flattenMetrics(document, file, { text });
    }
  }
  for (const name of Object.keys(set.values)) set.sources[name] = file;
  return set;
}

/**
 * Merges several files into one set. A metric given by two files with different values is an
 * error naming both; params and lineage merge with the first file's winning.
 */
export function mergeMetrics(sets: readonly MetricsSet[]): MetricsSet {
  const merged: MetricsSet = { values: {}, sources: {}, files: [] };
  for (const set of sets) {
    merged.files.push(...set.files);
    for (const [name, value] of Object.entries(set.values)) {
      const previous = merged.values[name];
      if (previous !== undefined && previous !== value) {
        throw new ConfigurationError(
          `metric "${name}" is ${previous} in ${merged.sources[name]} but ${value} here; give each metric in one file only.`,
          { file: set.sources[name] ?? set.files[0], key: name },
        );
      }
      merged.values[name] = value;
      merged.sources[name] ??= set.sources[name] ?? set.files[0] ?? '';
    }
    if (set.params) merged.params = { ...set.params, ...merged.params };
    if (set.lineage) merged.lineage = { ...set.lineage, ...merged.lineage };
    if (set.history) merged.history = { ...set.history, ...merged.history };
  }
  return merged;
}
