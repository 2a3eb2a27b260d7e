import { defineAction, lazyRun, type ActionContext } from '../../adapters/runner/definition.js';
import { boolean, integer, lines, number, path, paths, text } from '../../adapters/runner/inputs.js';
import { MAX_SEED } from '../../core/train/seed.js';
import { commonInputs, registryInputs } from '../common.js';

const inputs = {
  ...commonInputs,
  ...registryInputs,
  run: text(),
  shell: text(),
  params: text(),
  'param-overrides': lines(),
  metrics: path(),
  model: path(),
  data: paths(),
  'run-record': path(),
  seed: integer({ min: 0, max: MAX_SEED }),
  // Fractions are allowed, as in a workflow step's timeout-minutes (0.5 is 30 seconds).
  'timeout-minutes': number({ min: 0.001 }),
  'artifact-name': text(),
  'cache-paths': paths(),
  'cache-key': text(),
  track: boolean(),
  name: text(),
};

export type TrainContext = ActionContext<'train', typeof inputs>;

export const train = defineAction({
  name: 'train',
  inputs,
  run: lazyRun(async () => (await import('./run.js')).runTrain),
});
