import { NotImplementedError } from '../../core/errors.js';
import { defineAction } from '../../adapters/runner/definition.js';
import { boolean, path, text } from '../../adapters/runner/inputs.js';
import { commonInputs, registryInputs } from '../common.js';

export const register = defineAction({
  name: 'register',
  inputs: {
    ...commonInputs,
    ...registryInputs,
    model: text(),
    path: path(),
    'run-record': path(),
    metrics: path(),
    alias: text(),
    release: boolean(),
    description: text(),
  },
  run() {
    throw new NotImplementedError('register');
  },
});
