// Command-line options shared by the bench scripts: `--name value` or `--name=value`.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The value of `--name`, or `fallback` when it is not given. */
export function option(name, fallback) {
  const inline = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  if (inline) return inline.slice(name.length + 3);
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1];
}

/** `--runs`, a whole number of at least 1; anything else exits 2 with the value it got. */
export function runsOption(fallback) {
  const runs = Number(option('runs', String(fallback)));
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`--runs must be a whole number of at least 1, got "${option('runs')}"`);
    process.exit(2);
  }
  return runs;
}

/** `--dist DIR` (default: the repository's dist/), which must hold the built CLI; else exit 2. */
export function distOption(root) {
  const source = resolve(option('dist', join(root, 'dist')));
  if (!existsSync(join(source, 'cli', 'index.js'))) {
    console.error(`No bundles in ${source}: run npm run bundle (or pass --dist DIR).`);
    process.exit(2);
  }
  return source;
}
