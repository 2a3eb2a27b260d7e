/**
 * The composite runner's expression evaluator against GitHub's documented rules (operator
 * precedence, loose equality, truthiness, the functions, the implicit success() of an `if:`), and
 * its step loop on small composite actions run with real bash.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  evaluateCondition,
  evaluateExpression,
  interpolate,
  looseEquals,
  runComposite,
  type ExpressionScope,
} from '../support/composite-runner.js';

const scope = (failed = false): ExpressionScope => ({
  contexts: {
    inputs: { 'register-when': 'default-branch', suite: '', count: '3', flag: 'false' },
    github: { event_name: 'push', ref: 'refs/heads/main', event: { repository: { default_branch: 'main' } } },
    steps: { gate: { outputs: { passed: 'true', 'run-record': '/tmp/run.json' }, outcome: 'success' } },
    env: {},
    runner: { os: 'Linux' },
  },
  failed,
});
const value = (expression: string, failed = false) => evaluateExpression(expression, scope(failed));

describe('expressions', () => {
  it('reads contexts with hyphenated names, case-insensitively, and gives null for what is missing', () => {
    expect(value('steps.gate.outputs.run-record')).toBe('/tmp/run.json');
    expect(value("steps.GATE.outputs['Run-Record']")).toBe('/tmp/run.json');
    expect(value('github.event.repository.default_branch')).toBe('main');
    expect(value('steps.train.outputs.version')).toBeNull();
    expect(value('github.event.pull_request.number')).toBeNull();
  });

  it('literals: strings with doubled quotes, numbers (hex, exponent, negative), booleans, null', () => {
    expect(value("'it''s'")).toBe("it's");
    expect(value('0xff')).toBe(255);
    expect(value('-0o17')).toBe(-15);
    expect(value('-2.5e1')).toBe(-25);
    expect(value('true')).toBe(true);
    expect(value('null')).toBeNull();
  });

  it('== and != are loose: numbers across types, strings ignoring case, null as 0', () => {
    expect(value("'ABC' == 'abc'")).toBe(true);
    expect(value('inputs.count == 3')).toBe(true); // '3' coerced to 3
    expect(value("'' == 0")).toBe(true);
    expect(value('null == 0')).toBe(true);
    expect(value("null == ''")).toBe(true); // both coerce to 0
    expect(value('true == 1')).toBe(true);
    expect(value("'true' == true")).toBe(false); // 'true' is NaN as a number
    expect(value("'0xff' == 255")).toBe(false); // a string coerces as a JSON number only
    expect(value("' 1.5e1 ' == 15")).toBe(true);
    expect(value("'-0o7' == -7")).toBe(false);
    expect(value("'abc' != 'ABC'")).toBe(false);
    expect(value('NaN == NaN')).toBe(false);
    expect(looseEquals({ a: 1 }, { a: 1 })).toBe(false); // objects: the same instance only
  });

  it('comparisons: strings ignoring case, otherwise numbers', () => {
    expect(value("'a' < 'B'")).toBe(true);
    expect(value('inputs.count >= 3')).toBe(true);
    expect(value("'x' < 1")).toBe(false); // NaN
  });

  it('&& and || return the deciding operand and short-circuit', () => {
    expect(value("inputs.suite || 'none'")).toBe('none');
    expect(value("inputs.count && 'yes' || 'no'")).toBe('yes');
    expect(value("inputs.suite && fromJSON('{')")).toBe(''); // the right side is never evaluated
    expect(value("inputs.flag && 'set'")).toBe('set'); // the string 'false' is truthy
  });

  it('precedence: ! binds tighter than ==, == tighter than &&, && tighter than ||', () => {
    expect(value('!inputs.suite == true')).toBe(true); // (!'') == true
    expect(value('true || false && false')).toBe(true); // true || (false && false)
    expect(value('(true || false) && false')).toBe(false);
    expect(value('1 == 1 && 2 == 3')).toBe(false);
    expect(value("'a' == 'b' || 'c' == 'C'")).toBe(true);
    expect(value('!false && !0')).toBe(true);
  });

  it('functions: contains, startsWith, endsWith, format, join, toJSON, fromJSON', () => {
    expect(value("contains('Hello world', 'WORLD')")).toBe(true);
    expect(value('contains(fromJSON(\'["push", "schedule"]\'), github.event_name)')).toBe(true);
    expect(value("startsWith(github.ref, 'REFS/heads/')")).toBe(true);
    expect(value("endsWith(github.ref, '/main')")).toBe(true);
    expect(value("format('refs/heads/{0}', github.event.repository.default_branch) == github.ref")).toBe(true);
    expect(value("format('{{{0}}} {1}', 'a', 2)")).toBe('{a} 2');
    expect(value("join(fromJSON('[1, 2]'), '+')")).toBe('1+2');
    expect(value('toJSON(fromJSON(\'{"a": [1]}\'))')).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(value("fromJSON('0.5') == 0.5")).toBe(true);
  });

  it('refuses what it does not implement instead of guessing', () => {
    expect(() => value('secrets.TOKEN')).toThrow(/context "secrets" is not available/);
    expect(() => value("hashFiles('**/x')")).toThrow(/hashFiles\(\) is not implemented/);
    expect(() => value('github.event.commits.*.id')).toThrow(/object filter \*/);
    expect(() => value("'unterminated")).toThrow(/unterminated string/);
    expect(() => value('a ==')).toThrow(/unexpected end/);
    expect(() => value('true false')).toThrow(/unexpected text/);
    expect(() => value("format('{1}', 'a')")).toThrow(/no argument \{1\}/);
  });

  it('interpolates every ${{ }} of a string as text, with }} inside a string literal kept', () => {
    expect(interpolate('ref=${{ github.ref }} n=${{ inputs.count }}', scope())).toBe('ref=refs/heads/main n=3');
    expect(interpolate("${{ format('{0}}}', 'x') }}", scope())).toBe('x}');
    expect(interpolate('${{ steps.none.outputs.x }}', scope())).toBe('');
    expect(interpolate('${{ true }}', scope())).toBe('true');
  });
});

