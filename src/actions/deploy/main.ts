import { NotImplementedError } from '../../core/errors.js';
import { defineAction } from '../../adapters/runner/definition.js';
import { boolean, text } from '../../adapters/runner/inputs.js';
import { commonInputs, registryInputs } from '../common.js';

export const deploy = defineAction({
  name: 'deploy',
  inputs: {
    ...commonInputs,
    ...registryInputs,
    model: text(),
    version: text(),
    alias: text(),
    run: text(),
    'smoke-test': text(),
    'promote-to': text(),
    environment: text(),
    'rollback-on-failure': boolean(),
  },
  run() {
    throw new NotImplementedError('deploy');
  },
});
