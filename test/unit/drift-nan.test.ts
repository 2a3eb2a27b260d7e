/**
 * A test whose value cannot be computed (NaN: t_test or anderson on a constant reference column)
 * is an error naming the column and the test, never "no drift": a NaN compared with a threshold
 * is false, and a false drift could close the drift issue on a result nobody computed.
 */
import { describe, expect, it } from 'vitest';
import type { Cell } from '../../src/core/data/dataset.js';
import { detectDrift, DriftProfileBuilder, parseDriftConfig, type DriftProfile } from '../../src/core/drift/index.js';
import { InputError } from '../../src/core/errors.js';

function profile(rows: Cell[][], file: string): DriftProfile {
  const builder = new DriftProfileBuilder(['x'], { exactLimit: Infinity });
  builder.addBatch({ file, rows, lines: rows.map((_, i) => i + 2), firstRow: 1 });
  return builder.finish({ files: [file] });
}

describe('detectDrift with a test value that is not a number', () => {
  it.each(['t_test', 'anderson'])('refuses %s on constant columns with an error naming column and test', (test) => {
    const reference = profile(
      Array.from({ length: 200 }, () => ['1.5']),
      'train.csv',
    );
    const current = profile(
      Array.from({ length: 200 }, () => ['1.5']),
      'prod.csv',
    );
    const config = parseDriftConfig(`columns:\n  x:\n    test: ${test}\n`, 'drift.yml');
    let error: unknown;
    try {
      detectDrift({ reference, current, config });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain('column "x"');
    expect((error as Error).message).toContain(test);
  });
});
