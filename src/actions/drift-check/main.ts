import { NotImplementedError } from '../../core/errors.js';
import { defineAction } from '../../adapters/runner/definition.js';
import { boolean, list, number, path, text } from '../../adapters/runner/inputs.js';
import { commonInputs } from '../common.js';

export const driftCheck = defineAction({
  name: 'drift-check',
  inputs: {
    ...commonInputs,
    reference: path(),
    current: path(),
    config: path(),
    columns: list(),
    'drift-share': number({ min: 0, max: 1 }),
    report: path(),
    name: text(),
    'open-issue': boolean(),
    'issue-labels': list(),
    'close-resolved': boolean(),
    'fail-on-drift': boolean(),
    'dispatch-event': text(),
  },
  run() {
    throw new NotImplementedError('drift-check');
  },
});
