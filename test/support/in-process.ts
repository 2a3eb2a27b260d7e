/**
 * The actions' and the CLI's entry logic run inside the test process, for tests whose subject is
 * what a step does (the sticky comment, the registry baseline, a drift verdict, an error line)
 * rather than the bundle itself. A bundle start costs ~0.3 s of CPU; the same work in-process
 * costs the work alone. Every file that uses these keeps at least one run through the real bundle
 * (runBundle/runCliBundle) for what is about the bundle: inputs, outputs, exit codes, summary.
 *
 * `runActionInProcess` takes runBundle's options and returns runBundle's result: the same runner
 * environment (GITHUB_*, RUNNER_TEMP, INPUT_* with action.yml defaults), and a log rendered as
 * the workflow commands @actions/core writes, parsed back by runner.ts's own parser, so a test
 * reads annotations, outputs, the summary and masks exactly as it reads a bundle's.
 * `runCliInProcess` is runCli(argv, env, cwd, streams) with runCliBundle's environment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { annotationProperties } from '../../src/adapters/runner/action.js';
import { readEnvironment, type RunEnvironment } from '../../src/adapters/environment.js';
import {
  formatOutput,
  inputLabel,
  missingInputMessage,
  type ActionDefinition,
  type OutputValue,
  type RunnerIO,
} from '../../src/adapters/runner/definition.js';
import { inputVariable, readInputs } from '../../src/adapters/runner/inputs.js';
import type { SourceLocation } from '../../src/core/errors.js';
import { isUserError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import { actionLoaders } from '../../src/cli/commands.js';
import { runCli } from '../../src/cli/main.js';
import type { ActionName } from '../../src/generated/action-meta.js';
import {
  baseEnvironment,
  parseAnnotations,
  runnerEnvironment,
  type BundleResult,
  type CliResult,
  type RunBundleOptions,
} from './runner.js';

/** @actions/core's escaping of a command's message. */
function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** @actions/core's escaping of a command's property value. */
function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One workflow command line, as @actions/core's issueCommand writes it. */
function command(name: string, properties: Record<string, string | number | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}\n`;
}

/** An annotation's properties under @actions/core's names (startLine is `line`, startColumn `col`). */
function annotation(location: SourceLocation | undefined, workspace: string, title?: string) {
  const p = annotationProperties(location, workspace, title);
  return {
    title: p.title,
    file: p.file,
    line: p.startLine,
    endLine: p.endLine,
    col: p.startColumn,
    endColumn: p.endColumn,
  };
}

/** The actions' RunnerIO, writing workflow commands into `out` instead of the process's stdout. */
function capturingIO(environment: RunEnvironment, out: { stdout: string; summary: string }): RunnerIO {
  const write = (text: string) => (out.stdout += text);
  const logger: Logger = {
    debug: (message) => write(command('debug', {}, message)),
    info: (message) => write(message + '\n'),
    warning: (message, location) => write(command('warning', annotation(location, environment.workspace), message)),
    error: (message, location) => write(command('error', annotation(location, environment.workspace), message)),
    notice: (message, location) => write(command('notice', annotation(location, environment.workspace), message)),
    async group(title, fn) {
      write(`::group::${escapeData(title)}\n`);
      try {
        return await fn();
      } finally {
        write('::endgroup::\n');
      }
    },
  };
  return {
    logger,
    async appendSummary(markdown) {
      if (environment.stepSummaryFile) out.summary += markdown + '\n';
    },
    mask: (secret) => write(command('add-mask', {}, secret)),
  };
}

/**
 * Runs an action's definition in this process as runAction runs it in a bundle (the same input
 * reading, outputs, failure annotation and exit code 0/1), with runBundle's environment.
 */
export async function runActionInProcess(action: ActionName, options: RunBundleOptions = {}): Promise<BundleResult> {
  const scratch = mkdtempSync(join(tmpdir(), `mlops-inproc-${action}-`));
  try {
    const workspace = options.workspace ?? scratch;
    const env = runnerEnvironment(action, options, scratch);

    const out = { stdout: '', summary: '' };
    const outputs: Record<string, string> = {};
    const environment = readEnvironment(env, workspace);
    const io = capturingIO(environment, out);
    const definition = (await actionLoaders[action]()) as unknown as ActionDefinition<ActionName>;
    const label = (name: string) => inputLabel('action', name);
    const missing = (name: string) => missingInputMessage('action', action, name);
    let code = 0;
    try {
      const parsed = readInputs(
        action,
        definition.inputs,
        { get: (name) => env[inputVariable(name)], label, missing },
        { workspace: environment.workspace, mask: io.mask },
      );
      const outcome = await definition.run({
        inputs: parsed,
        io,
        log: io.logger,
        env: environment,
        mode: 'action',
        label,
        missing,
      });
      for (const [name, value] of Object.entries<OutputValue>(outcome.outputs)) {
        if (value !== undefined) outputs[name] = formatOutput(value);
      }
      if (!outcome.passed) {
        const where = annotation(outcome.failureLocation, environment.workspace, outcome.failureTitle);
        out.stdout += command('error', where, outcome.failure ?? `${action} failed.`);
        code = 1;
      }
    } catch (error) {
      code = 1;
      if (isUserError(error)) {
        io.logger.error(error.located, error.location);
      } else {
        const message = error instanceof Error ? error.message : String(error);
        io.logger.error(`Internal error in mlops (please report it): ${message}`);
        io.logger.info(error instanceof Error ? (error.stack ?? message) : String(error));
      }
    }
    const { annotations, masked } = parseAnnotations(out.stdout);
    return { code, stdout: out.stdout, stderr: '', outputs, summary: out.summary, annotations, masked };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** runCli in this process with runCliBundle's environment; stdout and stderr are captured. */
export async function runCliInProcess(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): Promise<CliResult> {
  const env: Record<string, string> = { ...baseEnvironment() };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, env, options.cwd, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}
