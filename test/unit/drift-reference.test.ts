/**
 * The drift engine against numpy and Evidently's rules as run by scripts/gen-drift-reference.py
 * (numpy 1.24, scipy 1.10, pandas 1.5 from Debian): Sturges edges and histogram counts equal to
 * numpy's, and per case the chosen test, its value and the drift flag.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { histogramCounts, sturgesEdges } from '../../src/core/drift/binning.js';
import { detectDrift, DriftProfileBuilder, type DriftProfile } from '../../src/core/drift/index.js';

type Reference = {
  sturges: Array<{ min: number; max: number; size: number; edges: number[] }>;
  histograms: Array<{ values: number[]; edges: number[]; counts: number[] }>;
  drift: Array<{
    name: string;
    reference: Array<number | string | null>;
    current: Array<number | string | null>;
    forced_test: string | null;
    type: string;
    test: string;
    value: number;
    threshold: number;
    drift: boolean;
    reference_rows: number;
    current_rows: number;
    integer: boolean;
  }>;
};

const reference = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'reference', 'drift-engine.json'), 'utf8'),
) as Reference;

/** A cell as a CSV reader hands it over: text, with floats that look integral keeping their ".0". */
function csvCell(cell: number | string | null, integer: boolean): string | null {
  if (cell === null || typeof cell === 'string') return cell;
  return integer || !Number.isInteger(cell) ? String(cell) : cell.toFixed(1);
}

/** The profile of one column of cells, read as CSV text (line = index + 2, after a header). */
export function columnProfile(
  cells: ReadonlyArray<number | string | null>,
  options: { exactLimit?: number; integer?: boolean; file?: string } = {},
): DriftProfile {
  const builder = new DriftProfileBuilder(['x'], { exactLimit: options.exactLimit ?? Infinity });
  const rows = cells.map((cell) => [csvCell(cell, options.integer ?? false)]);
  for (let start = 0; start < rows.length; start += 1000) {
    const slice = rows.slice(start, start + 1000);
    builder.addBatch({
      file: options.file ?? 'data.csv',
      rows: slice,
      lines: slice.map((_, i) => start + i + 2),
      firstRow: start + 1,
    });
  }
  return builder.finish({ files: [options.file ?? 'data.csv'] });
}

describe("numpy's histogram_bin_edges(..., 'sturges')", () => {
  it(`gives numpy's edges, bit for bit, for ${reference.sturges.length} (min, max, size) vectors`, () => {
    const mismatches = reference.sturges.filter(({ min, max, size, edges }) => {
      const ours = sturgesEdges(min, max, size);
      return ours.length !== edges.length || ours.some((edge, i) => edge !== edges[i]);
    });
    expect(mismatches.map(({ min, max, size }) => ({ min, max, size }))).toEqual([]);
  });

  it('counts like np.histogram with explicit edges (last bin closed, values on edges)', () => {
    for (const { values, edges, counts } of reference.histograms) {
      const sorted = Float64Array.from(values).sort();
      expect(histogramCounts(sorted, edges)).toEqual(counts);
    }
  });
});

describe("Evidently 0.7's column drift", () => {
  for (const item of reference.drift) {
    it(item.name, () => {
      const config = item.forced_test
        ? { source: 'drift.yml', columns: { x: { test: item.forced_test as never } } }
        : undefined;
      const report = detectDrift({
        reference: columnProfile(item.reference, { integer: item.integer, file: 'reference.csv' }),
        current: columnProfile(item.current, { integer: item.integer, file: 'current.csv' }),
        ...(config ? { config } : {}),
      });
      const column = report.columns[0]!;
      expect({ type: column.type, test: column.test, drift: column.drift }).toEqual({
        type: item.type,
        test: item.test,
        drift: item.drift,
      });
      expect(column.reference_rows).toBe(item.reference_rows);
      expect(column.current_rows).toBe(item.current_rows);
      expect(column.threshold).toBe(item.threshold);
      if (item.value === 0) expect(column.value).toBeLessThan(1e-300);
      else expect(Math.abs(column.value - item.value) / Math.abs(item.value)).toBeLessThan(1e-9);
    });
  }
});
