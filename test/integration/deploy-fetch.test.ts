/**
 * How often one `mlops deploy` fetches the registry branch: every read before the write comes
 * from one fetch (the version, the alias, the rollback target), and the write fetches again
 * inside its transaction, whose compare-and-swap is what notices another deploy. A git on the
 * PATH that logs its subcommand, then runs the real git, counts them.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRemote, createRepo, makeTempDir, writeFiles } from '../support/git.js';
import { seedVersions } from '../support/registry-seed.js';
import { runCliBundle } from '../support/runner.js';

const TIMEOUT = 120_000;
const tmp = makeTempDir('mlops-deploy-fetch-');
const noIdentity = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', HOME: tmp.path };
let repo: string;
let wrapperDir: string;

/** The deploy command copies the model where the smoke test reads it; the smoke test fails for v3. */
const RUN = 'cp "$MLOPS_MODEL_PATH" served.bin';
const SMOKE = 'if grep -q broken served.bin; then echo "v$MLOPS_MODEL_VERSION answers nonsense"; exit 1; fi';

beforeAll(async () => {
  const remote = createBareRemote(tmp.path);
  repo = createRepo(tmp.path, 'work', remote);
  // Logs each git subcommand the CLI starts, then runs the real git with the real PATH (so git's
  // own helper processes, upload-pack and the like, are not counted).
  wrapperDir = join(tmp.path, 'bin');
  writeFiles(wrapperDir, {
    git: '#!/bin/sh\nprintf "%s\\n" "$1" >> "$GIT_CALL_LOG"\nPATH="$REAL_PATH" exec git "$@"\n',
  });
  chmodSync(join(wrapperDir, 'git'), 0o755);
  // The versions only need to exist: registered in the test process, with the local artifact
  // store `mlops register` uses without a token (test/support/registry-seed.ts).
  await seedVersions({
    workspace: repo,
    model: 'm',
    versions: [{ bytes: 'weights 1\n' }, { bytes: 'weights 2\n' }, { bytes: 'broken weights 3\n' }],
  });
}, TIMEOUT);
afterAll(() => tmp.cleanup());

let calls = 0;
/** Runs `mlops deploy <args> --json` through the logging git; returns its result and git's subcommands. */
async function deployCountingGit(args: string[]) {
  const log = join(tmp.path, `git-calls-${++calls}.log`);
  writeFileSync(log, '');
  const result = await runCliBundle(
    ['deploy', '--model', 'm', ...args, '--run', RUN, '--smoke-test', SMOKE, '--json'],
    {
      cwd: repo,
      env: {
        ...noIdentity,
        PATH: `${wrapperDir}${delimiter}${process.env.PATH ?? ''}`,
        REAL_PATH: process.env.PATH ?? '',
        GIT_CALL_LOG: log,
      },
    },
  );
  const subcommands = readFileSync(log, 'utf8').trim().split('\n');
  return { result, subcommands, count: (name: string) => subcommands.filter((s) => s === name).length };
}

describe('mlops deploy reads the registry once', { timeout: TIMEOUT }, () => {
  it('a deploy with a rollback target fetches once to read and once to write', async () => {
    const first = await deployCountingGit(['--version', 'v1', '--promote-to', 'production']);
    expect(first.result.code, first.result.stderr).toBe(0);
    // v2 over v1: the version, where production stands, and v1's bytes (the rollback target).
    const { result, count } = await deployCountingGit(['--version', 'v2', '--promote-to', 'production']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ version: 2, 'previous-version': 1, status: 'deployed' });
    expect(result.stderr).toContain('Rollback target m v1');
    expect(count('fetch')).toBe(2);
    expect(count('push')).toBe(1);
  });

  it('a deploy that rolls back reads once more after the failure, then writes once', async () => {
    const { result, count } = await deployCountingGit(['--version', 'v3', '--promote-to', 'production']);
    expect(result.code, result.stderr).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ version: 3, status: 'rolled-back', 'previous-version': 2 });
    // One read before, one read of where production stands after the failure, one write.
    expect(count('fetch')).toBe(3);
    expect(count('push')).toBe(1);
  });
});
