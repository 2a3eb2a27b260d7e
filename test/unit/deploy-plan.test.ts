import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import {
  deployVariables,
  deploymentDescription,
  parseDeployVersion,
  parseTraffic,
  planDeployRequest,
  rollbackTarget,
  type DeployLabels,
  type DeployRequestInputs,
} from '../../src/core/deploy/plan.js';

const labels: DeployLabels = {
  model: '--model',
  version: '--version',
  alias: '--alias',
  'promote-to': '--promote-to',
  environment: '--environment',
  traffic: '--traffic',
};

function inputs(overrides: Partial<DeployRequestInputs>): DeployRequestInputs {
  return {
    model: 'churn',
    version: undefined,
    alias: undefined,
    promoteTo: undefined,
    environment: undefined,
    traffic: undefined,
    stageWaitSeconds: 0,
    rollbackOnFailure: true,
    ...overrides,
  };
}

describe('parseTraffic', () => {
  it('defaults to one stage at 100%', () => {
    expect(parseTraffic(undefined, '--traffic')).toEqual([100]);
    expect(parseTraffic('  ', '--traffic')).toEqual([100]);
  });

  it('reads comma or newline separated percentages, % allowed', () => {
    expect(parseTraffic('10,50,100', '--traffic')).toEqual([10, 50, 100]);
    expect(parseTraffic('10%\n 50% \n100%', '--traffic')).toEqual([10, 50, 100]);
  });

  it.each([
    ['0,100', 'stage 1 is "0"'],
    ['10,101', 'stage 2 is "101"'],
    ['10,ten,100', 'stage 2 is "ten"'],
    ['12.5,100', 'stage 1 is "12.5"'],
    ['50,10,100', 'stage 2 (10%) must send more traffic than stage 1 (50%)'],
    ['10,10,100', 'stage 2 (10%) must send more traffic than stage 1 (10%)'],
    ['10,50', 'the last stage must be 100'],
  ])('refuses %j naming the stage', (raw, message) => {
    expect(() => parseTraffic(raw, '--traffic')).toThrow(InputError);
    expect(() => parseTraffic(raw, '--traffic')).toThrow(`--traffic: ${message}`);
  });
});

describe('parseDeployVersion', () => {
  it('reads v3, 3 and previous', () => {
    expect(parseDeployVersion('v3', '--version')).toBe(3);
    expect(parseDeployVersion('3', '--version')).toBe(3);
    expect(parseDeployVersion('previous', '--version')).toBe('previous');
    expect(parseDeployVersion('Previous', '--version')).toBe('previous');
  });

  it('refuses anything else', () => {
    expect(() => parseDeployVersion('latest-ish', '--version')).toThrow('--version: "latest-ish" is not a version');
    expect(() => parseDeployVersion('v0', '--version')).toThrow(InputError);
  });
});

