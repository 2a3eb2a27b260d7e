/**
 * The built `mlops` command as a user runs it: the --json contract of every command, the human
 * summaries, and bad output paths and working directories as one clear line (exit 2) with
 * nothing half-written. Real git repositories in temp folders.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, gitIn, makeTempDir } from '../support/git.js';
import { distDir, runCliBundle } from '../support/runner.js';
import { runCliInProcess } from '../support/in-process.js';

const tmp = makeTempDir('mlops-cli-it-');
afterAll(() => tmp.cleanup());

const TIMEOUT = 120_000;
const DATA = 'species,mass\nAdelie,3750\nGentoo,5000\nAdelie,3800\nGentoo,abc\n';
const SUITE = [
  'name: penguins',
  'expectations:',
  '  - type: expect_column_to_exist',
  '    kwargs: {column: species}',
  '  - type: expect_column_values_to_be_in_set',
  '    kwargs: {column: species, value_set: [Adelie]}',
  '  - type: expect_column_values_to_not_be_null',
  '    kwargs: {column: mass}',
  '',
].join('\n');
const RUN_RECORD = {
  id: 'run-1',
  name: 'baseline',
  status: 'succeeded',
  startedAt: '2024-05-01T10:00:00Z',
  finishedAt: '2024-05-01T10:00:30Z',
  durationSeconds: 30,
  command: 'python train.py',
  params: { lr: 0.1 },
  metrics: { accuracy: 0.9 },
};

let work: string;
beforeAll(() => {
  work = createRepo(tmp.path, 'work', undefined, {
    'README.md': '# x\n',
    'data.csv': DATA,
    'suite.yml': SUITE,
    'metrics.json': JSON.stringify({ accuracy: 0.85, loss: 0.3 }),
    'baseline.json': JSON.stringify({ accuracy: 0.9, loss: 0.3 }),
    'gates.yml': 'metrics:\n  accuracy: {direction: higher, max-regression: 0.02}\n  loss: {direction: lower}\n',
    'model.bin': 'weights\n',
    'run.json': JSON.stringify(RUN_RECORD),
    'a-file': 'not a folder\n',
  });
});

/**
 * The command in this process (runCli with runCliBundle's environment): the same code the bundle
 * runs, without a node start per call. `cliBundle` runs dist/cli/index.js, for the cases about
 * the built command (one per behaviour: --json, a summary, exit codes, redaction, pipes).
 */
function cli(args: string[], cwd = work, env: Record<string, string | undefined> = {}) {
  return runCliInProcess(args, { cwd, env });
}

function cliBundle(args: string[], cwd = work, env: Record<string, string | undefined> = {}) {
  return runCliBundle(args, { cwd, env });
}

/** stdout must be exactly one JSON object. */
function oneObject(stdout: string): Record<string, unknown> {
  const value = JSON.parse(stdout) as unknown;
  expect(typeof value === 'object' && value !== null && !Array.isArray(value), stdout).toBe(true);
  return value as Record<string, unknown>;
}

describe('--json: exactly one JSON object on stdout, typed values', () => {
  it(
    'for every action and every registry, runs and profile subcommand',
    async () => {
      const register = await cliBundle(['register', '--model', 'peng', '--path', 'model.bin', '--json']);
      expect(register.code, register.stderr).toBe(0);
      expect(oneObject(register.stdout)).toMatchObject({ version: 1, tag: 'peng/v1' });

      const validate = await cli(['validate-data', '--data', 'data.csv', '--suite', 'suite.yml', '--json']);
      expect(validate.code).toBe(1);
      expect(oneObject(validate.stdout)).toEqual({
        passed: false,
        report: join(work, 'mlops-reports', 'validate-data.json'),
        rows: 4,
        evaluated: 3,
        failed: 1,
      });

      const gate = await cli([
        'evaluate-gate',
        '--metrics',
        'metrics.json',
        '--gates',
        'gates.yml',
        '--baseline',
        'file:baseline.json',
        '--json',
      ]);
      expect(gate.code).toBe(1);
      const gateJson = oneObject(gate.stdout);
      expect(gateJson.passed).toBe(false);
      // The results output is an object here, not JSON inside a string.
      expect(gateJson.results).toMatchObject({ passed: false, counts: { fail: 1 } });

      for (const args of [
        ['train', '--run', 'true'],
        ['deploy', '--model', 'peng', '--version', 'v1'],
        ['drift-check', '--reference', 'data.csv', '--current', 'missing.csv'],
        ['validate-data', '--data', 'data.csv'],
      ]) {
        const result = await cli([...args, '--json']);
        expect(result.code, args.join(' ')).toBe(2);
        expect(oneObject(result.stdout), args.join(' ')).toMatchObject({ ok: false, exitCode: 2 });
      }

      const subcommands = [
        ['profile', '--data', 'data.csv', '--suite-out', 'starter.yml'],
        ['registry', 'list'],
        ['registry', 'show', 'peng'],
        ['registry', 'show', 'peng@v1'],
        ['registry', 'history', 'peng'],
        ['registry', 'set-alias', 'peng', 'staging', 'v1'],
        ['registry', 'remove-alias', 'peng', 'staging'],
        ['registry', 'deprecate', 'peng', 'v1'],
        ['registry', 'fsck'],
        ['runs', 'record', '--run-record', 'run.json'],
        ['runs', 'list'],
        ['runs', 'show', 'run-1'],
        ['runs', 'compare', 'run-1', 'run-1'],
      ];
      for (const args of subcommands) {
        const result = await cli([...args, '--json']);
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
        oneObject(result.stdout);
      }
    },
    TIMEOUT * 2,
  );
});

