import * as core from '@actions/core';
import { relative, isAbsolute, sep } from 'node:path';
import type { ActionName } from '../../generated/action-meta.js';
import { isUserError, type SourceLocation } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { processVariables, readEnvironment, type RunEnvironment } from '../environment.js';
import {
  formatOutput,
  inputLabel,
  missingInputMessage,
  type ActionDefinition,
  type OutputValue,
  type RunnerIO,
} from './definition.js';
import { inputVariable, readInputs, type InputSpecs } from './inputs.js';

/**
 * Annotation properties for a location. GitHub links an annotation to a file only when the path
 * is relative to the workspace, with forward slashes.
 */
export function annotationProperties(
  location: SourceLocation | undefined,
  workspace: string,
  title?: string,
): core.AnnotationProperties {
  const properties: core.AnnotationProperties = {};
  if (title) properties.title = title;
  if (!location?.file) return properties;
  let file = location.file;
  if (isAbsolute(file)) {
    const inside = relative(workspace, file);
    if (!inside.startsWith('..') && !isAbsolute(inside)) file = inside;
  }
  properties.file = file.split(sep).join('/');
  if (location.line !== undefined) properties.startLine = location.line;
  if (location.column !== undefined) properties.startColumn = location.column;
  return properties;
}

/** A Logger that speaks workflow commands. */
export function actionsLogger(workspace: string): Logger {
  return {
    debug: (message) => core.debug(message),
    info: (message) => core.info(message),
    warning: (message, location) => core.warning(message, annotationProperties(location, workspace)),
    error: (message, location) => core.error(message, annotationProperties(location, workspace)),
    notice: (message, location) => core.notice(message, annotationProperties(location, workspace)),
    group: (title, fn) => core.group(title, fn),
  };
}

function actionsIO(environment: RunEnvironment): RunnerIO {
  return {
    logger: actionsLogger(environment.workspace),
    async appendSummary(markdown) {
      if (!environment.stepSummaryFile) return;
      await core.summary.addRaw(markdown, true).write();
    },
    mask: (secret) => core.setSecret(secret),
  };
}

/**
 * Runs an action's entry logic as the runner expects: inputs from INPUT_* variables, outputs to
 * GITHUB_OUTPUT, one `::error` line and exit code 1 on any failure.
 */
export async function runAction<A extends ActionName, S extends InputSpecs<A>>(
  definition: ActionDefinition<A, S>,
): Promise<void> {
  // The process entry point: the process's variables go to readEnvironment and the INPUT_* reader.
  const processEnv = processVariables();
  const environment = readEnvironment(processEnv, process.cwd());
  const io = actionsIO(environment);
  const label = (name: string) => inputLabel('action', name);
  const missing = (name: string) => missingInputMessage('action', definition.name, name);
  try {
    const inputs = readInputs(
      definition.name,
      definition.inputs,
      {
        get: (name) => processEnv[inputVariable(name)],
        label,
        missing,
      },
      { workspace: environment.workspace, mask: io.mask },
    );
    const outcome = await definition.run({
      inputs,
      io,
      log: io.logger,
      env: environment,
      mode: 'action',
      label,
      missing,
    });
    for (const [name, value] of Object.entries<OutputValue>(outcome.outputs)) {
      if (value !== undefined) core.setOutput(name, formatOutput(value));
    }
    if (!outcome.passed) {
      core.error(
        outcome.failure ?? `${definition.name} failed.`,
        annotationProperties(outcome.failureLocation, environment.workspace, outcome.failureTitle),
      );
      process.exitCode = core.ExitCode.Failure;
    }
  } catch (error) {
    reportActionError(error, environment);
  }
}

/** One `::error` line for the failure; the stack only when debugging or when it is a bug. */
function reportActionError(error: unknown, environment: RunEnvironment): void {
  process.exitCode = core.ExitCode.Failure;
  if (isUserError(error)) {
    core.error(error.located, annotationProperties(error.location, environment.workspace));
    if (environment.debug && error.stack) core.debug(error.stack);
    return;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  core.error(`Internal error in mlops (please report it): ${error instanceof Error ? error.message : String(error)}`);
  core.info(stack);
}
