/**
 * What users copy from this repository (docs, templates, examples, README, schemas, the strings
 * in src/) names mlops's owner only as the placeholder OWNER, explained in the same file, and
 * every `$schema` it names resolves: a path to a file that exists, or the raw URL pattern of a
 * schema in this repository's schemas/.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/runner.js';

/** Where users copy from; src/generated is derived from schemas/, which is checked itself. */
const COPIED = ['README.md', 'docs', 'action-templates', 'examples', 'schemas', 'src', 'actions'];
const TEXT = /\.(md|ya?ml|json|ts|mjs|js|txt|py)$/;

function filesUnder(path: string): string[] {
  const full = join(repoRoot, path);
  if (statSync(full, { throwIfNoEntry: false }) === undefined) return [];
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full)
    .filter((name) => !(path === 'src' && name === 'generated'))
    .flatMap((name) => filesUnder(`${path}/${name}`));
}

const files = COPIED.flatMap(filesUnder)
  .filter((file) => TEXT.test(file))
  .sort();

/** The sentence that says who OWNER is, as the placeholder's convention words it. */
const OWNER_EXPLAINED = /GitHub user or organi[sz]ation that hosts/;
/** `org/` as an owner placeholder: not part of a longer name (`octo-org/`, `json-schema.org/`, `@org/`). */
const ORG_PLACEHOLDER = /(?<![\w.@-])org\//g;
/** An owner of mlops in an address a user types: `uses:`, `github:`, github.com or raw URLs. */
const MLOPS_OWNER = /(?:uses:\s*|github:|github\.com\/|raw\.githubusercontent\.com\/)([\w.-]+)\/mlops\b/g;
/** `$schema` in a yaml-language-server modeline, a YAML key or a JSON key, with its value. */
const SCHEMA_REFERENCE = /\$schema(?:=|"?\s*:\s*"?)\s*([^\s"'`,){]+)/g;
/** The URL pattern README explains: a schema of a hosted copy of mlops, at a ref. */
const SCHEMA_URL = /^https:\/\/raw\.githubusercontent\.com\/OWNER\/mlops\/[\w.-]+\/(schemas\/.+\.json)$/;
/** The JSON Schema meta-schemas, which resolve. */
const META_SCHEMA = /^https?:\/\/json-schema\.org\//;

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

function exists(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

/** What in `file` breaks the rules, as `file:line: what` lines. */
function findings(file: string): string[] {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(ORG_PLACEHOLDER))
    found.push(`${file}:${lineOf(text, match.index)}: "org/" placeholder; write OWNER and say who that is`);
  for (const match of text.matchAll(MLOPS_OWNER)) {
    if (match[1] !== 'OWNER' && match[1] !== 'org')
      found.push(`${file}:${lineOf(text, match.index)}: mlops owned by "${match[1]}"; the placeholder is OWNER`);
  }
  if (/\bOWNER\/mlops\b/.test(text) && !OWNER_EXPLAINED.test(text))
    found.push(`${file}: uses OWNER/mlops but never says "OWNER is the GitHub user or organisation that hosts…"`);
  for (const match of text.matchAll(SCHEMA_REFERENCE)) {
    const value = match[1]!;
    const where = `${file}:${lineOf(text, match.index)}`;
    // A placeholder a reader fills in (`<schema>`), or a value the code computes (`${path}`).
    if (/^<.+>$/.test(value) || value.startsWith('$') || META_SCHEMA.test(value)) continue;
    const url = SCHEMA_URL.exec(value);
    if (url) {
      if (!exists(join(repoRoot, url[1]!))) found.push(`${where}: $schema ${value}: no ${url[1]} in this repository`);
    } else if (/^[a-z]+:/i.test(value)) {
      found.push(`${where}: $schema ${value} may not resolve; use a path or the OWNER raw URL pattern`);
    } else if (!exists(resolve(dirname(join(repoRoot, file)), value))) {
      found.push(
        `${where}: $schema ${value}: no such file from ${relative(repoRoot, dirname(join(repoRoot, file))) || '.'}`,
      );
    }
  }
  return found;
}

describe('what users copy from this repository', () => {
  it('covers the places users copy from', () => {
    for (const place of ['README.md', 'docs/', 'action-templates/', 'examples/', 'schemas/', 'src/'])
      expect(files.some((file) => file === place || file.startsWith(place))).toBe(true);
  });

  it('names the owner of mlops only as OWNER, says who that is, and points $schema only where it resolves', () => {
    expect(files.flatMap(findings)).toEqual([]);
  });
});
