import type { ErrorObject } from 'ajv';
import { gates as validateGatesDocument } from '../../generated/validators/gates.js';
import { ConfigurationError, type SourceLocation } from '../errors.js';
import { locateKey, parseStructuredText } from '../metrics/parse.js';

/** The rules of one gate (docs/architecture.md: Gates). */
export interface GateRule {
  direction?: 'higher' | 'lower';
  min?: number;
  max?: number;
  maxRegression?: number;
  maxRegressionPct?: number;
  warnOnly: boolean;
  description?: string;
}

/** One entry of the gates file: a metric name, or a `*` pattern over metric names. */
export interface Gate {
  /** The key as written in the file. */
  key: string;
  /** Set when the key contains `*`: matches whole flattened metric names. */
  pattern?: RegExp;
  rule: GateRule;
  /** Where the gate is written, for annotations. */
  location: SourceLocation;
}

export interface GatesConfig {
  /** The file, or `gates input` when the YAML was given inline. */
  source: string;
  gates: Gate[];
}

const RULE_NAMES = ['direction', 'min', 'max', 'max-regression', 'max-regression-pct', 'warn-only', 'description'];

/** Turns ajv's JSON pointer into our dotted path, keeping metric names with dots whole. */
function pointerSegments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function explain(error: ErrorObject, segments: string[]): string {
  const where = segments.length === 0 ? 'the gates file' : segments.join(' > ');
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${where} needs a "${String(params.missingProperty)}" section (gates: {metrics: {<name>: {...}}}).`;
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      if (segments.length === 0) return `unknown top-level key "${extra}"; the gates go under "metrics".`;
      return `unknown rule "${extra}" for ${segments.slice(1).join('.')}; known rules: ${RULE_NAMES.join(', ')}.`;
    }
    case 'enum':
      return `${where} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'dependencies':
      return `${segments.slice(1).join('.')}: "${String(params.property)}" needs "direction: higher" or "direction: lower" to know which way is worse.`;
    case 'minimum':
      return `${where} must be at least ${String(params.limit)}.`;
    case 'minProperties':
      return `${where} must name at least one metric.`;
    case 'type':
      return `${where} must be ${String(params.type).replace(',', ' or ')}.`;
    default:
      return `${where} ${error.message ?? 'is invalid'}.`;
  }
}

/** `accuracy.*` -> a regex over whole metric names; `*` matches any characters. */
export function patternOf(key: string): RegExp | undefined {
  if (!key.includes('*')) return undefined;
  const escaped = key
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`);
}

/**
 * Parses and checks a gates document (YAML or JSON). Every problem is a ConfigurationError naming
 * the file, the line and the key; the schema is schemas/gates.schema.json.
 */
export function parseGates(text: string, source: string): GatesConfig {
  const document = parseStructuredText(text, source);
  if (document === null || document === undefined) {
    throw new ConfigurationError('the gates file is empty; expected {metrics: {<name>: {...}}}.', { file: source });
  }
  // schemas/gates.schema.json, precompiled by schemas/generate-gates-validator.mjs: no ajv compile per run.
  const check = validateGatesDocument;
  if (!check(document)) {
    // An unknown key (a typo) explains more than the "required" error it causes.
    const errors = check.errors ?? [];
    const error = errors.find((e) => e.keyword === 'additionalProperties') ?? errors[0]!;
    const segments = pointerSegments(error.instancePath);
    const keyPath =
      error.keyword === 'additionalProperties'
        ? [...segments, String((error.params as Record<string, unknown>).additionalProperty)]
        : segments;
    const position = locateKey(text, keyPath);
    throw new ConfigurationError(explain(error, segments), {
      file: source,
      ...(position ?? {}),
      ...(keyPath.length ? { key: keyPath.join('.') } : {}),
    });
  }
  const metrics = (document as { metrics: Record<string, Record<string, unknown> | null> }).metrics;
  const gates: Gate[] = [];
  for (const [key, raw] of Object.entries(metrics)) {
    const spec = raw ?? {};
    const position = locateKey(text, ['metrics', key]);
    const location: SourceLocation = { file: source, ...(position ?? {}), key: `metrics.${key}` };
    const rule: GateRule = { warnOnly: spec['warn-only'] === true };
    if (spec.direction !== undefined) rule.direction = spec.direction as 'higher' | 'lower';
    if (spec.min !== undefined) rule.min = spec.min as number;
    if (spec.max !== undefined) rule.max = spec.max as number;
    if (spec['max-regression'] !== undefined) rule.maxRegression = spec['max-regression'] as number;
    if (spec['max-regression-pct'] !== undefined) rule.maxRegressionPct = spec['max-regression-pct'] as number;
    if (spec.description !== undefined) rule.description = spec.description as string;
    if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) {
      throw new ConfigurationError(
        `${key}: min ${rule.min} is greater than max ${rule.max}; no value can pass.`,
        location,
      );
    }
    const pattern = patternOf(key);
    gates.push({ key, rule, location, ...(pattern ? { pattern } : {}) });
  }
  return { source, gates };
}
