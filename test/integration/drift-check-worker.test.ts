/**
 * drift-check reads the current data on a worker thread while the main thread reads the
 * reference (src/adapters/fs/drift-profile-reader.ts): the built CLI's report equals detectDrift
 * over profiles built in this process, and an error met on the worker is the same one line, with
 * its file and line, and exit 2, with nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDataset } from '../../src/adapters/fs/dataset.js';
import { detectDrift, DriftProfileBuilder } from '../../src/core/drift/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { runCliBundle } from '../support/runner.js';
import { makeTempDir, writeFiles } from '../support/git.js';

const csv = (rows: number, row: (i: number) => string): string =>
  ['age,income,plan', ...Array.from({ length: rows }, (_, i) => row(i))].join('\n') + '\n';
const REFERENCE = csv(
  2000,
  (i) => `${20 + (i % 50)},${1000 + ((i * 37) % 500) / 4},${['basic', 'pro', 'team'][i % 3]}`,
);
const CURRENT = csv(1500, (i) => `${30 + (i % 45)},${1010 + ((i * 41) % 500) / 4},${i % 4 ? 'pro' : 'basic'}`);

let temp: ReturnType<typeof makeTempDir>;
beforeAll(() => {
  temp = makeTempDir('mlops-drift-worker-');
  writeFiles(temp.path, {
    'reference.csv': REFERENCE,
    'current.csv': CURRENT,
    'bad.csv': CURRENT.replace(/^31,/m, 'thirty-one,'),
  });
});
afterAll(() => temp.cleanup());

async function profileOf(file: string) {
  const dataset = await openDataset([file], { cwd: temp.path, log: silentLogger });
  const builder = new DriftProfileBuilder(dataset.columns, { exactLimit: Infinity });
  for await (const batch of dataset.batches()) builder.addBatch(batch);
  return builder.finish({ files: [file] });
}

describe('drift-check reading the current data on a worker thread', () => {
  it('reports what detectDrift gives on profiles built here, saying the current side ran alongside', async () => {
    const result = await runCliBundle(
      ['drift-check', '--reference', 'reference.csv', '--current', 'current.csv', '--report', 'out.json'],
      { cwd: temp.path },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /Read 1,500 current rows in [\d.]+ s \(on a worker thread, alongside the reference\)\./,
    );
    const report = JSON.parse(readFileSync(join(temp.path, 'out.json'), 'utf8')) as ReturnType<typeof detectDrift>;
    const expected = detectDrift({
      reference: await profileOf('reference.csv'),
      current: await profileOf('current.csv'),
    });
    expect(report.columns).toEqual(JSON.parse(JSON.stringify(expected.columns)));
    expect(report.drifted_columns).toEqual(expected.drifted_columns);
    expect(report.drifted_columns.length).toBeGreaterThan(0);
  });

  it("exits 2 with the worker's error as one line naming the current file and line, writing nothing", async () => {
    const result = await runCliBundle(
      ['drift-check', '--reference', 'reference.csv', '--current', 'bad.csv', '--report', 'bad-report.json'],
      { cwd: temp.path },
    );
    expect(result.code).toBe(2);
    const line = CURRENT.split('\n').findIndex((text) => text.startsWith('31,')) + 1;
    const errors = result.stderr.split('\n').filter((text) => /error/i.test(text));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`bad.csv:${line}`);
    expect(errors[0]).toContain('column "age" is numeric but the current data');
    expect(errors[0]).toContain('"thirty-one"');
    expect(existsSync(join(temp.path, 'bad-report.json'))).toBe(false);
  });
});
