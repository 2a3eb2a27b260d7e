/**
 * The one environment reader (src/adapters/environment.ts): what it makes of the variables, that
 * the adapters use the values they are handed rather than the process's, and that the lint rule
 * keeps every other module from reading process.env.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ESLint, Linter } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { uploadArtifactSafely } from '../../src/adapters/artifacts.js';
import { readEnvironment } from '../../src/adapters/environment.js';
import { crashHooksForTests } from '../../src/adapters/registry/register.js';
import type { Logger } from '../../src/core/logger.js';

const root = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'mlops-environment-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function recordingLogger(lines: string[]): Logger {
  const record = (message: string) => void lines.push(message);
  return {
    debug: record,
    info: record,
    warning: record,
    error: record,
    notice: record,
    group: (_title, fn) => fn(),
  };
}

describe('readEnvironment', () => {
  it('reads the step summary, artifact, retry and test-hook variables from the env it is given', () => {
    const environment = readEnvironment(
      {
        GITHUB_STEP_SUMMARY: '/runner/summary.md',
        MLOPS_ARTIFACT_DIR: 'out/artifacts',
        ACTIONS_RUNTIME_TOKEN: 'runtime',
        ACTIONS_RESULTS_URL: 'https://results.example/',
        MLOPS_RETRY_BASE_MS: '25',
        MLOPS_TEST_CRASH_AFTER_UPLOAD: '1',
      },
      '/work/repo',
    );
    expect(environment.stepSummaryFile).toBe('/runner/summary.md');
    expect(environment.artifactDir).toBe('/work/repo/out/artifacts');
    expect(environment.actionsArtifactService).toBe(true);
    expect(environment.retryBaseMs).toBe(25);
    expect(environment.testHooks).toEqual({ crashAfterUpload: true, crashAfterRegistryWrite: false });
  });

  it('leaves them unset for empty, partial or unusable values', () => {
    const environment = readEnvironment(
      {
        GITHUB_STEP_SUMMARY: '',
        MLOPS_ARTIFACT_DIR: '',
        ACTIONS_RUNTIME_TOKEN: 'runtime',
        MLOPS_RETRY_BASE_MS: 'soon',
        MLOPS_TEST_CRASH_AFTER_UPLOAD: 'true',
      },
      '/work/repo',
    );
    expect(environment.stepSummaryFile).toBeUndefined();
    expect(environment.artifactDir).toBeUndefined();
    expect(environment.actionsArtifactService).toBe(false);
    expect(environment.retryBaseMs).toBeUndefined();
    expect(readEnvironment({ MLOPS_RETRY_BASE_MS: '-5' }, '/').retryBaseMs).toBeUndefined();
    expect(environment.testHooks).toEqual({ crashAfterUpload: false, crashAfterRegistryWrite: false });
  });
});

describe('adapters use the environment they are handed', () => {
  it('uploads a workflow artifact to the injected MLOPS_ARTIFACT_DIR, not to the process environment', async () => {
    expect(process.env.MLOPS_ARTIFACT_DIR).toBeUndefined();
    const file = join(scratch, 'report.md');
    writeFileSync(file, '# report\n');
    const lines: string[] = [];
    const environment = readEnvironment({ MLOPS_ARTIFACT_DIR: 'uploads' }, scratch);
    const uploaded = await uploadArtifactSafely('gate', [file], scratch, recordingLogger(lines), environment);
    expect(uploaded?.location).toBe(join(scratch, 'uploads', 'gate'));
    expect(readFileSync(join(scratch, 'uploads', 'gate', 'report.md'), 'utf8')).toBe('# report\n');
  });

  it('says why nothing was uploaded when the environment offers no artifact store', async () => {
    const lines: string[] = [];
    const environment = readEnvironment({}, scratch);
    expect(await uploadArtifactSafely('gate', [], scratch, recordingLogger(lines), environment)).toBeUndefined();
    expect(lines).toEqual([
      expect.stringMatching(/^Not uploading artifact "gate": workflow artifacts are unavailable/),
    ]);
  });

  it('installs register crash hooks only for the test hooks that are on', () => {
    expect(crashHooksForTests({ crashAfterUpload: false, crashAfterRegistryWrite: false })).toEqual({});
    const hooks = crashHooksForTests({ crashAfterUpload: false, crashAfterRegistryWrite: true });
    expect(Object.keys(hooks)).toEqual(['afterRegistryWrite']);
  });
});

describe('the process.env lint rule', () => {
  // The rule as the project's eslint.config.js configures it for each path, applied by a plain
  // Linter: the configuration is the real one, without the type-aware parsing of the full run.
  async function processEnvProblems(file: string, code: string): Promise<string[]> {
    const eslint = new ESLint({ cwd: root });
    const config = (await eslint.calculateConfigForFile(join(root, file))) as Linter.Config;
    const rules = Object.fromEntries(
      ['no-restricted-properties', 'no-restricted-imports'].flatMap((name) =>
        config.rules?.[name] === undefined ? [] : [[name, config.rules[name]]],
      ),
    );
    const messages = new Linter().verify(code, [{ files: ['**/*.ts'], rules }], { filename: file });
    return messages.map((message) => `${message.line}:${message.message}`);
  }

  const reads = [
    'export const token = process.env.GITHUB_TOKEN;',
    "export const token = process.env['GITHUB_TOKEN'];",
    'const { env } = process;\nexport const token = env.GITHUB_TOKEN;',
    "import { env } from 'node:process';\nexport const token = env.GITHUB_TOKEN;",
  ];

  it.each(['src/core/metrics/snippet.ts', 'src/actions/register/snippet.ts', 'src/adapters/github/snippet.ts'])(
    'rejects a process.env read in %s',
    async (file) => {
      for (const code of reads) {
        const problems = await processEnvProblems(file, code);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/'process\.env' is restricted|'env' import from 'node:process' is restricted/);
      }
    },
  );

  it('accepts the same module taking its environment as an argument', async () => {
    expect(
      await processEnvProblems('src/actions/register/snippet.ts', 'export const token = (env) => env.GITHUB_TOKEN;'),
    ).toEqual([]);
  });
});
