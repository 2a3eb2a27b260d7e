import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { actionMeta, type ActionName, type InputName } from '../../generated/action-meta.js';
import { InputError } from '../../core/errors.js';

/** What a parser needs besides the raw text. */
export interface ParseContext {
  /** How to name the input in an error: `input "data"` in an action, `--data` in the CLI. */
  label: string;
  /** Absolute working directory that relative paths resolve against. */
  workingDirectory: string;
  /** Hides a value in every later log line (the runner's add-mask). */
  mask(secret: string): void;
}

/** Turns an input's raw text (already trimmed, never empty) into a typed value. */
export interface InputParser<T> {
  /** What the CLI help shows as the flag's value: `path`, `boolean`, `auto|csv|tsv`... */
  readonly kind: string;
  parse(raw: string, context: ParseContext): T;
}

/** Free text, trimmed. */
export function text(): InputParser<string> {
  return { kind: 'text', parse: (raw) => raw };
}

/**
 * Free text of one item a line (train's `param-overrides`, drift-check's `reference`): read as
 * text, but on the command line the flag may be repeated, each occurrence one line.
 */
export function lines(): InputParser<string> {
  return { kind: 'lines', parse: (raw) => raw };
}

/** A secret: masked in the log as soon as it is read. */
export function secret(): InputParser<string> {
  return {
    kind: 'secret',
    parse(raw, context) {
      context.mask(raw);
      return raw;
    },
  };
}

const TRUE_VALUES = ['true', 'True', 'TRUE'];
const FALSE_VALUES = ['false', 'False', 'FALSE'];

/** `true` or `false` in the YAML 1.2 core schema, exactly as @actions/core's getBooleanInput. */
export function boolean(): InputParser<boolean> {
  return {
    kind: 'boolean',
    parse(raw, { label }) {
      if (TRUE_VALUES.includes(raw)) return true;
      if (FALSE_VALUES.includes(raw)) return false;
      throw new InputError(`${label} must be true or false, got "${raw}".`);
    },
  };
}

/** A whole number, optionally bounded (inclusive). */
export function integer(bounds: { min?: number; max?: number } = {}): InputParser<number> {
  return {
    kind: 'integer',
    parse(raw, { label }) {
      if (!/^[+-]?\d+$/.test(raw)) throw new InputError(`${label} must be a whole number, got "${raw}".`);
      const value = Number(raw);
      // Beyond 2^53 a number no longer holds the digits the user wrote.
      if (!Number.isSafeInteger(value)) throw new InputError(`${label} is too large a number, got "${raw}".`);
      return checkBounds(value, bounds, label);
    },
  };
}

/** Decimal notation only: Number() would also take `0x10`, `0b1` and `Infinity`. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite decimal number, optionally bounded (inclusive). */
export function number(bounds: { min?: number; max?: number } = {}): InputParser<number> {
  return {
    kind: 'number',
    parse(raw, { label }) {
      const value = Number(raw);
      if (!DECIMAL.test(raw) || !Number.isFinite(value)) {
        throw new InputError(`${label} must be a number, got "${raw}".`);
      }
      return checkBounds(value, bounds, label);
    },
  };
}

function checkBounds(value: number, bounds: { min?: number; max?: number }, label: string): number {
  if (bounds.min !== undefined && value < bounds.min) {
    throw new InputError(`${label} must be at least ${bounds.min}, got ${value}.`);
  }
  if (bounds.max !== undefined && value > bounds.max) {
    throw new InputError(`${label} must be at most ${bounds.max}, got ${value}.`);
  }
  return value;
}

/** One of a fixed set of words. */
export function oneOf<const T extends readonly string[]>(values: T): InputParser<T[number]> {
  return {
    kind: values.join('|'),
    parse(raw, { label }) {
      if ((values as readonly string[]).includes(raw)) return raw;
      throw new InputError(`${label} must be one of ${values.map((v) => `"${v}"`).join(', ')}, got "${raw}".`);
    },
  };
}

/** Items separated by newlines or commas; blanks dropped, each trimmed. */
export function list(): InputParser<string[]> {
  return { kind: 'list', parse: (raw) => splitList(raw) };
}

