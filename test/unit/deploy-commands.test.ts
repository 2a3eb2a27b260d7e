import { describe, expect, it } from 'vitest';
import { commandEnvironment } from '../../src/actions/deploy/commands.js';

describe('commandEnvironment', () => {
  it('passes the step environment on without the action inputs (the token among them), plus the model', () => {
    const env = commandEnvironment(
      {
        PATH: '/usr/bin',
        HOME: '/home/runner',
        'INPUT_GITHUB-TOKEN': 'ghs_secret',
        INPUT_RUN: 'kubectl apply',
        UNSET: undefined,
      },
      { MLOPS_MODEL_VERSION: '3' },
    );
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/home/runner', MLOPS_MODEL_VERSION: '3' });
  });

  it('the model variables win over a stale one in the environment', () => {
    expect(commandEnvironment({ MLOPS_MODEL_VERSION: '1' }, { MLOPS_MODEL_VERSION: '2' })).toEqual({
      MLOPS_MODEL_VERSION: '2',
    });
  });
});