describe('if: conditions', () => {
  it('absent means success(): runs until a step failed', () => {
    expect(evaluateCondition(undefined, scope(false))).toBe(true);
    expect(evaluateCondition(undefined, scope(true))).toBe(false);
  });

  it('without a status function it means success() && (condition), with or without ${{ }}', () => {
    expect(evaluateCondition("steps.gate.outputs.passed == 'true'", scope(false))).toBe(true);
    expect(evaluateCondition("${{ steps.gate.outputs.passed == 'true' }}", scope(false))).toBe(true);
    expect(evaluateCondition("steps.gate.outputs.passed == 'true'", scope(true))).toBe(false);
    // The implicit success() wraps the whole condition: an || cannot escape it.
    expect(evaluateCondition("false || steps.gate.outputs.passed == 'true'", scope(true))).toBe(false);
  });

  it('with a status function anywhere the condition stands as written', () => {
    expect(evaluateCondition('always()', scope(true))).toBe(true);
    expect(evaluateCondition('failure()', scope(true))).toBe(true);
    expect(evaluateCondition('failure()', scope(false))).toBe(false);
    expect(evaluateCondition("failure() && inputs.suite == ''", scope(true))).toBe(true);
    expect(evaluateCondition("!cancelled() && steps.gate.outcome == 'success'", scope(true))).toBe(true);
    expect(evaluateCondition('success() || always()', scope(true))).toBe(true);
  });

  it('refuses text mixed with ${{ }}', () => {
    expect(() => evaluateCondition("x ${{ 'y' }}", scope())).toThrow(/mixing text/);
  });
});

