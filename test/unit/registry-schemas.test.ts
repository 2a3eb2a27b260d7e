import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { registrySchemas, schemaProblem } from '../../src/core/registry/schemas.js';

describe('registry schemas', () => {
  it('are valid draft-07 schemas', () => {
    const ajv = new Ajv({ strict: false, validateSchema: true });
    for (const [name, schema] of Object.entries(registrySchemas)) {
      expect(ajv.validateSchema(schema), `${name}: ${ajv.errorsText()}`).toBe(true);
    }
  });

  it('describe the first problem of a document in one line', () => {
    expect(
      schemaProblem('registry', { kind: 'mlops-registry', format: 1, createdAt: '2024-01-01T00:00:00Z' }),
    ).toBeUndefined();
    expect(schemaProblem('registry', { kind: 'mlops-registry', format: 1 })).toBe(
      "(top level) must have required property 'createdAt'",
    );
    expect(schemaProblem('registry', { kind: 'mlops-registry', format: 1, createdAt: 'yesterday' })).toBe(
      '/createdAt must match format "date-time"',
    );
    expect(
      schemaProblem('registry', { kind: 'mlops-registry', format: 1, createdAt: '2024-01-01T00:00:00Z', extra: 1 }),
    ).toBe('(top level): unexpected property "extra"');
    expect(
      schemaProblem('event', {
        id: 'x',
        seq: 1,
        type: 'promoted',
        model: 'm',
        time: '2024-01-01T00:00:00Z',
        version: 1,
        sha256: 'a'.repeat(64),
      }),
    ).toBe(
      '/type must be equal to one of the allowed values ("registered", "alias-set", "alias-removed", "deprecated", "deployed", "rolled-back")',
    );
  });
});
