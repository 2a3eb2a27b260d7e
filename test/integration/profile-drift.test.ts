/**
 * `mlops profile --profile-out` writes the drift profile (with the suite's profile inside), and
 * `mlops profile --merge` combines the profiles of shards into the profile of the whole; bad
 * profiles and misuse are one clear line and exit 2. Runs the built CLI bundle.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectDrift, parseDriftProfile } from '../../src/core/drift/index.js';
import { runCliBundle } from '../support/runner.js';
import { seededRandom } from '../support/random.mjs';

let workspace: string;

/** A CSV of `rows` seeded rows: a measurement, a count and a category. */
function csv(rows: number, seed: number, shift = 0): string {
  const random = seededRandom(seed);
  const lines = ['temperature,visits,channel'];
  for (let i = 0; i < rows; i++)
    lines.push(
      `${(20 + shift + random() * 5).toFixed(2)},${Math.floor(random() * 40)},${['web', 'store', 'phone'][Math.floor(random() * 3)]}`,
    );
  return lines.join('\n') + '\n';
}

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'mlops-profile-drift-'));
  writeFileSync(join(workspace, 'a.csv'), csv(1500, 1));
  writeFileSync(join(workspace, 'b.csv'), csv(1200, 2));
  writeFileSync(join(workspace, 'current.csv'), csv(900, 3, 2));
  writeFileSync(join(workspace, 'other.csv'), 'sku,price\nx,1\n');
});

afterAll(() => rmSync(workspace, { recursive: true, force: true }));

const cli = (args: string[]) => runCliBundle(args, { cwd: workspace });
const read = (file: string) => parseDriftProfile(readFileSync(join(workspace, file), 'utf8'), file);

describe('mlops profile --profile-out and --merge', () => {
  it(
    'writes a drift profile that keeps the suite profile, and shards merge to the whole',
    { timeout: 120_000 },
    async () => {
      for (const [data, out] of [
        ['a.csv', 'a.json'],
        ['b.csv', 'b.json'],
        ['a.csv,b.csv', 'whole.json'],
      ] as const) {
        const result = await cli(['profile', '--data', data, '--profile-out', out]);
        expect(result.code, result.stderr).toBe(0);
      }
      const whole = read('whole.json');
      expect(whole.kind).toBe('mlops-drift-profile');
      expect(whole.rows).toBe(2700);
      expect((whole.suite_profile as { rows: number }).rows).toBe(2700);
      expect(whole.columns.map((c) => [c.name, c.type])).toEqual([
        ['temperature', 'numeric'],
        ['visits', 'numeric'],
        ['channel', 'categorical'],
      ]);

      const merged = await cli(['profile', '--merge', 'a.json', 'b.json', '--profile-out', 'merged.json']);
      expect(merged.code, merged.stderr).toBe(0);
      expect(merged.stdout).toBe('Merged 2 profiles (2,700 rows × 3 columns) into merged.json.\n');
      expect(read('merged.json').columns).toEqual(whole.columns);

      // The merged profile is a reference drift-check can use: the shifted temperature drifts.
      const current = await cli(['profile', '--data', 'current.csv', '--profile-out', 'current.json']);
      expect(current.code, current.stderr).toBe(0);
      const report = detectDrift({ reference: read('merged.json'), current: read('current.json') });
      expect(report.columns.map((c) => [c.column, c.test, c.drift])).toEqual([
        ['temperature', 'wasserstein', true],
        ['visits', 'wasserstein', false],
        ['channel', 'jensenshannon', false],
      ]);
    },
  );

  it('refuses bad profiles and misuse with one line and exit 2', { timeout: 120_000 }, async () => {
    writeFileSync(join(workspace, 'broken.json'), '{"kind": "mlops-drift-profile", "format": 1}');
    await cli(['profile', '--data', 'other.csv', '--profile-out', 'other.json']);
    const cases: Array<[string[], string]> = [
      [
        ['profile', '--merge', 'a.json', 'broken.json', '--profile-out', 'x.json'],
        'mlops: error: broken.json: corrupt drift profile: the document missing "rows".\n',
      ],
      [
        ['profile', '--merge', 'a.json', 'other.json', '--profile-out', 'x.json'],
        'mlops: error: cannot merge drift profiles of different columns: profile 2 (other.csv) lacks "temperature", "visits", "channel" and has "sku", "price" that profile 1 (a.csv) lacks.\n',
      ],
      [
        ['profile', '--merge', 'a.json', 'b.json'],
        'mlops: error: --merge needs --profile-out <file>, where the merged profile goes.\n',
      ],
      [
        ['profile', '--merge', 'a.json', '--data', 'a.csv', '--profile-out', 'x.json'],
        'mlops: error: --merge combines drift profiles; it takes no --data (see mlops profile --help).\n',
      ],
      [
        ['profile', '--merge', 'a.json', 'missing.json', '--profile-out', 'x.json'],
        'mlops: error: --merge: missing.json does not exist.\n',
      ],
      [
        ['profile', '--data', 'a.csv', 'b.csv', '--profile-out', 'x.json'],
        'mlops: error: Unexpected argument "b.csv" for mlops profile: inputs are given as --<name> <value> (files after --merge are the profiles to merge).\n',
      ],
    ];
    for (const [args, stderr] of cases) {
      const result = await cli(args);
      expect(result.stderr, args.join(' ')).toBe(stderr);
      expect(result.code).toBe(2);
    }
    expect(() => readFileSync(join(workspace, 'x.json'))).toThrow();
  });
});
