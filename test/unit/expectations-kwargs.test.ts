/**
 * The kwargs types of the expectations are generated from the suite schema: the committed file is
 * what the generator renders now, and it has one type per expectation the schema accepts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kwargsTypeName, renderExpectationKwargs } from '../../scripts/gen-expectation-kwargs.mjs';
import suiteSchema from '../../schemas/expectation-suite.schema.json' with { type: 'json' };
import { SUPPORTED_EXPECTATIONS } from '../../src/core/validation/suite.js';

const root = join(import.meta.dirname, '..', '..');

describe('src/generated/expectation-kwargs.ts', () => {
  it('is what scripts/gen-expectation-kwargs.mjs renders from the suite schema now', () => {
    const committed = readFileSync(join(root, 'src', 'generated', 'expectation-kwargs.ts'), 'utf8');
    // A failure here means the schema changed without `node scripts/gen-expectation-kwargs.mjs`.
    expect(committed).toBe(renderExpectationKwargs(suiteSchema));
  });

  it('has a kwargs type for every expectation, with required keys required', () => {
    const text = renderExpectationKwargs(suiteSchema);
    for (const type of SUPPORTED_EXPECTATIONS) {
      const name =
        type === 'expect_column_pair_values_A_to_be_greater_than_B'
          ? 'ExpectColumnPairValuesAToBeGreaterThanBGe0Kwargs'
          : kwargsTypeName(type);
      expect(text).toContain(`export type ${name} = {`);
      expect(text).toContain(`  ${type}: ${name};`);
    }
    // One declaration per name.
    const declared = [...text.matchAll(/^export type (\w+) =/gm)].map((match) => match[1]);
    expect(new Set(declared).size).toBe(declared.length);
    expect(text).toMatch(/ExpectColumnValuesToMatchRegexKwargs = \{\n(?:.*\n)*? {2}regex: string;/);
    expect(text).toMatch(/ExpectColumnValuesToMatchRegexKwargs = \{\n(?:.*\n)*? {2}mostly\?: number;/);
    expect(text).toContain('value_ranges: Array<[number | null, number | null]>;');
  });
});
