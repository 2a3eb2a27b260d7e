import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as core from '@actions/core';
import { InputError } from '../../src/core/errors.js';
import {
  boolean,
  directory,
  inputVariable,
  integer,
  list,
  number,
  oneOf,
  path,
  paths,
  readInputs,
  secret,
  splitList,
  text,
  type InputParser,
  type InputSource,
  type InputSpecs,
  type ParseContext,
} from '../../src/adapters/runner/inputs.js';
import { actionMeta } from '../../src/generated/action-meta.js';

const scratch = mkdtempSync(join(tmpdir(), 'mlops-inputs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function context(overrides: Partial<ParseContext> = {}): ParseContext & { masked: string[] } {
  const masked: string[] = [];
  return { label: 'Input "x"', workingDirectory: scratch, mask: (s) => masked.push(s), masked, ...overrides };
}

/** The parser's verdict as a comparable value: the result, or the error's class and message. */
function attempt<T>(parser: InputParser<T>, raw: string, ctx: ParseContext = context()): T | { error: string } {
  try {
    return parser.parse(raw, ctx);
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

describe('text and secret', () => {
  it('returns text unchanged', () => {
    expect(text().parse('python train.py --epochs 3', context())).toBe('python train.py --epochs 3');
  });

  it('masks a secret as soon as it is parsed', () => {
    const ctx = context();
    expect(secret().parse('ghp_abc123', ctx)).toBe('ghp_abc123');
    expect(ctx.masked).toEqual(['ghp_abc123']);
  });
});

describe('boolean', () => {
  afterEach(() => {
    delete process.env.INPUT_FLAG;
  });

  // Differential test: whatever @actions/core's getBooleanInput accepts, we accept with the same
  // value, and whatever it rejects, we reject.
  const candidates = ['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'tRUE', 'yes', 'no', 'on', 'off', '1', '0'];
  for (const raw of candidates) {
    it(`agrees with @actions/core getBooleanInput on "${raw}"`, () => {
      process.env.INPUT_FLAG = raw;
      let expected: boolean | 'rejected';
      try {
        expected = core.getBooleanInput('flag');
      } catch {
        expected = 'rejected';
      }
      const ours = attempt(boolean(), raw);
      if (expected === 'rejected')
        expect(ours).toEqual({ error: `InputError: Input "x" must be true or false, got "${raw}".` });
      else expect(ours).toBe(expected);
    });
  }

  it('names the input and the bad value', () => {
    expect(() => boolean().parse('yes', context({ label: '--open-issue' }))).toThrow(
      new InputError('--open-issue must be true or false, got "yes".'),
    );
  });
});

describe('integer', () => {
  it('parses whole numbers with an optional sign', () => {
    expect(integer().parse('42', context())).toBe(42);
    expect(integer().parse('-7', context())).toBe(-7);
    expect(integer().parse('+3', context())).toBe(3);
    expect(integer().parse('007', context())).toBe(7);
  });

  it.each(['ten', '1.5', '1e3', '0x10', '12abc', '- 1', 'Infinity'])('rejects "%s"', (raw) => {
    expect(attempt(integer(), raw)).toEqual({ error: `InputError: Input "x" must be a whole number, got "${raw}".` });
  });

  it('rejects a number too large to hold exactly', () => {
    expect(attempt(integer(), '99999999999999999999')).toEqual({
      error: 'InputError: Input "x" is too large a number, got "99999999999999999999".',
    });
    expect(integer().parse('9007199254740991', context())).toBe(9007199254740991);
  });

  it('enforces inclusive bounds', () => {
    const bounded = integer({ min: 1, max: 10 });
    expect(bounded.parse('1', context())).toBe(1);
    expect(bounded.parse('10', context())).toBe(10);
    expect(attempt(bounded, '0')).toEqual({ error: 'InputError: Input "x" must be at least 1, got 0.' });
    expect(attempt(bounded, '11')).toEqual({ error: 'InputError: Input "x" must be at most 10, got 11.' });
  });
});

describe('number', () => {
  it.each([
    ['0.3', 0.3],
    ['-2', -2],
    ['.5', 0.5],
    ['5.', 5],
    ['1e-3', 0.001],
    ['+2.5E2', 250],
  ])('parses "%s"', (raw, value) => {
    expect(number().parse(raw, context())).toBe(value);
  });

  it.each(['abc', '0x10', '0b1', 'Infinity', '-Infinity', 'NaN', '1e999', '1,5', '1_000', '.'])(
    'rejects "%s"',
    (raw) => {
      expect(attempt(number(), raw)).toEqual({ error: `InputError: Input "x" must be a number, got "${raw}".` });
    },
  );

  it('enforces inclusive bounds', () => {
    const share = number({ min: 0, max: 1 });
    expect(share.parse('0', context())).toBe(0);
    expect(share.parse('1', context())).toBe(1);
    expect(attempt(share, '1.01')).toEqual({ error: 'InputError: Input "x" must be at most 1, got 1.01.' });
    expect(attempt(share, '-0.1')).toEqual({ error: 'InputError: Input "x" must be at least 0, got -0.1.' });
  });
});

describe('oneOf', () => {
  const format = oneOf(['auto', 'csv', 'parquet']);

  it('accepts exactly the listed words and shows them as its kind', () => {
    expect(format.parse('csv', context())).toBe('csv');
    expect(format.kind).toBe('auto|csv|parquet');
  });

  it('is case-sensitive and lists the choices in the error', () => {
    expect(attempt(format, 'CSV')).toEqual({
      error: 'InputError: Input "x" must be one of "auto", "csv", "parquet", got "CSV".',
    });
  });
});

describe('list', () => {
  it('splits on newlines and commas, trims items and drops blanks', () => {
    expect(list().parse('a, b\nc,,\n\n  d  \r\ne', context())).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(splitList(' , \n ')).toEqual([]);
  });

  it('keeps a single item', () => {
    expect(list().parse('only', context())).toEqual(['only']);
  });
});

describe('path and paths', () => {
  it('resolves a relative path against the working directory', () => {
    expect(path().parse('data/train.csv', context({ workingDirectory: '/repo/project' }))).toBe(
      resolve('/repo/project', 'data/train.csv'),
    );
    expect(path().parse('../shared/suite.yml', context({ workingDirectory: '/repo/project' }))).toBe(
      resolve('/repo/shared/suite.yml'),
    );
  });

  it('keeps an absolute path and does not require it to exist', () => {
    expect(path().parse('/elsewhere/missing.csv', context())).toBe(resolve('/elsewhere/missing.csv'));
  });

  it('resolves every item of a list, globs included', () => {
    expect(paths().parse('a.csv, data/*.csv\n/abs/b.csv', context({ workingDirectory: '/wd' }))).toEqual([
      resolve('/wd/a.csv'),
      resolve('/wd/data/*.csv'),
      resolve('/abs/b.csv'),
    ]);
  });
});

describe('directory', () => {
  it('resolves an existing directory against the working directory', () => {
    mkdirSync(join(scratch, 'project'), { recursive: true });
    expect(directory().parse('project', context())).toBe(join(scratch, 'project'));
    expect(directory().parse(join(scratch, 'project'), context())).toBe(join(scratch, 'project'));
  });

  it('rejects a directory that does not exist, naming the input and the resolved path', () => {
    expect(attempt(directory(), 'nope', context({ label: 'Input "working-directory"' }))).toEqual({
      error: `InputError: Input "working-directory": directory "nope" does not exist (resolved to ${join(scratch, 'nope')}).`,
    });
  });

  it('rejects a file', () => {
    writeFileSync(join(scratch, 'file.txt'), 'x');
    expect(attempt(directory(), 'file.txt')).toEqual({
      error: 'InputError: Input "x": "file.txt" is not a directory.',
    });
  });
});

describe('inputVariable', () => {
  it('upper-cases, turns spaces into underscores and keeps hyphens, as the runner does', () => {
    expect(inputVariable('github-token')).toBe('INPUT_GITHUB-TOKEN');
    expect(inputVariable('my input')).toBe('INPUT_MY_INPUT');
  });
});

describe('readInputs', () => {
  type Specs = InputSpecs<'validate-data'>;

  /** Parsers that record the order in which readInputs asks for them. */
  function recordingSpecs(order: string[]): Specs {
    const record = <T>(name: string, parser: InputParser<T>): InputParser<T> => ({
      kind: parser.kind,
      parse(raw, ctx) {
        order.push(name);
        return parser.parse(raw, ctx);
      },
    });
    return {
      'working-directory': record('working-directory', directory()),
      'github-token': record('github-token', secret()),
      data: record('data', paths()),
      suite: record('suite', path()),
      format: record('format', oneOf(['auto', 'csv'])),
      report: record('report', path()),
      'fail-on': record('fail-on', oneOf(['error', 'never'])),
      'max-annotations': record('max-annotations', integer({ min: 0 })),
    };
  }

  function source(values: Record<string, string>): InputSource {
    return {
      get: (name) => values[name],
      label: (name) => `Input "${name}"`,
      missing: (name) => `Input required and not supplied: ${name}`,
    };
  }

  const base = { workspace: scratch, mask: () => {} };

  it('reads secrets first, then working-directory, then the rest in action.yml order', () => {
    mkdirSync(join(scratch, 'project'), { recursive: true });
    const order: string[] = [];
    readInputs(
      'validate-data',
      recordingSpecs(order),
      source({
        data: 'a.csv',
        suite: 's.yml',
        format: 'auto',
        report: 'r.json',
        'fail-on': 'error',
        'max-annotations': '10',
        'working-directory': 'project',
        'github-token': 't',
      }),
      base,
    );
    const declared = Object.keys(actionMeta['validate-data'].inputs);
    // action.yml declares both at the end; the order below is readInputs' doing.
    expect(declared.slice(-2)).toEqual(['working-directory', 'github-token']);
    expect(order).toEqual(['github-token', 'working-directory', ...declared.slice(0, -2)]);
  });

  it('resolves relative paths against working-directory, which resolves against the workspace', () => {
    mkdirSync(join(scratch, 'project'), { recursive: true });
    const inputs = readInputs(
      'validate-data',
      recordingSpecs([]),
      source({ data: 'a.csv,b.csv', suite: 'suite.yml', report: 'out/r.json', 'working-directory': 'project' }),
      base,
    );
    expect(inputs['working-directory']).toBe(join(scratch, 'project'));
    expect(inputs.data).toEqual([join(scratch, 'project', 'a.csv'), join(scratch, 'project', 'b.csv')]);
    expect(inputs.suite).toBe(join(scratch, 'project', 'suite.yml'));
    expect(inputs.report).toBe(join(scratch, 'project', 'out', 'r.json'));
  });

  it('uses the workspace when working-directory is not given', () => {
    const inputs = readInputs('validate-data', recordingSpecs([]), source({ data: 'a.csv', suite: 's.yml' }), base);
    // action.yml's default ".", resolved against the workspace: the type says it is always there.
    expect(inputs['working-directory']).toBe(scratch);
    expect(inputs.suite).toBe(join(scratch, 's.yml'));
  });

  it('trims values and treats blank as not supplied, so the action.yml default applies', () => {
    const inputs = readInputs(
      'validate-data',
      recordingSpecs([]),
      source({ data: '  a.csv \n', suite: ' s.yml ', 'max-annotations': '  3 ', format: '   ', 'fail-on': '' }),
      base,
    );
    expect(inputs['max-annotations']).toBe(3);
    // `with: {format: ''}` in a workflow: the parsed type promises a value, action.yml gives it.
    expect(inputs.format).toBe(actionMeta['validate-data'].inputs.format.default);
    expect(inputs['fail-on']).toBe(actionMeta['validate-data'].inputs['fail-on'].default);
    expect(inputs.report).toBe(join(scratch, actionMeta['validate-data'].inputs.report.default));
    // `${{ github.token }}` is the runner's to expand, not a literal: no token stays no token.
    expect(inputs['github-token']).toBeUndefined();
  });

  it('reports a missing required input with the source’s message', () => {
    expect(() => readInputs('validate-data', recordingSpecs([]), source({ data: 'a.csv' }), base)).toThrow(
      new InputError('Input required and not supplied: suite'),
    );
    expect(() => readInputs('validate-data', recordingSpecs([]), source({ data: ' ', suite: 's' }), base)).toThrow(
      new InputError('Input required and not supplied: data'),
    );
  });

  it('throws an InputError naming the first bad input', () => {
    const read = () =>
      readInputs(
        'validate-data',
        recordingSpecs([]),
        source({ data: 'a.csv', suite: 's.yml', 'max-annotations': 'ten' }),
        base,
      );
    expect(read).toThrow(InputError);
    expect(read).toThrow('Input "max-annotations" must be a whole number, got "ten".');
  });

  it('masks a secret even when another input is missing or bad', () => {
    const masked: string[] = [];
    const mask = (s: string) => masked.push(s);
    expect(() =>
      readInputs('validate-data', recordingSpecs([]), source({ 'github-token': 'ghs_early' }), {
        workspace: scratch,
        mask,
      }),
    ).toThrow('Input required and not supplied: data');
    expect(() =>
      readInputs(
        'validate-data',
        recordingSpecs([]),
        source({ 'github-token': 'ghs_early2', 'working-directory': 'does-not-exist' }),
        { workspace: scratch, mask },
      ),
    ).toThrow('does not exist');
    expect(masked).toEqual(['ghs_early', 'ghs_early2']);
  });

  it('masks secrets through the base mask', () => {
    const masked: string[] = [];
    readInputs(
      'validate-data',
      recordingSpecs([]),
      source({ data: 'a.csv', suite: 's.yml', 'github-token': 'ghs_secret' }),
      { workspace: scratch, mask: (s) => masked.push(s) },
    );
    expect(masked).toEqual(['ghs_secret']);
  });

  it('treats a missing parser as a bug, not a user error', () => {
    const specs = recordingSpecs([]) as Partial<Specs>;
    delete specs.format;
    let thrown: unknown;
    try {
      readInputs('validate-data', specs as Specs, source({ data: 'a.csv', suite: 's.yml' }), base);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).not.toBeInstanceOf(InputError);
    expect((thrown as Error).message).toBe('No parser declared for input "format" of validate-data.');
  });
});
