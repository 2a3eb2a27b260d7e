import { defineAction, lazyRun, type ActionContext } from '../../adapters/runner/definition.js';
import { boolean, path, text } from '../../adapters/runner/inputs.js';
import { commonInputs, registryInputs } from '../common.js';

const inputs = {
  ...commonInputs,
  ...registryInputs,
  model: text(),
  path: path(),
  'run-record': path(),
  metrics: path(),
  profile: path(),
  alias: text(),
  release: boolean(),
  description: text(),
  checksums: path(),
};

export type RegisterContext = ActionContext<'register', typeof inputs>;

export const register = defineAction({
  name: 'register',
  inputs,
  run: lazyRun(async () => (await import('./run.js')).runRegister),
});
