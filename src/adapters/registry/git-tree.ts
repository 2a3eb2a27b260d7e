import { git } from '../git/exec.js';
import type { RegistryTree } from '../../core/registry/store.js';

/**
 * Parses `git cat-file --batch` output for the given number of requests: each answer is
 * `<oid> <type> <size>\n<content>\n`, or `<spec> missing\n` (also `ambiguous`).
 */
export function parseCatFileBatch(output: Buffer, count: number): Array<Buffer | undefined> {
  const results: Array<Buffer | undefined> = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const newline = output.indexOf(0x0a, offset);
    if (newline === -1) throw new Error(`git cat-file --batch: truncated output after ${i} of ${count} objects`);
    const header = output.subarray(offset, newline).toString('utf8');
    offset = newline + 1;
    const match = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
    if (!match) {
      // `<spec> missing` or `<spec> ambiguous`: no content follows.
      results.push(undefined);
      continue;
    }
    const size = Number(match[2]);
    const content = output.subarray(offset, offset + size);
    offset += size + 1;
    results.push(match[1] === 'blob' ? content : undefined);
  }
  return results;
}

/**
 * The registry tree at one commit of a repository, read with `git cat-file --batch` (many files in
 * one process) and `git ls-tree`. An undefined commit is an empty registry (no branch yet).
 */
export function gitTree(cwd: string, commit: string | undefined, description: string): RegistryTree {
  const readMany = async (paths: string[]): Promise<Array<string | undefined>> => {
    if (!commit || paths.length === 0) return paths.map(() => undefined);
    const input = paths.map((path) => `${commit}:${path}\n`).join('');
    const { stdout } = await git(['cat-file', '--batch'], { cwd, input, binary: true });
    return parseCatFileBatch(Buffer.from(stdout, 'latin1'), paths.length).map((content) => content?.toString('utf8'));
  };
  return {
    description,
    readMany,
    async read(path) {
      return (await readMany([path]))[0];
    },
    async list(dir) {
      if (!commit) return [];
      const result = await git(['ls-tree', '-z', '--name-only', `${commit}:${dir}`], { cwd, allowFailure: true });
      if (result.code !== 0) return [];
      return result.stdout
        .split('\0')
        .filter((name) => name !== '')
        .sort();
    },
  };
}
