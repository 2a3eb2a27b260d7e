import { directory, secret, text } from '../adapters/runner/inputs.js';

/** Inputs every action takes (docs/architecture.md). */
export const commonInputs = {
  'working-directory': directory(),
  'github-token': secret(),
} as const;

/** Inputs of the actions that read or write the registry. */
export const registryInputs = {
  'registry-branch': text(),
  'registry-remote': text(),
} as const;
