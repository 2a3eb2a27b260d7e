import { NotImplementedError } from '../../core/errors.js';
import { defineAction } from '../../adapters/runner/definition.js';
import { integer, oneOf, path, paths } from '../../adapters/runner/inputs.js';
import { commonInputs } from '../common.js';

export const validateData = defineAction({
  name: 'validate-data',
  inputs: {
    ...commonInputs,
    data: paths(),
    suite: path(),
    format: oneOf(['auto', 'csv', 'tsv', 'json', 'jsonl', 'parquet']),
    report: path(),
    'fail-on': oneOf(['error', 'never']),
    'max-annotations': integer({ min: 0 }),
  },
  run() {
    throw new NotImplementedError('validate-data');
  },
});
