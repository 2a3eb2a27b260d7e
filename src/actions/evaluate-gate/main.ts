import { defineAction, lazyRun, type ActionContext } from '../../adapters/runner/definition.js';
import { InputError } from '../../core/errors.js';
import { boolean, oneOf, path, paths, text } from '../../adapters/runner/inputs.js';
import { commonInputs, registryInputs } from '../common.js';

const inputs = {
  ...commonInputs,
  ...registryInputs,
  metrics: paths(),
  gates: text(),
  baseline: text(),
  model: text(),
  comment: oneOf(['true', 'false', 'issue', 'comment-from-artifact']),
  'comment-key': text(),
  report: path(),
  'fail-on-regression': boolean(),
};

export type EvaluateGateContext = ActionContext<'evaluate-gate', typeof inputs>;

const runImplementation = lazyRun(async () => (await import('./run.js')).runEvaluateGate);

export const evaluateGate = defineAction({
  name: 'evaluate-gate',
  inputs,
  // metrics and gates are optional in action.yml only because comment-from-artifact takes
  // neither; every other mode needs both, checked here so that a missing one fails at once.
  async run(context) {
    if (context.inputs.comment !== 'comment-from-artifact') {
      for (const name of ['metrics', 'gates'] as const) {
        if (!context.inputs[name]?.length) {
          throw new InputError(context.missing(name));
        }
      }
    }
    return runImplementation(context);
  },
});
