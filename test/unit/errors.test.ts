import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  EnvironmentError,
  InputError,
  NotImplementedError,
  UserError,
  formatLocation,
  isUserError,
} from '../../src/core/errors.js';
import { annotationProperties } from '../../src/adapters/runner/action.js';

describe('formatLocation', () => {
  it.each([
    [undefined, ''],
    [{}, ''],
    [{ file: 'suite.yml' }, 'suite.yml: '],
    [{ file: 'suite.yml', line: 4 }, 'suite.yml:4: '],
    [{ file: 'suite.yml', line: 4, column: 9 }, 'suite.yml:4:9: '],
    // A column means nothing without its line.
    [{ file: 'suite.yml', column: 9 }, 'suite.yml: '],
    [{ file: 'data.csv', row: 12 }, 'data.csv, row 12: '],
    [{ file: 'metrics.json', key: 'eval.auc' }, 'metrics.json, key "eval.auc": '],
    [{ file: 'data.csv', line: 13, row: 12, key: 'age' }, 'data.csv:13, row 12, key "age": '],
    [{ row: 3 }, 'row 3: '],
    [{ key: 'metrics.accuracy.min' }, 'key "metrics.accuracy.min": '],
    [{ file: 'C:\\work\\data.csv', line: 1, column: 1 }, 'C:\\work\\data.csv:1:1: '],
  ])('%j -> %j', (location, expected) => {
    expect(formatLocation(location)).toBe(expected);
  });

  it('keeps line 0 and row 0 rather than dropping them as falsy', () => {
    expect(formatLocation({ file: 'a', line: 0, column: 0 })).toBe('a:0:0: ');
    expect(formatLocation({ row: 0 })).toBe('row 0: ');
  });
});

describe('UserError and its kinds', () => {
  it('prefixes the message with its location in `located`', () => {
    const error = new ConfigurationError('unknown expectation "expect_foo"', { file: 'suite.yml', line: 7, column: 5 });
    expect(error.message).toBe('unknown expectation "expect_foo"');
    expect(error.located).toBe('suite.yml:7:5: unknown expectation "expect_foo"');
    expect(error.location).toEqual({ file: 'suite.yml', line: 7, column: 5 });
  });

  it('has no prefix without a location', () => {
    expect(new InputError('Input required and not supplied: data').located).toBe(
      'Input required and not supplied: data',
    );
  });

  it('names each subclass after itself, for stack traces and logs', () => {
    expect(new InputError('x').name).toBe('InputError');
    expect(new ConfigurationError('x').name).toBe('ConfigurationError');
    expect(new EnvironmentError('x').name).toBe('EnvironmentError');
    expect(new NotImplementedError('deploy').name).toBe('NotImplementedError');
  });

  it('keeps the cause', () => {
    const cause = new Error('ENOENT');
    expect(new EnvironmentError('cannot read', undefined, { cause }).cause).toBe(cause);
  });

  it('says which action is not implemented', () => {
    expect(new NotImplementedError('deploy').message).toBe('deploy is not implemented yet.');
  });

  it('tells user errors from bugs', () => {
    for (const error of [
      new UserError('x'),
      new InputError('x'),
      new ConfigurationError('x'),
      new EnvironmentError('x'),
      new NotImplementedError('x'),
    ]) {
      expect(isUserError(error)).toBe(true);
      expect(error).toBeInstanceOf(Error);
    }
    for (const bug of [new Error('x'), new TypeError('x'), 'a string', undefined, { message: 'x', location: {} }]) {
      expect(isUserError(bug)).toBe(false);
    }
  });
});

describe('annotationProperties', () => {
  const workspace = '/home/runner/work/repo/repo';

  it('makes a path inside the workspace relative, with forward slashes', () => {
    expect(annotationProperties({ file: `${workspace}/data/train.csv`, line: 3, column: 2 }, workspace)).toEqual({
      file: 'data/train.csv',
      startLine: 3,
      startColumn: 2,
    });
  });

  it('keeps a relative path and a path outside the workspace as they are', () => {
    expect(annotationProperties({ file: 'suite.yml', line: 1 }, workspace)).toEqual({
      file: 'suite.yml',
      startLine: 1,
    });
    expect(annotationProperties({ file: '/tmp/other.csv' }, workspace)).toEqual({ file: '/tmp/other.csv' });
  });

  it('carries only the title when there is no file', () => {
    expect(annotationProperties({ row: 3 }, workspace, 'Data')).toEqual({ title: 'Data' });
    expect(annotationProperties(undefined, workspace)).toEqual({});
  });
});
