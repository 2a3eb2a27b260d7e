import { NotImplementedError } from '../../core/errors.js';
import { defineAction } from '../../adapters/runner/definition.js';
import { boolean, integer, path, paths, text } from '../../adapters/runner/inputs.js';
import { commonInputs, registryInputs } from '../common.js';

export const train = defineAction({
  name: 'train',
  inputs: {
    ...commonInputs,
    ...registryInputs,
    run: text(),
    params: text(),
    metrics: path(),
    model: path(),
    data: paths(),
    'run-record': path(),
    seed: integer(),
    'timeout-minutes': integer({ min: 1 }),
    'artifact-name': text(),
    'cache-paths': paths(),
    'cache-key': text(),
    track: boolean(),
    name: text(),
  },
  run() {
    throw new NotImplementedError('train');
  },
});