/** Splits a newline- or comma-separated list, trimming items and dropping blanks. */
export function splitList(raw: string): string[] {
  return raw
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** A path, made absolute against the working directory. Existence is the consumer's business. */
export function path(): InputParser<string> {
  return { kind: 'path', parse: (raw, { workingDirectory }) => resolve(workingDirectory, raw) };
}

/** A list of paths or globs, each made absolute against the working directory. */
export function paths(): InputParser<string[]> {
  return {
    kind: 'paths',
    parse: (raw, { workingDirectory }) => splitList(raw).map((item) => resolve(workingDirectory, item)),
  };
}

/** The working directory itself: resolved against the workspace, and it must exist. */
export function directory(): InputParser<string> {
  return {
    kind: 'directory',
    parse(raw, { label, workingDirectory }) {
      const absolute = isAbsolute(raw) ? raw : resolve(workingDirectory, raw);
      const stats = statSync(absolute, { throwIfNoEntry: false });
      if (!stats) throw new InputError(`${label}: directory "${raw}" does not exist (resolved to ${absolute}).`);
      if (!stats.isDirectory()) throw new InputError(`${label}: "${raw}" is not a directory.`);
      return absolute;
    },
  };
}

type Meta<A extends ActionName> = (typeof actionMeta)[A]['inputs'];

/** An input is always present when it is required or has a literal (non-expression) default. */
type AlwaysPresent<Spec> = Spec extends { required: true }
  ? true
  : Spec extends { default: `\${{${string}` }
    ? false
    : Spec extends { default: string }
      ? true
      : false;

/** One parser for every input the action.yml declares: a missing or unknown name is a type error. */
export type InputSpecs<A extends ActionName> = { [K in InputName<A>]: InputParser<unknown> };

/** The typed inputs an entry point receives. */
export type ParsedInputs<A extends ActionName, S extends InputSpecs<A>> = {
  [K in keyof S]: S[K] extends InputParser<infer T>
    ? K extends keyof Meta<A>
      ? AlwaysPresent<Meta<A>[K]> extends true
        ? T
        : T | undefined
      : never
    : never;
};

/** Where raw input text comes from: INPUT_* variables in an action, flags in the CLI. */
export interface InputSource {
  /** The raw value, or undefined when not supplied. Defaults are the source's business. */
  get(name: string): string | undefined;
  /** How to name an input in an error message. */
  label(name: string): string;
  /** What to say when a required input is missing. */
  missing(name: string): string;
}

/**
 * Reads and parses every input of `action`: secrets first (masked at once), then working-directory
 * (it anchors relative paths), then the others in action.yml order. The first bad input throws an
 * InputError naming it.
 */
export function readInputs<A extends ActionName, S extends InputSpecs<A>>(
  action: A,
  specs: S,
  source: InputSource,
  base: { workspace: string; mask(secret: string): void },
): ParsedInputs<A, S> {
  const meta = actionMeta[action].inputs as Record<string, { required: boolean; default?: string }>;
  const parsed: Record<string, unknown> = {};
  let workingDirectory = base.workspace;
  const names = Object.keys(meta);
  const parserKind = (name: string) => (specs as Record<string, InputParser<unknown> | undefined>)[name]?.kind;
  // Secrets first, so a token is masked even when another input turns out to be bad; then
  // working-directory, which anchors relative paths; then the rest in action.yml order.
  const secrets = names.filter((n) => parserKind(n) === 'secret');
  const ordered = [
    ...secrets,
    ...names.filter((n) => n === 'working-directory' && !secrets.includes(n)),
    ...names.filter((n) => n !== 'working-directory' && !secrets.includes(n)),
  ];
  for (const name of ordered) {
    const parser = (specs as Record<string, InputParser<unknown> | undefined>)[name];
    if (!parser) throw new Error(`No parser declared for input "${name}" of ${action}.`);
    let raw = source.get(name)?.trim();
    if (raw === undefined || raw === '') {
      if (meta[name]?.required) throw new InputError(source.missing(name));
      // A blank value (`with: {format: ''}`) gets action.yml's literal default, as an unset one
      // does from the runner: ParsedInputs promises a value for those, and entry points rely on it.
      raw = literalDefault(meta[name]?.default);
      if (raw === undefined) {
        parsed[name] = undefined;
        continue;
      }
    }
    parsed[name] = parser.parse(raw, { label: source.label(name), workingDirectory, mask: base.mask });
    if (name === 'working-directory') workingDirectory = parsed[name] as string;
  }
  return parsed as ParsedInputs<A, S>;
}

/** An action.yml default as text, or undefined when there is none or it is a `${{ }}` expression. */
function literalDefault(actionDefault: string | undefined): string | undefined {
  const trimmed = actionDefault?.trim();
  return trimmed === undefined || trimmed === '' || trimmed.startsWith('${{') ? undefined : trimmed;
}

/** The environment variable the runner sets for an input: upper-cased, spaces to `_`. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * True for action.yml's `${{ github.token }}` default: the runner fills in the job's token, the
 * CLI the shell's GITHUB_TOKEN or GH_TOKEN.
 */
export function isGitHubTokenDefault(actionDefault: string): boolean {
  return /^\$\{\{\s*github\.token\s*\}\}$/.test(actionDefault);
}
