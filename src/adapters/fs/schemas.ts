/** Where the JSON Schemas of the running copy of mlops are, and how a file in a user's project can point at them. */
import { stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * How many folders above this module the package root can be: a bundle runs from
 * `<package>/dist/chunks/` or `<package>/dist/cli/`, the sources from `<repository>/src/adapters/fs/`.
 */
const LEVELS_TO_PACKAGE_ROOT = 3;

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

/**
 * `schemas/<file>` of the package or checkout this code runs from (npm packs schemas/ with dist/),
 * or undefined when there is none: a copy of dist/ on its own, as a GitHub runner has it.
 */
export async function installedSchemaPath(file: string, moduleUrl = import.meta.url): Promise<string | undefined> {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (let level = 0; level <= LEVELS_TO_PACKAGE_ROOT; level++) {
    const candidate = join(dir, 'schemas', file);
    if (await exists(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

/** The git work tree that holds `dir`: the nearest folder at or above it with a `.git` entry. */
export async function gitWorkTree(dir: string): Promise<string | undefined> {
  for (let current = dir; ; current = dirname(current)) {
    if (await exists(join(current, '.git'))) return current;
    if (dirname(current) === current) return undefined;
  }
}

/**
 * The path from `fromDir` to `target` with `/` separators, when both are in the same git work
 * tree (the schemas of mlops installed into the project's node_modules, or this repository's
 * own): a path that resolves for everyone who clones the project and installs its packages.
 * Undefined for a target elsewhere (a global install), whose path means nothing on another machine.
 */
export async function pathWithinWorkTree(fromDir: string, target: string): Promise<string | undefined> {
  const root = await gitWorkTree(fromDir);
  if (!root) return undefined;
  const fromRoot = relative(root, target);
  if (fromRoot.startsWith('..') || isAbsolute(fromRoot)) return undefined;
  return relative(fromDir, target).split(sep).join('/');
}
