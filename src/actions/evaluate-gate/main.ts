import { defineAction, lazyRun, type ActionContext } from '../../adapters/runner/definition.js';
import { boolean, oneOf, path, paths, text } from '../../adapters/runner/inputs.js';
import { commonInputs, registryInputs } from '../common.js';

const inputs = {
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
};

export type EvaluateGateContext = ActionContext<'evaluate-gate', typeof inputs>;

export const evaluateGate = defineAction({
  name: 'evaluate-gate',
  inputs,
  run: lazyRun(async () => (await import('./run.js')).runEvaluateGate),
});
