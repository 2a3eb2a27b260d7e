import { defineAction, lazyRun, type ActionContext } from '../../adapters/runner/definition.js';
import { boolean, integer, number, text } from '../../adapters/runner/inputs.js';
import { commonInputs, registryInputs } from '../common.js';

const inputs = {
  ...commonInputs,
  ...registryInputs,
  model: text(),
  version: text(),
  alias: text(),
  run: text(),
  'smoke-test': text(),
  shell: text(),
  // Fractions are allowed, as in a workflow step's timeout-minutes and train's (0.5 is 30 seconds).
  'timeout-minutes': number({ min: 0.001 }),
  'promote-to': text(),
  environment: text(),
  'environment-url': text(),
  'transient-environment': boolean(),
  traffic: text(),
  'stage-wait-seconds': integer({ min: 0 }),
  'rollback-on-failure': boolean(),
};

export type DeployContext = ActionContext<'deploy', typeof inputs>;

export const deploy = defineAction({
  name: 'deploy',
  inputs,
  run: lazyRun(async () => (await import('./run.js')).runDeploy),
});
