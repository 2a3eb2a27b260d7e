import { describe, expect, it } from 'vitest';
import { renderActionSummary } from '../../src/cli/summaries.js';

describe('mlops deploy summary on stdout', () => {
  it('says deployed, rolled back or failed, with the verified model and the deployment', async () => {
    const outputs = { version: 3, 'previous-version': 2, 'model-path': '/tmp/m/model.bin', 'deployment-id': 42 };
    expect(
      await renderActionSummary('deploy', {
        passed: true,
        outputs: { ...outputs, status: 'deployed', 'rolled-back': false },
      }),
    ).toBe('DEPLOYED  deploy: v3 (previously v2).\n  model       /tmp/m/model.bin\n  deployment  42\n');
    expect(
      await renderActionSummary('deploy', {
        passed: false,
        outputs: { ...outputs, status: 'rolled-back', 'rolled-back': true },
      }),
    ).toMatch(/^ROLLED BACK {2}deploy: v3 failed; v2 serves again\.\n/);
    expect(
      await renderActionSummary('deploy', {
        passed: false,
        outputs: { version: 1, 'model-path': '/tmp/m/model.bin', status: 'failed', 'rolled-back': false },
      }),
    ).toBe('FAILED  deploy: v1 failed, and no rollback passed (the log says why).\n  model       /tmp/m/model.bin\n');
  });
});
