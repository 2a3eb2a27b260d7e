/**
 * Suite parsing: GE 1.x and 0.x documents, JSON and YAML, and a message naming the file, line,
 * expectation index and key for every mistake.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/errors.js';
import { runSuite } from '../../src/core/validation/engine.js';
import { parseSuite, SUPPORTED_EXPECTATIONS } from '../../src/core/validation/suite.js';
import { repoRoot } from '../support/runner.js';

function failure(text: string, file = 'suite.yml'): ConfigurationError {
  try {
    parseSuite(text, file);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

const yamlSuite = (body: string) => `name: demo\nexpectations:\n${body}`;

describe('reading suites', () => {
  it('reads a GE 1.x JSON suite', () => {
    const suite = parseSuite(
      JSON.stringify({
        name: 'orders',
        id: 'abc',
        meta: { great_expectations_version: '1.3.0' },
        notes: null,
        expectations: [
          {
            type: 'expect_column_values_to_not_be_null',
            kwargs: { column: 'id' },
            meta: { owner: 'data' },
            id: 'e1',
            severity: 'critical',
          },
          {
            type: 'expect_table_row_count_to_be_between',
            kwargs: { min_value: 1 },
            rendered_content: [],
            description: 'not empty',
          },
        ],
      }),
      'orders.json',
    );
    expect(suite).toMatchObject({ name: 'orders', format: '1.x', meta: { great_expectations_version: '1.3.0' } });
    expect(suite.expectations.map((e) => [e.index, e.type, e.kwargs])).toEqual([
      [0, 'expect_column_values_to_not_be_null', { column: 'id' }],
      [1, 'expect_table_row_count_to_be_between', { min_value: 1 }],
    ]);
    expect(suite.expectations[0]).toMatchObject({ meta: { owner: 'data' }, extra: { id: 'e1', severity: 'critical' } });
    expect(suite.expectations[1]!.extra).toEqual({ description: 'not empty' });
  });

  it('reads a GE 0.x JSON suite as GE 0.x wrote it', () => {
    const suite = parseSuite(
      readFileSync(join(repoRoot, 'test/fixtures/suites/penguins-ge0.json'), 'utf8'),
      'penguins-ge0.json',
    );
    expect(suite.format).toBe('0.x');
    expect(suite.name).toBe('penguins-reference');
    expect(suite.expectations).toHaveLength(65);
  });

  it('reads the same suites written in YAML, with positions', () => {
    const suite = parseSuite(
      [
        '# yaml-language-server: $schema=../schemas/expectation-suite.schema.json',
        'expectation_suite_name: legacy',
        'expectations:',
        '  - expectation_type: expect_column_values_to_be_in_set',
        '    kwargs:',
        '      column: species',
        '      value_set: [Adelie, Gentoo]',
        '  - expectation_type: expect_column_mean_to_be_between',
        '    kwargs: {column: mass, min_value: 3000, max_value: 5000}',
      ].join('\n'),
      'legacy.yaml',
    );
    expect(suite).toMatchObject({ name: 'legacy', format: '0.x' });
    expect(suite.expectations[1]!.location).toEqual({
      file: 'legacy.yaml',
      line: 8,
      column: 5,
      key: 'expectations[1]',
    });
  });

  it('names a suite without a name after its file', () => {
    expect(parseSuite('expectations: []', 'checks/orders.suite.yml').name).toBe('orders.suite');
  });

  it('knows exactly the expectations the engine evaluates', async () => {
    const kwargsFor = (type: string): Record<string, unknown> => {
      if (type.includes('pair_values')) return { column_A: 'x', column_B: 'x' };
      if (type === 'expect_compound_columns_to_be_unique') return { column_list: ['x'] };
      if (type === 'expect_table_columns_to_match_ordered_list') return { column_list: ['x'] };
      if (type === 'expect_table_columns_to_match_set') return { column_set: ['x'] };
      if (type.startsWith('expect_table_') && type.endsWith('_to_equal')) return { value: 1 };
      if (type.endsWith('_to_equal')) return { column: 'x', value: 1 };
      if (type.includes('set')) return { column: 'x', value_set: [1] };
      if (type.includes('regex_list')) return { column: 'x', regex_list: ['a'] };
      if (type.includes('regex')) return { column: 'x', regex: 'a' };
      if (type.endsWith('of_type')) return { column: 'x', type_: 'int' };
      if (type.endsWith('type_list')) return { column: 'x', type_list: ['int'] };
      if (type.includes('strftime')) return { column: 'x', strftime_format: '%Y' };
      if (type.includes('quantile'))
        return { column: 'x', quantile_ranges: { quantiles: [0.5], value_ranges: [[0, 1]] } };
      if (type.includes('z_scores')) return { column: 'x', threshold: 3 };
      if (type.startsWith('expect_table_')) return { min_value: 0 };
      if (type.includes('between')) return { column: 'x', min_value: 0 };
      return { column: 'x' };
    };
    expect(SUPPORTED_EXPECTATIONS).toHaveLength(41);
    const suite = parseSuite(
      JSON.stringify({ expectations: SUPPORTED_EXPECTATIONS.map((type) => ({ type, kwargs: kwargsFor(type) })) }),
      'all.json',
    );
    const dataset = { files: ['d.csv'], columns: ['x'], async *batches() {} };
    const run = await runSuite(dataset, suite);
    expect(run.outcomes.filter((outcome) => outcome.exception !== undefined)).toEqual([]);
  });
});

describe('mistakes name the file, line, index and key', () => {
  it('an unknown expectation, with a suggestion', () => {
    const error = failure(yamlSuite('  - type: expect_column_values_to_not_be_nul\n    kwargs: {column: a}\n'));
    expect(error.located).toBe(
      'suite.yml:3:11, key "expectations[0].type": expectations[0]: unknown expectation "expect_column_values_to_not_be_nul" (did you mean "expect_column_values_to_not_be_null"?); see docs/validate-data.md for the supported ones.',
    );
  });

  it('an unknown kwarg, with a suggestion and the allowed ones', () => {
    const error = failure(
      yamlSuite(
        [
          '  - type: expect_column_values_to_not_be_null',
          '    kwargs: {column: a}',
          '  - type: expect_column_values_to_be_between',
          '    kwargs:',
          '      column: age',
          '      min_value: 0',
          '      max_vale: 120',
          '',
        ].join('\n'),
      ),
    );
    expect(error.location).toEqual({ file: 'suite.yml', line: 9, column: 7, key: 'expectations[1].kwargs.max_vale' });
    expect(error.message).toMatch(
      /^expectations\[1\] \(expect_column_values_to_be_between\): unknown kwarg "max_vale" \(did you mean "max_value"\?\); allowed: column, mostly, min_value, max_value, strict_min, strict_max,/,
    );
  });

  it('a kwarg of the wrong type', () => {
    const error = failure(
      yamlSuite('  - type: expect_column_values_to_be_between\n    kwargs: {column: a, min_value: 1, mostly: high}\n'),
    );
    expect(error.located).toBe(
      'suite.yml:4:47, key "expectations[0].kwargs.mostly": expectations[0] (expect_column_values_to_be_between): kwargs.mostly must be number.',
    );
  });

  it('a kwarg that fits none of its accepted forms names every form', () => {
    const error = failure(
      yamlSuite(
        '  - type: expect_column_quantile_values_to_be_between\n    kwargs:\n      column: a\n      quantile_ranges: {quantiles: [0.5], value_ranges: [[0, 1]]}\n      allow_relative_error: 0.01\n',
      ),
    );
    expect(error.message).toBe(
      'expectations[0] (expect_column_quantile_values_to_be_between): kwargs.allow_relative_error must be boolean or one of "linear", "lower", "higher", "midpoint", "nearest".',
    );
  });

  it('a mostly out of range, and a missing required kwarg', () => {
    expect(
      failure(yamlSuite('  - type: expect_column_values_to_be_unique\n    kwargs: {column: a, mostly: 1.5}\n')).message,
    ).toBe('expectations[0] (expect_column_values_to_be_unique): kwargs.mostly must be at most 1.');
    const missing = failure(yamlSuite('  - type: expect_column_values_to_be_in_set\n    kwargs: {column: a}\n'));
    expect(missing.located).toBe(
      'suite.yml:4:13, key "expectations[0].kwargs": expectations[0] (expect_column_values_to_be_in_set): missing required kwarg "value_set".',
    );
  });

  it('an entry that has neither type nor expectation_type, or an unknown key', () => {
    expect(failure(yamlSuite('  - kwargs: {column: a}\n')).message).toBe(
      'expectations[0] needs exactly one of "type" (GE 1.x) or "expectation_type" (GE 0.x).',
    );
    const extra = failure(yamlSuite('  - type: expect_column_values_to_be_unique\n    kwarg: {column: a}\n'));
    expect(extra.located).toBe(
      'suite.yml:4:5, key "expectations[0].kwarg": expectations[0] (expect_column_values_to_be_unique): unknown key "kwarg"; an expectation has type (or expectation_type), kwargs and meta.',
    );
  });

  it('an unknown top-level key, and a document that is not a suite', () => {
    expect(failure('name: x\nexpectation: []\n').located).toBe(
      'suite.yml:2:1, key "expectation": the suite has an unknown top-level key "expectation" (did you mean "expectations"?); expected name, expectations and meta.',
    );
    expect(failure('- a\n- b\n').message).toBe(
      'a suite must be a mapping with an "expectations" list ({name, expectations: [...]}).',
    );
    expect(failure('name: x\n').message).toBe('the suite: missing required key "expectations".');
    expect(failure('  \n').located).toBe('suite.yml: the suite file is empty; expected {name, expectations: [...]}.');
  });

  it('a YAML syntax error, with its line', () => {
    const error = failure(
      'name: demo\nexpectations:\n  - type: expect_column_values_to_be_unique\n    kwargs: {column: a\n  - type: x\n',
    );
    expect(error.location).toMatchObject({ file: 'suite.yml', line: 5 });
    expect(error.located).toMatch(/^suite\.yml:5:\d+: invalid YAML: /);
    const tab = failure('name: demo\nexpectations:\n\t- type: x\n');
    expect(tab.located).toMatch(/^suite\.yml:3:1: invalid YAML: /);
  });

  it('a JSON syntax error, with its line and column', () => {
    const error = failure('{\n  "name": "x",\n  "expectations": [,]\n}\n', 'suite.json');
    expect(error.location).toEqual({ file: 'suite.json', line: 3, column: 20 });
    expect(error.message).toMatch(/^invalid JSON: /);
  });

  it('suite parameters, row conditions', () => {
    expect(
      failure(
        yamlSuite(
          '  - type: expect_column_values_to_be_in_set\n    kwargs: {column: a, value_set: {$PARAMETER: allowed}}\n',
        ),
      ).located,
    ).toBe(
      'suite.yml:4:36, key "expectations[0].kwargs.value_set": expectations[0]: suite parameters ({"$PARAMETER": ...}) are not supported; write the value itself.',
    );
    expect(
      failure(
        yamlSuite(
          '  - type: expect_column_values_to_not_be_null\n    kwargs: {column: a, row_condition: "b>1", condition_parser: pandas}\n',
        ),
      ).located,
    ).toBe(
      'suite.yml:4:25, key "expectations[0].kwargs.row_condition": expectations[0] (expect_column_values_to_not_be_null): "row_condition" is not supported by mlops; split the data or drop the condition.',
    );
  });

  it('bounds in the wrong order, or missing where GE requires one', () => {
    expect(
      failure(
        yamlSuite('  - type: expect_column_mean_to_be_between\n    kwargs: {column: a, min_value: 5, max_value: 1}\n'),
      ).located,
    ).toBe(
      'suite.yml:4:36, key "expectations[0].kwargs.min_value": expectations[0] (expect_column_mean_to_be_between): min_value 5 is greater than max_value 1.',
    );
    expect(failure(yamlSuite('  - type: expect_column_values_to_be_between\n    kwargs: {column: a}\n')).message).toBe(
      'expectations[0] (expect_column_values_to_be_between): min_value and max_value cannot both be null.',
    );
    expect(
      failure(
        yamlSuite(
          '  - type: expect_column_values_to_be_between\n    kwargs: {column: a, min_value: "a", max_value: 3}\n',
        ),
      ).message,
    ).toBe('expectations[0] (expect_column_values_to_be_between): min_value and max_value must be of the same type.');
  });

  it('a regex JavaScript cannot run, or that does not compile', () => {
    expect(
      failure(yamlSuite('  - type: expect_column_values_to_match_regex\n    kwargs: {column: a, regex: "(?i:abc)"}\n'))
        .message,
    ).toBe(
      'expectations[0] (expect_column_values_to_match_regex): invalid regex "(?i:abc)": inline flags are only supported at the start of the pattern, as in (?i)abc.',
    );
    const list = failure(
      yamlSuite(
        '  - type: expect_column_values_to_match_regex_list\n    kwargs: {column: a, regex_list: ["ok", "(unclosed"]}\n',
      ),
    );
    expect(list.location?.key).toBe('expectations[0].kwargs.regex_list[1]');
    expect(list.message).toMatch(
      /^expectations\[0\] \(expect_column_values_to_match_regex_list\): invalid regex "\(unclosed": /,
    );
  });

  it('a strftime format Python refuses', () => {
    expect(
      failure(
        yamlSuite(
          '  - type: expect_column_values_to_match_strftime_format\n    kwargs: {column: a, strftime_format: "%Y-%Q"}\n',
        ),
      ).message,
    ).toBe(
      "expectations[0] (expect_column_values_to_match_strftime_format): unusable strftime_format: 'Q' is a bad directive in format '%Y-%Q'.",
    );
  });

  it('quantiles without a range each, or a range upside down', () => {
    expect(
      failure(
        yamlSuite(
          '  - type: expect_column_quantile_values_to_be_between\n    kwargs: {column: a, quantile_ranges: {quantiles: [0.1, 0.9], value_ranges: [[0, 1]]}}\n',
        ),
      ).message,
    ).toBe(
      'expectations[0] (expect_column_quantile_values_to_be_between): quantile_ranges has 2 quantiles but 1 value_ranges; they go in pairs.',
    );
    const upsideDown = failure(
      yamlSuite(
        '  - type: expect_column_quantile_values_to_be_between\n    kwargs: {column: a, quantile_ranges: {quantiles: [0.5], value_ranges: [[3, 1]]}}\n',
      ),
    );
    expect(upsideDown.location?.key).toBe('expectations[0].kwargs.quantile_ranges.value_ranges[0]');
  });
});

/** A YAML "billion laughs": each anchor holds nine aliases of the previous one (9^7 strings). */
const ALIAS_BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...['b', 'c', 'd', 'e', 'f', 'g'].map(
    (name, index) => `${name}: &${name} [${Array(9).fill(`*${'abcdefg'[index]}`).join(',')}]`,
  ),
].join('\n');

