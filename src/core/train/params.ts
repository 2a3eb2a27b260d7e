import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { ConfigurationError, InputError } from '../errors.js';
import { locateKey, parseStructuredText } from '../metrics/parse.js';
import { nearest } from '../suggest.js';

/** A parameter value: a scalar, or a list of scalars (`layers: [64, 32]`). */
export type ParamScalar = string | number | boolean | null;
export type ParamValue = ParamScalar | ParamScalar[] | ParamTree;
/** Parameters: nested groups of scalars (`optimizer: {lr: 0.01}` is `optimizer.lr`). */
export interface ParamTree {
  [key: string]: ParamValue;
}

/** One `param-overrides` line, parsed: the dotted key, its typed value, and whether it adds a key. */
export interface ParamOverride {
  key: string;
  value: ParamScalar;
  /** Written `+key=value`: the key may be new (otherwise it must exist in the params). */
  add: boolean;
  /** The line as written, for the run record and messages. */
  text: string;
}

/** A key of a params group: what fits an environment variable name after upper-casing. */
const KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function isScalar(value: unknown): value is ParamScalar {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

function isGroup(value: unknown): value is ParamTree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list that holds more than scalars';
  if (typeof value === 'number') return `${value}, not a finite number`;
  return `a ${typeof value}`;
}

/**
 * Checks a parsed params document: an object whose leaves are scalars or lists of scalars, keys
 * that can become environment variable names. The error names the file and the dotted key (and
 * its line when `text` is given).
 */
export function checkParams(value: unknown, file: string, text?: string): ParamTree {
  const fail = (path: string[], message: string): never => {
    const position = text !== undefined && path.length ? locateKey(text, path) : undefined;
    throw new ConfigurationError(message, {
      file,
      ...(position ?? {}),
      ...(path.length ? { key: path.join('.') } : {}),
    });
  };
  if (value === null || value === undefined) return {};
  if (!isGroup(value))
    fail(
      [],
      `params must be a mapping of names to values; this is ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}.`,
    );
  const walk = (node: ParamTree, path: string[]): void => {
    for (const [key, child] of Object.entries(node)) {
      const at = [...path, key];
      if (!KEY.test(key)) {
        fail(
          at,
          `param name "${key}" must start with a letter or _ and hold only letters, digits, _ and - (it names the variable MLOPS_PARAM_<NAME>).`,
        );
      }
      if (isGroup(child)) walk(child, at);
      else if (Array.isArray(child)) {
        if (!child.every(isScalar))
          fail(at, `param "${at.join('.')}" is a list that holds more than scalars (numbers, text, booleans, null).`);
      } else if (!isScalar(child)) fail(at, `param "${at.join('.')}" is ${describe(child)}.`);
    }
  };
  walk(value as ParamTree, []);
  return value as ParamTree;
}

/** Parses a params file (YAML or JSON) or inline YAML text; errors name `file` and the key. */
export function parseParams(text: string, file: string): ParamTree {
  return checkParams(parseStructuredText(text, file), file, text);
}

/**
 * Parses `param-overrides`: one `key=value` per line (`optimizer.lr=0.01`, `+new_key=3`), the
 * value typed as a YAML scalar (`0.01` a number, `true` a boolean, `null`, `"0.10"` text).
 * Blank lines and `#` comment lines are skipped. Errors name `label` and the line.
 */
export function parseParamOverrides(text: string, label: string): ParamOverride[] {
  const overrides: ParamOverride[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    const where = `${label} line ${index + 1}`;
    if (line === '' || line.startsWith('#')) return;
    const equals = line.indexOf('=');
    if (equals <= 0) throw new InputError(`${where}: "${line}" is not key=value (for example optimizer.lr=0.01).`);
    let key = line.slice(0, equals).trim();
    const add = key.startsWith('+');
    if (add) key = key.slice(1);
    const parts = key.split('.');
    if (!parts.every((part) => KEY.test(part))) {
      throw new InputError(`${where}: "${key}" is not a param name (dotted names of letters, digits, _ and -).`);
    }
    const valueText = line.slice(equals + 1).trim();
    let value: unknown;
    try {
      value = valueText === '' ? '' : (parseYaml(valueText) as unknown);
    } catch (error) {
      throw new InputError(
        `${where}: the value of ${key} is not a YAML scalar: ${(error as Error).message.split('\n')[0]}`,
      );
    }
    if (!isScalar(value)) {
      const what = isGroup(value) ? 'a mapping' : Array.isArray(value) ? 'a list' : describe(value);
      throw new InputError(
        `${where}: the value of ${key} must be a scalar (number, text, true/false, null), not ${what}; quote it to pass text.`,
      );
    }
    const previous = seen.get(key);
    if (previous !== undefined) throw new InputError(`${where}: ${key} is already overridden on line ${previous}.`);
    seen.set(key, index + 1);
    overrides.push({ key, value, add, text: line });
  });
  return overrides;
}