describe('planDeployRequest', () => {
  it('deploys a version to the promote-to environment by default', () => {
    const plan = planDeployRequest(inputs({ version: 'v2', promoteTo: 'production' }), labels);
    expect(plan).toMatchObject({
      selector: { version: 2 },
      environment: 'production',
      promoteTo: 'production',
      rollbackAlias: 'production',
      stages: [100],
      intendedRollback: false,
    });
  });

  it('an explicit environment wins over promote-to', () => {
    const plan = planDeployRequest(
      inputs({ alias: 'staging', promoteTo: 'production', environment: 'prod-eu' }),
      labels,
    );
    expect(plan).toMatchObject({ selector: { alias: 'staging' }, environment: 'prod-eu', rollbackAlias: 'production' });
  });

  it('deploys the built-in alias latest, but never promotes to it', () => {
    expect(planDeployRequest(inputs({ alias: 'latest', promoteTo: 'staging' }), labels).selector).toEqual({
      alias: 'latest',
    });
    expect(() => planDeployRequest(inputs({ alias: 'staging', promoteTo: 'latest' }), labels)).toThrow(
      '--promote-to: alias "latest" is built in',
    );
  });

  it('without promote-to, a deploy from an alias rolls back along that alias', () => {
    const plan = planDeployRequest(inputs({ alias: 'staging', environment: 'staging' }), labels);
    expect(plan.rollbackAlias).toBe('staging');
    expect(plan.promoteTo).toBeUndefined();
  });

  it('version: previous takes the alias (or promote-to) whose previous version to redeploy', () => {
    expect(planDeployRequest(inputs({ version: 'previous', promoteTo: 'production' }), labels)).toMatchObject({
      selector: { previous: 'production' },
      intendedRollback: true,
    });
    expect(
      planDeployRequest(inputs({ version: 'previous', alias: 'production', environment: 'production' }), labels),
    ).toMatchObject({ selector: { previous: 'production' }, rollbackAlias: 'production', promoteTo: 'production' });
    // promote-to, when given, is the alias that moves.
    expect(
      planDeployRequest(inputs({ version: 'previous', alias: 'staging', promoteTo: 'production' }), labels),
    ).toMatchObject({ selector: { previous: 'staging' }, promoteTo: 'production', environment: 'production' });
  });

  it.each([
    [{}, '--version or --alias is required'],
    [{ version: 'v1', alias: 'staging', promoteTo: 'production' }, '--version and --alias both name a version'],
    [{ version: 'previous', environment: 'production' }, '--version "previous" needs --alias or --promote-to'],
    [{ version: 'v1' }, '--environment or --promote-to is required'],
    [{ version: 'v1', promoteTo: 'latest' }, '--promote-to'],
    [{ version: 'v1', promoteTo: 'production', traffic: '10,50' }, '--traffic: the last stage must be 100'],
  ] as Array<[Partial<DeployRequestInputs>, string]>)('refuses %j', (given, message) => {
    expect(() => planDeployRequest(inputs(given), labels)).toThrow(InputError);
    expect(() => planDeployRequest(inputs(given), labels)).toThrow(message);
  });
});

describe('rollback decisions', () => {
  it('rolls back to what the alias serves, or to its previous version when this deploy is that version', () => {
    expect(rollbackTarget(3, { current: 2, previous: 1 })).toBe(2);
    expect(rollbackTarget(2, { current: 2, previous: 1 })).toBe(1);
    expect(rollbackTarget(1, { current: 2, previous: 1 })).toBe(2);
    expect(rollbackTarget(1, { current: undefined, previous: undefined })).toBeUndefined();
    expect(rollbackTarget(1, { current: 1, previous: undefined })).toBeUndefined();
  });

  it('never rolls back to a deprecated version (an alias cannot point at one)', () => {
    expect(rollbackTarget(3, { current: 3, previous: 2, deprecated: [2] })).toBeUndefined();
    expect(rollbackTarget(3, { current: 2, previous: 1, deprecated: [2] })).toBe(1);
    expect(rollbackTarget(3, { current: 2, previous: 1, deprecated: [1] })).toBe(2);
  });
});

describe('what the commands get', () => {
  it('names the model, its verified path, the environment and the stage traffic', () => {
    expect(
      deployVariables(
        { model: 'churn', version: 4, sha256: 'ab'.repeat(32), path: '/tmp/m/model.pkl', environment: 'staging' },
        50,
      ),
    ).toEqual({
      MLOPS_MODEL_NAME: 'churn',
      MLOPS_MODEL_VERSION: '4',
      MLOPS_MODEL_SHA256: 'ab'.repeat(32),
      MLOPS_MODEL_PATH: '/tmp/m/model.pkl',
      MLOPS_ENVIRONMENT: 'staging',
      MLOPS_TRAFFIC_PERCENT: '50',
    });
  });

  it('keeps deployment descriptions within GitHub limit of 140 characters', () => {
    expect(deploymentDescription('short\nline')).toBe('short line');
    const long = deploymentDescription('x'.repeat(300));
    expect(long).toHaveLength(140);
    expect(long.endsWith('…')).toBe(true);
  });
});