describe('suites that would exhaust the parser', () => {
  it('refuses a YAML alias bomb with the line of the alias where it explodes', () => {
    const error = failure(ALIAS_BOMB, 'bomb.yml');
    expect(error.located).toMatch(/^bomb\.yml:5:8: the YAML aliases expand too much \(alias \*d /);
  });

  it('refuses a 100,000-deep JSON suite, naming the line, column and key path', () => {
    const deep = `{"name": "s", "expectations": [], "meta": ${'{"a": '.repeat(100_000)}1${'}'.repeat(100_000)}}`;
    const error = failure(deep, 'deep.json');
    // meta plus 63 levels of "a" are allowed; the 65th object opens at column 42 + 63 * 6.
    expect(error.located).toBe(
      `deep.json:1:${42 + 63 * 6 + 1}, key "meta${'.a'.repeat(63)}": nested more than 64 levels deep; mlops reads documents up to 64 levels of objects and lists.`,
    );
  });

  it('refuses deep YAML flow nesting, and reads 64 levels', () => {
    const deep = (levels: number) =>
      `name: s\nexpectations: []\nmeta: {x: ${'['.repeat(levels - 1)}1${']'.repeat(levels - 1)}}\n`;
    expect(failure(deep(100_000)).located).toMatch(/^suite\.yml:3:\d+, key "meta\.x(\[0\]){62}": nested more than 64/);
    expect(parseSuite(deep(63), 'suite.yml').meta).toHaveProperty('x');
  });
});
