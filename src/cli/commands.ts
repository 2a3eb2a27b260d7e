import type { ActionName } from '../generated/action-meta.js';
import type { ActionDefinition } from '../adapters/runner/definition.js';
import type { CliStreams } from './io.js';

/**
 * Action entry logic, loaded only when its command runs so that `mlops --help` and each command
 * parse just what they use.
 */
export const actionLoaders: { [A in ActionName]: () => Promise<ActionDefinition<A>> } = {
  'validate-data': async () => (await import('../actions/validate-data/main.js')).validateData,
  train: async () => (await import('../actions/train/main.js')).train,
  'evaluate-gate': async () => (await import('../actions/evaluate-gate/main.js')).evaluateGate,
  register: async () => (await import('../actions/register/main.js')).register,
  deploy: async () => (await import('../actions/deploy/main.js')).deploy,
  'drift-check': async () => (await import('../actions/drift-check/main.js')).driftCheck,
};

/** What a non-action command (profile, registry, runs) gets. */
export interface CommandContext {
  streams: CliStreams;
  env: NodeJS.ProcessEnv;
  cwd: string;
  debug: boolean;
  json: boolean;
}

/** A command that is not an action: its own arguments, its own help. Returns the exit code. */
export interface CliCommand {
  name: string;
  summary: string;
  run(args: string[], context: CommandContext): Promise<number>;
}

/** The non-action commands, each loaded on demand. */
export const extraCommands: Array<{ name: string; summary: string; load: () => Promise<CliCommand> }> = [
  {
    name: 'registry',
    summary: 'The model registry on a git branch: list, show, history, set-alias, deprecate, fsck.',
    load: async () => (await import('./commands/registry.js')).registryCommand,
  },
  {
    name: 'runs',
    summary: 'Experiment tracking: record, list, show and compare train runs on the registry branch.',
    load: async () => (await import('./commands/runs.js')).runsCommand,
  },
  {
    name: 'profile',
    summary: 'Profile a dataset and write a starter expectation suite for validate-data.',
    load: async () => (await import('./commands/profile.js')).profileCommand,
  },
];
