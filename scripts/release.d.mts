/** Types for scripts/release.mjs, so TypeScript tests can import it. */

/** A refusal: the release cannot start, and nothing was changed (exit 2). */
export class ReleaseRefusal extends Error {}

export interface ReleaseOptions {
  version: string;
  push: boolean;
  branch: string;
  remote: string;
}

/** Parses `<X.Y.Z|patch|minor|major> [--push] [--branch NAME] [--remote NAME]`. */
export function parseArguments(argv: string[]): ReleaseOptions;

/** The version to release after `current`; refuses a bad or not newer one. */
export function nextVersion(current: string, requested: string): string;

/** CHANGELOG.md with the Unreleased entries moved under the version and date. */
export function releaseChangelog(text: string, version: string, date: string): { text: string; entries: string };

/** package.json or package-lock.json text with the package's own version set. */
export function bumpVersionText(text: string, file: string, from: string, to: string): string;

/** Cuts the release in `cwd` (docs/releasing.md). */
export function release(
  cwd: string,
  options: ReleaseOptions,
  log?: (line: string) => void,
  today?: Date,
): { version: string; tag: string; majorTag: string; commit: string; pushCommand: string; pushed: boolean };
