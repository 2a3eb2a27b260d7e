import { defineAction, lazyRun, type ActionContext } from '../../adapters/runner/definition.js';
import { integer, oneOf, path, paths } from '../../adapters/runner/inputs.js';
import { commonInputs } from '../common.js';

const inputs = {
  ...commonInputs,
  data: paths(),
  suite: path(),
  format: oneOf(['auto', 'csv', 'tsv', 'json', 'jsonl', 'parquet']),
  report: path(),
  'fail-on': oneOf(['error', 'never']),
  'max-annotations': integer({ min: 0 }),
};

export type ValidateDataContext = ActionContext<'validate-data', typeof inputs>;

export const validateData = defineAction({
  name: 'validate-data',
  inputs,
  run: lazyRun(async () => (await import('./run.js')).runValidateData),
});
