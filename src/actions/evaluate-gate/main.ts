import { NotImplementedError } from '../../core/errors.js';
import { defineAction } from '../../adapters/runner/definition.js';
import { boolean, oneOf, path, paths, text } from '../../adapters/runner/inputs.js';
import { commonInputs, registryInputs } from '../common.js';

export const evaluateGate = defineAction({
  name: 'evaluate-gate',
  inputs: {
    ...commonInputs,
    ...registryInputs,
    metrics: paths(),
    gates: text(),
    baseline: text(),
    model: text(),
    comment: oneOf(['true', 'false', 'comment-from-artifact']),
    'comment-key': text(),
    report: path(),
    'fail-on-regression': boolean(),
  },
  run() {
    throw new NotImplementedError('evaluate-gate');
  },
});
