import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import {
  checkAliasName,
  checkModelName,
  checkRunId,
  nameProblem,
  parseModelReference,
  parseVersion,
  releaseTag,
} from '../../src/core/registry/names.js';

describe('registry names', () => {
  it('accepts ordinary model names', () => {
    for (const name of ['iris', 'churn-v2', 'BERT_base.cased', '2024-forecast', 'a'])
      expect(nameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', 'it is empty'],
    ['a/b', 'it contains a path separator ("/" or "\\")'],
    ['a\\b', 'it contains a path separator ("/" or "\\")'],
    ['..', 'it contains ".."'],
    ['a..b', 'it contains ".."'],
    ['my model', 'it contains whitespace'],
    ['tab\tname', 'it contains whitespace'],
    ['a:b', 'it contains ":", which git refuses in tag names'],
    ['a~1', 'it contains "~", which git refuses in tag names'],
    ['a^2', 'it contains "^", which git refuses in tag names'],
    ['a?', 'it contains "?", which git refuses in tag names'],
    ['a*', 'it contains "*", which git refuses in tag names'],
    ['a[0]', 'it contains "[", which git refuses in tag names'],
    ['bell\u0007', 'it contains the control character U+0007, which git refuses in tag names'],
    ['a@{1}', 'it contains "@{", which git refuses in tag names'],
    ['model.lock', 'it ends with ".lock", which git refuses in tag names'],
    ['model.', 'it ends with "."'],
    ['.hidden', 'it must start with a letter or a digit'],
    ['-flag', 'it must start with a letter or a digit'],
    ['modèle', 'it contains "è" (use letters, digits, ".", "_" and "-")'],
    ['a#b', 'it contains "#" (use letters, digits, ".", "_" and "-")'],
    ['x'.repeat(101), 'it is 101 characters long (at most 100)'],
  ])('rejects %j: %s', (name, reason) => {
    expect(nameProblem(name)).toBe(reason);
    expect(() => checkModelName(name, 'Input "model"')).toThrow(
      new InputError(`Input "model": model name ${JSON.stringify(name)} is invalid: ${reason}.`),
    );
  });

  it('rejects aliases that look like versions or are built in', () => {
    expect(checkAliasName('production')).toBe('production');
    expect(() => checkAliasName('v3')).toThrow('alias: alias "v3" is invalid: it looks like a version number.');
    expect(() => checkAliasName('12')).toThrow('it looks like a version number');
    expect(() => checkAliasName('latest')).toThrow('alias: alias "latest" is built in');
    expect(() => checkAliasName('prod/eu')).toThrow('it contains a path separator');
  });

  it('parses model references with aliases and versions', () => {
    expect(parseModelReference('iris')).toEqual({ model: 'iris' });
    expect(parseModelReference('iris@production')).toEqual({ model: 'iris', selector: { alias: 'production' } });
    expect(parseModelReference('iris@v12')).toEqual({ model: 'iris', selector: { version: 12 } });
    expect(parseModelReference('iris@3')).toEqual({ model: 'iris', selector: { version: 3 } });
    expect(parseModelReference('iris@latest')).toEqual({ model: 'iris', selector: { alias: 'latest' } });
    expect(() => parseModelReference('iris@v0')).toThrow(
      'model: "iris@v0": "v0" is not a version; expected v1, v2, ...',
    );
    expect(() => parseModelReference('a/b@production')).toThrow('model name "a/b" is invalid');
  });

  it('parses versions and formats tags', () => {
    expect(parseVersion('v7')).toBe(7);
    expect(parseVersion('7')).toBe(7);
    expect(() => parseVersion('seven')).toThrow('version: "seven" is not a version; expected v1, v2, ...');
    expect(releaseTag('iris', 3)).toBe('iris/v3');
  });

  it('validates run ids', () => {
    expect(checkRunId('2024-05-01T10-00-00_abc.1')).toBe('2024-05-01T10-00-00_abc.1');
    expect(() => checkRunId('../x')).toThrow('run id: "../x" is not a valid run id');
    expect(() => checkRunId('a b')).toThrow('is not a valid run id');
  });
});