/**
 * The params with the overrides applied (a new object; the input is not changed). An override of
 * a key that the params do not have is refused, with the nearest existing key, unless it is
 * written `+key=value` or there are no params at all: a typo must not train with the default.
 */
export function applyOverrides(params: ParamTree, overrides: readonly ParamOverride[], label: string): ParamTree {
  const result = structuredClone(params);
  const known = Object.keys(flattenParamTree(params));
  const strict = known.length > 0;
  for (const override of overrides) {
    const parts = override.key.split('.');
    let node: ParamTree = result;
    for (const [i, part] of parts.slice(0, -1).entries()) {
      const child = node[part];
      if (child === undefined) {
        node[part] = {};
      } else if (!isGroup(child)) {
        throw new InputError(
          `${label}: ${override.key} cannot be set: ${parts.slice(0, i + 1).join('.')} is a value, not a group.`,
        );
      }
      node = node[part] as ParamTree;
    }
    const leaf = parts[parts.length - 1]!;
    if (isGroup(node[leaf])) {
      throw new InputError(
        `${label}: ${override.key} is a group of params; override its keys (${override.key}.<name>=…).`,
      );
    }
    if (strict && !override.add && !known.includes(override.key)) {
      const near = nearest(override.key, known, 3);
      throw new InputError(
        `${label}: ${override.key} is not in the params${near ? ` (did you mean ${near}?)` : ''}; write +${override.key}=… to add a new one.`,
      );
    }
    node[leaf] = override.value;
  }
  return result;
}

/** Flattens params to dotted keys (`{opt: {lr: 0.1}}` -> `{"opt.lr": 0.1}`); lists stay lists. */
export function flattenParamTree(params: ParamTree, prefix = ''): Record<string, ParamScalar | ParamScalar[]> {
  const out: Record<string, ParamScalar | ParamScalar[]> = {};
  for (const [key, value] of Object.entries(params)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (isGroup(value)) Object.assign(out, flattenParamTree(value, name));
    else out[name] = value;
  }
  return out;
}

/** `optimizer.learning-rate` -> `OPTIMIZER_LEARNING_RATE`: the MLOPS_PARAM_ suffix of a param. */
export function envName(key: string): string {
  return key.toUpperCase().replace(/[.-]/g, '_');
}

/** A param's value as an environment variable holds it: text as is, anything else as JSON. */
export function envValue(value: ParamScalar | ParamScalar[]): string {
  if (typeof value === 'string') return value;
  if (value === null) return '';
  return JSON.stringify(value);
}

/**
 * `MLOPS_PARAM_<NAME>` for every flat param. Two keys that meet in one name (`a.b` and `a_b`)
 * are refused, naming both: one would silently hide the other.
 */
export function paramVariables(params: ParamTree, file: string): Record<string, string> {
  const variables: Record<string, string> = {};
  const owner = new Map<string, string>();
  for (const [key, value] of Object.entries(flattenParamTree(params))) {
    const name = `MLOPS_PARAM_${envName(key)}`;
    const other = owner.get(name);
    if (other !== undefined) {
      throw new ConfigurationError(`params "${other}" and "${key}" would both be ${name}; rename one.`, { file, key });
    }
    owner.set(name, key);
    variables[name] = envValue(value);
  }
  return variables;
}

/** JSON with object keys sorted at every level: the same params always give the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isGroup(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 of the params' canonical JSON (the params part of the default cache key). */
export function paramsSha256(params: ParamTree): string {
  return createHash('sha256').update(canonicalJson(params)).digest('hex');
}
