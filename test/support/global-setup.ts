/**
 * vitest's global setup: runs once, before any test file is loaded.
 *
 * - The precompiled schema validators (src/generated/validators/, ignored by git) are generated
 *   from the schemas, since unit tests import the modules that use them.
 * - Integration tests run bundles built from the current sources: the build goes to a temporary
 *   folder that MLOPS_DIST points the workers at, so a stale dist/ is never what `npm test`
 *   checks. An MLOPS_DIST already set (a private build, or CI checking the committed dist/) is
 *   used as it is, and nothing is built.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /**
     * The bundles integration tests run, whether this run built them from the sources, and the
     * folder each test process copies them into (runner.ts distDir), removed when the run ends.
     */
    mlopsDist: { dir: string; builtFromSources: boolean; copies: string };
  }
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs a repository script with this Node.js; its output goes to the test log. */
function runScript(script: string, ...args: string[]): void {
  execFileSync(process.execPath, [join(repoRoot, 'scripts', script), ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

export default function setup(project: TestProject): () => void {
  // A worker that vitest stops does not run its exit handlers, so the copies are removed here,
  // once, with the folder that holds them all (they piled up in TMPDIR, 4.8 MB each, before).
  const copies = mkdtempSync(join(tmpdir(), 'mlops-test-copies-'));
  const removeCopies = () => rmSync(copies, { recursive: true, force: true });
  if (process.env.MLOPS_DIST) {
    runScript('gen-validators.mjs');
    project.provide('mlopsDist', { dir: process.env.MLOPS_DIST, builtFromSources: false, copies });
    return removeCopies;
  }
  const outdir = mkdtempSync(join(tmpdir(), 'mlops-test-dist-'));
  // The build writes the validators first, then bundles them with everything else.
  try {
    runScript('build.mjs', '--outdir', outdir);
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    removeCopies();
    throw error;
  }
  // Workers are started after this, with this process's environment.
  process.env.MLOPS_DIST = outdir;
  project.provide('mlopsDist', { dir: outdir, builtFromSources: true, copies });
  return () => {
    delete process.env.MLOPS_DIST;
    rmSync(outdir, { recursive: true, force: true });
    removeCopies();
  };
}
