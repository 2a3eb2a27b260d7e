/**
 * Expectation suites: Great Expectations 1.x (`{name, expectations: [{type, kwargs}]}`) and 0.x
 * (`{expectation_suite_name, expectations: [{expectation_type, kwargs}]}`) documents, in JSON or
 * YAML, checked against schemas/expectation-suite.schema.json (precompiled by ajv) and then for
 * what a schema cannot say (bounds in order, regexes that compile, formats Python accepts). Every
 * problem is a ConfigurationError naming the file, the line, the expectation's index and the key.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import suiteSchema from '../../../schemas/expectation-suite.schema.json' with { type: 'json' };
import { checkJsonTextNesting, checkYamlDocument, yamlToValue } from '../document-limits.js';
import { ConfigurationError, type SourceLocation } from '../errors.js';
import { nearest } from '../suggest.js';
import { compilePythonRegex, PythonRegexError } from './pyregex.js';
import { compileStrftimeFormat, StrftimeFormatError } from './strptime.js';
import * as generated from '../../generated/validators/suite.js';

/** The expectation names mlops supports, in the schema's order. */
export const SUPPORTED_EXPECTATIONS: readonly string[] = suiteSchema.definitions.expectation.properties.type.enum;

/** GE 0.x spellings that GE 1.x renamed; the report uses the 1.x name. */
const ALIASES: Record<string, string> = {
  expect_column_pair_values_A_to_be_greater_than_B: 'expect_column_pair_values_a_to_be_greater_than_b',
};

/** One expectation of a suite, as written. */
export interface ExpectationConfig {
  /** 0-based position in the suite's `expectations` list. */
  index: number;
  /** The expectation name (GE 1.x spelling). */
  type: string;
  kwargs: Record<string, unknown>;
  meta?: Record<string, unknown>;
  /** Other top-level fields copied to the report (id, notes, description, severity). */
  extra: Record<string, unknown>;
  /** Where the expectation starts in the suite file. */
  location: SourceLocation;
}

export interface ExpectationSuite {
  name: string;
  /** `1.x` for `type` entries, `0.x` for `expectation_type` entries. */
  format: '1.x' | '0.x';
  /** The suite file as given (for messages). */
  file: string;
  meta: Record<string, unknown>;
  expectations: ExpectationConfig[];
}

type Path = Array<string | number>;

/** Maps document paths to line/column positions, from the YAML parser's source ranges. */
class Locator {
  constructor(
    private readonly root: YamlNode | null,
    private readonly lines: LineCounter,
  ) {}

  /** The position of the node at `path`, or of its key when `key` is set (for unknown keys). */
  locate(path: Path, key = false): { line: number; column: number } | undefined {
    let node: unknown = this.root;
    let keyNode: unknown;
    for (const segment of path) {
      keyNode = undefined;
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) return this.position(node);
        keyNode = pair.key;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
      } else {
        break;
      }
    }
    return this.position(key && keyNode ? keyNode : node);
  }

  private position(node: unknown): { line: number; column: number } | undefined {
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (!range) return undefined;
    const { line, col } = this.lines.linePos(range[0]);
    return { line, column: col };
  }
}

/**
 * The validators, compiled ahead of time by schemas/generate-suite-validator.mjs (ajv standalone
 * code), so that no run pays for compiling the schema. The suite-level check is the schema
 * without its per-expectation `if/then` chain (which editors use for completion); each
 * expectation's kwargs are checked against their own definition: the same rules, and errors that
 * name one expectation. A unit test fails when the generated module is out of date.
 */
const check = {
  suite: generated.suite,
  kwargs: (type: string): ValidateFunction => generated.kwargs[type]!,
};

/** ` (did you mean "x"?)` for a close candidate, else nothing. */
function suggestion(word: string, candidates: readonly string[]): string {
  const best = nearest(word, candidates, Math.max(2, Math.floor(word.length / 5)));
  return best !== undefined ? ` (did you mean "${best}"?)` : '';
}

