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

  it('refuse artifact locations outside .mlops/artifacts and stored URLs that are not plain http(s) asset URLs', () => {
    const registered = (artifact: Record<string, unknown>) =>
      schemaProblem('event', {
        id: 'x',
        seq: 1,
        type: 'registered',
        model: 'm',
        time: '2024-01-01T00:00:00Z',
        version: 1,
        sha256: 'a'.repeat(64),
        artifact: { name: 'm.bin', kind: 'file', size: 1, ...artifact },
        metrics: {},
        lineage: {},
      });
    expect(registered({ location: '.mlops/artifacts/m/v1/m.bin' })).toBeUndefined();
    for (const location of ['../../x', '/etc/passwd', '.mlops/artifacts/m/v1/../../../x', '.mlops/artifacts/../v1/x']) {
      expect(registered({ location }), location).toMatch(/^\/artifact\/location must match pattern/);
    }
    expect(registered({ name: '..', location: '.mlops/artifacts/m/v1/m.bin' })).toMatch(/^\/artifact\/name must match/);
    const release = {
      id: 7,
      tag: 'm/v1',
      url: 'https://github.com/o/r/releases/tag/m%2Fv1',
      assetId: 9,
      assetName: 'm.bin',
      assetApiUrl: 'https://api.github.com/repos/o/r/releases/assets/9',
      downloadUrl: 'https://github.com/o/r/releases/download/m%2Fv1/m.bin',
    };
    const withRelease = (fields: Record<string, unknown>) =>
      registered({ location: release.assetApiUrl, release: { ...release, ...fields } });
    expect(withRelease({})).toBeUndefined();
    expect(withRelease({ assetApiUrl: 'https://api.github.com/repos/o/r/releases/assets/9?x=1' })).toMatch(
      /^\/artifact\/release\/assetApiUrl must match pattern/,
    );
    expect(withRelease({ assetApiUrl: 'file:///etc/passwd' })).toMatch(/^\/artifact\/release\/assetApiUrl must match/);
    expect(withRelease({ downloadUrl: 'https://user:pw@evil.example/x' })).toMatch(
      /^\/artifact\/release\/downloadUrl must match/,
    );
  });
});