describe('human summaries', () => {
  it(
    'validate-data: the verdict, a table of the failing expectations, the report; one screen',
    async () => {
      const result = await cliBundle(['validate-data', '--data', 'data.csv', '--suite', 'suite.yml']);
      expect(result.code).toBe(1);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe('FAILED  validate-data: 1 of 3 expectations failed (4 rows).');
      expect(result.stdout).toMatch(
        /^expect_column_values_to_be_in_set +species +2 unexpected \(50%\), e\.g\. Gentoo/m,
      );
      expect(lines.at(-1)).toBe(`Report: ${join(work, 'mlops-reports', 'validate-data.json')}`);
      expect(lines.length).toBeLessThanOrEqual(24);
    },
    TIMEOUT,
  );

  it(
    'evaluate-gate: the verdict and the failed gate, not the markdown, marker or results JSON',
    async () => {
      const result = await cli([
        'evaluate-gate',
        '--metrics',
        'metrics.json',
        '--gates',
        'gates.yml',
        '--baseline',
        'file:baseline.json',
      ]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^FAILED {2}evaluate-gate: 1 of 2 gates failed against /);
      expect(result.stdout).toMatch(/^accuracy +0\.9 +0\.85 +-0\.05 +fail +/m);
      expect(result.stdout).toContain(`Report: ${join(work, 'mlops-reports', 'evaluate-gate.md')}`);
      for (const noise of ['<!--', 'mermaid', 'results=', '###']) expect(result.stdout).not.toContain(noise);
      expect(result.stdout.trimEnd().split('\n').length).toBeLessThanOrEqual(24);
    },
    TIMEOUT,
  );

  it(
    'register: version, tag, sha256, asset and checksums file',
    async () => {
      const result = await cliBundle(['register', '--model', 'summary', '--path', 'model.bin']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(
        /^Registered summary v1\.\n {2}tag +summary\/v1\n {2}sha256 +[0-9a-f]{64}\n {2}asset +file:\/\/.+model\.bin\n {2}checksums +\/.+\/\.mlops\/checksums\/summary-v1\.sha256\n$/,
      );
    },
    TIMEOUT,
  );
});

describe('flags', () => {
  it(
    'a bad boolean names the allowed values',
    async () => {
      const result = await cli([
        'evaluate-gate',
        '--metrics',
        'm.json',
        '--gates',
        'g.yml',
        '--fail-on-regression',
        'maybe',
      ]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe('mlops: error: --fail-on-regression must be true or false, got "maybe".\n');
    },
    TIMEOUT,
  );

  it(
    'deploy --version v2 is the input, not the tool version',
    async () => {
      const result = await cli(['deploy', '--model', 'peng', '--version', 'v2']);
      expect(result.stdout).not.toMatch(/^\d+\.\d+\.\d+\n$/);
      expect(result.code).toBe(2);
      // deploy's own checks ran: it got the version and asks where to deploy it.
      expect(result.stderr).toBe(
        'mlops: error: --environment or --promote-to is required: the environment to deploy to (it defaults to promote-to).\n',
      );
    },
    TIMEOUT,
  );

  it(
    'profile and subcommand help is generated from the flag tables, with single spaces in the usage',
    async () => {
      const result = await cli(['profile', '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: mlops profile --data <path|glob> --suite-out <file> [options]\n');
      expect(result.stdout).toMatch(/^ {2}--profile-out <file> +Also write the profile/m);
      const history = await cli(['registry', 'history', '--help']);
      expect(history.stdout).toContain('Usage: mlops registry history <model> [options]\n');
      expect(history.stdout).toMatch(/^ {2}--alias <alias> +Only the moves of this alias\.$/m);
      for (const command of [['profile'], ['registry'], ['runs'], ['train'], ['registry', 'list']]) {
        const help = await cli([...command, '--help']);
        for (const line of help.stdout.split('\n').filter((l) => l.includes('Usage: '))) {
          expect(line, command.join(' ')).not.toMatch(/\S {2,}\S/);
        }
      }
    },
    TIMEOUT,
  );
});

describe('secrets', () => {
  it(
    'a token from GITHUB_TOKEN or GH_TOKEN is redacted on stdout and in the error line',
    async () => {
      for (const variable of ['GITHUB_TOKEN', 'GH_TOKEN']) {
        const token = `ghp_${variable.toLowerCase()}Secret42`;
        const dir = join(tmp.path, token);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'data.csv'), DATA);
        writeFileSync(join(dir, 'suite.yml'), SUITE);
        const passing = await cli(['validate-data', '--data', 'data.csv', '--suite', 'suite.yml', '--json'], dir, {
          [variable]: token,
        });
        expect(passing.stdout).toContain('***');
        expect(passing.stdout + passing.stderr).not.toContain(token);
        const failing = await cliBundle(['registry', 'show', token], dir, { [variable]: token });
        expect(failing.code).toBe(2);
        expect(failing.stderr).toContain('***');
        expect(failing.stderr).not.toContain(token);
      }
    },
    TIMEOUT,
  );
});

describe('one token rule for every command that reaches the registry remote', () => {
  it(
    'runs and registry subcommands send --github-token, else GITHUB_TOKEN, else GH_TOKEN, to the GitHub server, and never print it',
    async () => {
      // A stand-in for the GitHub server that records the Authorization git sends and refuses the
      // fetch: what matters is which token reached it (and that the command then fails cleanly).
      const seen: Array<string | undefined> = [];
      const server = createServer((request, response) => {
        seen.push(request.headers.authorization);
        response.writeHead(404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const repo = createRepo(tmp.path, 'token-rule', undefined, { 'README.md': '# x\n' });
        gitIn(repo, 'remote', 'add', 'origin', `${url}/octo-org/octo-repo.git`);
        const basic = (token: string) => `basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
        const cases: Array<{ args: string[]; env: Record<string, string>; token: string }> = [
          { args: ['runs', 'list'], env: { GITHUB_TOKEN: 'ghs_envRuns1' }, token: 'ghs_envRuns1' },
          { args: ['runs', 'show', 'run-1'], env: { GH_TOKEN: 'gho_ghRuns2' }, token: 'gho_ghRuns2' },
          {
            args: ['runs', 'list', '--github-token', 'ghp_flagRuns3'],
            env: { GITHUB_TOKEN: 'ghs_envLoses4' },
            token: 'ghp_flagRuns3',
          },
          { args: ['registry', 'list'], env: { GITHUB_TOKEN: 'ghs_envRegistry5' }, token: 'ghs_envRegistry5' },
        ];
        for (const { args, env, token } of cases) {
          seen.length = 0;
          const result = await cli(args, repo, { ...env, GITHUB_SERVER_URL: url, GIT_TERMINAL_PROMPT: '0' });
          expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
          expect(seen, args.join(' ')).toContain(basic(token));
          expect(result.stdout + result.stderr, args.join(' ')).not.toContain(token);
          expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
        }
      } finally {
        server.close();
      }
    },
    TIMEOUT,
  );
});

describe('the shell token never overrides git credentials or git configuration of its own', () => {
  it(
    'a credential helper or userinfo for the remote keeps GITHUB_TOKEN out of git (--github-token still goes); an existing GIT_CONFIG_COUNT is appended to',
    async () => {
      // Records what git sends; answers 404 without asking for credentials, so a helper's
      // username/password are never sent and any Authorization seen is the injected header.
      const seen: Array<{ authorization?: string; agent?: string }> = [];
      const server = createServer((request, response) => {
        seen.push({ authorization: request.headers.authorization, agent: request.headers['user-agent'] });
        response.writeHead(404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const basic = (token: string) => `basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
      const authorizations = () => seen.map((request) => request.authorization);
      try {
        const env = { GITHUB_SERVER_URL: url, GIT_TERMINAL_PROMPT: '0' };
        const helped = createRepo(tmp.path, 'token-helper', undefined, { 'README.md': '# x\n' });
        gitIn(helped, 'remote', 'add', 'origin', `${url}/octo-org/octo-repo.git`);
        gitIn(helped, 'config', 'credential.helper', '!f() { echo username=x; echo password=y; }; f');
        let result = await cli(['registry', 'list'], helped, { ...env, GITHUB_TOKEN: 'ghs_helperWins1' });
        expect(result.code, result.stderr).toBe(2);
        expect(seen.length, 'git reached the server').toBeGreaterThan(0);
        expect(authorizations()).not.toContain(basic('ghs_helperWins1'));
        seen.length = 0;
        result = await cli(['registry', 'list', '--github-token', 'ghp_flagGoes2'], helped, env);
        expect(result.code, result.stderr).toBe(2);
        expect(authorizations()).toContain(basic('ghp_flagGoes2'));

        seen.length = 0;
        const embedded = createRepo(tmp.path, 'token-userinfo', undefined, { 'README.md': '# x\n' });
        gitIn(embedded, 'remote', 'add', 'origin', `${url.replace('//', '//u:pat@')}/octo-org/octo-repo.git`);
        result = await cli(['registry', 'list'], embedded, { ...env, GH_TOKEN: 'gho_userinfoWins3' });
        expect(result.code, result.stderr).toBe(2);
        expect(seen.length, 'git reached the server').toBeGreaterThan(0);
        expect(authorizations()).not.toContain(basic('gho_userinfoWins3'));

        // The built command: git reads GIT_CONFIG_* from the process's own environment.
        seen.length = 0;
        const plain = createRepo(tmp.path, 'token-config-count', undefined, { 'README.md': '# x\n' });
        gitIn(plain, 'remote', 'add', 'origin', `${url}/octo-org/octo-repo.git`);
        const containerConfig = {
          GIT_CONFIG_COUNT: '1',
          GIT_CONFIG_KEY_0: 'http.useragent',
          GIT_CONFIG_VALUE_0: 'job-agent/1',
        };
        result = await cliBundle(['registry', 'list'], plain, {
          ...env,
          ...containerConfig,
          GITHUB_TOKEN: 'ghs_appended4',
        });
        expect(result.code, result.stderr).toBe(2);
        expect(authorizations()).toContain(basic('ghs_appended4'));
        expect(seen.map((request) => request.agent)).toContain('job-agent/1');

        result = await cliBundle(['registry', 'list'], plain, {
          ...env,
          GIT_CONFIG_COUNT: 'two',
          GITHUB_TOKEN: 'ghs_badCount5',
        });
        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr).toContain('GIT_CONFIG_COUNT');
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
      } finally {
        server.close();
      }
    },
    TIMEOUT,
  );
});

describe('review fixes: tokens, empty flags, --json edges, outputs over inputs', () => {
  it(
    'a --github-token given to a registry subcommand is redacted on both streams',
    async () => {
      const token = 'ghp_flagSecret0123456789';
      const result = await cli(['registry', 'fsck', '--github-token', token, '--repository', token, '--json']);
      expect(result.code).toBe(2);
      expect(result.stdout + result.stderr).not.toContain(token);
      expect(result.stderr).toContain('***');
      oneObject(result.stdout);
    },
    TIMEOUT,
  );

  it(
    'an empty flag value is an error, never the action.yml default (--baseline= is not auto)',
    async () => {
      const result = await cli(['evaluate-gate', '--metrics', 'metrics.json', '--gates', 'gates.yml', '--baseline=']);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        'mlops: error: --baseline is empty; give it a value, or leave it out for its default.\n',
      );
    },
    TIMEOUT,
  );

  it(
    '--json holds for a bare command, --version, --json=true, and not for --json=false',
    async () => {
      const bare = await cli(['--json']);
      expect(bare.code).toBe(2);
      expect(oneObject(bare.stdout)).toMatchObject({ ok: false, exitCode: 2 });
      const version = await cli(['--json', '--version']);
      expect(version.code).toBe(0);
      expect(oneObject(version.stdout)).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
      const explicit = await cli(['evaluate-gate', '--json=true', '--bogus']);
      expect(explicit.code).toBe(2);
      expect(oneObject(explicit.stdout)).toMatchObject({ ok: false });
      const off = await cli(['evaluate-gate', '--json=false', '--bogus']);
      expect(off.code).toBe(2);
      expect(off.stdout).toBe('');
    },
    TIMEOUT,
  );

  it(
    'an output path that is one of the inputs is refused and the input is left as it was',
    async () => {
      const dir = createRepo(tmp.path, 'collide', undefined, {
        'data.csv': DATA,
        'suite.yml': SUITE,
        'metrics.json': JSON.stringify({ accuracy: 0.85, loss: 0.3 }),
        'gates.yml': 'metrics:\n  accuracy: {direction: higher, min: 0.5}\n',
      });
      const cases: Array<[string[], string, string]> = [
        [
          [
            'evaluate-gate',
            '--metrics',
            'metrics.json',
            '--gates',
            'gates.yml',
            '--baseline',
            'none',
            '--report',
            'metrics.json',
          ],
          'metrics.json',
          'mlops: error: --report: metrics.json is also --metrics, a file this step reads; writing it would destroy it.\n',
        ],
        [
          [
            'evaluate-gate',
            '--metrics',
            'metrics.json',
            '--gates',
            'gates.yml',
            '--baseline',
            'none',
            '--report',
            './gates.yml',
          ],
          'gates.yml',
          'mlops: error: --report: gates.yml is also --gates, a file this step reads; writing it would destroy it.\n',
        ],
        [
          ['validate-data', '--data', 'data.csv', '--suite', 'suite.yml', '--report', 'data.csv'],
          'data.csv',
          'mlops: error: --report: data.csv is also --data, a file this step reads; writing it would destroy it.\n',
        ],
        [
          ['validate-data', '--data', 'data.csv', '--suite', 'suite.yml', '--report', 'suite.yml'],
          'suite.yml',
          'mlops: error: --report: suite.yml is also --suite, a file this step reads; writing it would destroy it.\n',
        ],
        [
          ['profile', '--data', 'data.csv', '--profile-out', 'data.csv'],
          'data.csv',
          'mlops: error: --profile-out: data.csv is also --data, a file this step reads; writing it would destroy it.\n',
        ],
      ];
      for (const [args, input, message] of cases) {
        const before = readFileSync(join(dir, input), 'utf8');
        const result = await cli(args, dir);
        expect(result.code, args.join(' ')).toBe(2);
        expect(result.stderr, args.join(' ')).toBe(message);
        expect(readFileSync(join(dir, input), 'utf8'), args.join(' ')).toBe(before);
      }
    },
    TIMEOUT,
  );

  it(
    'evaluate-gate in local mode checks the outbox folder before it writes the report',
    async () => {
      const dir = createRepo(tmp.path, 'outbox-blocked', undefined, {
        'metrics.json': JSON.stringify({ accuracy: 0.85 }),
        'gates.yml': 'metrics:\n  accuracy: {direction: higher, min: 0.5}\n',
        '.mlops': 'a file where the outbox folder would go\n',
      });
      const result = await cli(
        ['evaluate-gate', '--metrics', 'metrics.json', '--gates', 'gates.yml', '--baseline', 'none'],
        dir,
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^mlops: error: the outbox: cannot write \.mlops\/outbox\/.+\.md: \.mlops is a file, not a directory\.\n$/,
      );
      expect(existsSync(join(dir, 'mlops-reports'))).toBe(false);
    },
    TIMEOUT,
  );
});

describe('bad output paths and working directories: one line, exit 2, nothing written', () => {
  it(
    'an output path that is a directory or sits under a file',
    async () => {
      mkdirSync(join(work, 'out-dir'), { recursive: true });
      const cases: Array<[string[], string]> = [
        [
          ['profile', '--data', 'data.csv', '--suite-out', 'out-dir'],
          'mlops: error: --suite-out: out-dir is a directory, not a file.\n',
        ],
        [
          ['profile', '--data', 'data.csv', '--suite-out', 'fresh.yml', '--profile-out', 'a-file/profile.json'],
          'mlops: error: --profile-out: cannot write a-file/profile.json: a-file is a file, not a directory.\n',
        ],
        [
          ['profile', '--data', 'data.csv', '--suite-out', 'same.json', '--profile-out', 'same.json'],
          'mlops: error: --profile-out: same.json is also the path of --suite-out.\n',
        ],
        [
          ['validate-data', '--data', 'data.csv', '--suite', 'suite.yml', '--report', 'out-dir'],
          'mlops: error: --report: out-dir is a directory, not a file.\n',
        ],
        [
          ['validate-data', '--data', 'data.csv', '--suite', 'suite.yml', '--report', 'a-file/deeper/r.json'],
          'mlops: error: --report: cannot write a-file/deeper/r.json: a-file is a file, not a directory.\n',
        ],
        [
          [
            'evaluate-gate',
            '--metrics',
            'metrics.json',
            '--gates',
            'gates.yml',
            '--baseline',
            'none',
            '--report',
            'out-dir',
          ],
          'mlops: error: --report: out-dir is a directory, not a file.\n',
        ],
      ];
      for (const [args, message] of cases) {
        const result = await cli(args);
        expect(result.code, args.join(' ')).toBe(2);
        expect(result.stderr, args.join(' ')).toBe(message);
      }
      // The suite of the second case was not written before its profile path failed.
      expect(existsSync(join(work, 'fresh.yml'))).toBe(false);
      expect(existsSync(join(work, 'same.json'))).toBe(false);
    },
    TIMEOUT,
  );

  it(
    'a working directory that is a file or does not exist is named as such',
    async () => {
      const missing = join(tmp.path, 'nonexistent');
      const cases: Array<[string[], string]> = [
        [
          ['registry', 'list', '--working-directory', 'a-file'],
          'mlops: error: --working-directory: "a-file" is not a directory.\n',
        ],
        [
          ['registry', 'list', '--working-directory', missing],
          `mlops: error: --working-directory: directory "${missing}" does not exist (resolved to ${missing}).\n`,
        ],
        [
          ['runs', 'list', '--working-directory', missing],
          `mlops: error: --working-directory: directory "${missing}" does not exist (resolved to ${missing}).\n`,
        ],
        [
          ['profile', '--data', 'data.csv', '--suite-out', 's.yml', '--working-directory', missing],
          `mlops: error: --working-directory: directory "${missing}" does not exist (resolved to ${missing}).\n`,
        ],
      ];
      for (const [args, message] of cases) {
        const result = await cli(args);
        expect(result.code, args.join(' ')).toBe(2);
        expect(result.stderr, args.join(' ')).toBe(message);
      }
    },
    TIMEOUT,
  );

  it(
    'a register refused for its name leaves no staging folder',
    async () => {
      const first = await cli(['register', '--model', 'gull', '--path', 'model.bin']);
      expect(first.code, first.stderr).toBe(0);
      const refused = await cli(['register', '--model', 'Gull', '--path', 'model.bin']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        'mlops: error: Model "Gull" differs from the registered model "gull" only in case',
      );
      expect(existsSync(join(work, '.mlops', 'artifacts', 'Gull'))).toBe(false);
      const staging = join(work, '.mlops', 'artifacts', 'gull', '.staging');
      expect(existsSync(staging) ? readdirSync(staging) : []).toEqual([]);
    },
    TIMEOUT,
  );
});

describe('pipes', () => {
  it(
    'runs record into a closed pipe still exits 0 once the run is recorded (EPIPE ignored)',
    async () => {
      const dir = createRepo(tmp.path, 'pipe');
      writeFileSync(join(dir, 'run.json'), JSON.stringify(RUN_RECORD));
      const cliPath = join(distDir(), 'cli', 'index.js');
      // The reader closes its end at once, as `| head -1` does after its line.
      const status = await new Promise<string>((resolvePromise, reject) => {
        const child = spawn(
          'bash',
          [
            '-c',
            `"${process.execPath}" "${cliPath}" runs record --run-record run.json --json | true; echo "\${PIPESTATUS[0]}"`,
          ],
          { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
        child.on('error', reject);
        child.on('close', () => resolvePromise(out.trim()));
      });
      expect(status).toBe('0');
      const list = await cli(['runs', 'list', '--json'], dir);
      expect((oneObject(list.stdout).runs as Array<{ id: string }>).map((r) => r.id)).toEqual(['run-1']);
    },
    TIMEOUT,
  );
});
