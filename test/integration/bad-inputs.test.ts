// Bad input through the built `mlops` command (issue #8, items 14, 15 and 17): each case is one
// error line naming the file and the line, row or key, exit 2, no stack trace, and nothing
// written (no report, no registry branch).
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRepo, gitIn, makeTempDir } from '../support/git.js';
import { runCliBundle } from '../support/runner.js';

const tmp = makeTempDir('mlops-bad-inputs-');
afterAll(() => tmp.cleanup());

const TIMEOUT = 120_000;

/** A YAML "billion laughs": each anchor is ten aliases of the one before (10^7 strings). */
const ALIAS_BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...['b', 'c', 'd', 'e', 'f', 'g'].map(
    (name, index) => `${name}: &${name} [${Array(10).fill(`*${'abcdef'[index]}`)}]`,
  ),
].join('\n');

const deepObject = (key: string, levels: number) => `${`{"${key}": `.repeat(levels)}1${'}'.repeat(levels)}`;

let count = 0;
/** A fresh git repository with `files`, so that every case starts from nothing written. */
function project(files: Record<string, string | Buffer> = {}): string {
  const dir = createRepo(tmp.path, `case-${++count}`);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/**
 * Runs mlops; expects exit 2 and exactly one error line on stderr (after any progress lines, as
 * register prints), with no stack trace; returns that line.
 */
async function failsWithOneLine(cwd: string, ...args: string[]): Promise<string> {
  const result = await runCliBundle(args, { cwd });
  expect(result.code, result.stderr).toBe(2);
  const errors = result.stderr.split('\n').filter((line) => line.startsWith('mlops: '));
  expect(errors, result.stderr).toHaveLength(1);
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  return errors[0]!;
}

function registryBranchExists(cwd: string): boolean {
  return gitIn(cwd, 'branch', '--list', 'mlops-registry') !== '';
}

const suite = JSON.stringify({
  name: 's',
  expectations: [{ type: 'expect_column_to_exist', kwargs: { column: 'x' } }],
});
const data = 'x,y\n1,2\n';

describe('YAML alias bombs (item 14)', () => {
  it(
    'as the suite, the gates, the metrics and the register metrics: one line with the file and line',
    async () => {
      const cwd = project({
        'bomb.yml': ALIAS_BOMB,
        'data.csv': data,
        'gates.yml': 'metrics: {acc: {min: 0.5}}\n',
        'metrics.json': '{"acc": 0.9}\n',
        'model.bin': 'weights',
      });
      // a: 10 strings, b: 11 uses of a (the anchor counts) x 1, c: 11 x 11, d: the first *c passes 1000.
      const located = /^mlops: error: bomb\.yml:4:\d+: the YAML aliases expand too much \(alias \*c /;
      expect(await failsWithOneLine(cwd, 'validate-data', '--data', 'data.csv', '--suite', 'bomb.yml')).toMatch(
        located,
      );
      const gate = ['evaluate-gate', '--baseline', 'none', '--comment', 'false'];
      expect(await failsWithOneLine(cwd, ...gate, '--metrics', 'metrics.json', '--gates', 'bomb.yml')).toMatch(located);
      expect(await failsWithOneLine(cwd, ...gate, '--metrics', 'bomb.yml', '--gates', 'gates.yml')).toMatch(located);
      expect(
        await failsWithOneLine(cwd, 'register', '--model', 'm', '--path', 'model.bin', '--metrics', 'bomb.yml'),
      ).toMatch(/^mlops: error: .*bomb\.yml:4:\d+: the YAML aliases expand too much/);
      expect(existsSync(join(cwd, 'mlops-reports'))).toBe(false);
      expect(registryBranchExists(cwd)).toBe(false);
    },
    TIMEOUT,
  );
});

describe('documents nested 100,000 deep (items 14 and 15)', () => {
  it(
    'a run record with deep params and a JSON suite: the file, line and key path, nothing recorded',
    async () => {
      const record = `{"id": "r1", "startedAt": "2024-05-01T10:00:00Z", "metrics": {"acc": 0.9}, "params": ${deepObject('p', 100_000)}}`;
      const deepSuite = `{"name": "s", "expectations": [], "meta": ${deepObject('m', 100_000)}}`;
      const cwd = project({ 'run.json': record, 'suite.json': deepSuite, 'data.csv': data });
      const tooDeep = 'nested more than 64 levels deep; mlops reads documents up to 64 levels of objects and lists.';
      expect(await failsWithOneLine(cwd, 'runs', 'record', '--run-record', 'run.json')).toMatch(
        new RegExp(`^mlops: error: .*run\\.json:1:\\d+, key "params(\\.p){63}": ${tooDeep.replace(/\./g, '\\.')}$`),
      );
      expect(registryBranchExists(cwd)).toBe(false);
      expect(await failsWithOneLine(cwd, 'validate-data', '--data', 'data.csv', '--suite', 'suite.json')).toMatch(
        new RegExp(`^mlops: error: suite\\.json:1:\\d+, key "meta(\\.m){63}": nested more than 64 levels deep`),
      );
      expect(existsSync(join(cwd, 'mlops-reports'))).toBe(false);
    },
    TIMEOUT,
  );

  it(
    'a JSON Lines value nested 100,000 deep: the line and key path, not a JSON.stringify stack overflow',
    async () => {
      const deepLine = `{"x": 2, "y": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      const unique = JSON.stringify({
        name: 's',
        expectations: [{ type: 'expect_column_values_to_be_unique', kwargs: { column: 'y' } }],
      });
      const cwd = project({ 'data.jsonl': `{"x": 1, "y": []}\n${deepLine}\n`, 'suite.json': unique });
      expect(await failsWithOneLine(cwd, 'validate-data', '--data', 'data.jsonl', '--suite', 'suite.json')).toMatch(
        /^mlops: error: data\.jsonl:2, key "y(\[0\]){63}": nested more than 64 levels deep/,
      );
      expect(existsSync(join(cwd, 'mlops-reports'))).toBe(false);
    },
    TIMEOUT,
  );
});

describe('misleading messages (item 15)', () => {
  it(
    'a suite with invalid UTF-8 is an input error (exit 2) with its line and byte offset, not a failed verdict',
    async () => {
      const head = '{"name": "s",\n "expectations": [{"type": "expect_column_to_exist", "kwargs": {"column": "';
      const bytes = Buffer.concat([Buffer.from(head), Buffer.from([0xff]), Buffer.from('"}}]}')]);
      const cwd = project({ 'suite.json': bytes, 'data.csv': data });
      expect(await failsWithOneLine(cwd, 'validate-data', '--data', 'data.csv', '--suite', 'suite.json')).toBe(
        `mlops: error: suite.json:2:${head.length - head.indexOf('\n')}: invalid UTF-8 (byte 0xff at offset ${head.length})`,
      );
      expect(existsSync(join(cwd, 'mlops-reports'))).toBe(false);
    },
    TIMEOUT,
  );

  it(
    'a 12-byte PAR1 file is "not a Parquet file, or a truncated one"',
    async () => {
      const tiny = Buffer.from('PAR1\0\0\0\0PAR1', 'latin1');
      const cwd = project({ 'tiny.parquet': tiny, 'suite.json': suite });
      expect(await failsWithOneLine(cwd, 'validate-data', '--data', 'tiny.parquet', '--suite', 'suite.json')).toBe(
        'mlops: error: tiny.parquet: not a Parquet file, or a truncated one (12 bytes: only the PAR1 magic numbers and an empty footer)',
      );
    },
    TIMEOUT,
  );

  it(
    'a link loop and a dangling link in a model folder are each named for what they are',
    async () => {
      const cwd = project({ 'model/weights.bin': 'weights' });
      symlinkSync('loop-b', join(cwd, 'model', 'loop-a'));
      symlinkSync('loop-a', join(cwd, 'model', 'loop-b'));
      expect(await failsWithOneLine(cwd, 'register', '--model', 'm', '--path', 'model', '--release', 'false')).toMatch(
        /^mlops: error: path: .*model\/loop-a is a symbolic link that loops \(following it leads back to itself\); replace it with the file\.$/,
      );
      const cleaned = project({ 'model/weights.bin': 'weights' });
      symlinkSync('checkpoints/last.bin', join(cleaned, 'model', 'current.bin'));
      expect(
        await failsWithOneLine(cleaned, 'register', '--model', 'm', '--path', 'model', '--release', 'false'),
      ).toMatch(
        /^mlops: error: path: .*model\/current\.bin is a broken symbolic link: its target "checkpoints\/last\.bin" does not exist\.$/,
      );
      expect(registryBranchExists(cwd)).toBe(false);
      expect(registryBranchExists(cleaned)).toBe(false);
      expect(
        existsSync(join(cleaned, '.mlops', 'artifacts')) ? readdirSync(join(cleaned, '.mlops', 'artifacts')) : [],
      ).toEqual([]);
    },
    TIMEOUT,
  );
});

describe('JSON Lines with a runaway line (item 17)', () => {
  it(
    'a 17M-character string stops at the 16 Mi field limit with its line and column, and reports nothing',
    async () => {
      const line = `{"x": 2, "y": "${'a'.repeat(17 * 1024 * 1024)}"}\n`;
      const cwd = project({ 'data.jsonl': `{"x": 1, "y": "b"}\n${line}`, 'suite.json': suite });
      expect(await failsWithOneLine(cwd, 'validate-data', '--data', 'data.jsonl', '--suite', 'suite.json')).toBe(
        'mlops: error: data.jsonl:2:15: string longer than 16777216 characters (it starts here): is this a JSON Lines file?',
      );
      expect(existsSync(join(cwd, 'mlops-reports'))).toBe(false);
    },
    TIMEOUT,
  );
});