function keyPathText(path: Path): string {
  return path
    .map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`))
    .join('');
}

/** Parses the text of a suite file into a plain value, with positions. */
function parseText(text: string, file: string): { value: unknown; locator: Locator } {
  const lines = new LineCounter();
  const isJson = /\.json$/i.test(file) || (!/\.ya?ml$/i.test(file) && /^\s*[{[]/.test(text));
  if (isJson) {
    // Before JSON.parse and the yaml parser, which both recurse once per level.
    checkJsonTextNesting(text, file);
    try {
      JSON.parse(text);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const at = /position (\d+)/.exec(message);
      const lineColumn = /line (\d+) column (\d+)/.exec(message);
      let location: SourceLocation = { file };
      if (lineColumn) {
        location = { file, line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
      } else if (at) {
        const offset = Number(at[1]);
        const before = text.slice(0, offset).split('\n');
        location = { file, line: before.length, column: before[before.length - 1]!.length + 1 };
      } else {
        // Some engines name no position; the YAML parser, which reads JSON too, usually can.
        const position = parseDocument(text, { prettyErrors: true }).errors[0]?.linePos?.[0];
        if (position) location = { file, line: position.line, column: position.col };
      }
      const reason = message
        .replace(/ in JSON at position \d+.*$/, '')
        .replace(/ \(line \d+ column \d+\)$/, '')
        .replace(/^JSON\.parse: /, '');
      throw new ConfigurationError(`invalid JSON: ${reason}.`, location);
    }
  }
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: !isJson, prettyErrors: true });
  // Before the parse errors: a parser that gave up on deep nesting reports a stack overflow.
  checkYamlDocument(document, lines, file);
  const problem = document.errors[0];
  if (problem) {
    const position = problem.linePos?.[0];
    const reason = problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigurationError(`invalid ${isJson ? 'JSON' : 'YAML'}: ${reason}.`, {
      file,
      ...(position ? { line: position.line, column: position.col } : {}),
    });
  }
  return { value: yamlToValue(document, file), locator: new Locator(document.contents, lines) };
}

function locationAt(file: string, locator: Locator, path: Path, key = false): SourceLocation {
  const position = locator.locate(path, key);
  return { file, ...(position ?? {}), ...(path.length ? { key: keyPathText(path) } : {}) };
}

function describe(index: number, type: string | undefined): string {
  return type ? `expectations[${index}] (${type})` : `expectations[${index}]`;
}

function explainSchemaError(error: ErrorObject, where: string, allowed?: readonly string[]): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      return allowed
        ? `${where}: unknown key "${extra}"${suggestion(extra, allowed)}; allowed: ${allowed.join(', ')}.`
        : `${where}: unknown key "${extra}".`;
    }
    case 'required':
      return `${where}: missing required key "${String(params.missingProperty)}".`;
    case 'enum':
      return `${where} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'type':
      return `${where} must be ${String(params.type).split(',').join(' or ')}.`;
    case 'minimum':
    case 'maximum':
      return `${where} must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params.limit)}.`;
    case 'minItems':
      return `${where} must have at least ${String(params.limit)} item(s).`;
    case 'maxItems':
      return `${where} must have at most ${String(params.limit)} item(s).`;
    case 'minLength':
      return `${where} must not be empty.`;
    case 'maxProperties':
      return `${where} is not supported by mlops and must be empty.`;
    case 'oneOf':
      return `${where} needs exactly one of "type" (GE 1.x) or "expectation_type" (GE 0.x).`;
    case 'anyOf':
      return `${where} ${error.message ?? 'is invalid'}.`;
    default:
      return `${where} ${error.message ?? 'is invalid'}.`;
  }
}

/** The most useful of ajv's errors: a specific keyword on the deepest path. */
function pickError(errors: ErrorObject[]): ErrorObject {
  // "type or expectation_type" is one rule; ajv reports each branch's missing key separately.
  const either = errors.find((error) => error.keyword === 'oneOf' && /\/expectations\/\d+$/.test(error.instancePath));
  if (
    either &&
    errors.every((error) => error.instancePath !== either.instancePath || ['oneOf', 'required'].includes(error.keyword))
  ) {
    return either;
  }
  const specific = errors.filter((error) => !['if', 'anyOf', 'allOf'].includes(error.keyword));
  const pool = specific.length ? specific : errors;
  const picked = pool.reduce((best, error) => {
    const depth = error.instancePath.split('/').length;
    const bestDepth = best.instancePath.split('/').length;
    if (depth !== bestDepth) return depth > bestDepth ? error : best;
    return best.keyword !== 'additionalProperties' && error.keyword === 'additionalProperties' ? error : best;
  });
  return alternativesError(errors, picked) ?? picked;
}

/**
 * When a value fails every branch of an `anyOf` (a boolean or a method's name, say), one branch's
 * complaint alone misleads ("must be boolean"): this names every accepted form instead.
 */
function alternativesError(errors: ErrorObject[], picked: ErrorObject): ErrorObject | undefined {
  const path = picked.instancePath;
  if (!['type', 'enum'].includes(picked.keyword)) return undefined;
  if (!errors.some((error) => error.keyword === 'anyOf' && error.instancePath === path)) return undefined;
  const forms: string[] = [];
  for (const error of errors) {
    if (error.instancePath !== path) continue;
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'type') forms.push(...String(params.type).split(','));
    else if (error.keyword === 'enum') {
      forms.push(`one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`);
    }
  }
  const unique = [...new Set(forms)];
  if (unique.length < 2) return undefined;
  return { ...picked, keyword: 'anyOf', params: {}, message: `must be ${unique.join(' or ')}` };
}

