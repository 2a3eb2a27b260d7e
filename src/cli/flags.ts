/**
 * The CLI's one flag parser: every command declares a table of its flags, and `parseFlags` reads
 * arguments against it with `node:util` parseArgs. Our conventions are applied first — bare
 * booleans and `--no-<flag>`, values that start with one dash, did-you-mean for unknown flags, a
 * repeated flag that is not a list is an error — so that parseArgs sees only `--name=value`.
 */
import { parseArgs } from 'node:util';
import { InputError } from '../core/errors.js';
import { nearest } from '../core/suggest.js';

/** One flag of a command. */
export interface FlagSpec {
  /** `string` takes a value; `boolean` is bare (true), `--no-<flag>` (false) or `--<flag> true|false`. */
  type: 'string' | 'boolean';
  /** A string flag that may be repeated: its values are collected in order. */
  multiple?: boolean;
  /** One-letter alias (`h` for `-h`). */
  short?: string;
  /** What the help shows as the value: `--data <file>`. */
  value?: string;
  description: string;
}

/** A command's flags by name (without the leading `--`). */
export type FlagTable = Record<string, FlagSpec>;

/** The flags every command takes, before or after its name. */
export const GLOBAL_FLAGS = {
  help: { type: 'boolean', short: 'h', description: 'Show help.' },
  json: { type: 'boolean', description: 'Print one JSON object on stdout instead of the human summary.' },
  debug: { type: 'boolean', description: 'Show debug lines and stack traces.' },
  version: { type: 'boolean', description: 'Print the version.' },
} as const satisfies FlagTable;

export type GlobalFlagName = keyof typeof GLOBAL_FLAGS;
export type GlobalFlags = Record<GlobalFlagName, boolean>;

/** What `parseFlags` found. */
export interface ParsedFlags {
  /** The command's own flags: a string, a list of strings (`multiple`) or a boolean. */
  values: Record<string, string | string[] | boolean>;
  positionals: string[];
  /** Global flags given among the command's arguments (a command's own flag of the same name wins). */
  globals: GlobalFlags;
}

/** `core.getBooleanInput`'s spellings, so a flag reads exactly as the input in a workflow. */
const TRUE_VALUES = ['true', 'True', 'TRUE'];
const FALSE_VALUES = ['false', 'False', 'FALSE'];

/** The one candidate the word abbreviates (`validate` → validate-data), else the nearest by edit distance. */
export function didYouMean(word: string, candidates: string[]): string {
  const extending = candidates.filter((candidate) => candidate.startsWith(word));
  if (extending.length === 1) return ` Did you mean ${extending[0]}?`;
  const best = nearest(word, candidates, Math.max(2, Math.floor(word.length / 3)));
  return best ? ` Did you mean ${best}?` : '';
}

/** Reads a boolean flag's value, naming the values it accepts when it is something else. */
function booleanValue(name: string, raw: string): boolean {
  if (TRUE_VALUES.includes(raw)) return true;
  if (FALSE_VALUES.includes(raw)) return false;
  throw new InputError(`--${name} must be true or false, got "${raw}".`);
}

/**
 * Parses `args` against `table` plus the global flags. `command` names the command in errors
 * (`mlops registry show`); without `positionals` every argument must be a flag, and a word after
 * a boolean flag is that flag's value (so `--fail-on-regression maybe` is a bad boolean, not a
 * stray argument); with them, only `true`/`false` are taken as a boolean's value.
 */
export function parseFlags(
  args: readonly string[],
  table: FlagTable,
  options: { command: string; positionals: boolean; hint?: string },
): ParsedFlags {
  // The command's own flag wins over a global of the same name (deploy's --version).
  const merged: FlagTable = { ...GLOBAL_FLAGS, ...table };
  const shorts = new Map(
    Object.entries(merged)
      .filter(([, spec]) => spec.short)
      .map(([name, spec]) => [spec.short!, name]),
  );
  const normalized: string[] = [];
  const positionals: string[] = [];
  const booleans = new Map<string, boolean>();
  const seen = new Set<string>();
  const hint = options.hint ?? ` (see ${options.command} --help)`;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') {
      if (!options.positionals && index + 1 < args.length) {
        throw new InputError(`Unexpected argument "${args[index + 1]}" for ${options.command}${hint}.`);
      }
      positionals.push(...args.slice(index + 1));
      break;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else if (/^-[A-Za-z]$/.test(arg)) {
      const long = shorts.get(arg.slice(1));
      if (!long) throw new InputError(`Unknown option ${arg} for ${options.command}${hint}.`);
      name = long;
    } else {
      if (!options.positionals) {
        throw new InputError(
          `Unexpected argument "${arg}" for ${options.command}: inputs are given as --<name> <value>.`,
        );
      }
      positionals.push(arg);
      continue;
    }
    let spec = merged[name];
    if (!spec && name.startsWith('no-') && merged[name.slice(3)]?.type === 'boolean' && inline === undefined) {
      name = name.slice(3);
      spec = merged[name];
      inline = 'false';
    }
    if (!spec) {
      const known = Object.keys(merged).map((flag) => `--${flag}`);
      throw new InputError(`Unknown option --${name} for ${options.command}.${didYouMean(`--${name}`, known)}`);
    }
    if (seen.has(name) && !spec.multiple) throw new InputError(`Option --${name} is given more than once.`);
    seen.add(name);
    if (spec.type === 'boolean') {
      const next = args[index + 1];
      if (inline === undefined && next !== undefined && !next.startsWith('-')) {
        const isBoolean = TRUE_VALUES.includes(next) || FALSE_VALUES.includes(next);
        if (isBoolean || !options.positionals) {
          inline = next;
          index++;
        }
      }
      booleans.set(name, booleanValue(name, inline ?? 'true'));
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = args[index + 1];
      // `--data --suite s.yml` is a forgotten value, not a file named "--suite"; such a value
      // can still be given as --data=--suite. One dash is a value (`--drift-share -1`).
      if (next === undefined || next.startsWith('--')) throw new InputError(`Option --${name} needs a value.`);
      value = next;
      index++;
    }
    normalized.push(`--${name}=${value}`);
  }

  const parsed = parseArgs({
    args: normalized,
    options: Object.fromEntries(
      Object.entries(merged)
        .filter(([, spec]) => spec.type === 'string')
        .map(([name, spec]) => [name, { type: 'string' as const, multiple: spec.multiple ?? false }]),
    ),
    strict: true,
    allowPositionals: false,
  });
  const values: Record<string, string | string[] | boolean> = {};
  for (const [name, value] of Object.entries(parsed.values)) if (value !== undefined) values[name] = value;
  for (const [name, value] of booleans) values[name] = value;

  const globals = {} as GlobalFlags;
  for (const name of Object.keys(GLOBAL_FLAGS) as GlobalFlagName[]) {
    const own = name in table;
    globals[name] = !own && values[name] === true;
    if (!own) delete values[name];
  }
  return { values, positionals, globals };
}

/** Global flags given before the command name: only those are allowed there. */
export function parseLeadingGlobals(args: readonly string[]): GlobalFlags {
  const globals = Object.keys(GLOBAL_FLAGS).map((name) => `--${name}`);
  const misplaced = args.find((arg) => arg.startsWith('--') && !globals.includes(arg.split('=')[0]!));
  if (misplaced) {
    throw new InputError(
      `Option ${misplaced.split('=')[0]} goes after the command: mlops <command> ${misplaced.split('=')[0]} ... (only ${globals.join(', ')} may come before it).`,
    );
  }
  return parseFlags(args, {}, { command: 'mlops', positionals: false, hint: ' (see mlops --help)' }).globals;
}
