/** Types for scripts/gen-root-actions.mjs, so TypeScript tests can import it. */

/** The first characters of every generated root-level action.yml. */
export const GENERATED_MARKER: string;

/** The header comment of the root-level copy of actions/<name>/action.yml. */
export function rootActionHeader(name: string): string;

/** The root-level copy of one action.yml's text; throws on a `../..` path it cannot rewrite. */
export function rewriteForRoot(name: string, sourceText: string, file?: string): string;

/** The actions/<name>/ folders, sorted. */
export function actionNames(root?: string): string[];

/** Every generated file, `{ '<name>/action.yml': text }`. */
export function generateRootActions(root?: string): Record<string, string>;

/** Root-level folders holding an action.yml with no actions/<folder>/action.yml. */
export function orphanRootActions(root?: string): string[];

/** Writes the changed files, removes orphaned generated ones; returns what it did. */
export function writeRootActions(root?: string): string[];