function pointer(instancePath: string): Path {
  return instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

function findParameter(value: unknown, path: Path): Path | undefined {
  if (value && typeof value === 'object') {
    if (!Array.isArray(value) && '$PARAMETER' in value) return path;
    for (const [key, child] of Object.entries(value)) {
      const found = findParameter(child, [...path, Array.isArray(value) ? Number(key) : key]);
      if (found) return found;
    }
  }
  return undefined;
}

const BETWEEN_REQUIRES_A_BOUND = new Set([
  'expect_column_values_to_be_between',
  'expect_column_value_lengths_to_be_between',
]);

function comparableOrder(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

/** Checks what the schema cannot: bounds in order, regexes, formats, quantile ranges. */
function checkSemantics(config: ExpectationConfig, fail: (path: Path, message: string, key?: boolean) => never): void {
  const { kwargs, type } = config;
  const here = (...rest: Path): Path => ['expectations', config.index, 'kwargs', ...rest];
  const where = describe(config.index, type);
  for (const key of ['row_condition', 'condition_parser']) {
    if (kwargs[key] !== undefined && kwargs[key] !== null) {
      fail(here(key), `${where}: "${key}" is not supported by mlops; split the data or drop the condition.`, true);
    }
  }
  {
    const min = kwargs.min_value ?? null;
    const max = kwargs.max_value ?? null;
    if (BETWEEN_REQUIRES_A_BOUND.has(type) && min === null && max === null) {
      fail(here(), `${where}: min_value and max_value cannot both be null.`);
    }
    if (min !== null && max !== null) {
      const order = comparableOrder(min, max);
      if (order === undefined) fail(here('max_value'), `${where}: min_value and max_value must be of the same type.`);
      if (order > 0)
        fail(
          here('min_value'),
          `${where}: min_value ${JSON.stringify(min)} is greater than max_value ${JSON.stringify(max)}.`,
        );
    }
  }
  const regexes: Array<[Path, unknown]> = [];
  if (typeof kwargs.regex === 'string') regexes.push([here('regex'), kwargs.regex]);
  if (Array.isArray(kwargs.regex_list))
    kwargs.regex_list.forEach((regex, position) => regexes.push([here('regex_list', position), regex]));
  for (const [path, regex] of regexes) {
    try {
      compilePythonRegex(String(regex));
    } catch (error) {
      if (!(error instanceof PythonRegexError)) throw error;
      fail(path, `${where}: invalid regex ${JSON.stringify(regex)}: ${error.message}.`);
    }
  }
  if (typeof kwargs.strftime_format === 'string') {
    try {
      compileStrftimeFormat(kwargs.strftime_format);
    } catch (error) {
      if (!(error instanceof StrftimeFormatError)) throw error;
      fail(here('strftime_format'), `${where}: unusable strftime_format: ${error.message}.`);
    }
  }
  const ranges = kwargs.quantile_ranges as
    { quantiles?: number[]; value_ranges?: Array<Array<number | null>> } | undefined;
  if (ranges?.quantiles && ranges.value_ranges) {
    if (ranges.quantiles.length !== ranges.value_ranges.length) {
      fail(
        here('quantile_ranges', 'value_ranges'),
        `${where}: quantile_ranges has ${ranges.quantiles.length} quantiles but ${ranges.value_ranges.length} value_ranges; they go in pairs.`,
      );
    }
    ranges.value_ranges.forEach(([low, high], position) => {
      if (low !== null && high !== null && low !== undefined && high !== undefined && low > high) {
        fail(
          here('quantile_ranges', 'value_ranges', position),
          `${where}: value range [${low}, ${high}] has its minimum above its maximum.`,
        );
      }
    });
  }
}

/**
 * Parses a suite from its text. `file` names it in messages (and picks JSON or YAML by extension;
 * other names are sniffed). Throws ConfigurationError with the file, line, index and key.
 */
export function parseSuite(text: string, file: string): ExpectationSuite {
  const stripped = text.replace(/^\uFEFF/, '');
  if (stripped.trim() === '')
    throw new ConfigurationError('the suite file is empty; expected {name, expectations: [...]}.', { file });
  const { value, locator } = parseText(stripped, file);
  const fail: (path: Path, message: string, key?: boolean) => never = (path, message, key = false) => {
    throw new ConfigurationError(message, locationAt(file, locator, path, key));
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail([], 'a suite must be a mapping with an "expectations" list ({name, expectations: [...]}).');
  }
  const document = value as Record<string, unknown>;
  const parameter = findParameter(document.expectations, ['expectations']);
  if (parameter) {
    const index = typeof parameter[1] === 'number' ? parameter[1] : 0;
    fail(
      parameter,
      `${describe(index, undefined)}: suite parameters ({"$PARAMETER": ...}) are not supported; write the value itself.`,
    );
  }
  if (!(check.suite as (data: unknown) => boolean)(document)) {
    const error = pickError(check.suite.errors ?? []);
    const params = error.params as Record<string, unknown>;
    const isKey = error.keyword === 'additionalProperties';
    const at = pointer(error.instancePath);
    const path: Path = isKey ? [...at, String(params.additionalProperty)] : at;
    const index = at[0] === 'expectations' && typeof at[1] === 'number' ? at[1] : undefined;
    if (index === undefined) {
      if (isKey) {
        const extra = String(params.additionalProperty);
        fail(
          path,
          `the suite has an unknown top-level key "${extra}"${suggestion(extra, Object.keys(suiteSchema.properties))}; expected name, expectations and meta.`,
          true,
        );
      }
      fail(path, explainSchemaError(error, at.length ? keyPathText(at) : 'the suite'));
    }
    const entry = (document.expectations as Array<Record<string, unknown>>)[index]!;
    const written = entry.type ?? entry.expectation_type;
    const where = describe(index, typeof written === 'string' ? written : undefined);
    const field = at[2];
    if (error.keyword === 'enum' && (field === 'type' || field === 'expectation_type')) {
      const name = String(entry[field]);
      fail(
        path,
        `${describe(index, undefined)}: unknown expectation "${name}"${suggestion(name, SUPPORTED_EXPECTATIONS)}; see docs/validate-data.md for the supported ones.`,
      );
    }
    if (isKey && at.length === 2) {
      fail(
        path,
        `${where}: unknown key "${String(params.additionalProperty)}"; an expectation has type (or expectation_type), kwargs and meta.`,
        true,
      );
    }
    fail(path, explainSchemaError(error, at.length > 2 ? `${where}: ${keyPathText(at.slice(2))}` : where), isKey);
  }
  const entries = document.expectations as Array<Record<string, unknown>>;
  const styles = new Set(entries.map((entry) => ('type' in entry ? '1.x' : '0.x')));
  const format: '1.x' | '0.x' = styles.has('1.x')
    ? '1.x'
    : styles.has('0.x')
      ? '0.x'
      : 'name' in document
        ? '1.x'
        : '0.x';
  const expectations = entries.map((entry, index): ExpectationConfig => {
    const written = String(entry.type ?? entry.expectation_type);
    const type = ALIASES[written] ?? written;
    const kwargs = (entry.kwargs ?? {}) as Record<string, unknown>;
    const validate = check.kwargs(written);
    if (!validate(kwargs)) {
      const error = pickError(validate.errors ?? []);
      const params = error.params as Record<string, unknown>;
      const isKey = error.keyword === 'additionalProperties';
      const inner = pointer(error.instancePath);
      const path: Path = [
        'expectations',
        index,
        'kwargs',
        ...inner,
        ...(isKey ? [String(params.additionalProperty)] : []),
      ];
      const allowed = Object.keys(
        (suiteSchema.definitions as unknown as Record<string, { properties: Record<string, unknown> }>)[written]!
          .properties,
      );
      const where = inner.length ? `${describe(index, type)}: kwargs.${keyPathText(inner)}` : describe(index, type);
      let message: string;
      if (isKey && inner.length === 0) {
        const extra = String(params.additionalProperty);
        message = `${describe(index, type)}: unknown kwarg "${extra}"${suggestion(extra, allowed)}; allowed: ${allowed.join(', ')}.`;
      } else if (error.keyword === 'required' && inner.length === 0) {
        message = `${describe(index, type)}: missing required kwarg "${String(params.missingProperty)}".`;
      } else {
        message = explainSchemaError(error, where);
      }
      fail(path, message, isKey);
    }
    const position = locator.locate(['expectations', index]);
    const extra: Record<string, unknown> = {};
    for (const key of ['id', 'notes', 'description', 'severity'])
      if (entry[key] !== undefined && entry[key] !== null) extra[key] = entry[key];
    const config: ExpectationConfig = {
      index,
      type,
      kwargs,
      extra,
      location: { file, ...(position ?? {}), key: `expectations[${index}]` },
    };
    if (entry.meta !== undefined) config.meta = entry.meta as Record<string, unknown>;
    checkSemantics(config, fail);
    return config;
  });
  const name =
    typeof document.name === 'string'
      ? document.name
      : typeof document.expectation_suite_name === 'string'
        ? document.expectation_suite_name
        : (file.split(/[\\/]/).pop() ?? file).replace(/\.(json|ya?ml)$/i, '');
  return { name, format, file, meta: (document.meta ?? {}) as Record<string, unknown>, expectations };
}
