/** Where mlops finds its own schemas, and when a suite may point at them by a relative path. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { installedSchemaPath, pathWithinWorkTree } from '../../src/adapters/fs/schemas.js';
import { makeTempDir } from '../support/git.js';

const temp = makeTempDir('mlops-schema-paths-');
afterAll(() => temp.cleanup());

/** A folder tree under the temp folder: a name ending in / is a folder, anything else an empty file. */
function tree(...paths: string[]): void {
  for (const path of paths) {
    const full = join(temp.path, path);
    if (path.endsWith('/')) mkdirSync(full, { recursive: true });
    else {
      mkdirSync(join(full, '..'), { recursive: true });
      writeFileSync(full, '');
    }
  }
}

describe('installedSchemaPath', () => {
  it('finds schemas/ of the package a bundle chunk belongs to', async () => {
    tree('pkg/dist/chunks/chunk.js', 'pkg/schemas/gates.schema.json');
    const chunk = pathToFileURL(join(temp.path, 'pkg/dist/chunks/chunk.js')).href;
    expect(await installedSchemaPath('gates.schema.json', chunk)).toBe(
      join(temp.path, 'pkg/schemas/gates.schema.json'),
    );
  });

  it('finds nothing for a copy of dist/ on its own, as a runner has it', async () => {
    tree('runner/dist/chunks/chunk.js');
    const chunk = pathToFileURL(join(temp.path, 'runner/dist/chunks/chunk.js')).href;
    expect(await installedSchemaPath('gates.schema.json', chunk)).toBeUndefined();
  });

  it('finds this repository’s schemas from the sources', async () => {
    expect(await installedSchemaPath('expectation-suite.schema.json')).toMatch(
      /[/\\]schemas[/\\]expectation-suite\.schema\.json$/,
    );
  });
});

describe('pathWithinWorkTree', () => {
  tree('project/.git/', 'project/suites/', 'project/node_modules/mlops/schemas/s.json', 'other/.git/', 'loose/');

  it('is the relative path, with / separators, when both are in one git work tree', async () => {
    expect(
      await pathWithinWorkTree(
        join(temp.path, 'project/suites'),
        join(temp.path, 'project/node_modules/mlops/schemas/s.json'),
      ),
    ).toBe('../node_modules/mlops/schemas/s.json');
  });

  it('is undefined for a target in another work tree, or outside any work tree', async () => {
    const schema = join(temp.path, 'project/node_modules/mlops/schemas/s.json');
    expect(await pathWithinWorkTree(join(temp.path, 'other'), schema)).toBeUndefined();
    expect(await pathWithinWorkTree(join(temp.path, 'loose'), schema)).toBeUndefined();
  });
});
