/**
 * The real-data drift reference (test/fixtures/reference/drift-real.json, written by
 * scripts/gen-drift-real-reference.py: SciPy under Evidently 0.7's default rules) and the
 * comparison of a drift report with it, shared by the integration test (bundles) and the unit
 * test (src/core/drift directly).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { repoRoot } from './runner.js';

export interface ExpectedColumn {
  column: string;
  type: 'numeric' | 'categorical';
  test: string;
  statistic: number | null;
  p_value?: number;
  value: number;
  threshold: number;
  drift: boolean;
}
export interface ExpectedPair {
  name: string;
  reference: string;
  current: string;
  reference_rows: number;
  current_rows: number;
  drift: boolean;
  share: number;
  drift_share: number;
  drifted_columns: string[];
  columns: ExpectedColumn[];
  overrides: ExpectedColumn[];
}
export interface ReportColumn {
  column: string;
  type: string;
  test: string;
  statistic: number;
  p_value?: number;
  value: number;
  threshold: number;
  drift: boolean;
}
export interface Report {
  drift: boolean;
  share: number;
  drift_share: number;
  drifted_columns: string[];
  columns: ReportColumn[];
}

/** test/fixtures/reference/drift-real.json: per pair of real files, what Evidently's rules give. */
export function realDataReference(): { pairs: ExpectedPair[] } {
  return JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/reference/drift-real.json'), 'utf8')) as {
    pairs: ExpectedPair[];
  };
}
const RELATIVE = 1e-9;

/** Every way `actual` differs from Evidently's result, one line each (empty: equal). */
export function differences(actual: Report, pair: ExpectedPair, columns: ExpectedColumn[]): string[] {
  const found: string[] = [];
  const close = (what: string, got: number | undefined, want: number) => {
    if (got === undefined || !(Math.abs(got - want) <= RELATIVE * Math.abs(want)))
      found.push(`${what}: ${got} instead of ${want}`);
  };
  expect(actual.columns.map((c) => c.column)).toEqual(columns.map((c) => c.column));
  for (const want of columns) {
    const got = actual.columns.find((c) => c.column === want.column)!;
    const where = `${pair.name} ${want.column}`;
    if (got.type !== want.type) found.push(`${where} type: ${got.type} instead of ${want.type}`);
    if (got.test !== want.test) found.push(`${where} test: ${got.test} instead of ${want.test}`);
    if (got.threshold !== want.threshold)
      found.push(`${where} threshold: ${got.threshold} instead of ${want.threshold}`);
    if (got.drift !== want.drift) found.push(`${where} drift: ${got.drift} instead of ${want.drift}`);
    close(`${where} value`, got.value, want.value);
    if (want.statistic !== null) close(`${where} statistic`, got.statistic, want.statistic);
    if (want.p_value !== undefined) close(`${where} p_value`, got.p_value, want.p_value);
  }
  return found;
}

/** The dataset verdict and every column, checked against the default-rules reference. */
export function expectEvidently(actual: Report, pair: ExpectedPair): void {
  expect(differences(actual, pair, pair.columns)).toEqual([]);
  expect({
    drift: actual.drift,
    drifted_columns: actual.drifted_columns,
    drift_share: actual.drift_share,
  }).toEqual({ drift: pair.drift, drifted_columns: pair.drifted_columns, drift_share: pair.drift_share });
  expect(actual.share).toBeCloseTo(pair.share, 12);
}
