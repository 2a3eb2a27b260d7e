import { describe, expect, it } from 'vitest';
import { deployCommandEnvironment } from '../../src/actions/deploy/commands.js';

describe('deployCommandEnvironment', () => {
  it('passes the step environment on without the action inputs (the token among them) or the runtime credentials, plus the model', () => {
    const env = deployCommandEnvironment(
      {
        PATH: '/usr/bin',
        HOME: '/home/runner',
        'INPUT_GITHUB-TOKEN': 'ghs_secret',
        INPUT_RUN: 'kubectl apply',
        input_lowercase: 'x',
        ACTIONS_RUNTIME_TOKEN: 'runtime-secret',
        ACTIONS_RUNTIME_URL: 'https://pipelines.example/',
        ACTIONS_RESULTS_URL: 'https://results.example/',
        ACTIONS_CACHE_URL: 'https://cache.example/',
        UNSET: undefined,
      },
      { MLOPS_MODEL_VERSION: '3' },
    );
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/home/runner', MLOPS_MODEL_VERSION: '3' });
  });

  it('the model variables win over a stale one in the environment', () => {
    expect(deployCommandEnvironment({ MLOPS_MODEL_VERSION: '1' }, { MLOPS_MODEL_VERSION: '2' })).toEqual({
      MLOPS_MODEL_VERSION: '2',
    });
  });
});
