/**
 * Registry bugs a review found after the integrity work (issue #8): names that are built-in
 * object properties, fsck --fix losing files or rolling the registry back, a fix that loops.
 * Each runs the built CLI against real git and a bare remote in a temporary folder.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBareRemote, createRepo, makeTempDir } from '../support/git.js';
import { runCliBundle } from '../support/runner.js';

const tmp = makeTempDir('mlops-registry-review-');
afterAll(() => tmp.cleanup());

const noIdentity = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', HOME: tmp.path };

function cli(cwd: string, ...args: string[]) {
  return runCliBundle(args, { cwd, env: noIdentity });
}

function workspace(name: string): { remote: string; work: string } {
  const remote = createBareRemote(tmp.path, `${name}.git`);
  const work = createRepo(tmp.path, name, remote, { 'README.md': '# x\n', 'model.bin': 'v1 weights\n' });
  return { remote, work };
}

describe('registry names that are built-in object properties', () => {
  it('registers a model called constructor and refuses removing an alias called constructor in one line', async () => {
    const { work } = workspace('builtin-names');
    const first = await cli(work, 'register', '--model', 'a', '--path', 'model.bin');
    expect(first.code, first.stderr).toBe(0);
    const named = await cli(work, 'register', '--model', 'constructor', '--path', 'model.bin', '--json');
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(named.stdout)).toMatchObject({ version: 1 });
    const listed = await cli(work, 'registry', 'list', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { models: Array<{ name: string }> }).models.map((m) => m.name)).toEqual([
      'a',
      'constructor',
    ]);

    const removed = await cli(work, 'registry', 'remove-alias', 'a', 'constructor');
    expect(removed.code).toBe(2);
    expect(removed.stderr.trim().split('\n')).toEqual([
      'mlops: error: Model "a" has no alias "constructor" (it has no aliases).',
    ]);
    const toString = await cli(work, 'registry', 'show', 'a@toString');
    expect(toString.code, toString.stderr).not.toBe(0);
    expect(toString.stderr.trim().split('\n')).toHaveLength(1);
    expect(toString.stderr).not.toMatch(/TypeError|at .*\.js/);
  }, 120_000);
});
