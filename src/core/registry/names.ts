import { InputError } from '../errors.js';
import type { VersionSelector } from './contract.js';

/** Longest model or alias name: it becomes a path on the registry branch and part of a release tag. */
export const MAX_NAME_LENGTH = 100;

/** Aliases that exist without being set: `latest` is the newest version that is not deprecated. */
export const BUILT_IN_ALIASES = ['latest'] as const;

/** Characters git refuses in ref names (git check-ref-format), which a release tag `<model>/v<N>` must avoid. */
const GIT_REFUSED = '~^:?*[\\';

/** True for ASCII control characters (U+0000..U+001F and U+007F). */
export function isControlCharacter(character: string): boolean {
  const code = character.charCodeAt(0);
  return code < 0x20 || code === 0x7f;
}

/** The first character git refuses in a ref name, if any. */
function refusedCharacter(name: string): string | undefined {
  return [...name].find((character) => GIT_REFUSED.includes(character) || isControlCharacter(character));
}

/**
 * Why `name` cannot be a model or alias name, or undefined when it can. The rules make the name
 * safe as a single path segment on every file system, as a git ref segment (the release tag) and
 * in a URL: letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 100
 * characters, no `..`, not ending in `.` or `.lock`.
 */
export function nameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (/[/\\]/.test(name)) return 'it contains a path separator ("/" or "\\")';
  if (name.includes('..')) return 'it contains ".."';
  if (/\s/.test(name)) return 'it contains whitespace';
  const refused = refusedCharacter(name);
  if (refused) return `it contains ${describeCharacter(refused)}, which git refuses in tag names`;
  if (name.includes('@{')) return 'it contains "@{", which git refuses in tag names';
  if (name.length > MAX_NAME_LENGTH) return `it is ${name.length} characters long (at most ${MAX_NAME_LENGTH})`;
  if (!/^[A-Za-z0-9]/.test(name)) return 'it must start with a letter or a digit';
  if (/\.lock$/i.test(name)) return 'it ends with ".lock", which git refuses in tag names';
  if (name.endsWith('.')) return 'it ends with "."';
  const other = /[^A-Za-z0-9._-]/.exec(name);
  if (other) return `it contains ${describeCharacter(other[0])} (use letters, digits, ".", "_" and "-")`;
  return undefined;
}

function describeCharacter(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f)
    return `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `"${character}"`;
}

/** Throws an InputError unless `name` is a valid model name. `label` names where it came from. */
export function checkModelName(name: string, label = 'model'): string {
  const problem = nameProblem(name);
  if (problem) throw new InputError(`${label}: model name ${JSON.stringify(name)} is invalid: ${problem}.`);
  return name;
}

/**
 * Throws an InputError unless `alias` can be set: a valid name that does not look like a version
 * (`v3` would be ambiguous in `model@v3`) and is not a built-in alias.
 */
export function checkAliasName(alias: string, label = 'alias'): string {
  const problem = nameProblem(alias);
  if (problem) throw new InputError(`${label}: alias ${JSON.stringify(alias)} is invalid: ${problem}.`);
  if (/^[vV]?\d+$/.test(alias)) {
    throw new InputError(`${label}: alias ${JSON.stringify(alias)} is invalid: it looks like a version number.`);
  }
  if ((BUILT_IN_ALIASES as readonly string[]).includes(alias)) {
    throw new InputError(`${label}: alias "${alias}" is built in (the newest version that is not deprecated).`);
  }
  return alias;
}

/** Parses `v3` or `3` into a version number (1 or more). */
export function parseVersion(text: string, label = 'version'): number {
  const match = /^[vV]?(\d+)$/.exec(text.trim());
  const version = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new InputError(`${label}: ${JSON.stringify(text)} is not a version; expected v1, v2, ...`);
  }
  return version;
}

/** A model reference as the CLI takes it: `model`, `model@alias` or `model@vN`. */
export interface ModelReference {
  model: string;
  selector?: VersionSelector;
}

/** Parses `model`, `model@alias` or `model@v3`; the model and alias names are validated. */
export function parseModelReference(text: string, label = 'model'): ModelReference {
  const at = text.lastIndexOf('@');
  if (at === -1) return { model: checkModelName(text, label) };
  const model = checkModelName(text.slice(0, at), label);
  const selector = text.slice(at + 1);
  if (/^[vV]?\d+$/.test(selector))
    return { model, selector: { version: parseVersion(selector, `${label}: ${JSON.stringify(text)}`) } };
  if ((BUILT_IN_ALIASES as readonly string[]).includes(selector)) return { model, selector: { alias: selector } };
  return { model, selector: { alias: checkAliasName(selector, label) } };
}

/** The release tag of a version: `<model>/v<N>`. */
export function releaseTag(model: string, version: number): string {
  return `${model}/v${version}`;
}

/** Formats a selector as the CLI spells it: `@production`, `@v3`. */
export function formatSelector(selector: VersionSelector): string {
  return 'alias' in selector ? `@${selector.alias}` : `@v${selector.version}`;
}

/**
 * Run ids become file names on the registry branch: letters, digits, `.`, `_`, `-`, starting with
 * a letter or digit, at most 128 characters.
 */
export function checkRunId(id: string, label = 'run id'): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id) || id.includes('..') || /\.lock$/i.test(id)) {
    throw new InputError(
      `${label}: ${JSON.stringify(id)} is not a valid run id (letters, digits, ".", "_", "-"; at most 128 characters; no "..").`,
    );
  }
  return id;
}
