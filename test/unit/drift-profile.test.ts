/**
 * Drift profiles: exact parts that merge to exactly the whole's, sketches whose Wasserstein and
 * Jensen-Shannon values stay within 1% of the exact ones (same drift flags) on 300,000 seeded rows,
 * and every corrupt or mismatched profile refused with one clear error.
 */
import { describe, expect, it } from 'vitest';
import type { Cell, RowBatch } from '../../src/core/data/dataset.js';
import {
  detectDrift,
  DriftProfileBuilder,
  mergeDriftProfiles,
  parseDriftProfile,
  type DriftConfig,
  type DriftProfile,
  type DriftProfileOptions,
} from '../../src/core/drift/index.js';
import { ConfigurationError, InputError } from '../../src/core/errors.js';
import { seededRandom } from '../support/random.mjs';

/** Box-Muller normals from a seeded uniform generator. */
function normals(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

const COLUMNS = ['age', 'income', 'sensor', 'wait', 'score', 'delta', 'segment'];
const SEGMENTS = ['retail', 'online', 'partner', 'wholesale'];

/**
 * Realistic columns (as CSV text): a bell rounded to 0.1, a skewed income and a sensor with a big
 * offset and a small spread at full precision (so their sketches are what the tests use), an
 * exponential wait, integer scores (ties), signed deltas, categories.
 */
function rows(count: number, seed: number, shift = 0): Cell[][] {
  const random = seededRandom(seed);
  const normal = normals(random);
  return Array.from({ length: count }, () => [
    (50 + shift * 3 + 10 * normal()).toFixed(1),
    String(Math.exp(10 + shift * 0.05 + 0.5 * normal())),
    String(1000 + shift * 0.05 + 0.2 * normal()),
    (-Math.log(1 - random()) * (2 + shift * 0.2)).toFixed(3),
    String(Math.floor(random() * (100 + shift * 5))),
    (normal() + shift * 0.1).toFixed(3),
    SEGMENTS[Math.floor(random() ** (1 + shift * 0.3) * SEGMENTS.length)]!,
  ]);
}

function batchesOf(data: Cell[][], file: string, size = 5000): RowBatch[] {
  const batches: RowBatch[] = [];
  for (let start = 0; start < data.length; start += size) {
    const slice = data.slice(start, start + size);
    batches.push({ file, rows: slice, lines: slice.map((_, i) => start + i + 2), firstRow: start + 1 });
  }
  return batches;
}

function profileOf(data: Cell[][], file: string, options: DriftProfileOptions = {}, columns = COLUMNS): DriftProfile {
  const builder = new DriftProfileBuilder(columns, options);
  for (const batch of batchesOf(data, file)) builder.addBatch(batch);
  return builder.finish({ files: [file] });
}

/** The profile as it would be read back from its file. */
function roundTrip(profile: DriftProfile): DriftProfile {
  return parseDriftProfile(JSON.stringify(profile), 'profile.json');
}

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

describe('merging profiles', () => {
  const whole = rows(6000, 1);
  const first = whole.slice(0, 2500);
  const second = whole.slice(2500);

  it('gives exactly the whole profile when both halves keep their values', () => {
    const merged = mergeDriftProfiles([profileOf(first, 'all.csv'), profileOf(second, 'all.csv')]);
    const expected = profileOf(whole, 'all.csv');
    expect(merged.columns).toEqual(expected.columns);
    expect(merged.rows).toBe(6000);
  });

  it('keeps counts, extremes and sketch buckets exact and moments to rounding once the values are sketched', () => {
    const options = { exactLimit: 1000 };
    const merged = roundTrip(
      mergeDriftProfiles([profileOf(first, 'a.csv', options), profileOf(second, 'b.csv', options)]),
    );
    const expected = profileOf(whole, 'all.csv', options);
    expect(merged.source.files).toEqual(['a.csv', 'b.csv']);
    merged.columns.forEach((column, index) => {
      const want = expected.columns[index]!;
      const { moments, ...exactParts } = column;
      const { moments: wantMoments, ...wantExact } = want;
      expect(exactParts).toEqual(wantExact);
      if (moments && wantMoments) {
        expect(moments.count).toBe(wantMoments.count);
        expect([moments.min, moments.max]).toEqual([wantMoments.min, wantMoments.max]);
        expect(relative(moments.mean, wantMoments.mean)).toBeLessThan(1e-12);
        expect(relative(moments.m2, wantMoments.m2)).toBeLessThan(1e-10);
      }
    });
    // The sketched column kept its exact counts while it had few distinct values (score: 0..99).
    expect(merged.columns[4]!.counts).toHaveLength(100);
    expect(merged.columns[0]!.sketch).toBeDefined();
  });

  it('turns exact halves into a sketch when the whole passes the exact limit', () => {
    const options = { exactLimit: 4000 };
    const merged = mergeDriftProfiles([profileOf(first, 'a.csv', options), profileOf(second, 'b.csv', options)]);
    const expected = profileOf(whole, 'all.csv', options);
    expect(merged.columns[1]!.sketch).toEqual(expected.columns[1]!.sketch);
    expect(merged.columns[1]!.values).toBeUndefined();
  });

  it('refuses profiles with other columns, naming them', () => {
    const other = profileOf(rows(10, 2), 'other.csv', {}, [
      'age',
      'income',
      'sensor',
      'wait',
      'score',
      'delta',
      'channel',
    ]);
    expect(() => mergeDriftProfiles([profileOf(first, 'a.csv'), other])).toThrow(
      new InputError(
        'cannot merge drift profiles of different columns: profile 2 (other.csv) lacks "segment" and has "channel" that profile 1 (a.csv) lacks.',
      ),
    );
  });

  it('refuses a column that is numeric in one profile and categorical in another', () => {
    const text = profileOf([['x'], ['y']], 'b.csv', {}, ['age']);
    const numbers = profileOf([['1'], ['2']], 'a.csv', {}, ['age']);
    expect(() => mergeDriftProfiles([numbers, text])).toThrow(
      'cannot merge drift profiles: column "age" is numeric in profile 1 (a.csv) but categorical in profile 2 (b.csv).',
    );
  });
});

describe('sketched reference profiles (300,000 rows)', () => {
  const referenceRows = rows(300_000, 11);
  const exact = profileOf(referenceRows, 'reference.csv', { exactLimit: Infinity });
  const sketched = roundTrip(profileOf(referenceRows, 'reference.csv'));
  const merged = roundTrip(
    mergeDriftProfiles([
      profileOf(referenceRows.slice(0, 150_000), 'reference.csv'),
      profileOf(referenceRows.slice(150_000), 'reference.csv'),
    ]),
  );
  const jsConfig: DriftConfig = { source: 'drift.yml', columns: {}, defaultTest: { numeric: 'jensenshannon' } };

  it('sketches every numeric column past 100,000 values and keeps the exact parts', () => {
    for (const column of sketched.columns.slice(0, 6)) {
      expect(column.sketch, column.name).toBeDefined();
      expect(column.values).toBeUndefined();
    }
    expect(sketched.columns[6]!.counts).toHaveLength(4);
  });

  for (const shift of [0, 3]) {
    it(`gives Wasserstein and Jensen-Shannon values within 1% of the exact ones, same flags (shift ${shift})`, () => {
      const current = profileOf(rows(20_000, 100 + shift, shift), 'current.csv', { exactLimit: Infinity });
      for (const config of [undefined, jsConfig]) {
        const want = detectDrift({ reference: exact, current, ...(config ? { config } : {}) });
        for (const reference of [sketched, merged]) {
          const got = detectDrift({ reference, current, ...(config ? { config } : {}) });
          got.columns.forEach((column, index) => {
            const expected = want.columns[index]!;
            expect(column.test).toBe(expected.test);
            expect(column.drift, `${column.column} ${column.test}`).toBe(expected.drift);
            expect(
              relative(column.value, expected.value),
              `${column.column} ${column.test} ${column.value} vs ${expected.value}`,
            ).toBeLessThan(0.01);
          });
        }
      }
    });
  }
});

describe('parseDriftProfile', () => {
  const good = profileOf(rows(50, 3), 'data.csv');
  type Editable = {
    columns: Array<{
      nulls?: number;
      rows: number;
      values: number[];
      counts: Array<[string, number]>;
      moments: { count: number };
    }>;
  };
  const corrupt = (edit: (profile: Editable) => void): string => {
    const copy = JSON.parse(JSON.stringify(good)) as Editable;
    edit(copy);
    return JSON.stringify(copy);
  };

  it('reads back what the builder wrote', () => {
    expect(parseDriftProfile(JSON.stringify(good), 'p.json')).toEqual(good);
  });

  it.each([
    ['not JSON', () => '{"kind": "mlops-drift-profile", ', /^not a drift profile: invalid JSON/, undefined],
    [
      'another document',
      () => JSON.stringify({ kind: 'mlops-registry' }),
      /^not a drift profile \(kind is "mlops-registry"/,
      'kind',
    ],
    [
      'a missing key',
      () => corrupt((p) => delete p.columns[1]!.nulls),
      /^corrupt drift profile: columns\[1\] missing "nulls"\.$/,
      'columns[1]',
    ],
    [
      'values out of order',
      () => corrupt((p) => p.columns[0]!.values.reverse()),
      /column "age": values\[1\] is out of order/,
      'columns[0].values[1]',
    ],
    [
      'counts that do not add up',
      () => corrupt((p) => (p.columns[6]!.counts[0]![1] += 1)),
      /column "segment": counts add up to 51, but 50 values are present/,
      'columns[6].counts',
    ],
    [
      'rows that disagree',
      () => corrupt((p) => (p.columns[2]!.rows = 49)),
      /column "sensor": rows is 49, but the profile has 50 rows/,
      'columns[2].rows',
    ],
    [
      'a wrong moment count',
      () => corrupt((p) => (p.columns[3]!.moments.count = 7)),
      /moments.count is 7, but 50 values are stored/,
      'columns[3].moments.count',
    ],
  ])('refuses %s with one error naming the key', (_name, text, message, key) => {
    let error: unknown;
    try {
      parseDriftProfile(text(), 'profile.json');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).message).toMatch(message);
    expect((error as ConfigurationError).location).toEqual({ file: 'profile.json', ...(key ? { key } : {}) });
  });
});