describe('runComposite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-composite-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function action(name: string, yaml: string): string {
    const file = join(dir, `${name}.yml`);
    writeFileSync(file, yaml);
    return file;
  }

  it('skips later steps after a failure, runs failure() and always() steps, and records outcomes', async () => {
    const file = action(
      'fail',
      `name: t
description: t
inputs:
  word: { description: w, default: hello }
outputs:
  said: { description: s, value: '\${{ steps.first.outputs.said }}' }
  second: { description: s, value: '\${{ steps.second.outcome }}' }
runs:
  using: composite
  steps:
    - id: first
      shell: bash
      env: { WORD: '\${{ inputs.word }}' }
      run: echo "said=$WORD" >> "$GITHUB_OUTPUT"; echo "::error file=x.csv,line=3::bad row"; exit 3
    - id: second
      shell: bash
      run: echo never
    - id: on-failure
      if: failure() && steps.first.outcome == 'failure'
      shell: bash
      run: echo "ran=yes" >> "$GITHUB_OUTPUT"
    - id: on-success
      if: success()
      shell: bash
      run: echo never
    - id: finally
      if: always()
      shell: bash
      env: { SECOND: '\${{ steps.second.outcome }}' }
      run: echo "second=$SECOND" >> "$GITHUB_OUTPUT"
`,
    );
    const result = await runComposite(file, { workspace: dir });
    expect(result.conclusion).toBe('failure');
    expect(result.steps.map((s) => [s.id, s.outcome])).toEqual([
      ['first', 'failure'],
      ['second', 'skipped'],
      ['on-failure', 'success'],
      ['on-success', 'skipped'],
      ['finally', 'success'],
    ]);
    expect(result.steps[0]!.exitCode).toBe(3);
    expect(result.steps[2]!.outputs).toEqual({ ran: 'yes' });
    expect(result.steps[4]!.outputs).toEqual({ second: 'skipped' });
    expect(result.outputs).toEqual({ said: 'hello', second: 'skipped' });
    expect(result.annotations).toEqual([
      { level: 'error', message: 'bad row', properties: { file: 'x.csv', line: '3' } },
    ]);
  });

  it('applies GITHUB_ENV and GITHUB_PATH to later steps, gives each step fresh files and GITHUB_ACTION_PATH', async () => {
    const file = action(
      'env',
      `name: t
description: t
inputs:
  name: { description: n }
runs:
  using: composite
  steps:
    - id: a
      shell: bash
      run: |
        echo "GREETING=hi" >> "$GITHUB_ENV"
        mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\\necho tool-ran\\n' > "$RUNNER_TEMP/bin/mytool" && chmod +x "$RUNNER_TEMP/bin/mytool"
        echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
        echo "a=1" >> "$GITHUB_OUTPUT"
    - id: b
      shell: bash
      env: { FROM_ENV: '\${{ env.GREETING }}', NAME: '\${{ inputs.name }}' }
      run: |
        echo "greeting=$GREETING ctx=$FROM_ENV name=$NAME tool=$(mytool) lines=$(wc -l < "$GITHUB_OUTPUT") here=$GITHUB_ACTION_PATH" >> "$GITHUB_OUTPUT"
`,
    );
    const result = await runComposite(file, { workspace: dir, inputs: { name: 'x y' } });
    expect(result.conclusion, result.steps.map((s) => s.stderr).join('')).toBe('success');
    expect(result.steps[1]!.outputs).toEqual({
      greeting: `hi ctx=hi name=x y tool=tool-ran lines=0 here=${dir}`,
    });
  });

  it('evaluates working-directory, and a continue-on-error failure counts as success for later steps', async () => {
    mkdirSync(join(dir, 'sub'), { recursive: true });
    const file = action(
      'wd',
      `name: t
description: t
inputs:
  dir: { description: d, default: sub }
runs:
  using: composite
  steps:
    - id: where
      shell: bash
      working-directory: '\${{ inputs.dir }}'
      run: echo "pwd=$PWD" >> "$GITHUB_OUTPUT"
    - id: soft
      shell: bash
      continue-on-error: true
      run: exit 1
    - id: after
      shell: bash
      env: { SOFT: '\${{ steps.soft.outcome }}/\${{ steps.soft.conclusion }}' }
      run: echo "soft=$SOFT" >> "$GITHUB_OUTPUT"
    - id: on-failure
      if: failure()
      shell: bash
      run: echo never
`,
    );
    const result = await runComposite(file, { workspace: dir });
    expect(result.conclusion).toBe('success');
    expect(result.steps[0]!.outputs).toEqual({ pwd: join(dir, 'sub') });
    expect(result.steps[2]!.outputs).toEqual({ soft: 'failure/success' });
    expect(result.steps[3]!.outcome).toBe('skipped');
  });

  it('refuses steps and inputs it does not implement', async () => {
    const uses = action(
      'uses',
      'name: t\ndescription: t\nruns:\n  using: composite\n  steps:\n    - uses: actions/checkout@v4\n',
    );
    await expect(runComposite(uses, { workspace: dir })).rejects.toThrow(/"uses" is not implemented/);
    const interpolated = action(
      'interp',
      "name: t\ndescription: t\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: echo '${{ github.ref }}'\n",
    );
    await expect(runComposite(interpolated, { workspace: dir })).rejects.toThrow(/inside a run: script/);
    const plain = action('plain', 'name: t\ndescription: t\nruns:\n  using: composite\n  steps: []\n');
    await expect(runComposite(plain, { workspace: dir, inputs: { nope: '1' } })).rejects.toThrow(/no input "nope"/);
  });
});
