import { defineAction, lazyRun, type ActionContext } from '../../adapters/runner/definition.js';
import { boolean, lines, list, number, path, paths, text } from '../../adapters/runner/inputs.js';
import { commonInputs, registryInputs } from '../common.js';

const inputs = {
  ...commonInputs,
  ...registryInputs,
  // Text, not a path: it may be `registry:<model>@<alias>` as well as files (resolved in run.ts).
  reference: lines(),
  current: paths(),
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
};

export type DriftCheckContext = ActionContext<'drift-check', typeof inputs>;

export const driftCheck = defineAction({
  name: 'drift-check',
  inputs,
  run: lazyRun(async () => (await import('./run.js')).runDriftCheck),
});
