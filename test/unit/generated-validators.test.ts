/**
 * The precompiled schema validators in src/generated/validators/ (registry, suite, gates): not
 * committed, made from the schemas by scripts/gen-validators.mjs, and equivalent to ajv compiling
 * the same schemas at run time. (The suite validator's equivalence is in suite-validator.test.ts.)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import * as registryValidators from '../../src/generated/validators/registry.js';
import { gates as gatesValidator } from '../../src/generated/validators/gates.js';
// @ts-expect-error: a plain .mjs script without types
import { generateAllValidators, VALIDATORS_DIR } from '../../scripts/gen-validators.mjs';
// @ts-expect-error: a plain .mjs script without types
import { AJV_OPTIONS as REGISTRY_AJV_OPTIONS, VALIDATORS } from '../../schemas/registry/generate-validators.mjs';
// @ts-expect-error: a plain .mjs script without types
import { AJV_OPTIONS as GATES_AJV_OPTIONS, gatesSchema } from '../../schemas/generate-gates-validator.mjs';

const root = join(import.meta.dirname, '..', '..');
const addFormats = addFormatsModule as unknown as (ajv: Ajv, formats: string[]) => Ajv;

/** ajv's verdict and errors, for comparing two validators of the same schema. */
function outcome(validate: ValidateFunction, value: unknown): unknown {
  const valid = validate(structuredClone(value));
  return { valid, errors: validate.errors ?? null };
}

const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });

describe('src/generated/validators', () => {
  it('holds exactly what scripts/gen-validators.mjs generates from the schemas now', async () => {
    const modules = (await generateAllValidators()) as Record<string, { js: string; types: string }>;
    expect(Object.keys(modules).sort()).toEqual(['drift', 'gates', 'registry', 'suite']);
    for (const [name, { js, types }] of Object.entries(modules)) {
      // A failure means a schema changed and nothing regenerated: run node scripts/gen-validators.mjs.
      expect(readFileSync(join(VALIDATORS_DIR as string, `${name}.js`), 'utf8') === js, `${name}.js`).toBe(true);
      expect(readFileSync(join(VALIDATORS_DIR as string, `${name}.d.ts`), 'utf8')).toBe(types);
    }
  });

  it('is ignored by git, and no generated validator is committed anywhere under src/', () => {
    expect(git('check-ignore', 'src/generated/validators/registry.js').trim()).toBe(
      'src/generated/validators/registry.js',
    );
    const committed = git('ls-files', 'src').split('\n');
    expect(committed.filter((file) => /generated\/validators\/|\.generated\.(js|d\.ts)$/.test(file))).toEqual([]);
  });
});

describe('the precompiled registry validators', () => {
  it('report the same errors as ajv compiling schemas/registry at run time', () => {
    const ajv = new Ajv(REGISTRY_AJV_OPTIONS as object);
    addFormats(ajv, ['date-time']);
    const load = (file: string) => JSON.parse(readFileSync(join(root, 'schemas/registry', file), 'utf8'));
    ajv.addSchema(load('common.schema.json'));
    const time = '2024-01-01T00:00:00Z';
    const samples: unknown[] = [
      { kind: 'mlops-registry', format: 1, createdAt: time },
      { kind: 'mlops-registry', format: 1, createdAt: 'yesterday' },
      { kind: 'mlops-registry', format: 1 },
      { id: 'e1', seq: 2, type: 'alias-set', model: 'iris', time, version: 1, sha256: 'a'.repeat(64), alias: 'prod' },
      { id: 'e1', seq: 2, type: 'alias-set', model: 'iris', time, version: 1, sha256: 'a'.repeat(64), other: 1 },
      { id: '', seq: -1, type: 'promoted', model: 'Iris Model', time: 5, version: 'v1', sha256: 'xyz' },
      { models: {}, aliases: [], versions: null },
      {},
      [],
      null,
      'a document',
    ];
    for (const [name, file] of Object.entries(VALIDATORS as Record<string, string>)) {
      const schema = load(file) as { $id: string };
      ajv.addSchema(schema);
      const atRunTime = ajv.getSchema(schema.$id)!;
      const precompiled = (registryValidators as Record<string, ValidateFunction>)[name]!;
      for (const sample of samples) {
        expect(outcome(precompiled, sample), `${name} ${JSON.stringify(sample)}`).toEqual(outcome(atRunTime, sample));
      }
    }
  });
});

describe('the precompiled gates validator', () => {
  it('reports the same errors as ajv compiling schemas/gates.schema.json at run time', () => {
    const atRunTime = new Ajv(GATES_AJV_OPTIONS as object).compile(gatesSchema() as object);
    const samples: unknown[] = [
      { metrics: { accuracy: { direction: 'higher', min: 0.9, 'max-regression': 0.02 } } },
      { $schema: './gates.schema.json', metrics: { 'loss.*': { direction: 'lower', max: 1, 'warn-only': true } } },
      { metrics: { accuracy: { direction: 'up', min: '0.9', 'max-regresion': 0.02 } } },
      { metrics: { f1: { 'max-regression-pct': -5, description: 3 } }, extra: true },
      { metrics: [] },
      { gates: {} },
      {},
      [],
      null,
      'accuracy >= 0.9',
    ];
    expect(samples.filter((sample) => atRunTime(sample))).toHaveLength(2);
    for (const sample of samples) {
      expect(outcome(gatesValidator, sample), JSON.stringify(sample)).toEqual(outcome(atRunTime, sample));
    }
  });
});
