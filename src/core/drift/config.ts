/**
 * The drift config file (schemas/drift-config.schema.json): per column test, threshold, bins,
 * type and exclusion; top-level include/exclude, drift-share, default-test and threshold.
 */
import type { ErrorObject } from 'ajv';
import { driftConfig as validateDriftConfig } from '../../generated/validators/drift.js';
import { ConfigurationError } from '../errors.js';
import { locateKey, parseStructuredText } from '../metrics/parse.js';
import {
  DRIFT_TESTS,
  type DriftBins,
  type DriftColumnConfig,
  type DriftColumnType,
  type DriftConfig,
  type DriftTestName,
} from './types.js';

const TOP_LEVEL_KEYS = ['columns', 'include', 'exclude', 'drift-share', 'default-test', 'threshold'];
const COLUMN_KEYS = ['test', 'threshold', 'bins', 'type', 'exclude'];

function pointerSegments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The one error worth showing first: an unknown test or key explains more than what it causes,
 * and a `oneOf` (bins: a count or {quantiles}) more than the failures of its branches.
 */
function firstError(errors: readonly ErrorObject[]): ErrorObject {
  const oneOf = errors.find((error) => error.keyword === 'oneOf');
  const rank = (error: ErrorObject): number => {
    if (error.keyword === 'enum' && /\/test$|^\/default-test\//.test(error.instancePath)) return 0;
    if (error.keyword === 'additionalProperties' && !(oneOf && error.instancePath.startsWith(oneOf.instancePath)))
      return 1;
    if (oneOf && error.instancePath.startsWith(oneOf.instancePath)) return error === oneOf ? 2 : 4;
    return 3;
  };
  return [...errors].sort((a, b) => rank(a) - rank(b))[0]!;
}

function explain(error: ErrorObject, segments: readonly string[], value: unknown): string {
  const where = segments.length === 0 ? 'the drift config' : segments.join('.');
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'enum':
      if (segments.at(-1) === 'test' || segments[0] === 'default-test')
        return `${where}: unknown test ${JSON.stringify(value)}; known tests: ${DRIFT_TESTS.join(', ')}.`;
      return `${where} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      if (segments.length === 0) return `unknown key "${extra}"; known keys: ${TOP_LEVEL_KEYS.join(', ')}.`;
      if (segments[0] === 'columns' && segments.length === 2)
        return `unknown setting "${extra}" for column "${segments[1]}"; known settings: ${COLUMN_KEYS.join(', ')}.`;
      return `${where}: unknown key "${extra}".`;
    }
    case 'oneOf':
      return `${where} must be a whole number of bins (1 to 10000) or {quantiles: n}.`;
    case 'const':
      return `${where} must be ${JSON.stringify(params.allowedValue)}.`;
    case 'type':
      return `${where} must be ${String(params.type).replace(',', ' or ')}.`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
      return `${where} ${error.message ?? 'is out of range'}.`;
    case 'uniqueItems':
      return `${where} names a column twice.`;
    default:
      return `${where} ${error.message ?? 'is invalid'}.`;
  }
}

function valueAt(document: unknown, segments: readonly string[]): unknown {
  let node = document;
  for (const segment of segments) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

interface RawConfig {
  columns?: Record<string, Record<string, unknown> | null> | null;
  include?: string[];
  exclude?: string[];
  'drift-share'?: number;
  'default-test'?: { numeric?: DriftTestName; categorical?: DriftTestName };
  threshold?: number;
}

/**
 * Parses a drift config (YAML or JSON) and checks it against schemas/drift-config.schema.json.
 * Every problem is one ConfigurationError naming the file, the line and the key; an unknown test
 * name lists the known tests.
 */
export function parseDriftConfig(text: string, file: string): DriftConfig {
  const document = parseStructuredText(text, file) ?? {};
  if (!validateDriftConfig(document)) {
    const error = firstError(validateDriftConfig.errors ?? []);
    const segments = pointerSegments(error.instancePath);
    const keyPath =
      error.keyword === 'additionalProperties'
        ? [...segments, String((error.params as Record<string, unknown>).additionalProperty)]
        : segments;
    const position = locateKey(text, keyPath);
    throw new ConfigurationError(explain(error, segments, valueAt(document, segments)), {
      file,
      ...(position ?? {}),
      ...(keyPath.length ? { key: keyPath.join('.') } : {}),
    });
  }
  const raw = document as RawConfig;
  const columns: Record<string, DriftColumnConfig> = {};
  for (const [name, spec] of Object.entries(raw.columns ?? {})) {
    const column: DriftColumnConfig = {};
    if (spec) {
      if (spec.test !== undefined) column.test = spec.test as DriftTestName;
      if (spec.threshold !== undefined) column.threshold = spec.threshold as number;
      if (spec.bins !== undefined) column.bins = spec.bins as DriftBins;
      if (spec.type !== undefined) column.type = spec.type as DriftColumnType;
      if (spec.exclude === true) column.exclude = true;
    }
    columns[name] = column;
  }
  const config: DriftConfig = { source: file, columns };
  if (raw.include) config.include = raw.include;
  if (raw.exclude) config.exclude = raw.exclude;
  if (raw['drift-share'] !== undefined) config.driftShare = raw['drift-share'];
  if (raw['default-test']) config.defaultTest = { ...raw['default-test'] };
  if (raw.threshold !== undefined) config.threshold = raw.threshold;
  return config;
}

/** The column types a config fixes, for DriftProfileBuilder's `columnTypes`. */
export function configuredColumnTypes(config: DriftConfig | undefined): Record<string, DriftColumnType> {
  const types: Record<string, DriftColumnType> = {};
  for (const [name, column] of Object.entries(config?.columns ?? {})) if (column.type) types[name] = column.type;
  return types;
}
